import { describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { MenuOverride, MenuSnapshot } from '../protocol/menu.ts';
import { menuForRestaurant } from './menu-overrides.ts';

const menu = demoMenu();
const override = (o: Record<string, unknown>) => MenuOverride.parse(o);
const cola = menu.items.find((i) => i.id === 'cola')!;

describe("a restaurant's menu from its organisation's and its overrides", () => {
  it('takes its own prices, drops what it does not sell, adds what only it sells, and says so', () => {
    const special = { ...cola, id: 'house-lemonade', name: 'House Lemonade', price: 450 };
    const { menu: mine, summary } = menuForRestaurant(menu, [
      override({ itemId: 'cola', price: 300 }),
      override({ itemId: 'classic-burger', removed: true }),
      override({ itemId: 'house-lemonade', added: special }),
    ]);
    expect(summary).toEqual({ prices: 1, removed: 1, added: 1 });
    expect(mine.items.find((i) => i.id === 'cola')!.price).toBe(300);
    expect(mine.items.some((i) => i.id === 'classic-burger')).toBe(false);
    expect(mine.items.at(-1)).toEqual(special);
    expect(mine.items).toHaveLength(menu.items.length);
    // Everything else is the organisation's, in its order; the result is a menu a hub accepts.
    expect(mine.items.filter((i) => i.id !== 'cola').slice(0, 3)).toEqual(
      menu.items.filter((i) => i.id !== 'cola' && i.id !== 'classic-burger').slice(0, 3),
    );
    expect(MenuSnapshot.safeParse({ ...mine, version: 2 }).success).toBe(true);
  });

  it('changes nothing without overrides, for a price equal to the organisation’s, or for an item the organisation dropped', () => {
    expect(menuForRestaurant(menu, []).menu).toEqual(menu);
    const same = menuForRestaurant(menu, [
      override({ itemId: 'cola', price: cola.price }),
      override({ itemId: 'no-longer-sold', price: 100 }),
      override({ itemId: 'cola', added: { ...cola, name: 'Other cola' } }),
    ]);
    expect(same).toEqual({ menu, summary: { prices: 0, removed: 0, added: 0 } });
  });

  it('refuses an added item whose id is not the one it overrides', () => {
    const wrong = MenuOverride.safeParse({ itemId: 'lemonade', added: cola });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues[0]).toMatchObject({
      path: ['added', 'id'],
      message: 'an added item keeps the id it overrides',
    });
  });
});
