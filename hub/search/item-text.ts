import type { Catalog } from '../../rules/catalog.ts';
import type { FtsRow } from '../store/search.ts';

/** The parts of an item a guest or cashier might find it by (modifier options in `extras`). */
export type ItemFields = FtsRow;

export function itemFields(catalog: Catalog, itemId: string): ItemFields {
  const item = catalog.items.get(itemId)!;
  const category = catalog.snapshot.categories.find((c) => c.id === item.categoryId)?.name ?? '';
  const extras = item.modifierGroupIds
    .flatMap((g) => catalog.groups.get(g)?.options.map((o) => o.name) ?? [])
    .join(' ');
  return { itemId, name: item.name, description: item.description, category, extras };
}

/** One item's text for the embedding model: name, description, category, modifier options. */
export function itemText(f: ItemFields): string {
  return [f.name, f.description, f.category, f.extras].filter(Boolean).join('. ');
}
