import type { SupabaseClient } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { MenuItem, MenuOverride } from '../protocol/menu.ts';

/** A menu_overrides row as PostgREST returns it. */
interface OverrideRow {
  restaurant_id: string;
  item_id: string;
  price: number | null;
  removed: boolean;
  added: MenuItem | null;
}

/** Every override of the organisation's restaurants, by restaurant. */
export async function loadOverrides(client: SupabaseClient): Promise<Map<string, MenuOverride[]>> {
  const { data } = await client
    .from('menu_overrides')
    .select('restaurant_id, item_id, price, removed, added');
  const byRestaurant = new Map<string, MenuOverride[]>();
  for (const r of (data ?? []) as OverrideRow[]) {
    const list = byRestaurant.get(r.restaurant_id) ?? [];
    list.push({
      itemId: r.item_id,
      price: r.price === null ? null : Number(r.price),
      removed: r.removed,
      added: r.added,
    });
    byRestaurant.set(r.restaurant_id, list);
  }
  return byRestaurant;
}

/**
 * What one restaurant changes of the organisation's menu: a price of its own, an item it does not
 * sell, items only it sells (as JSON items). Saved whole, in one call; published with the menu.
 */
export function MenuOverrides({
  client,
  restaurants,
  items,
  overrides,
  onSaved,
}: {
  client: SupabaseClient;
  restaurants: { id: string; name: string }[];
  /** The organisation menu's items as the editor has them now. */
  items: MenuItem[];
  overrides: Map<string, MenuOverride[]>;
  onSaved: () => void;
}) {
  const [restaurant, setRestaurant] = useState('');
  /** item id → the price typed (a decimal, '' for the organisation's) and whether it is not sold. */
  const [rows, setRows] = useState<Record<string, { price: string; removed: boolean }>>({});
  const [onlyHere, setOnlyHere] = useState('[]');
  const [message, setMessage] = useState<{ tone: string; text: string } | null>(null);
  useEffect(() => {
    const mine = overrides.get(restaurant) ?? [];
    setRows(
      Object.fromEntries(
        mine
          .filter((o) => !o.added)
          .map((o) => [
            o.itemId,
            { price: o.price === null ? '' : (o.price / 100).toFixed(2), removed: o.removed },
          ]),
      ),
    );
    setOnlyHere(
      JSON.stringify(
        mine
          .filter((o) => o.added)
          .map((o) => ({ ...o.added, ...(o.price === null ? {} : { price: o.price }) })),
        null,
        2,
      ),
    );
    setMessage(null);
  }, [restaurant, overrides]);
  const row = (id: string) => rows[id] ?? { price: '', removed: false };
  const set = (id: string, change: Partial<{ price: string; removed: boolean }>) =>
    setRows({ ...rows, [id]: { ...row(id), ...change } });

  const save = async () => {
    const name = restaurants.find((r) => r.id === restaurant)?.name ?? restaurant;
    const list: unknown[] = [];
    for (const item of items) {
      const r = row(item.id);
      if (!r.removed && r.price.trim() === '') continue;
      const cents = r.price.trim() === '' ? null : Math.round(Number(r.price) * 100);
      if (cents !== null && !(Number.isFinite(cents) && cents >= 0))
        return setMessage({
          tone: 'bad',
          text: `“${item.name}”: the price here must be an amount like 3.75, or empty for the organisation’s`,
        });
      list.push({ itemId: item.id, price: cents, removed: r.removed });
    }
    let added: unknown;
    try {
      added = JSON.parse(onlyHere || '[]');
    } catch (err) {
      return setMessage({ tone: 'bad', text: `Items only here: not valid JSON: ${(err as Error).message}` });
    }
    if (!Array.isArray(added))
      return setMessage({ tone: 'bad', text: 'Items only here: a list of items, [ … ]' });
    for (const [i, raw] of added.entries()) {
      const item = MenuItem.safeParse(raw);
      if (!item.success) {
        const issue = item.error.issues[0]!;
        const label = (raw as { name?: string })?.name
          ? `“${(raw as { name: string }).name}”`
          : `number ${i + 1}`;
        return setMessage({
          tone: 'bad',
          text: `Item only here ${label}, ${issue.path.join('.')}: ${issue.message}`,
        });
      }
      list.push({ itemId: item.data.id, price: null, removed: false, added: item.data });
    }
    const checked = list.map((o) => MenuOverride.safeParse(o));
    const bad = checked.find((c) => !c.success);
    if (bad && !bad.success) return setMessage({ tone: 'bad', text: bad.error.issues[0]!.message });
    const { data, error } = await client.rpc('hq_set_menu_overrides', {
      p_restaurant_id: restaurant,
      p_overrides: checked.map((c) => c.data),
    });
    if (error) return setMessage({ tone: 'bad', text: `${name}: ${error.message}` });
    setMessage({
      tone: 'ok',
      text: `${name}: ${data} override${data === 1 ? '' : 's'} saved; they apply at the next publish.`,
    });
    onSaved();
  };

  return html`<div class="overrides" data-testid="overrides">
    <h3>What each restaurant changes</h3>
    <select value=${restaurant} onChange=${(e: Event) => setRestaurant((e.target as HTMLSelectElement).value)} data-testid="overrides-restaurant">
      <option value="">Overrides of…</option>
      ${restaurants.map((r) => html`<option value=${r.id}>${r.name}${overrides.get(r.id)?.length ? ` (${overrides.get(r.id)!.length})` : ''}</option>`)}
    </select>
    ${
      restaurant &&
      items.length === 0 &&
      html`<p class="muted" data-testid="overrides-waiting">The menu above has a mistake or is empty: its items show here once it reads as a menu.</p>`
    }
    ${
      restaurant &&
      items.length > 0 &&
      html`<table><thead><tr><th>Item</th><th class="num">Organisation price</th><th>Price here</th><th>Not sold here</th></tr></thead>
        <tbody>${items.map(
          (i) => html`<tr data-item=${i.id}><td>${i.name}</td><td class="num">${money(i.price)}</td>
            <td><input class="price" inputmode="decimal" placeholder="same" value=${row(i.id).price}
              onInput=${(e: Event) => set(i.id, { price: (e.target as HTMLInputElement).value })} data-testid="override-price" /></td>
            <td><input type="checkbox" checked=${row(i.id).removed}
              onChange=${(e: Event) => set(i.id, { removed: (e.target as HTMLInputElement).checked })} data-testid="override-removed" /></td></tr>`,
        )}</tbody></table>
      <label>Items only here (menu items as JSON)
        <textarea class="menu-json" rows="4" value=${onlyHere} onInput=${(e: Event) => setOnlyHere((e.target as HTMLTextAreaElement).value)} data-testid="override-added"></textarea></label>
      <button onClick=${save} data-testid="save-overrides">Save overrides</button>`
    }
    ${message && html`<p class="notice ${message.tone}" data-testid="overrides-result">${message.text}</p>`}
  </div>`;
}
