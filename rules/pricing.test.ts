import { describe, expect, it } from 'vitest';
import { MenuSnapshot } from '../protocol/menu.ts';
import { Catalog } from './catalog.ts';
import { priceOrder } from './pricing.ts';
import { roundHalfUp, taxFor } from './tax.ts';

const snapshot = MenuSnapshot.parse({
  version: 3,
  currency: 'EUR',
  taxClasses: [
    { id: 'us', name: 'Sales tax', rateBasisPoints: 825 },
    { id: 'vat', name: 'VAT', rateBasisPoints: 2_000, inclusive: true },
    { id: 'zero', name: 'Zero rated', rateBasisPoints: 0 },
  ],
  stations: [
    { id: 'grill', name: 'Grill' },
    { id: 'bar', name: 'Bar' },
  ],
  categories: [{ id: 'c', name: 'C' }],
  modifierGroups: [
    {
      id: 'temp',
      name: 'Temp',
      minChoices: 1,
      maxChoices: 1,
      options: [
        { id: 'rare', name: 'Rare' },
        { id: 'medium', name: 'Medium', default: true },
      ],
    },
    {
      id: 'size',
      name: 'Size',
      minChoices: 1,
      maxChoices: 1,
      options: [
        { id: 'small', name: 'Small', priceDelta: -100 },
        { id: 'big', name: 'Big', priceDelta: 100 },
      ],
    },
    {
      id: 'extras',
      name: 'Extras',
      maxChoices: 2,
      options: [
        { id: 'cheese', name: 'Cheese', priceDelta: 99 },
        { id: 'egg', name: 'Egg', priceDelta: 101 },
        { id: 'chips', name: 'Chips', priceDelta: 5 },
      ],
    },
  ],
  items: [
    {
      id: 'burger',
      categoryId: 'c',
      name: 'Burger',
      price: 1000,
      taxClassId: 'us',
      stationId: 'grill',
      modifierGroupIds: ['temp', 'extras'],
    },
    {
      id: 'soda',
      categoryId: 'c',
      name: 'Soda',
      price: 100,
      taxClassId: 'us',
      stationId: 'bar',
      modifierGroupIds: ['size'],
    },
    { id: 'wine', categoryId: 'c', name: 'Wine', price: 600, taxClassId: 'vat', stationId: 'bar' },
    { id: 'bread', categoryId: 'c', name: 'Bread', price: 1, taxClassId: 'us', stationId: 'grill' },
    { id: 'water', categoryId: 'c', name: 'Water', price: 0, taxClassId: 'zero', stationId: 'bar' },
  ],
});
const catalog = new Catalog(snapshot, new Set(['water']));

describe('roundHalfUp / taxFor', () => {
  it('rounds halves up and everything else to the nearest cent', () => {
    expect(roundHalfUp(5, 10)).toBe(1); // 0.5 → 1
    expect(roundHalfUp(4, 10)).toBe(0); // 0.4 → 0
    expect(roundHalfUp(15, 10)).toBe(2); // 1.5 → 2
    expect(roundHalfUp(0, 10)).toBe(0);
  });

  it('computes exclusive and inclusive tax in integers', () => {
    expect(taxFor(1000, 825, false)).toBe(83); // 82.5 → 83
    expect(taxFor(200, 825, false)).toBe(17); // 16.5 → 17
    expect(taxFor(100, 825, false)).toBe(8); // 8.25 → 8
    expect(taxFor(1200, 2000, true)).toBe(200); // 1200 × 20/120
    expect(taxFor(1, 2000, true)).toBe(0); // 0.1666 → 0
    expect(taxFor(3, 2000, true)).toBe(1); // 0.5 → 1
    expect(taxFor(100_000_000, 10_000, false)).toBe(100_000_000); // the largest order stays exact
  });
});

describe('priceOrder', () => {
  it('prices lines with modifiers, applies defaults to required groups, and taxes per class', () => {
    const r = priceOrder(
      [
        { itemId: 'burger', qty: 2, modifiers: ['cheese', { optionId: 'egg' }] },
        { itemId: 'soda', qty: 3, modifiers: ['small'] },
        { itemId: 'wine', qty: 2 },
      ],
      catalog,
    );
    if (!r.ok) throw new Error(JSON.stringify(r));
    const [burger, soda, wine] = r.order.lines;
    expect(burger!.modifiers.map((m) => m.optionId)).toEqual(['medium', 'cheese', 'egg']);
    expect(burger!.unitPrice).toBe(1200);
    expect(burger!.lineTotal).toBe(2400);
    expect(soda!.unitPrice).toBe(0); // a discount modifier may bring a price to zero, not below
    expect(wine!.lineTotal).toBe(1200);
    expect(r.order.subtotal).toBe(3600);
    // us: 2400 × 8.25 % = 198; vat (inclusive): 1200 × 20/120 = 200, already in the price.
    expect(r.order.taxes.map((t) => [t.taxClassId, t.taxable, t.tax])).toEqual([
      ['us', 2400, 198],
      ['vat', 1200, 200],
    ]);
    expect(r.order.tax).toBe(398);
    expect(r.order.total).toBe(3798);
  });

  it('taxes the class total once, so splitting lines never changes the tax', () => {
    const one = priceOrder([{ itemId: 'bread', qty: 2 }], catalog);
    const two = priceOrder(
      [
        { itemId: 'bread', qty: 1 },
        { itemId: 'bread', qty: 1 },
      ],
      catalog,
    );
    // 2 × 0.0825 = 0.165 → 0 either way; per-line rounding would have to pick per line.
    expect(one.ok && two.ok && one.order.tax === two.order.tax).toBe(true);
    const many = priceOrder(
      Array.from({ length: 7 }, () => ({ itemId: 'bread', qty: 1 })),
      catalog,
    );
    expect(many.ok && many.order.tax).toBe(1); // 7 × 0.0825 = 0.5775 → 1 (per line it would be 0)
  });

  it('reports each problem with the field it concerns', () => {
    const r = priceOrder(
      [
        { itemId: 'ghost', qty: 1 },
        { itemId: 'water', qty: 1 },
        { itemId: 'burger', qty: 1, modifiers: ['cheese', 'egg', 'chips'] },
        { itemId: 'burger', qty: 1, modifiers: ['cheese', 'cheese'] },
        { itemId: 'soda', qty: 1, modifiers: ['rare'] },
      ],
      catalog,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('ITEM_NOT_FOUND');
    expect(r.errors.map((e) => e.field)).toEqual([
      'lines[0].itemId',
      'lines[1].itemId',
      'lines[2].modifiers',
      'lines[3].modifiers[1]',
      'lines[4].modifiers[0]',
    ]);
  });

  it('requires a choice where a required group has no default', () => {
    const noDefault = new Catalog(
      {
        ...snapshot,
        modifierGroups: snapshot.modifierGroups.map((g) => ({
          ...g,
          options: g.options.map((o) => ({ ...o, default: false })),
        })),
      },
      new Set(),
    );
    const r = priceOrder([{ itemId: 'soda', qty: 1 }], noDefault);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors[0]).toEqual({ field: 'lines[0].modifiers', message: 'choose 1 from "Size" (got 0)' });
  });

  it('refuses modifiers that take a price below zero', () => {
    const cheap = new Catalog(
      { ...snapshot, items: snapshot.items.map((i) => (i.id === 'soda' ? { ...i, price: 50 } : i)) },
      new Set(),
    );
    const r = priceOrder([{ itemId: 'soda', qty: 1, modifiers: ['small'] }], cheap);
    expect(r.ok || r.errors[0]!.message).toBe('the modifiers take the price below zero');
  });

  it('refuses an order above the largest subtotal', () => {
    const r = priceOrder(
      Array.from({ length: 200 }, () => ({ itemId: 'burger', qty: 999 })),
      catalog,
    );
    expect(r.ok || r.code).toBe('ORDER_TOO_LARGE');
  });
});
