import { useMemo, useState } from 'preact/hooks';
import type { MenuView } from '../../protocol/menu.ts';
import { Catalog } from '../../rules/catalog.ts';
import { api } from '../shared/session.ts';

const menuCacheKey = 'grow.pos.menu';

/** The menu, kept in localStorage so the till shows it (and prices with it) while the hub is away. */
export function useMenu() {
  const [menu, setMenu] = useState<MenuView | null>(() =>
    JSON.parse(localStorage.getItem(menuCacheKey) ?? 'null'),
  );
  const reload = async () => {
    try {
      const res = await api<MenuView>('GET', '/api/v1/menu');
      if (res.ok) {
        setMenu(res.body);
        localStorage.setItem(menuCacheKey, JSON.stringify(res.body));
      }
    } catch {
      // the hub is away: keep the cached menu, the till keeps working
    }
  };
  const catalog = useMemo(() => (menu ? new Catalog(menu, new Set(menu.unavailableItemIds)) : null), [menu]);
  return { menu, catalog, reload };
}
