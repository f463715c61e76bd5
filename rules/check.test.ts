import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaxClass } from '../protocol/menu.ts';
import type { OrderLine } from '../protocol/orders.ts';
import { allocate, checkFigures, discountAmount, evenParts, splitEvenly, splitTaxes } from './check.ts';

const classes = new Map<string, TaxClass>([
  ['food', { id: 'food', name: 'Sales tax', rateBasisPoints: 825, inclusive: false }],
  ['alcohol', { id: 'alcohol', name: 'Liquor', rateBasisPoints: 1025, inclusive: false }],
  ['vat', { id: 'vat', name: 'VAT', rateBasisPoints: 2000, inclusive: true }],
]);

const line = (lineNo: number, fields: Partial<OrderLine>): OrderLine => ({
  id: `00000000-0000-7000-8000-${String(lineNo).padStart(12, '0')}`,
  lineNo,
  round: 1,
  seat: null,
  course: null,
  kitchen: 'fired',
  ticketId: null,
  itemId: 'x',
  name: 'x',
  qty: 1,
  unitPrice: 0,
  modifiers: [],
  note: null,
  stationId: 's',
  taxClassId: 'food',
  lineTotal: 0,
  discount: 0,
  void: null,
  comp: null,
  share: null,
  ...fields,
});

const stamp = { reason: 'r', at: 't', deviceId: null, by: null, approvedBy: null };

/** A random line: any value, any class, maybe discounted, maybe comped or voided. */
const arbLine = fc
  .record({
    lineTotal: fc.integer({ min: 0, max: 500_000 }),
    cls: fc.constantFrom('food', 'alcohol', 'vat'),
    discountShare: fc.integer({ min: 0, max: 100 }),
    fate: fc.constantFrom('live', 'live', 'live', 'comp', 'void'),
    seat: fc.integer({ min: 1, max: 6 }),
  })
  .map((r) => ({ ...r, discount: Math.floor((r.lineTotal * r.discountShare) / 100) }));

const arbCheck = fc.array(arbLine, { minLength: 1, maxLength: 30 }).map((rows) =>
  rows.map((r, i) =>
    line(i + 1, {
      lineTotal: r.lineTotal,
      taxClassId: r.cls,
      discount: r.discount,
      seat: r.seat,
      comp: r.fate === 'comp' ? { ...stamp, amount: r.lineTotal - r.discount } : null,
      void: r.fate === 'void' ? { ...stamp, afterFire: true, amount: r.lineTotal } : null,
    }),
  ),
);

const keys = ['gross', 'voids', 'comps', 'discounts', 'subtotal', 'tax', 'total'] as const;

function sums(parts: ReturnType<typeof checkFigures>[]) {
  return Object.fromEntries(keys.map((k) => [k, parts.reduce((s, p) => s + p[k], 0)]));
}

describe('checkFigures', () => {
  it('takes discounts off before tax, prices a comp to zero with no tax, counts a void only as a void', () => {
    const lines = [
      line(1, { lineTotal: 2_000, discount: 200 }), // 10 % off: taxed on 1,800
      line(2, { lineTotal: 1_000, comp: { ...stamp, amount: 1_000 } }),
      line(3, { lineTotal: 700, taxClassId: 'alcohol', void: { ...stamp, afterFire: true, amount: 700 } }),
    ];
    expect(checkFigures(lines, classes)).toMatchObject({
      gross: 3_000,
      discounts: 200,
      comps: 1_000,
      voids: 700,
      subtotal: 1_800,
      tax: 149, // 1,800 × 8.25 % = 148.5 → 149 (half up)
      total: 1_949,
    });
  });

  it('keeps inclusive tax inside the price', () => {
    const f = checkFigures([line(1, { lineTotal: 1_200, taxClassId: 'vat' })], classes);
    expect(f).toMatchObject({ subtotal: 1_200, tax: 200, total: 1_200 });
  });
});

describe('discountAmount', () => {
  it('rounds a percent half up and never takes off more than the base', () => {
    expect(discountAmount('percent', 1_000, 1_005)).toBe(101); // 100.5 → 101
    expect(discountAmount('percent', 1_000, 1_004)).toBe(100);
    expect(discountAmount('amount', 500, 300)).toBe(300);
    expect(discountAmount('percent', 10_000, 0)).toBe(0);
  });
});

describe('allocate and evenParts', () => {
  it('always sum to the amount, each part within a minor unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        (amount, weights) => {
          const parts = allocate(amount, weights);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(amount);
          // All-zero weights spread evenly.
          const w = weights.every((x) => x === 0) ? weights.map(() => 1) : weights;
          const total = w.reduce((s, x) => s + x, 0);
          for (const [i, p] of parts.entries())
            expect(Math.abs(p - (amount * w[i]!) / total)).toBeLessThan(1);
        },
      ),
    );
  });

  it('gives the extra minor units to the first parts', () => {
    expect(evenParts(100, 3)).toEqual([34, 33, 33]);
    expect(evenParts(101, 3)).toEqual([34, 34, 33]);
    expect(evenParts(2, 4)).toEqual([1, 1, 0, 0]);
  });
});

describe('splits', () => {
  it('by groups of lines: the checks add up to the original to the cent, tax included', () => {
    fc.assert(
      fc.property(
        arbCheck,
        fc.integer({ min: 2, max: 6 }),
        fc.infiniteStream(fc.nat()),
        (lines, ways, picks) => {
          const original = checkFigures(lines, classes);
          const groups: OrderLine[][] = Array.from({ length: ways }, () => []);
          for (const l of lines) groups[picks.next().value % ways]!.push(l);
          const nonEmpty = groups.filter((g) => g.length > 0);
          const taxes = splitTaxes(original.taxes, nonEmpty);
          const parts = nonEmpty.map((g, k) => checkFigures(g, classes, taxes[k]!));
          expect(sums(parts)).toEqual(Object.fromEntries(keys.map((k) => [k, original[k]])));
        },
      ),
    );
  });

  it('evenly: the checks add up to the original, and no two differ by more than a minor unit per line and tax class', () => {
    fc.assert(
      fc.property(arbCheck, fc.integer({ min: 2, max: 12 }), (lines, ways) => {
        const original = checkFigures(lines, classes);
        const shares = splitEvenly(lines, original.taxes, ways);
        const parts = shares.map((s) => checkFigures(s.lines, classes, s.taxes));
        expect(sums(parts)).toEqual(Object.fromEntries(keys.map((k) => [k, original[k]])));
        const totals = parts.map((p) => p.total);
        // Each line's value, discount and each class's tax differ by at most one between shares.
        expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(
          2 * lines.length + original.taxes.length,
        );
        for (const s of shares)
          for (const l of s.lines) expect(l.lineTotal).toBeGreaterThanOrEqual(l.discount);
      }),
    );
  });

  it('split again, a share of a share says which part of the whole it is', () => {
    const lines = [line(1, { lineTotal: 1_000 })];
    const halves = splitEvenly(lines, checkFigures(lines, classes).taxes, 2);
    const quarters = splitEvenly(halves[1]!.lines, halves[1]!.taxes, 2);
    expect(quarters.map((q) => q.lines[0]!.share)).toEqual([
      { part: 3, parts: 4 },
      { part: 4, parts: 4 },
    ]);
  });
});
