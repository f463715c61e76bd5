import { useEffect, useState } from 'preact/hooks';
import type { Order } from '../../protocol/orders.ts';
import type { OrderPayments } from '../../protocol/payments.ts';
import { api } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';

/** A receipt for any recent order, shown on screen and printable (the print stylesheet shows only it). */
export function Receipt({ order, onClose }: { order: Order; onClose: () => void }) {
  const [payments, setPayments] = useState<OrderPayments | null>(null);
  useEffect(() => {
    api<OrderPayments>('GET', `/api/v1/orders/${order.id}/payments`)
      .then((r) => r.ok && setPayments(r.body))
      .catch((err) => console.warn('payments not shown: the hub did not answer', err));
  }, [order.id]);
  const m = (n: number) => money(n, order.currency);
  return html`<div class="dialog-backdrop">
    <div class="dialog receipt" role="dialog" aria-label="Receipt" data-testid="receipt">
      <h2>Order #${order.number}${order.tableLabel ? ` · ${order.tableLabel}` : ''}</h2>
      <p class="muted">${new Date(order.createdAt).toLocaleString()} · ${order.status.replace('_', ' ')}</p>
      <table>
        <tbody>
          ${order.lines.map(
            (
              l,
            ) => html`<tr><td>${l.qty}× ${l.name}${l.modifiers.length > 0 ? html`<div class="mods">${l.modifiers.map((x) => x.name).join(', ')}</div>` : ''}</td>
              <td class="num">${m(l.lineTotal)}</td></tr>`,
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
      <div class="dialog-actions no-print">
        <button onClick=${onClose}>Close</button>
        <button class="primary" onClick=${() => window.print()}>Print</button>
      </div>
    </div>
  </div>`;
}
