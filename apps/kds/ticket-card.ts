import type { OrderType, Ticket } from '../../protocol/orders.ts';
import { age, html } from '../shared/ui.ts';

/** Open tickets grouped by order, for the expo view. */
export function expoOrders(queue: Ticket[]): Ticket[][] {
  const byOrder = new Map<string, Ticket[]>();
  for (const t of queue) byOrder.set(t.orderId, [...(byOrder.get(t.orderId) ?? []), t]);
  return [...byOrder.values()];
}

const typeLabel: Record<OrderType, string | null> = {
  dine_in: null,
  takeout: 'Takeout',
  delivery: 'Delivery',
  bar_tab: 'Bar tab',
};

/**
 * When the cook's clock starts: when the cashier sent it (an order that waited in a till's queue
 * counts from then), or, for a course held and fired later, when it fired.
 */
export const cookableSince = (t: Ticket) =>
  t.firedAt && t.firedAt !== t.createdAt ? t.firedAt : (t.takenAt ?? t.createdAt);

/** How long an order waited in a till's queue before the hub got it, when it did. */
export const queueDelay = (t: Ticket, now: number) =>
  t.takenAt ? age(t.takenAt, Date.parse(t.createdAt) || now) : null;

/**
 * One station ticket: its slot number for bump bars, age, course and round, lines with modifiers
 * and notes (a line voided after firing struck through), Start and Bump. A held course is shown
 * greyed as "next", with nothing to press: it cannot be cooked until it fires.
 */
export function TicketCard({
  ticket,
  index,
  slot,
  selected,
  tone,
  now,
  onBump,
  onStart,
}: {
  ticket: Ticket;
  index: number;
  /** The key that selects it (bump bars). */
  slot: string;
  selected: boolean;
  tone: string;
  now: number;
  onBump: () => void;
  onStart: () => void;
}) {
  const held = ticket.status === 'held';
  const type = typeLabel[ticket.orderType];
  return html`<article class="ticket ${held ? 'next' : tone} ${selected ? 'selected' : ''} ${ticket.status}" data-ticket=${ticket.id} data-order=${ticket.orderId}>
    <header>
      <span class="slot" data-slot=${index}>${slot}</span><b>#${ticket.orderNumber}</b><span>${ticket.tableLabel ?? ''}</span>
      <span class="age" data-testid="age">${held ? 'next' : age(cookableSince(ticket), now)}</span>
    </header>
    ${
      (ticket.course || ticket.round > 1 || type || ticket.takenAt) &&
      html`<p class="tags">
        ${held && html`<span class="tag next" data-testid="next">Next · hold</span>`}
        ${ticket.course && html`<span class="tag course">${ticket.course}</span>`}
        ${ticket.round > 1 && html`<span class="tag addon" data-testid="add-on">Add-on · round ${ticket.round}</span>`}
        ${type && html`<span class="tag type">${type}</span>`}
        ${ticket.takenAt && html`<span class="tag queued" data-testid="queued-for">queued ${queueDelay(ticket, now)}</span>`}
      </p>`
    }
    ${ticket.orderNote && html`<p class="order-note">${ticket.orderNote}</p>`}
    <ul>
      ${ticket.lines.map(
        (l) => html`<li class=${l.void ? 'voided' : ''} data-testid=${l.void ? 'voided-line' : undefined}>
          <span class="qty">${l.qty}</span> <span class="lname">${l.void ? html`<s>${l.name}</s> VOID` : l.name}</span>
          ${l.modifiers.length > 0 && html`<div class="mods">${l.modifiers.map((m) => m.name).join(' · ')}</div>`}
          ${l.note && html`<div class="note">⚠ ${l.note}</div>`}
        </li>`,
      )}
    </ul>
    ${
      !held &&
      html`<footer>
        ${ticket.status === 'open' && html`<button onClick=${onStart}>Start</button>`}
        <button class="primary" onClick=${onBump} data-testid="bump">Bump</button>
      </footer>`
    }
  </article>`;
}
