import { useEffect, useState } from 'preact/hooks';
import type { Order } from '../../protocol/orders.ts';
import type { OrderPayments } from '../../protocol/payments.ts';
import { api } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';

/**
 * A receipt for any recent order, shown on screen; printed on the till's receipt printer (a bill
 * before payment, a receipt after), or by the browser (the print stylesheet shows only it).
 */
export function Receipt({ order, onClose }: { order: Order; onClose: () => void }) {
  const [payments, setPayments] = useState<OrderPayments | null>(null);
  useEffect(() => {
    api<OrderPayments>('GET', `/api/v1/orders/${order.id}/payments`)
      .then((r) => r.ok && setPayments(r.body))
      .catch((err) => console.warn('payments not shown: the hub did not answer', err));
  }, [order.id]);
  const [printed, setPrinted] = useState<{ tone: string; text: string } | null>(null);
  const m = (n: number) => money(n, order.currency);
  /** On this till's receipt printer (set by a manager on the admin page). */
  const print = async (kind: 'bill' | 'receipt') => {
    try {
      const res = await api('POST', `/api/v1/orders/${order.id}/${kind}`);
      setPrinted(
        res.ok
          ? { tone: 'ok', text: `${kind === 'bill' ? 'Bill' : 'Receipt'} sent to the printer.` }
          : { tone: 'bad', text: res.problem?.detail ?? `failed (${res.status})` },
      );
    } catch {
      setPrinted({ tone: 'bad', text: 'The hub is unreachable; try again in a moment.' });
    }
  };
  return html`<div class="dialog-backdrop">
    <div class="dialog receipt" role="dialog" aria-label="Receipt" data-testid="receipt">
      <h2>Check #${order.number}${order.tableLabel ? ` · ${order.tableLabel}` : ''}</h2>
      <p class="muted">${new Date(order.createdAt).toLocaleString()} · ${order.status.replace('_', ' ')}</p>
      <table>
        <tbody>
          ${order.lines
            .filter((l) => !l.void)
            .map(
              (
                l,
              ) => html`<tr><td>${l.qty}× ${l.name}${l.share ? ` (${l.share.part}/${l.share.parts})` : ''}${l.modifiers.length > 0 ? html`<div class="mods">${l.modifiers.map((x) => x.name).join(', ')}</div>` : ''}
                ${l.discount > 0 ? html`<div class="mods">discount −${m(l.discount)}</div>` : ''}${l.comp ? html`<div class="mods">comp: ${l.comp.reason}</div>` : ''}</td>
                <td class="num">${l.comp ? m(0) : m(l.lineTotal - l.discount)}</td></tr>`,
            )}
          <tr><td>Subtotal</td><td class="num">${m(order.subtotal)}</td></tr>
          ${order.taxes.map((t) => html`<tr><td>${t.name} ${(t.rateBasisPoints / 100).toFixed(2)}%${t.inclusive ? ' (included)' : ''}</td><td class="num">${m(t.tax)}</td></tr>`)}
          <tr class="grand"><td>Total</td><td class="num" data-testid="receipt-total">${m(order.total)}</td></tr>
          ${payments?.payments.map(
            (
              p,
            ) => html`<tr><td>${p.method === 'cash' ? 'Cash' : `Card${p.card ? ` ${p.card.brand} ··${p.card.last4}` : ''}`} · ${p.status.replace('_', ' ')}${p.tip ? ` (tip ${m(p.tip)})` : ''}</td>
              <td class="num">${m(p.amount + p.tip)}</td></tr>`,
          )}
          ${payments && html`<tr><td>Due</td><td class="num" data-testid="receipt-due">${m(payments.due)}</td></tr>`}
        </tbody>
      </table>
      ${printed && html`<p class="notice ${printed.tone} no-print" data-testid="print-notice">${printed.text}</p>`}
      <div class="dialog-actions no-print">
        <button onClick=${onClose}>Close</button>
        <button onClick=${() => window.print()}>Print here</button>
        <button onClick=${() => print('bill')} data-testid="print-bill">Print bill</button>
        <button class="primary" onClick=${() => print('receipt')} data-testid="print-receipt">Print receipt</button>
      </div>
    </div>
  </div>`;
}
