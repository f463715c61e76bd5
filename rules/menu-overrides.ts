import type { MenuItem, MenuOverride, MenuSnapshotInput } from '../protocol/menu.ts';

/** What a restaurant's overrides changed of the organisation's menu, for HQ to say. */
export interface OverrideSummary {
  prices: number;
  removed: number;
  added: number;
}

/**
 * One restaurant's menu: its organisation's, with the restaurant's own prices, without the items
 * it does not sell, and with the items only it sells after the organisation's. An override of an
 * item the organisation no longer has changes nothing (prices and removals) or adds it (an added
 * item). Pure: HQ publishes what this returns as the restaurant's next menu version.
 */
export function menuForRestaurant<M extends MenuSnapshotInput>(
  menu: M,
  overrides: readonly MenuOverride[],
): { menu: M; summary: OverrideSummary } {
  const byItem = new Map(overrides.map((o) => [o.itemId, o]));
  const summary: OverrideSummary = { prices: 0, removed: 0, added: 0 };
  const items: MenuItem[] = [];
  for (const item of menu.items as MenuItem[]) {
    const o = byItem.get(item.id);
    if (o?.removed) {
      summary.removed++;
      continue;
    }
    if (o?.price !== null && o?.price !== undefined && o.price !== item.price) {
      summary.prices++;
      items.push({ ...item, price: o.price });
    } else items.push(item);
  }
  // The organisation's item wins over an added one of the same id.
  const organisations = new Set((menu.items as MenuItem[]).map((i) => i.id));
  for (const o of overrides)
    if (o.added && !o.removed && !organisations.has(o.itemId)) {
      summary.added++;
      items.push(o.price === null ? o.added : { ...o.added, price: o.price });
    }
  return { menu: { ...menu, items }, summary };
}
