import type { ErrorCode, FieldError } from '../protocol/errors.ts';
import type { ModifierGroup } from '../protocol/menu.ts';
import type { OrderLine, OrderLineInput, TaxLine } from '../protocol/orders.ts';
import type { Catalog } from './catalog.ts';

/** Largest subtotal one order may carry: keeps every tax product far inside 2^53. */
const maxOrderSubtotal = 100_000_000;

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

export interface PricedOrder {
  lines: OrderLine[];
  taxes: TaxLine[];
  subtotal: number;
  tax: number;
  total: number;
}

export type PricingResult =
  | { ok: true; order: PricedOrder }
  | { ok: false; code: ErrorCode; errors: FieldError[] };

/** Option ids a line chose, whichever of the two accepted shapes the device used. */
export function choiceIds(line: OrderLineInput): string[] {
  return (line.modifiers ?? []).map((m) => (typeof m === 'string' ? m : m.optionId));
}

type LineResult = { ok: true; line: OrderLine } | { ok: false; code: ErrorCode; error: FieldError };

const lineError = (code: ErrorCode, field: string, message: string): LineResult => ({
  ok: false,
  code,
  error: { field, message },
});

/** One line against the menu: the item, its modifier choices per group, its unit price. */
function priceLine(line: OrderLineInput, index: number, catalog: Catalog): LineResult {
  const at = `lines[${index}]`;
  const item = catalog.items.get(line.itemId);
  if (!item)
    return lineError(
      'ITEM_NOT_FOUND',
      `${at}.itemId`,
      `no menu item "${line.itemId}" in menu version ${catalog.version}`,
    );
  if (catalog.unavailable.has(item.id)) {
    return lineError(
      'ITEM_UNAVAILABLE',
      `${at}.itemId`,
      `"${item.name}" is 86'd; pick something else or mark it back in stock`,
    );
  }
  const byGroup = new Map<string, string[]>();
  for (const [j, optionId] of choiceIds(line).entries()) {
    const found = catalog.options.get(optionId);
    if (!found || !item.modifierGroupIds.includes(found.group.id)) {
      return lineError(
        'MODIFIER_INVALID',
        `${at}.modifiers[${j}]`,
        `"${optionId}" is not an option for "${item.name}"`,
      );
    }
    const list = byGroup.get(found.group.id) ?? [];
    if (list.includes(optionId))
      return lineError('MODIFIER_INVALID', `${at}.modifiers[${j}]`, `"${optionId}" is chosen twice`);
    list.push(optionId);
    byGroup.set(found.group.id, list);
  }
  const modifiers: OrderLine['modifiers'] = [];
  for (const groupId of item.modifierGroupIds) {
    const group = catalog.groups.get(groupId) as ModifierGroup;
    let picks = byGroup.get(groupId) ?? [];
    if (picks.length === 0 && group.minChoices > 0)
      picks = group.options.filter((o) => o.default).map((o) => o.id);
    if (picks.length < group.minChoices || picks.length > group.maxChoices) {
      const range =
        group.minChoices === group.maxChoices
          ? `${group.minChoices}`
          : `${group.minChoices} to ${group.maxChoices}`;
      return lineError(
        'MODIFIER_INVALID',
        `${at}.modifiers`,
        `choose ${range} from "${group.name}" (got ${picks.length})`,
      );
    }
    for (const option of group.options) {
      if (picks.includes(option.id))
        modifiers.push({ groupId, optionId: option.id, name: option.name, priceDelta: option.priceDelta });
    }
  }
  const unitPrice = item.price + modifiers.reduce((sum, m) => sum + m.priceDelta, 0);
  if (unitPrice < 0)
    return lineError('MODIFIER_INVALID', `${at}.modifiers`, 'the modifiers take the price below zero');
  return {
    ok: true,
    line: {
      lineNo: index + 1,
      itemId: item.id,
      name: item.name,
      qty: line.qty,
      unitPrice,
      modifiers,
      note: line.note?.trim() || null,
      stationId: item.stationId,
      taxClassId: item.taxClassId,
      lineTotal: unitPrice * line.qty,
    },
  };
}

/**
 * Prices an order from the menu. Pure: every failing line is reported with the field it
 * concerns, and the worst code decides the answer (an unknown item beats a bad modifier).
 */
export function priceOrder(input: readonly OrderLineInput[], catalog: Catalog): PricingResult {
  const results = input.map((line, i) => priceLine(line, i, catalog));
  const failures = results.filter((r) => !r.ok);
  if (failures.length > 0) {
    const code = failures.some((f) => f.code === 'ITEM_NOT_FOUND') ? 'ITEM_NOT_FOUND' : failures[0]!.code;
    return { ok: false, code, errors: failures.map((f) => f.error) };
  }
  const lines = results.map((r) => (r as { line: OrderLine }).line);
  const subtotal = lines.reduce((sum, l) => sum + l.lineTotal, 0);
  if (subtotal > maxOrderSubtotal) {
    return {
      ok: false,
      code: 'ORDER_TOO_LARGE',
      errors: [
        {
          field: 'lines',
          message: `subtotal ${subtotal} exceeds ${maxOrderSubtotal} minor units; split the order`,
        },
      ],
    };
  }
  const taxable = new Map<string, number>();
  for (const l of lines) taxable.set(l.taxClassId, (taxable.get(l.taxClassId) ?? 0) + l.lineTotal);
  const taxes: TaxLine[] = [...taxable]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([taxClassId, amount]) => {
      const t = catalog.taxClasses.get(taxClassId)!;
      return {
        taxClassId,
        name: t.name,
        rateBasisPoints: t.rateBasisPoints,
        inclusive: t.inclusive,
        taxable: amount,
        tax: taxFor(amount, t.rateBasisPoints, t.inclusive),
      };
    });
  const tax = taxes.reduce((sum, t) => sum + t.tax, 0);
  const addedTax = taxes.filter((t) => !t.inclusive).reduce((sum, t) => sum + t.tax, 0);
  return { ok: true, order: { lines, taxes, subtotal, tax, total: subtotal + addedTax } };
}
