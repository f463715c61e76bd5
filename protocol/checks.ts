import { z } from 'zod';
import { Slug, Uuid } from './ids.ts';
import { Order, OrderLineInput, OrderType } from './orders.ts';
import { ApprovalInput } from './staff.ts';
import { FreeText, Name } from './text.ts';

/**
 * Commands on a check that lives through the meal (docs/checks.md). Each carries a client-made
 * `commandId` (the same command replayed answers the same result) and, where the cashier acted on
 * what the screen showed, the check's `expectedVersion`: a stale one is refused with the check as
 * it is now, for the cashier to redo in one tap.
 */
const Command = {
  commandId: Uuid,
  expectedVersion: z.int().min(1).optional(),
};

const Reason = Name(280, 3);

export const AddRoundBody = z.strictObject({
  ...Command,
  lines: z.array(OrderLineInput).min(1, 'a round needs at least one line').max(200),
  /** false adds the lines without sending them (the check stays open); default true. */
  send: z.boolean().optional(),
  /** Courses of this round to hold until fired. */
  hold: z.array(Slug).max(20).optional(),
});
export type AddRoundBody = z.infer<typeof AddRoundBody>;

export const FireCourseBody = z.strictObject({ ...Command, course: Slug });
export type FireCourseBody = z.infer<typeof FireCourseBody>;

export const VoidLinesBody = z.strictObject({
  ...Command,
  lineIds: z.array(Uuid).min(1).max(200),
  reason: Reason,
  approval: ApprovalInput.optional(),
});
export type VoidLinesBody = z.infer<typeof VoidLinesBody>;

export const CompLinesBody = VoidLinesBody;
export type CompLinesBody = VoidLinesBody;

export const ApplyDiscountBody = z.strictObject({
  ...Command,
  discountId: Slug,
  /** The lines to discount; absent, the whole check. */
  lineIds: z.array(Uuid).min(1).max(200).optional(),
  approval: ApprovalInput.optional(),
});
export type ApplyDiscountBody = z.infer<typeof ApplyDiscountBody>;

export const SplitBody = z.discriminatedUnion('by', [
  z.strictObject({
    ...Command,
    by: z.literal('items'),
    /** Each group of lines becomes its own check; lines in no group stay on this one. */
    groups: z.array(z.array(Uuid).min(1).max(200)).min(1).max(20),
  }),
  z.strictObject({ ...Command, by: z.literal('seat') }),
  z.strictObject({ ...Command, by: z.literal('even'), ways: z.int().min(2).max(20) }),
]);
export type SplitBody = z.infer<typeof SplitBody>;

export const MoveTableBody = z.strictObject({ ...Command, tableId: Slug });
export type MoveTableBody = z.infer<typeof MoveTableBody>;

export const MergeBody = z.strictObject({
  ...Command,
  /** The check whose lines come onto this one; it is closed as merged. */
  fromOrderId: Uuid,
});
export type MergeBody = z.infer<typeof MergeBody>;

export const TransferBody = z.strictObject({
  ...Command,
  lineIds: z.array(Uuid).min(1).max(200),
  toOrderId: Uuid,
});
export type TransferBody = z.infer<typeof TransferBody>;

/** A closed check opened again to change it (needs "check.reopen"); not once its day has a Z. */
export const ReopenBody = z.strictObject({ ...Command, reason: Reason, approval: ApprovalInput.optional() });
export type ReopenBody = z.infer<typeof ReopenBody>;

/** The check changes hands: another server takes it over (needs "check.transfer"). */
export const ChangeServerBody = z.strictObject({
  ...Command,
  staffId: Uuid,
  approval: ApprovalInput.optional(),
});
export type ChangeServerBody = z.infer<typeof ChangeServerBody>;

export const SplitResult = z.object({ checks: z.array(Order) });
export type SplitResult = z.infer<typeof SplitResult>;

/** A check move that changes two checks answers both. */
export const TwoChecks = z.object({ from: Order, to: Order });
export type TwoChecks = z.infer<typeof TwoChecks>;

// ---- The floor plan, the discount list and service settings (a manager's configuration) ----

export const TableShape = z.enum(['square', 'round', 'rectangle', 'booth', 'stool']);

export const FloorTable = z.strictObject({
  id: Slug,
  name: Name(20),
  seats: z.int().min(1).max(40),
  shape: TableShape.default('square'),
  /** Position on the area's plan, in grid cells from the top left. */
  x: z.int().min(0).max(200),
  y: z.int().min(0).max(200),
});
export type FloorTable = z.infer<typeof FloorTable>;

export const FloorArea = z.strictObject({
  id: Slug,
  name: Name(40),
  tables: z.array(FloorTable).max(200),
});

export const FloorPlan = z.strictObject({ areas: z.array(FloorArea).max(20) });
export type FloorPlan = z.infer<typeof FloorPlan>;

/**
 * What a table shows on the POS floor plan, derived from its open checks: seated (nothing sent),
 * ordered (a course still waits), mains fired (everything fired), presented (the bill printed or
 * part paid), paid (nothing due, not yet closed).
 */
export const TableState = z.enum(['free', 'seated', 'ordered', 'mains_fired', 'presented', 'paid']);
export type TableState = z.infer<typeof TableState>;

export const FloorView = z.object({
  areas: z.array(
    FloorArea.extend({
      tables: z.array(
        FloorTable.extend({
          state: TableState,
          checkIds: z.array(Uuid),
          guests: z.int().nullable(),
          /** When the first open check on the table was opened. */
          seatedAt: z.string().nullable(),
        }),
      ),
    }),
  ),
});
export type FloorView = z.infer<typeof FloorView>;

export const Discount = z
  .strictObject({
    id: Slug,
    name: Name(60),
    kind: z.enum(['percent', 'amount']),
    /** Basis points for percent (1000 = 10 %); minor units for amount. */
    value: z.int().min(1).max(100_000_000),
    scope: z.enum(['line', 'check', 'either']).default('either'),
  })
  .refine((d) => d.kind !== 'percent' || d.value <= 10_000, {
    message: 'a percent discount is at most 10000 basis points (100 %)',
    path: ['value'],
  });
export type Discount = z.infer<typeof Discount>;

export const DiscountList = z.strictObject({ discounts: z.array(Discount).max(100) });
export type DiscountList = z.infer<typeof DiscountList>;

export const ServiceSettings = z.strictObject({
  /** Fire a held course by itself when every ticket of the course before it is bumped. */
  autoFireNextCourse: z.boolean().default(true),
  /** Minutes without a touch after which a till locks and asks for a PIN. */
  idleMinutes: z.int().min(1).max(240).default(5),
  /** When a business day begins, hub local time: a check at 01:30 belongs to the night before. */
  dayStartsAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'is a time of day, HH:MM')
    .default('04:00'),
  /** A cash drawer per till, or a bank per server (each server opens and counts their own). */
  drawerMode: z.enum(['till', 'server']).default('till'),
  /** The tip buttons on a card payment, in percent. */
  tipPresets: z.array(z.int().min(1).max(100)).max(5).default([15, 18, 20]),
  /** Pooled tips at day close: none, by hours worked, or by hours × points per job. */
  tipPool: z
    .strictObject({
      mode: z.enum(['none', 'hours', 'points']).default('none'),
      points: z.record(Slug, z.int().min(0).max(100)).default({}),
    })
    .default({ mode: 'none', points: {} }),
});
export type ServiceSettings = z.infer<typeof ServiceSettings>;

// ---- The check list ----

export const PayState = z.enum(['unpaid', 'partly_paid', 'paid']);
export type PayState = z.infer<typeof PayState>;

export const CheckListQuery = z.strictObject({
  /** open: not completed or voided (the default); closed; or all. */
  state: z.enum(['open', 'closed', 'all']).default('open'),
  pay: PayState.optional(),
  table: Slug.optional(),
  type: OrderType.optional(),
  /** The device that opened the check. */
  device: z.string().max(80).optional(),
  /** The server the check belongs to (a staff id). */
  server: Uuid.optional(),
  /** A check number, or part of a table label or tab name. */
  q: FreeText(40).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  /** From a previous page's `next`. */
  cursor: z.string().max(200).optional(),
});
export type CheckListQuery = z.infer<typeof CheckListQuery>;

/** A row of the check list: the check's head from `Order`, and what is paid and due. */
export const CheckSummary = Order.pick({
  id: true,
  number: true,
  status: true,
  version: true,
  orderType: true,
  tableId: true,
  tableLabel: true,
  guests: true,
  currency: true,
  total: true,
  deviceId: true,
  server: true,
  createdAt: true,
  updatedAt: true,
}).extend({
  paid: z.int(),
  due: z.int(),
  pay: PayState,
  /** Lines not voided. */
  lineCount: z.int(),
});
export type CheckSummary = z.infer<typeof CheckSummary>;

export const CheckList = z.object({ checks: z.array(CheckSummary), next: z.string().nullable() });
export type CheckList = z.infer<typeof CheckList>;
