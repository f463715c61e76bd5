import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { PrintDoc, PrinterSettings } from '../../protocol/printers.ts';

/** Columns of the standard font on each paper width. */
export const columnsOf = (paperWidth: 58 | 80) => (paperWidth === 80 ? 48 : 32);

/**
 * A page in the printer's own bytes (ESC/POS), through @point-of-sale/receipt-printer-encoder:
 * its code page, its width, its cutter and drawer. A job moved to a backup printer says so on top;
 * every job ends with its short id, so a reprint or a double print can be told from a new order.
 */
export function encodePage(
  doc: PrintDoc,
  printer: Pick<PrinterSettings, 'paperWidth' | 'codepage' | 'cutter' | 'cashDrawer'>,
  stamp: { jobId: string; backupFrom: string | null },
): Uint8Array {
  const columns = columnsOf(printer.paperWidth);
  const e = new ReceiptPrinterEncoder({
    columns,
    language: 'esc-pos',
    codepageMapping: 'epson',
    feedBeforeCut: 4,
  });
  e.initialize().codepage(printer.codepage);
  if (stamp.backupFrom)
    e.invert(true).bold(true).line(`BACKUP FROM ${stamp.backupFrom}`).bold(false).invert(false);
  for (const line of doc.lines) {
    if ('rule' in line) {
      e.rule();
    } else if ('left' in line) {
      const room = Math.max(1, columns - line.right.length - 1);
      const left = line.left.length > room ? `${line.left.slice(0, room - 1)}…` : line.left;
      e.bold(line.bold ?? false)
        .line(`${left.padEnd(room)} ${line.right}`)
        .bold(false);
    } else {
      e.align(line.align ?? 'left')
        .bold(line.bold ?? false)
        .invert(line.invert ?? false);
      if (line.big) e.size(2, 2);
      e.line(line.text);
      if (line.big) e.size(1, 1);
      e.invert(false).bold(false).align('left');
    }
  }
  if (doc.lines.length > 0) e.line(`job ${stamp.jobId.slice(-8)}`);
  if (doc.drawer && printer.cashDrawer) e.pulse();
  if (doc.cut && doc.lines.length > 0) {
    if (printer.cutter) e.cut();
    else e.newline(4);
  }
  return e.encode();
}

/** DLE EOT n, the real-time status requests: 2 = offline cause (cover), 4 = paper sensor, 1 = printer. */
export const statusRequest = (n: 1 | 2 | 4) => Uint8Array.of(0x10, 0x04, n);

/** What a status byte says, or null when all is well. */
export function statusProblem(n: 1 | 2 | 4, byte: number): 'paper_out' | 'cover_open' | null {
  if (n === 4 && (byte & 0x60) === 0x60) return 'paper_out';
  if (n === 2 && (byte & 0x04) === 0x04) return 'cover_open';
  return null;
}
