import type { TaxClass } from '../protocol/menu.ts';
import type { Order, OrderLine, TaxLine } from '../protocol/orders.ts';
import { roundHalfUp, taxFor } from './tax.ts';

/**
 * The money rules of a check that lives through the meal. Pure and integer-only (minor units):
 * - a voided line counts in nothing but `voids`;
 * - a discount comes off before tax; a percent discount is rounded half up per application;
 * - a comped line is priced to zero and carries no tax; its value is reported in `comps`;
 * - tax is computed per tax class on the class's summed net, as for a whole order (rules/pricing.ts),
 *   except on the checks a split made: those carry the tax the split gave them (`fixedTaxes`), so
 *   the split checks add up to the original to the cent, tax included.
 */

/** A check's money, as `Order` carries it. */
export type CheckFigures = Pick<
  Order,
  'taxes' | 'gross' | 'voids' | 'comps' | 'discounts' | 'subtotal' | 'tax' | 'total'
>;

/** What a line still sells for: its value less discounts and comp; zero when voided. */
export function lineNet(line: OrderLine): number {
  if (line.void) return 0;
  if (line.comp) return 0;
  return line.lineTotal - line.discount;
}

/** A line that still takes discounts and comps: not voided, not comped, something left to take off. */
export function adjustable(line: OrderLine): boolean {
  return !line.void && !line.comp && line.lineTotal - line.discount > 0;
}

/** Taxable amount per tax class of these lines (net of comps and discounts). */
export function taxableByClass(lines: readonly OrderLine[]): Map<string, number> {
  const taxable = new Map<string, number>();
  for (const l of lines) {
    if (l.void) continue;
    taxable.set(l.taxClassId, (taxable.get(l.taxClassId) ?? 0) + lineNet(l));
  }
  return taxable;
}

export function checkFigures(
  lines: readonly OrderLine[],
  taxClasses: ReadonlyMap<string, TaxClass>,
  fixedTaxes: readonly TaxLine[] | null = null,
): CheckFigures {
  let gross = 0;
  let voids = 0;
  let comps = 0;
  let discounts = 0;
  for (const l of lines) {
    if (l.void) {
      voids += l.lineTotal;
      continue;
    }
    gross += l.lineTotal;
    discounts += l.discount;
    if (l.comp) comps += l.lineTotal - l.discount;
  }
  const subtotal = gross - comps - discounts;
  const taxes =
    fixedTaxes !== null
      ? [...fixedTaxes]
      : [...taxableByClass(lines)]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([taxClassId, amount]): TaxLine => {
            const t = taxClasses.get(taxClassId);
            const rate = t?.rateBasisPoints ?? 0;
            const inclusive = t?.inclusive ?? false;
            return {
              taxClassId,
              name: t?.name ?? taxClassId,
              rateBasisPoints: rate,
              inclusive,
              taxable: amount,
              tax: taxFor(amount, rate, inclusive),
            };
          });
  const tax = taxes.reduce((s, t) => s + t.tax, 0);
  const added = taxes.filter((t) => !t.inclusive).reduce((s, t) => s + t.tax, 0);
  return { taxes, gross, voids, comps, discounts, subtotal, tax, total: subtotal + added };
}

/** A discount's amount on a base: percent in basis points (rounded half up), or a fixed amount; never more than the base. */
export function discountAmount(kind: 'percent' | 'amount', value: number, base: number): number {
  if (base <= 0) return 0;
  const raw = kind === 'percent' ? roundHalfUp(base * value, 10_000) : value;
  return Math.min(raw, base);
}

/**
 * Spread `amount` over `weights` in proportion (largest remainder, ties to the earlier weight):
 * the parts are integers and always sum to `amount` exactly. All-zero weights spread evenly.
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  const n = weights.length;
  if (n === 0) return [];
  const sum = weights.reduce((s, w) => s + w, 0);
  const w = sum > 0 ? weights : weights.map(() => 1);
  const total = sum > 0 ? sum : n;
  const parts = w.map((x) => Math.floor((amount * x) / total));
  let left = amount - parts.reduce((s, p) => s + p, 0);
  const order = w
    .map((x, i) => ({ i, rem: (amount * x) % total }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) parts[order[k]!.i]! += 1;
  return parts;
}

/** `amount` in `ways` parts that differ by at most one; the extra minor units go to the first parts. */
export function evenParts(amount: number, ways: number): number[] {
  const base = Math.floor(amount / ways);
  const extra = amount - base * ways;
  return Array.from({ length: ways }, (_, k) => base + (k < extra ? 1 : 0));
}

/**
 * Splits one check's tax lines over several new checks in proportion to each check's taxable
 * amount in the class, so every class's tax (and taxable) sums back to the original exactly.
 */
export function splitTaxes(taxes: readonly TaxLine[], groups: readonly OrderLine[][]): TaxLine[][] {
  const taxable = groups.map((g) => taxableByClass(g));
  const out: TaxLine[][] = groups.map(() => []);
  for (const t of taxes) {
    const weights = taxable.map((m) => m.get(t.taxClassId) ?? 0);
    const taxParts = allocate(t.tax, weights);
    const taxableParts = allocate(t.taxable, weights);
    groups.forEach((_, k) => {
      if (weights[k]! > 0 || taxParts[k]! > 0)
        out[k]!.push({ ...t, taxable: taxableParts[k]!, tax: taxParts[k]! });
    });
  }
  return out;
}

/**
 * An even split: every line in `ways` shares (value, discount and comp divided with `evenParts`),
 * and each class's tax divided the same way. Share k of every line goes to check k.
 */
export function splitEvenly(
  lines: readonly OrderLine[],
  taxes: readonly TaxLine[],
  ways: number,
): { lines: OrderLine[]; taxes: TaxLine[] }[] {
  const shares = Array.from({ length: ways }, () => ({ lines: [] as OrderLine[], taxes: [] as TaxLine[] }));
  for (const line of lines) {
    const values = evenParts(line.lineTotal, ways);
    const discounts = evenParts(line.discount, ways);
    const voidAmounts = evenParts(line.void?.amount ?? 0, ways);
    const compAmounts = evenParts(line.comp?.amount ?? 0, ways);
    const whole = line.share ?? { part: 1, parts: 1 };
    values.forEach((value, k) => {
      shares[k]!.lines.push({
        ...line,
        lineTotal: value,
        discount: discounts[k]!,
        void: line.void ? { ...line.void, amount: voidAmounts[k]! } : null,
        comp: line.comp ? { ...line.comp, amount: compAmounts[k]! } : null,
        share: { part: (whole.part - 1) * ways + k + 1, parts: whole.parts * ways },
      });
    });
  }
  for (const t of taxes) {
    const taxParts = evenParts(t.tax, ways);
    const taxableParts = evenParts(t.taxable, ways);
    shares.forEach((s, k) => {
      s.taxes.push({ ...t, taxable: taxableParts[k]!, tax: taxParts[k]! });
    });
  }
  return shares;
}
