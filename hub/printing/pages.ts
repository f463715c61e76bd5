import type { Order, OrderLine, Ticket } from '../../protocol/orders.ts';
import type { Payment } from '../../protocol/payments.ts';
import type { PrintDoc, PrintLine } from '../../protocol/printers.ts';
import { money } from '../../rules/money.ts';

/** Who the restaurant is, at the top of every bill and receipt (configuration). */
export interface Business {
  name: string;
  address: string | null;
  taxId: string | null;
  locale: string;
}

const clock = (iso: string, locale: string) =>
  new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
const when = (iso: string, locale: string) =>
  `${new Date(iso).toLocaleDateString(locale)} ${clock(iso, locale)}`;

/** A line's modifiers and note, as the cook must not miss them. */
function lineDetails(line: OrderLine, indent: string): PrintLine[] {
  const out: PrintLine[] = line.modifiers.map((m) => ({ text: `${indent}+ ${m.name}` }));
  // Notes are where allergies are written: printed inverted, so they stand out on a busy rail.
  if (line.note) out.push({ text: `${indent}NOTE: ${line.note}`, bold: true, invert: true });
  return out;
}

/**
 * A kitchen ticket: what the station's screen shows, on paper. A void prints the same lines
 * marked VOID so the cook stops making them.
 */
export function ticketPage(
  ticket: Ticket,
  stationName: string,
  options: { voided: boolean; at: string; locale: string },
): PrintDoc {
  const lines: PrintLine[] = [];
  if (options.voided)
    lines.push({ text: '*** VOID ***', big: true, bold: true, invert: true, align: 'center' });
  lines.push({ text: stationName.toUpperCase(), bold: true, invert: true });
  lines.push({
    text: `#${ticket.orderNumber}${ticket.tableLabel ? `  ${ticket.tableLabel}` : ''}`,
    big: true,
    bold: true,
  });
  if (ticket.orderNote) lines.push({ text: `NOTE: ${ticket.orderNote}`, bold: true, invert: true });
  lines.push({ rule: true });
  for (const line of ticket.lines) {
    lines.push({ text: `${options.voided ? 'VOID ' : ''}${line.qty} x ${line.name}`, big: true, bold: true });
    lines.push(...lineDetails(line, '   '));
  }
  lines.push({ rule: true });
  lines.push({ text: `${options.voided ? 'voided' : 'in'} ${clock(options.at, options.locale)}` });
  return { lines, cut: true, drawer: false };
}

/** A bill (the check presented, with a tip line) or a receipt (after payment, with the tenders). */
export function checkPage(
  kind: 'bill' | 'receipt',
  order: Order,
  payments: readonly Payment[],
  business: Business,
): PrintDoc {
  const m = (minor: number) => money(minor, order.currency, business.locale);
  const lines: PrintLine[] = [{ text: business.name, big: true, bold: true, align: 'center' }];
  if (business.address) lines.push({ text: business.address, align: 'center' });
  if (business.taxId) lines.push({ text: `Tax id ${business.taxId}`, align: 'center' });
  lines.push({ rule: true });
  lines.push({ text: `${kind === 'bill' ? 'BILL' : 'RECEIPT'}  Order #${order.number}`, bold: true });
  const type = { dine_in: '', takeout: 'Takeout · ', delivery: 'Delivery · ', bar_tab: 'Bar tab · ' }[
    order.orderType
  ];
  lines.push({
    text: `${type}${order.tableLabel ? `${order.tableLabel} · ` : ''}${when(order.createdAt, business.locale)}`,
  });
  lines.push({ rule: true });
  // The guest's copy: voided lines are not on it; a comp and a discount say what they took off.
  for (const line of order.lines) {
    if (line.void) continue;
    const share = line.share ? ` (${line.share.part}/${line.share.parts})` : '';
    lines.push({ left: `${line.qty} x ${line.name}${share}`, right: m(line.lineTotal) });
    for (const mod of line.modifiers) lines.push({ text: `    + ${mod.name}` });
    if (line.discount > 0) lines.push({ left: '    discount', right: m(-line.discount) });
    if (line.comp)
      lines.push({ left: `    comp (${line.comp.reason})`, right: m(-(line.lineTotal - line.discount)) });
  }
  lines.push({ rule: true });
  if (order.discounts > 0 || order.comps > 0) {
    lines.push({ left: 'Items', right: m(order.gross) });
    if (order.discounts > 0) lines.push({ left: 'Discounts', right: m(-order.discounts) });
    if (order.comps > 0) lines.push({ left: 'Comps', right: m(-order.comps) });
  }
  lines.push({ left: 'Subtotal', right: m(order.subtotal) });
  for (const t of order.taxes) {
    const rate = `${(t.rateBasisPoints / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
    lines.push({ left: `${t.name} ${rate}${t.inclusive ? ' (incl.)' : ''}`, right: m(t.tax) });
  }
  lines.push({ left: 'Total', right: m(order.total), bold: true });
  const taken = payments.filter(
    (p) => p.status !== 'failed' && p.status !== 'voided' && p.status !== 'pending',
  );
  if (kind === 'bill') {
    const paid = taken.reduce((s, p) => s + p.amount, 0);
    if (paid > 0)
      lines.push(
        { left: 'Already paid', right: m(paid) },
        { left: 'Due', right: m(order.total - paid), bold: true },
      );
    lines.push({ text: '' }, { text: 'Tip  ______________' }, { text: '' }, { text: 'Total ______________' });
  } else {
    for (const p of taken) {
      const card = p.card ? ` ${p.card.brand} ..${p.card.last4}` : '';
      const label = p.method === 'cash' ? 'Cash' : `Card${card}`;
      lines.push({
        left: label,
        right: m(p.method === 'cash' && p.tendered ? p.tendered : p.amount + p.tip),
      });
      if (p.tip > 0) lines.push({ left: '  incl. tip', right: m(p.tip) });
      if (p.changeDue > 0) lines.push({ left: '  Change', right: m(p.changeDue) });
      if (p.refunded > 0) lines.push({ left: '  Refunded', right: m(-p.refunded) });
    }
    const paid = taken.reduce((s, p) => s + p.amount, 0);
    lines.push({ left: 'Balance due', right: m(Math.max(0, order.total - paid)), bold: true });
  }
  lines.push({ rule: true }, { text: 'Thank you', align: 'center' });
  return { lines, cut: true, drawer: false };
}

/** What a manager prints to check a new printer: its settings, and the characters it can show. */
export function testPage(
  printer: { name: string; host: string; port: number; paperWidth: number; codepage: string },
  at: string,
  locale: string,
): PrintDoc {
  return {
    lines: [
      { text: 'Grow Hub test print', big: true, bold: true, align: 'center' },
      { rule: true },
      { left: 'Printer', right: printer.name },
      { left: 'Address', right: `${printer.host}:${printer.port}` },
      { left: 'Paper', right: `${printer.paperWidth} mm` },
      { left: 'Code page', right: printer.codepage },
      { left: 'Printed', right: when(at, locale) },
      { rule: true },
      { text: 'Crème brûlée, jalapeño, Würstchen' },
      { text: 'NOTE: shown like an allergy note', bold: true, invert: true },
    ],
    cut: true,
    drawer: false,
  };
}

/** Open the cash drawer: nothing printed. */
export const drawerPage = (): PrintDoc => ({ lines: [], cut: false, drawer: true });
