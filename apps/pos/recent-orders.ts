import type { Order } from '../../protocol/orders.ts';
import { html, money } from '../shared/ui.ts';
import type { QueuedOrder } from './outbox.ts';

/** Orders waiting in this till's outbox for the hub. */
export function QueuedOrders({ queued }: { queued: QueuedOrder[] }) {
  if (queued.length === 0) return null;
  return html`<div class="queued" data-testid="queue"><h3>Waiting for the hub (${queued.length})</h3>
    ${queued.map((q) => html`<div class="qrow">Queued · ${q.body.lines.length} line${q.body.lines.length === 1 ? '' : 's'} · ${new Date(q.queuedAt).toLocaleTimeString()}</div>`)}</div>`;
}

/** The latest orders with their kitchen status, and what can be done with each. */
export function RecentOrders({
  recent,
  manager,
  onPay,
  onReceipt,
  onComplete,
  onVoid,
}: {
  recent: Order[];
  manager: boolean;
  onPay: (o: Order) => void;
  onReceipt: (o: Order) => void;
  onComplete: (o: Order) => void;
  onVoid: (o: Order) => void;
}) {
  const open = (o: Order) => o.status !== 'voided' && o.status !== 'completed';
  return html`<h2>Recent orders</h2>
    <ul class="recent" data-testid="recent">
      ${recent.map(
        (o) => html`<li data-order=${o.id}>
          <b>#${o.number}</b><span class="status s-${o.status}">${o.status.replace('_', ' ')}</span>
          <span>${o.tableLabel ?? ''}</span><span>${money(o.total, o.currency)}</span>
          <span class="actions">
            ${open(o) && html`<button onClick=${() => onPay(o)} data-testid="pay-order">Pay</button>`}
            <button onClick=${() => onReceipt(o)} data-testid="receipt-order">Receipt</button>
            ${o.status === 'ready' && html`<button onClick=${() => onComplete(o)}>Complete</button>`}
            ${manager && open(o) && html`<button class="danger" onClick=${() => onVoid(o)} data-testid="void-order">Void</button>`}
          </span>
        </li>`,
      )}
    </ul>`;
}
