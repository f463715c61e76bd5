import type { CheckSummary, PayState } from '../../protocol/checks.ts';
import { html, money } from '../shared/ui.ts';
import type { QueuedCommand } from './outbox.ts';
import type { ListFilter } from './use-orders.ts';

/** What this till holds for the hub: waiting to be sent, or refused on replay (shown until dismissed). */
export function QueuedOrders({
  queued,
  onDismiss,
}: {
  queued: QueuedCommand[];
  onDismiss: (id: string) => void;
}) {
  if (queued.length === 0) return null;
  const waiting = queued.filter((q) => !q.refused);
  const refused = queued.filter((q) => q.refused);
  return html`<div class="queued" data-testid="queue">
    ${waiting.length > 0 && html`<h3>Waiting for the hub (${waiting.length})</h3>`}
    ${waiting.map((q) => html`<div class="qrow">${q.label} queued · ${new Date(q.queuedAt).toLocaleTimeString()}</div>`)}
    ${refused.map(
      (q) => html`<div class="qrow refused" data-testid="refused">
        <b>${q.label} was not accepted:</b> ${q.refused!.detail}
        <button onClick=${() => onDismiss(q.id)}>Seen</button>
      </div>`,
    )}
  </div>`;
}

const payLabel: Record<PayState, string> = { unpaid: 'Unpaid', partly_paid: 'Part paid', paid: 'Paid' };

/**
 * Open (or closed) checks, newest first, a page at a time: paid, part paid and unpaid at a
 * glance, search by number or name, and More until there are none left, so no unpaid check is
 * ever out of reach.
 */
export function CheckList({
  checks,
  hasMore,
  filter,
  manager,
  onFilter,
  onMore,
  onOpen,
  onPay,
  onReceipt,
  onComplete,
  onVoid,
}: {
  checks: CheckSummary[];
  hasMore: boolean;
  filter: ListFilter;
  manager: boolean;
  onFilter: (f: ListFilter) => void;
  onMore: () => void;
  onOpen: (c: CheckSummary) => void;
  onPay: (c: CheckSummary) => void;
  onReceipt: (c: CheckSummary) => void;
  onComplete: (c: CheckSummary) => void;
  onVoid: (c: CheckSummary) => void;
}) {
  const open = (c: CheckSummary) => c.status !== 'voided' && c.status !== 'completed';
  return html`<section class="check-list">
    <div class="list-head">
      <h2>Checks</h2>
      <div class="seg" role="group" aria-label="Which checks">
        ${(['open', 'closed'] as const).map(
          (s) =>
            html`<button class=${filter.state === s ? 'on' : ''} onClick=${() => onFilter({ ...filter, state: s })}>${s === 'open' ? 'Open' : 'Closed'}</button>`,
        )}
      </div>
    </div>
    <input type="search" placeholder="Check number or name" value=${filter.q} data-testid="check-search"
      onInput=${(e: Event) => onFilter({ ...filter, q: (e.target as HTMLInputElement).value })} />
    <ul class="recent" data-testid="recent">
      ${checks.length === 0 && html`<li class="muted">No ${filter.state} checks${filter.q ? ` matching “${filter.q}”` : ''}.</li>`}
      ${checks.map(
        (c) => html`<li data-order=${c.id} class=${`pay-${c.pay}`}>
          <button class="link" onClick=${() => onOpen(c)} data-testid="open-check"><b>#${c.number}</b> ${c.tableLabel ?? ''}</button>
          <span class="status s-${c.status}">${c.status.replace('_', ' ')}</span>
          <span class="badge ${c.pay}" data-testid="pay-state">${payLabel[c.pay]}</span>
          <span>${c.pay === 'partly_paid' ? html`${money(c.due, c.currency)} due` : money(c.total, c.currency)}</span>
          <span class="actions">
            ${open(c) && c.due > 0 && html`<button onClick=${() => onPay(c)} data-testid="pay-order">Pay</button>`}
            <button onClick=${() => onReceipt(c)} data-testid="receipt-order">Receipt</button>
            ${open(c) && c.due === 0 && html`<button onClick=${() => onComplete(c)} data-testid="complete-order">Close</button>`}
            ${manager && open(c) && html`<button class="danger" onClick=${() => onVoid(c)} data-testid="void-order">Void</button>`}
          </span>
        </li>`,
      )}
    </ul>
    ${hasMore && html`<button onClick=${onMore} data-testid="more-checks">More checks</button>`}
  </section>`;
}
