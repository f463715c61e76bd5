import type { ErrorCode, FieldError } from '../protocol/errors.ts';
import type { ModifierGroup } from '../protocol/menu.ts';
import type { OrderLine, OrderLineInput } from '../protocol/orders.ts';
import type { Catalog } from './catalog.ts';
import { type CheckFigures, checkFigures } from './check.ts';

/** Largest subtotal one order may carry: keeps every tax product far inside 2^53. */
const maxOrderSubtotal = 100_000_000;

export interface PricedOrder extends CheckFigures {
  lines: OrderLine[];
}

/** Where new lines go on a check: the round they belong to and the number of the first. */
export interface LinePlacement {
  round: number;
  firstLineNo: number;
  /** A new line's id; the till's preview uses placeholders, the hub real UUIDv7s. */
  lineId: (lineNo: number) => string;
}

const previewPlacement: LinePlacement = {
  round: 1,
  firstLineNo: 1,
  lineId: (n) => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`,
};

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
function priceLine(line: OrderLineInput, index: number, catalog: Catalog, place: LinePlacement): LineResult {
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
  if (line.course !== undefined && !catalog.courseOrder.has(line.course)) {
    const known = [...catalog.courseOrder.keys()];
    return lineError(
      'COURSE_NOT_FOUND',
      `${at}.course`,
      known.length > 0
        ? `no course "${line.course}" on this menu (it has ${known.join(', ')})`
        : `this menu has no courses; leave course out`,
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
      if (!picks.includes(option.id)) continue;
      const side =
        option.stationId && option.stationId !== item.stationId ? { stationId: option.stationId } : {};
      modifiers.push({
        groupId,
        optionId: option.id,
        name: option.name,
        priceDelta: option.priceDelta,
        ...side,
      });
    }
  }
  const unitPrice = item.price + modifiers.reduce((sum, m) => sum + m.priceDelta, 0);
  if (unitPrice < 0)
    return lineError('MODIFIER_INVALID', `${at}.modifiers`, 'the modifiers take the price below zero');
  const lineNo = place.firstLineNo + index;
  return {
    ok: true,
    line: {
      id: place.lineId(lineNo),
      lineNo,
      round: place.round,
      seat: line.seat ?? null,
      course: line.course ?? catalog.courseOf(item),
      kitchen: 'unsent',
      ticketId: null,
      itemId: item.id,
      name: item.name,
      qty: line.qty,
      unitPrice,
      modifiers,
      note: line.note?.trim() || null,
      stationId: item.stationId,
      taxClassId: item.taxClassId,
      lineTotal: unitPrice * line.qty,
      discount: 0,
      void: null,
      comp: null,
      share: null,
    },
  };
}

/**
 * Prices an order from the menu. Pure: every failing line is reported with the field it
 * concerns, and the worst code decides the answer (an unknown item beats a bad modifier).
 */
export function priceOrder(
  input: readonly OrderLineInput[],
  catalog: Catalog,
  place: LinePlacement = previewPlacement,
): PricingResult {
  const results = input.map((line, i) => priceLine(line, i, catalog, place));
  const failures = results.filter((r) => !r.ok);
  if (failures.length > 0) {
    const code = failures.some((f) => f.code === 'ITEM_NOT_FOUND') ? 'ITEM_NOT_FOUND' : failures[0]!.code;
    return { ok: false, code, errors: failures.map((f) => f.error) };
  }
  const lines = results.map((r) => (r as { line: OrderLine }).line);
  const refusal = sizeRefusal(lines.reduce((sum, l) => sum + l.lineTotal, 0));
  if (refusal) return refusal;
  return { ok: true, order: { lines, ...checkFigures(lines, catalog.taxClasses) } };
}

/** A check may hold at most `maxOrderSubtotal`: every tax product stays far inside 2^53. */
export function sizeRefusal(subtotal: number): PricingResult | null {
  if (subtotal <= maxOrderSubtotal) return null;
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
