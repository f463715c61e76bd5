import { useMemo, useState } from 'preact/hooks';
import type { MenuItem, MenuView } from '../../protocol/menu.ts';
import type { Catalog } from '../../rules/catalog.ts';
import { indexMenu, searchOffline } from '../../rules/offline-search.ts';
import { html, money } from '../shared/ui.ts';

/**
 * The menu by category, or the items matching the search: ranked by the hub when it answers,
 * by the till's own index of the menu when it does not (typos and aliases still work; see
 * rules/offline-search.ts). 86'd items are greyed out and cannot be tapped.
 */
export function MenuBrowser({
  menu,
  catalog,
  query,
  ranked,
  onCategory,
  onTap,
}: {
  menu: MenuView;
  catalog: Catalog;
  query: string;
  ranked: string[] | null;
  onCategory: () => void;
  onTap: (item: MenuItem) => void;
}) {
  const [category, setCategory] = useState<string | null>(null);
  const categories = [...menu.categories].sort((a, b) => a.sort - b.sort);
  const current = category ?? categories[0]?.id;
  const offline = useMemo(() => {
    const names = new Map(menu.categories.map((c) => [c.id, c.name]));
    return indexMenu(menu.items.map((i) => ({ ...i, category: names.get(i.categoryId) ?? '' })));
  }, [menu]);
  const found = query ? (ranked ?? searchOffline(offline, query)) : null;
  const shown = found
    ? found.map((id) => catalog.items.get(id)).filter((i): i is MenuItem => i !== undefined)
    : menu.items.filter((i) => i.categoryId === current).sort((a, b) => a.sort - b.sort);
  return html`<nav class="tabs">
      ${categories.map(
        (c) => html`<button class=${!query && current === c.id ? 'tab active' : 'tab'}
          onClick=${() => {
            setCategory(c.id);
            onCategory();
          }}>${c.name}</button>`,
      )}
    </nav>
    ${
      found && shown.length === 0
        ? html`<p class="no-matches" data-testid="no-matches">Nothing on the menu matches “${query}”. Try another word, or browse the tabs.</p>`
        : null
    }
    <section class="grid" data-testid="menu-grid">
      ${shown.map((item) => {
        const out = catalog.unavailable.has(item.id);
        return html`<button class=${out ? 'item out' : 'item'} onClick=${() => onTap(item)} disabled=${out} data-item=${item.id}>
          <span class="name">${item.name}</span>
          <span class="price">${out ? "86'd" : money(item.price, menu.currency)}</span>
        </button>`;
      })}
    </section>`;
}
