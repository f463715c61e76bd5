/**
 * Rounds a non-negative rational `numerator / denominator` to the nearest integer, halves up.
 * Integer-only so the same order prices identically on every hub, in the cloud and in tests.
 */
export function roundHalfUp(numerator: number, denominator: number): number {
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/**
 * Tax for one tax class, computed once on the class's summed amount (not per line), so splitting
 * an order into more lines never changes its tax.
 * - exclusive (US sales tax): tax = round(taxable × rate / 10,000), added on top;
 * - inclusive (VAT): the price already holds it, tax = round(taxable × rate / (10,000 + rate)).
 */
export function taxFor(taxable: number, rateBasisPoints: number, inclusive: boolean): number {
  return inclusive
    ? roundHalfUp(taxable * rateBasisPoints, 10_000 + rateBasisPoints)
    : roundHalfUp(taxable * rateBasisPoints, 10_000);
}
