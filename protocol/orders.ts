import { z } from 'zod';
import { Slug, Uuid } from './ids.ts';
import { Currency } from './menu.ts';
import { FreeText, Name } from './text.ts';

export const OrderStatus = z.enum(['open', 'sent', 'in_progress', 'ready', 'completed', 'voided']);
export type OrderStatus = z.infer<typeof OrderStatus>;

export const TicketStatus = z.enum(['open', 'started', 'bumped', 'voided']);
export type TicketStatus = z.infer<typeof TicketStatus>;

/** A modifier choice: an option id, or `{ optionId }` (the object form leaves room for quantities). */
export const ModifierChoice = z.union([Slug, z.strictObject({ optionId: Slug })]);

export const OrderLineInput = z.strictObject({
  itemId: Slug,
  qty: z.int().min(1, 'must be at least 1').max(999),
  modifiers: z.array(ModifierChoice).max(40).optional(),
  note: FreeText(280).optional(),
});
export type OrderLineInput = z.infer<typeof OrderLineInput>;

export const CreateOrderBody = z.strictObject({
  id: Uuid,
  lines: z.array(OrderLineInput).min(1, 'an order needs at least one line').max(200),
  note: FreeText(500).optional(),
  tableLabel: FreeText(40).optional(),
  /** false keeps the order open (a tab) instead of sending its tickets to the kitchen at once. */
  send: z.boolean().optional(),
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
});

export const OrderLine = z.object({
  lineNo: z.int(),
  itemId: Slug,
  name: z.string(),
  qty: z.int(),
  unitPrice: z.int(),
  modifiers: z.array(PricedModifier),
  note: z.string().nullable(),
  stationId: Slug,
  taxClassId: Slug,
  lineTotal: z.int(),
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
  orderNote: z.string().nullable(),
  lines: z.array(OrderLine),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  bumpedAt: z.string().nullable(),
});
export type Ticket = z.infer<typeof Ticket>;

export const Order = z.object({
  id: Uuid,
  number: z.int(),
  status: OrderStatus,
  currency: Currency,
  menuVersion: z.int(),
  lines: z.array(OrderLine),
  taxes: z.array(TaxLine),
  subtotal: z.int(),
  tax: z.int(),
  total: z.int(),
  note: z.string().nullable(),
  tableLabel: z.string().nullable(),
  voidReason: z.string().nullable(),
  tickets: z.array(Ticket),
  deviceId: z.string().nullable(),
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
