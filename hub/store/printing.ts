import type {
  PrintDoc,
  PrinterSettings,
  PrintJob,
  PrintJobKind,
  PrintJobState,
  StationPrinting,
} from '../../protocol/printers.ts';
import type { Db } from './db.ts';

/** A printer as stored: its settings, without the live status the queue keeps in memory. */
export interface StoredPrinter extends PrinterSettings {
  id: string;
  createdAt: string;
}

interface PrinterRow {
  id: string;
  name: string;
  host: string;
  port: number;
  paper_width: 58 | 80;
  codepage: PrinterSettings['codepage'];
  cutter: number;
  cash_drawer: number;
  confirm: PrinterSettings['confirm'];
  created_at: string;
}

const toPrinter = (r: PrinterRow): StoredPrinter => ({
  id: r.id,
  name: r.name,
  host: r.host,
  port: r.port,
  paperWidth: r.paper_width,
  codepage: r.codepage,
  cutter: r.cutter === 1,
  cashDrawer: r.cash_drawer === 1,
  confirm: r.confirm,
  createdAt: r.created_at,
});

/** A job as the queue needs it: the page to print, and where it stands. */
export interface StoredJob extends Omit<PrintJob, 'printerName'> {
  doc: PrintDoc;
  ticketId: string | null;
  stationId: string | null;
  nextAttemptAt: string | null;
}

export interface NewJob {
  id: string;
  printerId: string;
  kind: PrintJobKind;
  title: string;
  doc: PrintDoc;
  orderId?: string | null;
  ticketId?: string | null;
  stationId?: string | null;
  createdAt: string;
}

interface JobRow {
  id: string;
  printer_id: string;
  kind: PrintJobKind;
  state: PrintJobState;
  title: string;
  doc: string;
  order_id: string | null;
  ticket_id: string | null;
  station_id: string | null;
  backup_from: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  printed_at: string | null;
}

const toJob = (r: JobRow): StoredJob => ({
  id: r.id,
  printerId: r.printer_id,
  kind: r.kind,
  state: r.state,
  title: r.title,
  doc: JSON.parse(r.doc),
  orderId: r.order_id,
  ticketId: r.ticket_id,
  stationId: r.station_id,
  backupFrom: r.backup_from,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  printedAt: r.printed_at,
});

const statements = (db: Db) => ({
  insertPrinter: db.prepare(
    `INSERT INTO printers (id, name, host, port, paper_width, codepage, cutter, cash_drawer, confirm, created_at)
         VALUES (@id, @name, @host, @port, @paperWidth, @codepage, @cutter, @cashDrawer, @confirm, @createdAt)`,
  ),
  updatePrinter: db.prepare(
    `UPDATE printers SET name = @name, host = @host, port = @port, paper_width = @paperWidth, codepage = @codepage,
           cutter = @cutter, cash_drawer = @cashDrawer, confirm = @confirm WHERE id = @id`,
  ),
  removePrinter: db.prepare('UPDATE printers SET removed_at = ? WHERE id = ?'),
  printer: db.prepare('SELECT * FROM printers WHERE id = ? AND removed_at IS NULL'),
  printers: db.prepare('SELECT * FROM printers WHERE removed_at IS NULL ORDER BY name, id'),
  route: db.prepare('SELECT * FROM station_printing WHERE station_id = ?'),
  routes: db.prepare('SELECT * FROM station_printing'),
  setRoute: db.prepare(
    `INSERT INTO station_printing (station_id, mode, printer_id, backup_printer_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (station_id) DO UPDATE SET mode = excluded.mode, printer_id = excluded.printer_id,
           backup_printer_id = excluded.backup_printer_id`,
  ),
  dropRoutesTo: db.prepare(
    `UPDATE station_printing SET printer_id = CASE WHEN printer_id = @id THEN backup_printer_id ELSE printer_id END,
           backup_printer_id = CASE WHEN backup_printer_id = @id OR printer_id = @id THEN NULL ELSE backup_printer_id END`,
  ),
  tillPrinter: db.prepare('SELECT printer_id FROM till_printers WHERE device_id = ?').pluck(),
  tillPrinters: db.prepare('SELECT device_id AS deviceId, printer_id AS printerId FROM till_printers'),
  setTillPrinter: db.prepare(
    'INSERT INTO till_printers (device_id, printer_id) VALUES (?, ?) ON CONFLICT (device_id) DO UPDATE SET printer_id = excluded.printer_id',
  ),
  clearTillPrinter: db.prepare('DELETE FROM till_printers WHERE device_id = ?'),
  clearTillsOf: db.prepare('DELETE FROM till_printers WHERE printer_id = ?'),
  insertJob: db.prepare(
    `INSERT INTO print_jobs (id, printer_id, kind, state, title, doc, order_id, ticket_id, station_id, created_at)
         VALUES (@id, @printerId, @kind, 'queued', @title, @doc, @orderId, @ticketId, @stationId, @createdAt)`,
  ),
  job: db.prepare('SELECT * FROM print_jobs WHERE id = ?'),
  nextJob: db.prepare(
    "SELECT * FROM print_jobs WHERE printer_id = ? AND state = 'queued' ORDER BY created_at, id LIMIT 1",
  ),
  queuedCounts: db.prepare(
    "SELECT printer_id AS printerId, COUNT(*) AS n FROM print_jobs WHERE state = 'queued' GROUP BY printer_id",
  ),
  recentJobs: db.prepare(
    `SELECT * FROM print_jobs WHERE (@state IS NULL OR state = @state) AND (@printerId IS NULL OR printer_id = @printerId)
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
  ),
  jobForTicket: db.prepare("SELECT 1 FROM print_jobs WHERE ticket_id = ? AND kind = 'ticket'").pluck(),
  printed: db.prepare(
    "UPDATE print_jobs SET state = 'printed', printed_at = ?, last_error = NULL WHERE id = ?",
  ),
  failed: db.prepare(
    'UPDATE print_jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?',
  ),
  move: db.prepare(
    'UPDATE print_jobs SET printer_id = ?, backup_from = ?, next_attempt_at = NULL WHERE id = ?',
  ),
  requeue: db.prepare(
    "UPDATE print_jobs SET state = 'queued', next_attempt_at = NULL, printed_at = NULL WHERE id = ?",
  ),
  cancel: db.prepare("UPDATE print_jobs SET state = 'cancelled' WHERE id = ? AND state = 'queued'"),
});

/** Printers, where each station's tickets and each till's receipts print, and the print queue. */
export class PrintStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(db: Db) {
    this.s = statements(db);
  }

  insertPrinter(p: StoredPrinter): void {
    this.s.insertPrinter.run(printerParams(p));
  }

  updatePrinter(p: StoredPrinter): void {
    this.s.updatePrinter.run(printerParams(p));
  }

  /** Remove a printer: its routes fall back to their backups, its tills print nowhere. */
  removePrinter(id: string, at: string): void {
    this.s.removePrinter.run(at, id);
    this.s.dropRoutesTo.run({ id });
    this.s.clearTillsOf.run(id);
  }

  printer(id: string): StoredPrinter | null {
    const row = this.s.printer.get(id) as PrinterRow | undefined;
    return row ? toPrinter(row) : null;
  }

  printers(): StoredPrinter[] {
    return (this.s.printers.all() as PrinterRow[]).map(toPrinter);
  }

  route(stationId: string): StationPrinting | null {
    const r = this.s.route.get(stationId) as RouteRow | undefined;
    return r ? toRoute(r) : null;
  }

  routes(): Map<string, StationPrinting> {
    return new Map((this.s.routes.all() as RouteRow[]).map((r) => [r.station_id, toRoute(r)]));
  }

  setRoute(stationId: string, r: StationPrinting): void {
    this.s.setRoute.run(stationId, r.mode, r.printerId, r.backupPrinterId);
  }

  tillPrinter(deviceId: string): string | null {
    return (this.s.tillPrinter.get(deviceId) as string | undefined) ?? null;
  }

  tillPrinters(): { deviceId: string; printerId: string }[] {
    return this.s.tillPrinters.all() as { deviceId: string; printerId: string }[];
  }

  setTillPrinter(deviceId: string, printerId: string | null): void {
    if (printerId) this.s.setTillPrinter.run(deviceId, printerId);
    else this.s.clearTillPrinter.run(deviceId);
  }

  insertJob(j: NewJob): void {
    this.s.insertJob.run({
      orderId: null,
      ticketId: null,
      stationId: null,
      ...j,
      doc: JSON.stringify(j.doc),
    });
  }

  job(id: string): StoredJob | null {
    const row = this.s.job.get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** The printer's oldest queued job: jobs print in the order they were made. */
  nextJob(printerId: string): StoredJob | null {
    const row = this.s.nextJob.get(printerId) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  queuedCounts(): Map<string, number> {
    return new Map(
      (this.s.queuedCounts.all() as { printerId: string; n: number }[]).map((r) => [r.printerId, r.n]),
    );
  }

  recentJobs(q: {
    state?: PrintJobState | undefined;
    printerId?: string | undefined;
    limit: number;
  }): StoredJob[] {
    return (
      this.s.recentJobs.all({
        state: q.state ?? null,
        printerId: q.printerId ?? null,
        limit: q.limit,
      }) as JobRow[]
    ).map(toJob);
  }

  hasTicketJob(ticketId: string): boolean {
    return this.s.jobForTicket.get(ticketId) !== undefined;
  }

  markPrinted(id: string, at: string): void {
    this.s.printed.run(at, id);
  }

  markFailed(id: string, nextAttemptAt: string, error: string): void {
    this.s.failed.run(nextAttemptAt, error, id);
  }

  moveJob(id: string, printerId: string, backupFrom: string | null): void {
    this.s.move.run(printerId, backupFrom, id);
  }

  requeue(id: string): void {
    this.s.requeue.run(id);
  }

  cancelJob(id: string): boolean {
    return this.s.cancel.run(id).changes === 1;
  }
}

interface RouteRow {
  station_id: string;
  mode: StationPrinting['mode'];
  printer_id: string | null;
  backup_printer_id: string | null;
}

const toRoute = (r: RouteRow): StationPrinting => ({
  mode: r.mode,
  printerId: r.printer_id,
  backupPrinterId: r.backup_printer_id,
});

const printerParams = (p: StoredPrinter) => ({
  ...p,
  cutter: p.cutter ? 1 : 0,
  cashDrawer: p.cashDrawer ? 1 : 0,
});
