import { z } from 'zod';
import { Slug, Uuid } from './ids.ts';
import { Name } from './text.ts';

/** A LAN address a printer listens on: an IPv4 address or a host name, never a URL. */
const Host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.-]+$/, 'must be an IP address or a host name (no scheme, no port)');

/** Settings of one ESC/POS network printer (raw TCP, "port 9100"). */
export const PrinterSettings = z.strictObject({
  name: Name(60),
  host: Host,
  port: z.int().min(1).max(65_535).default(9100),
  /** Paper width: 80 mm prints 48 columns, 58 mm prints 32. */
  paperWidth: z.union([z.literal(58), z.literal(80)]).default(80),
  /** The printer's character table for accented letters (cp437 is every printer's default). */
  codepage: z.enum(['cp437', 'cp850', 'cp858', 'windows1252', 'cp866']).default('cp437'),
  cutter: z.boolean().default(true),
  /** A cash drawer on the printer's drawer port, kicked open by cash payments on its tills. */
  cashDrawer: z.boolean().default(false),
  /**
   * How the hub knows a job was printed: `status` asks the printer (DLE EOT) after the job and
   * waits for its answer, so a printer that stopped reading is noticed; `none` trusts the network
   * (for printers that never answer status requests).
   */
  confirm: z.enum(['status', 'none']).default('status'),
});
export type PrinterSettings = z.infer<typeof PrinterSettings>;
export const CreatePrinterBody = PrinterSettings;
export const UpdatePrinterBody = PrinterSettings.partial();
export type UpdatePrinterBody = z.infer<typeof UpdatePrinterBody>;

export const PrinterState = z.enum([
  'unknown',
  'online',
  'paper_out',
  'cover_open',
  'not_responding',
  'unreachable',
]);
export type PrinterState = z.infer<typeof PrinterState>;

export const Printer = z.object({
  id: Uuid,
  name: z.string(),
  host: z.string(),
  port: z.int(),
  paperWidth: z.union([z.literal(58), z.literal(80)]),
  codepage: z.string(),
  cutter: z.boolean(),
  cashDrawer: z.boolean(),
  confirm: z.enum(['status', 'none']),
  /** Live, from the last attempt to print or to read its status. */
  status: z.object({
    state: PrinterState,
    detail: z.string().nullable(),
    lastSuccessAt: z.string().nullable(),
    since: z.string().nullable(),
    queued: z.int(),
  }),
  createdAt: z.string(),
});
export type Printer = z.infer<typeof Printer>;

/**
 * Where a station's kitchen tickets print: `always` (a printer beside or instead of a screen),
 * `when_kds_offline` (only while the station's screen has been away past the threshold), `never`.
 */
export const StationPrinting = z.strictObject({
  mode: z.enum(['always', 'when_kds_offline', 'never']),
  printerId: Uuid.nullable(),
  /** Jobs the primary cannot print in time go here, stamped BACKUP FROM <primary>. */
  backupPrinterId: Uuid.nullable(),
});
export type StationPrinting = z.infer<typeof StationPrinting>;

export const StationRoute = StationPrinting.extend({ stationId: Slug, stationName: z.string() });
export type StationRoute = z.infer<typeof StationRoute>;

export const PrintJobKind = z.enum(['ticket', 'void', 'bill', 'receipt', 'test', 'drawer']);
export type PrintJobKind = z.infer<typeof PrintJobKind>;

export const PrintJobState = z.enum(['queued', 'printed', 'cancelled']);
export type PrintJobState = z.infer<typeof PrintJobState>;

export const PrintJob = z.object({
  id: Uuid,
  printerId: Uuid,
  printerName: z.string(),
  kind: PrintJobKind,
  state: PrintJobState,
  /** What it is, in a few words ("Grill ticket #41 T12"). */
  title: z.string(),
  orderId: Uuid.nullable(),
  /** The primary printer's name when the job was moved to a backup. */
  backupFrom: z.string().nullable(),
  attempts: z.int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  printedAt: z.string().nullable(),
});
export type PrintJob = z.infer<typeof PrintJob>;

export const PrintJobList = z.object({ jobs: z.array(PrintJob) });
export const PrintJobQuery = z.strictObject({
  state: PrintJobState.optional(),
  printerId: Uuid.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const MoveJobBody = z.strictObject({ printerId: Uuid });

/** Print a bill or receipt: on this printer, or the calling till's receipt printer. */
export const PrintCheckBody = z.strictObject({ printerId: Uuid.optional() });
export const TillPrinterBody = z.strictObject({ printerId: Uuid.nullable() });

/**
 * A printed page, as the hub renders it before any printer's bytes: so a job moved to a backup
 * with another paper width or code page prints correctly there.
 */
export type PrintLine =
  | { text: string; bold?: boolean; big?: boolean; align?: 'left' | 'center' | 'right'; invert?: boolean }
  | { left: string; right: string; bold?: boolean }
  | { rule: true };
export interface PrintDoc {
  lines: PrintLine[];
  cut: boolean;
  /** Kick the cash drawer. */
  drawer: boolean;
}
