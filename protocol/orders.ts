import { z } from 'zod';
import { Slug, Uuid } from './ids.ts';
import { Currency } from './menu.ts';
import { StaffRef } from './staff.ts';
import { FreeText, Name } from './text.ts';

export const OrderStatus = z.enum(['open', 'sent', 'in_progress', 'ready', 'completed', 'voided']);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** `held`: a course the server holds; the kitchen sees it as "next" and cannot cook it yet. */
export const TicketStatus = z.enum(['held', 'open', 'started', 'bumped', 'voided']);
export type TicketStatus = z.infer<typeof TicketStatus>;

/** A modifier choice: an option id, or `{ optionId }` (the object form leaves room for quantities). */
export const ModifierChoice = z.union([Slug, z.strictObject({ optionId: Slug })]);

/** Where the check is served: each is labelled on tickets and receipts. */
export const OrderType = z.enum(['dine_in', 'takeout', 'delivery', 'bar_tab']);
export type OrderType = z.infer<typeof OrderType>;

export const OrderLineInput = z.strictObject({
  itemId: Slug,
  qty: z.int().min(1, 'must be at least 1').max(999),
  modifiers: z.array(ModifierChoice).max(40).optional(),
  note: FreeText(280).optional(),
  /** Guest seat number at the table (1 = first seat); used to split by seat. */
  seat: z.int().min(1).max(99).optional(),
  /** Course id from the menu (drinks, starters…); absent, the item's own course. */
  course: Slug.optional(),
});
export type OrderLineInput = z.infer<typeof OrderLineInput>;

export const CreateOrderBody = z.strictObject({
  id: Uuid,
  lines: z.array(OrderLineInput).min(1, 'an order needs at least one line').max(200),
  note: FreeText(500).optional(),
  tableLabel: FreeText(40).optional(),
  /** false keeps the order open (a tab) instead of sending its tickets to the kitchen at once. */
  send: z.boolean().optional(),
  orderType: OrderType.optional(),
  /** A table of the floor plan (GET /api/v1/floor); its name becomes the check's table label. */
  tableId: Slug.optional(),
  guests: z.int().min(1).max(99).optional(),
  /** Courses to hold when the lines are sent: they wait for a fire command (or auto-fire). */
  hold: z.array(Slug).max(20).optional(),
  /**
   * When the cashier sent it, by the till's clock: an order queued while the hub was away keeps
   * it, and the kitchen's timer counts from it. Ignored when it is in the future or over a day old.
   */
  takenAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateOrderBody = z.infer<typeof CreateOrderBody>;

export const VoidOrderBody = z.strictObject({ reason: Name(280, 3) });
export type VoidOrderBody = z.infer<typeof VoidOrderBody>;

export const OrderIdParams = z.strictObject({ id: Uuid });
export const TicketIdParams = z.strictObject({ id: Uuid });

export const PricedModifier = z.object({
  groupId: Slug,
  optionId: Slug,
  name: z.string(),
  priceDelta: z.int(),
  /** Set when the option is a side another station cooks (rules/pricing.ts). */
  stationId: Slug.optional(),
});

export const LineVoid = z.object({
  reason: z.string(),
  at: z.string(),
  deviceId: z.string().nullable(),
  /** Who did it (the staff member signed in on the till), and who approved it by override. */
  by: StaffRef.nullable().default(null),
  approvedBy: StaffRef.nullable(),
  /** True when the kitchen already had it: the KDS strikes it through. */
  afterFire: z.boolean(),
  /** The line's value when voided, for the voids report. */
  amount: z.int(),
});

export const LineComp = z.object({
  reason: z.string(),
  at: z.string(),
  deviceId: z.string().nullable(),
  /** Who did it (the staff member signed in on the till), and who approved it by override. */
  by: StaffRef.nullable().default(null),
  approvedBy: StaffRef.nullable(),
  /** What the comp took off: the line's value after any discount. */
  amount: z.int(),
});

/** `unsent`: on an open check not sent yet; `held`: sent, its course waits; `fired`: the kitchen has it. */
export const LineKitchen = z.enum(['unsent', 'held', 'fired']);

export const OrderLine = z.object({
  /** Stable across moves, transfers and splits (lineNo is the position on its current check). */
  id: Uuid,
  lineNo: z.int(),
  round: z.int(),
  seat: z.int().nullable(),
  course: Slug.nullable(),
  kitchen: LineKitchen,
  ticketId: Uuid.nullable(),
  itemId: Slug,
  name: z.string(),
  qty: z.int(),
  unitPrice: z.int(),
  modifiers: z.array(PricedModifier),
  note: z.string().nullable(),
  stationId: Slug,
  taxClassId: Slug,
  /** unitPrice × qty (for a share of an even split, this share of it). */
  lineTotal: z.int(),
  /** Discounts on this line, its share of check discounts included. */
  discount: z.int(),
  void: LineVoid.nullable(),
  comp: LineComp.nullable(),
  /** Set on the lines of an evenly split check: this check carries part `part` of `parts`. */
  share: z.object({ part: z.int(), parts: z.int() }).nullable(),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const TaxLine = z.object({
  taxClassId: Slug,
  name: z.string(),
  rateBasisPoints: z.int(),
  inclusive: z.boolean(),
  taxable: z.int(),
  tax: z.int(),
});
export type TaxLine = z.infer<typeof TaxLine>;

export const Ticket = z.object({
  id: Uuid,
  orderId: Uuid,
  orderNumber: z.int(),
  stationId: Slug,
  status: TicketStatus,
  tableLabel: z.string().nullable(),
  orderType: OrderType,
  orderNote: z.string().nullable(),
  /** When the cashier sent the check, if it waited in a till's queue (else null). */
  takenAt: z.string().nullable(),
  /** 1 for the first round sent; later rounds are add-ons to the same table. */
  round: z.int(),
  course: Slug.nullable(),
  /** The lines as the kitchen got them; a line voided after firing stays, with `void` set. */
  lines: z.array(OrderLine),
  createdAt: z.string(),
  /** When the cook may start: at creation, or when a held course was fired. */
  firedAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  bumpedAt: z.string().nullable(),
});
export type Ticket = z.infer<typeof Ticket>;

/** A discount as it was applied: which, to what, how much, by whom. */
export const AppliedDiscount = z.object({
  id: Uuid,
  discountId: Slug,
  name: z.string(),
  /** The lines it was spread over (one for a line discount, the check's lines otherwise). */
  lineIds: z.array(Uuid),
  scope: z.enum(['line', 'check']),
  amount: z.int(),
  at: z.string(),
  deviceId: z.string().nullable(),
  /** Who did it (the staff member signed in on the till), and who approved it by override. */
  by: StaffRef.nullable().default(null),
  approvedBy: StaffRef.nullable(),
});
export type AppliedDiscount = z.infer<typeof AppliedDiscount>;

/**
 * A check: one table's (or tab's, or takeout's) bill through the whole meal. Money figures are
 * integer minor units: gross − comps − discounts = subtotal (net sales, what is taxed);
 * total = subtotal + added (exclusive) tax. Voided lines count in none of them, only in `voids`.
 */
export const Order = z.object({
  id: Uuid,
  number: z.int(),
  status: OrderStatus,
  /** Goes up by one with every change; commands may carry the version they saw. */
  version: z.int(),
  orderType: OrderType,
  tableId: Slug.nullable(),
  guests: z.int().nullable(),
  currency: Currency,
  menuVersion: z.int(),
  lines: z.array(OrderLine),
  discountsApplied: z.array(AppliedDiscount),
  taxes: z.array(TaxLine),
  gross: z.int(),
  voids: z.int(),
  comps: z.int(),
  discounts: z.int(),
  subtotal: z.int(),
  tax: z.int(),
  total: z.int(),
  note: z.string().nullable(),
  tableLabel: z.string().nullable(),
  voidReason: z.string().nullable(),
  /** When the cashier sent it, when that was earlier than the hub got it (a till's queue). */
  takenAt: z.string().nullable(),
  tickets: z.array(Ticket),
  deviceId: z.string().nullable(),
  /** The server the check belongs to: who opened it, or who it was moved to. */
  server: StaffRef.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Order = z.infer<typeof Order>;

export const OrderListQuery = z.strictObject({
  status: OrderStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const OrderList = z.object({ orders: z.array(Order) });

export const TicketListQuery = z.strictObject({
  station: Slug.optional(),
  status: TicketStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const TicketList = z.object({ tickets: z.array(Ticket) });
