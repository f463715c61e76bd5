import type { Ticket } from '../../protocol/orders.ts';
import { age, html } from '../shared/ui.ts';

/** Open tickets grouped by order, for the expo view. */
export function expoOrders(queue: Ticket[]): Ticket[][] {
  const byOrder = new Map<string, Ticket[]>();
  for (const t of queue) byOrder.set(t.orderId, [...(byOrder.get(t.orderId) ?? []), t]);
  return [...byOrder.values()];
}

/** One station ticket: its slot number for bump bars, age, lines with modifiers and notes, Start and Bump. */
export function TicketCard({
  ticket,
  index,
  selected,
  tone,
  now,
  onBump,
  onStart,
}: {
  ticket: Ticket;
  index: number;
  selected: boolean;
  tone: string;
  now: number;
  onBump: () => void;
  onStart: () => void;
}) {
  return html`<article class="ticket ${tone} ${selected ? 'selected' : ''} ${ticket.status}" data-ticket=${ticket.id} data-order=${ticket.orderId}>
    <header>
      <span class="slot">${index + 1}</span><b>#${ticket.orderNumber}</b><span>${ticket.tableLabel ?? ''}</span>
      <span class="age" data-testid="age">${age(ticket.createdAt, now)}</span>
    </header>
    ${ticket.orderNote && html`<p class="order-note">${ticket.orderNote}</p>`}
    <ul>
      ${ticket.lines.map(
        (l) => html`<li>
          <span class="qty">${l.qty}</span> <span class="lname">${l.name}</span>
          ${l.modifiers.length > 0 && html`<div class="mods">${l.modifiers.map((m) => m.name).join(' · ')}</div>`}
          ${l.note && html`<div class="note">⚠ ${l.note}</div>`}
        </li>`,
      )}
    </ul>
    <footer>
      ${ticket.status === 'open' && html`<button onClick=${onStart}>Start</button>`}
      <button class="primary" onClick=${onBump} data-testid="bump">Bump</button>
    </footer>
  </article>`;
}
