import { describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { indexMenu, searchOffline } from './offline-search.ts';

const menu = demoMenu();
const category = new Map(menu.categories.map((c) => [c.id, c.name]));
const index = indexMenu(menu.items.map((i) => ({ ...i, category: category.get(i.categoryId) ?? '' })));

describe('the till’s offline menu search', () => {
  it('finds names through typos, and puts the item named first', () => {
    const burgers = searchOffline(index, 'buger');
    expect(burgers.slice(0, 6).sort()).toEqual(
      [
        'bacon-burger',
        'cheeseburger',
        'chicken-burger',
        'classic-burger',
        'mushroom-burger',
        'veggie-burger',
      ].sort(),
    );
    expect(searchOffline(index, 'expreso')[0]).toBe('espresso');
    expect(searchOffline(index, 'tiramsu')).toEqual(['tiramisu']);
  });

  it('understands the hub’s aliases: coke is Cola before Diet Cola, chips are fries', () => {
    expect(searchOffline(index, 'coke').slice(0, 2)).toEqual(['cola', 'diet-cola']);
    expect(searchOffline(index, 'cola').slice(0, 2)).toEqual(['cola', 'diet-cola']);
    expect(searchOffline(index, 'chips')).toContain('fries');
    expect(searchOffline(index, 'chips')).toContain('sweet-fries');
  });

  it('matches word beginnings as the cashier types, and returns nothing for nothing', () => {
    expect(searchOffline(index, 'marg').slice(0, 2).sort()).toEqual(['margarita', 'margherita']);
    expect(searchOffline(index, 'xqzv')).toEqual([]);
    expect(searchOffline(index, 'the and of')).toEqual([]);
    expect(searchOffline(index, 'constructor __proto__')).toEqual([]);
  });
});
