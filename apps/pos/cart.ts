import type { MenuView } from '../../protocol/menu.ts';
import type { OrderLineInput } from '../../protocol/orders.ts';
import type { Catalog } from '../../rules/catalog.ts';
import type { PricingResult } from '../../rules/pricing.ts';
import { html, money } from '../shared/ui.ts';

export interface CartLine extends OrderLineInput {
  key: string;
}

/**
 * The order being built: its lines, live totals with tax (priced by the same rules the hub uses,
 * so the till shows what the hub will charge), and Send.
 */
export function CartPanel({
  menu,
  catalog,
  cart,
  priced,
  table,
  onTable,
  onRemove,
  onSend,
}: {
  menu: MenuView;
  catalog: Catalog;
  cart: CartLine[];
  priced: PricingResult | null;
  table: string;
  onTable: (table: string) => void;
  onRemove: (key: string) => void;
  onSend: () => void;
}) {
  return html`<h2>Current order</h2>
    <label class="table">Table <input value=${table} onInput=${(e: Event) => onTable((e.target as HTMLInputElement).value)} placeholder="T4" /></label>
    <ul class="lines" data-testid="cart">
      ${cart.length === 0 && html`<li class="muted">Tap items to add them.</li>`}
      ${cart.map((line, i) => {
        const p = priced?.ok ? priced.order.lines[i] : null;
        const item = catalog.items.get(line.itemId)!;
        return html`<li>
          <div class="line-main">
            <span class="qty">${line.qty}×</span><span class="lname">${item.name}</span>
            <span class="ltotal">${p ? money(p.lineTotal, menu.currency) : ''}</span>
            <button class="x" aria-label="remove" onClick=${() => onRemove(line.key)}>✕</button>
          </div>
          ${p && p.modifiers.length > 0 && html`<div class="mods">${p.modifiers.map((m) => m.name).join(', ')}</div>`}
          ${line.note && html`<div class="note">“${line.note}”</div>`}
        </li>`;
      })}
    </ul>
    ${
      priced?.ok &&
      html`<dl class="totals" data-testid="totals">
      <dt>Subtotal</dt><dd>${money(priced.order.subtotal, menu.currency)}</dd>
      ${priced.order.taxes.map((t) => html`<dt>${t.name} ${(t.rateBasisPoints / 100).toFixed(2)}%</dt><dd>${money(t.tax, menu.currency)}</dd>`)}
      <dt class="grand">Total</dt><dd class="grand" data-testid="total">${money(priced.order.total, menu.currency)}</dd>
    </dl>`
    }
    ${priced && !priced.ok && html`<p class="error">${priced.errors.map((e) => e.message).join('; ')}</p>`}
    <button class="primary big" disabled=${!priced?.ok} onClick=${onSend} data-testid="send">Send order</button>`;
}
