import type { MenuView } from '../../protocol/menu.ts';
import type { OrderLineInput } from '../../protocol/orders.ts';
import type { Catalog } from '../../rules/catalog.ts';
import type { PricingResult } from '../../rules/pricing.ts';
import { html, money } from '../shared/ui.ts';

export interface CartLine extends OrderLineInput {
  key: string;
}

/** Where a new check sits: a table of the floor plan with its guests, or a name typed in. */
export interface Seating {
  tableId: string;
  tableName: string;
  guests: number;
}

/**
 * The lines being rung in (a new check, or a new round on an open one): each with its seat and a
 * quantity to change, live totals with tax (priced by the same rules the hub uses, so the till
 * shows what the hub will charge), courses to hold, and Send.
 */
export function CartPanel({
  menu,
  catalog,
  cart,
  priced,
  seat,
  seats,
  hold,
  title,
  sendLabel,
  children,
  onSeat,
  onQty,
  onHold,
  onSend,
}: {
  menu: MenuView;
  catalog: Catalog;
  cart: CartLine[];
  priced: PricingResult | null;
  seat: number | null;
  seats: number;
  hold: string[];
  title: string;
  sendLabel: string;
  /** What sits above the lines: the table field, or nothing on an open check. */
  children?: preact.ComponentChildren;
  onSeat: (seat: number | null) => void;
  onQty: (key: string, qty: number) => void;
  onHold: (hold: string[]) => void;
  onSend: () => void;
}) {
  const courseName = (id: string) => menu.courses.find((c) => c.id === id)?.name ?? id;
  const coursesInCart = [
    ...new Set(
      cart
        .map((l) => l.course ?? catalog.courseOf(catalog.items.get(l.itemId)!))
        .filter((c): c is string => c !== null),
    ),
  ].sort((a, b) => (catalog.courseOrder.get(a) ?? 0) - (catalog.courseOrder.get(b) ?? 0));
  return html`<section class="round">
    <h2>${title}</h2>
    ${children}
    ${
      seats > 0 &&
      html`<div class="seats" role="group" aria-label="Seat for the next items">
        <span class="muted">Seat</span>
        <button class=${seat === null ? 'opt on' : 'opt'} onClick=${() => onSeat(null)}>Share</button>
        ${Array.from({ length: seats }, (_, i) => i + 1).map(
          (n) =>
            html`<button class=${seat === n ? 'opt on' : 'opt'} onClick=${() => onSeat(n)} data-seat=${n}>${n}</button>`,
        )}
      </div>`
    }
    <ul class="lines" data-testid="cart">
      ${cart.length === 0 && html`<li class="muted">Tap items to add them.</li>`}
      ${cart.map((line, i) => {
        const p = priced?.ok ? priced.order.lines[i] : null;
        const item = catalog.items.get(line.itemId)!;
        return html`<li>
          <div class="line-main">
            <span class="stepper small">
              <button aria-label=${`one less ${item.name}`} onClick=${() => onQty(line.key, line.qty - 1)}>${line.qty === 1 ? '✕' : '−'}</button>
              <span class="qty">${line.qty}</span>
              <button aria-label=${`one more ${item.name}`} onClick=${() => onQty(line.key, line.qty + 1)}>+</button>
            </span>
            <span class="lname">${item.name}</span>
            ${line.seat && html`<span class="seat">S${line.seat}</span>`}
            <span class="ltotal">${p ? money(p.lineTotal, menu.currency) : ''}</span>
          </div>
          ${p && p.modifiers.length > 0 && html`<div class="mods">${p.modifiers.map((m) => m.name).join(', ')}</div>`}
          ${line.note && html`<div class="note">“${line.note}”</div>`}
        </li>`;
      })}
    </ul>
    ${
      coursesInCart.length > 1 &&
      html`<div class="hold" role="group" aria-label="Courses to hold">
        <span class="muted">Hold</span>
        ${coursesInCart.slice(1).map(
          (c) => html`<button class=${hold.includes(c) ? 'opt on' : 'opt'} data-hold=${c}
            onClick=${() => onHold(hold.includes(c) ? hold.filter((h) => h !== c) : [...hold, c])}>${courseName(c)}</button>`,
        )}
      </div>`
    }
    ${
      priced?.ok &&
      html`<dl class="totals" data-testid="totals">
      <dt>Subtotal</dt><dd>${money(priced.order.subtotal, menu.currency)}</dd>
      ${priced.order.taxes.map((t) => html`<dt>${t.name} ${(t.rateBasisPoints / 100).toFixed(2)}%</dt><dd>${money(t.tax, menu.currency)}</dd>`)}
      <dt class="grand">Total</dt><dd class="grand" data-testid="total">${money(priced.order.total, menu.currency)}</dd>
    </dl>`
    }
    ${priced && !priced.ok && html`<p class="error">${priced.errors.map((e) => e.message).join('; ')}</p>`}
    <button class="primary big" disabled=${!priced?.ok} onClick=${onSend} data-testid="send">${sendLabel}</button>
  </section>`;
}
