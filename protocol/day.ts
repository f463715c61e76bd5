import { z } from 'zod';
import { Slug, Uuid } from './ids.ts';
import { PaymentMethod } from './payments.ts';
import { ApprovalInput, StaffRef } from './staff.ts';
import { Name } from './text.ts';

/**
 * Running and closing a business day (docs/staff.md): the time clock, cash drawers, a server's
 * checkout, and the X and Z reports. Money is integer minor units, times are ISO UTC.
 */

const Minor = z.int().min(0).max(100_000_000);
const Reason = Name(200, 3);
const Command = { commandId: Uuid };
/** A business day, the restaurant's own date (a night past midnight belongs to the day before). */
export const BusinessDate = z.iso.date();

// ---- the time clock ----

export const Break = z.object({ startAt: z.string(), endAt: z.string().nullable(), paid: z.boolean() });
export type Break = z.infer<typeof Break>;

/** One shift of one person: in, breaks, out (null while on the clock). */
export const Punch = z.object({
  id: Uuid,
  staff: StaffRef,
  /** The job worked (a role id: server, bartender…), for hours and cost per job. */
  job: Slug,
  inAt: z.string(),
  outAt: z.string().nullable(),
  breaks: z.array(Break),
  /** Set when a manager changed it: why, and who. */
  edited: z.object({ reason: z.string(), by: StaffRef.nullable(), at: z.string() }).nullable(),
});
export type Punch = z.infer<typeof Punch>;

export const ClockInBody = z.strictObject({ ...Command, job: Slug.optional() });
export const BreakBody = z.strictObject({ ...Command, paid: z.boolean().default(false) });
export const ClockOutBody = z.strictObject({ ...Command });
/** A manager closes a forgotten punch or corrects one; the reason is kept. */
export const EditPunchBody = z.strictObject({
  ...Command,
  inAt: z.iso.datetime({ offset: true }).optional(),
  outAt: z.iso.datetime({ offset: true }).optional(),
  reason: Reason,
  approval: ApprovalInput.optional(),
});
export type EditPunchBody = z.infer<typeof EditPunchBody>;
export const PunchQuery = z.strictObject({ date: BusinessDate.optional(), staffId: Uuid.optional() });

/** Hours of one person on one day, by job. */
export const LabourLine = z.object({
  staff: StaffRef,
  job: Slug,
  /** Worked minutes (unpaid breaks taken off). */
  minutes: z.int(),
  breakMinutes: z.int(),
  /** Minutes × the hourly wage, when one is set. */
  cost: z.int().nullable(),
  open: z.boolean(),
});
export type LabourLine = z.infer<typeof LabourLine>;

// ---- cash drawers ----

/** Bills and coins counted at close, in minor units per denomination: { "2000": 3, "25": 8 }. */
export const DenominationCount = z.record(
  z.string().regex(/^\d{1,6}$/, 'is a denomination in minor units'),
  z.int().min(0).max(100_000),
);
export type DenominationCount = z.infer<typeof DenominationCount>;

export const DrawerMoveKind = z.enum(['paid_in', 'paid_out', 'drop', 'no_sale']);
export const DrawerMove = z.object({
  id: Uuid,
  kind: DrawerMoveKind,
  amount: z.int(),
  reason: z.string().nullable(),
  by: StaffRef.nullable(),
  approvedBy: StaffRef.nullable(),
  at: z.string(),
});
export type DrawerMove = z.infer<typeof DrawerMove>;

export const Drawer = z.object({
  id: Uuid,
  /** The till it sits in, or the server whose bank it is (per the restaurant's setting). */
  deviceId: z.string().nullable(),
  owner: StaffRef.nullable(),
  businessDate: BusinessDate,
  openedAt: z.string(),
  openedBy: StaffRef.nullable(),
  float: z.int(),
  moves: z.array(DrawerMove),
  /** Filled at close: what was counted, and against what the hub expected. */
  closedAt: z.string().nullable(),
  closedBy: StaffRef.nullable(),
  counted: DenominationCount.nullable(),
  countedTotal: z.int().nullable(),
  expected: z.int().nullable(),
  /** counted − expected: negative is short. */
  overShort: z.int().nullable(),
});
export type Drawer = z.infer<typeof Drawer>;

/** What the drawer should hold now, line by line (a manager's view; the blind count never shows it). */
export const DrawerExpected = z.object({
  float: z.int(),
  cashSales: z.int(),
  cashTips: z.int(),
  cashRefunds: z.int(),
  paidIn: z.int(),
  paidOut: z.int(),
  drops: z.int(),
  expected: z.int(),
});
export type DrawerExpected = z.infer<typeof DrawerExpected>;
export const DrawerView = Drawer.extend({ figures: DrawerExpected.nullable() });
export type DrawerView = z.infer<typeof DrawerView>;

export const OpenDrawerBody = z.strictObject({ ...Command, float: Minor });
export const DrawerMoveBody = z.strictObject({
  ...Command,
  kind: DrawerMoveKind,
  amount: Minor.default(0),
  reason: Reason.optional(),
  approval: ApprovalInput.optional(),
});
export type DrawerMoveBody = z.infer<typeof DrawerMoveBody>;
export const CloseDrawerBody = z.strictObject({ ...Command, counted: DenominationCount });
export const DrawerIdParams = z.strictObject({ id: Uuid });

// ---- a server's checkout ----

export const CheckoutBody = z.strictObject({ ...Command, declaredCashTips: Minor.default(0) });
export const Checkout = z.object({
  staff: StaffRef,
  businessDate: BusinessDate,
  checks: z.int(),
  /** Net sales of their checks (before tax). */
  sales: z.int(),
  cardTips: z.int(),
  cashTaken: z.int(),
  declaredCashTips: z.int(),
  /** Cash they hand to the house: cash taken less the card tips the house owes them. */
  cashOwed: z.int(),
  /** Their checks still open: checkout waits until these are closed or moved. */
  openChecks: z.array(
    z.object({ id: Uuid, number: z.int(), tableLabel: z.string().nullable(), due: z.int() }),
  ),
  checkedOutAt: z.string().nullable(),
});
export type Checkout = z.infer<typeof Checkout>;

// ---- X and Z ----

export const TenderLine = z.object({
  method: PaymentMethod,
  count: z.int(),
  amount: z.int(),
  tips: z.int(),
  refunds: z.int(),
});
export const ReasonLine = z.object({
  name: z.string(),
  approver: z.string().nullable(),
  count: z.int(),
  amount: z.int(),
});
export const TipShare = z.object({ staff: StaffRef, minutes: z.int(), points: z.int(), amount: z.int() });

/** A day's figures: the X report shows them for the day so far; a Z freezes them. */
export const DayFigures = z.object({
  businessDate: BusinessDate,
  currency: z.string(),
  checks: z.int(),
  covers: z.int(),
  gross: z.int(),
  voids: z.object({ count: z.int(), amount: z.int() }),
  comps: z.array(ReasonLine),
  discounts: z.array(ReasonLine),
  /** Net sales: gross − comps − discounts. */
  net: z.int(),
  taxes: z.array(z.object({ taxClassId: Slug, name: z.string(), taxable: z.int(), tax: z.int() })),
  tax: z.int(),
  total: z.int(),
  averageCheck: z.int(),
  tenders: z.array(TenderLine),
  tips: z.object({ card: z.int(), cash: z.int(), declared: z.int() }),
  refunds: z.int(),
  drawers: z.array(
    z.object({
      id: Uuid,
      label: z.string(),
      expected: z.int().nullable(),
      counted: z.int().nullable(),
      overShort: z.int().nullable(),
    }),
  ),
  overShort: z.int(),
  labour: z.array(LabourLine),
  tipPool: z.array(TipShare),
  openChecks: z.array(
    z.object({ id: Uuid, number: z.int(), tableLabel: z.string().nullable(), total: z.int() }),
  ),
});
export type DayFigures = z.infer<typeof DayFigures>;

export const ZReport = z.object({
  /** 1, 2, 3…: never repeated or skipped, across restarts and restores. */
  number: z.int().min(1),
  closedAt: z.string(),
  closedBy: StaffRef.nullable(),
  approvedBy: StaffRef.nullable(),
  /** Checks still open at a forced close: they move to the next business day. */
  forced: z.boolean(),
  figures: DayFigures,
});
export type ZReport = z.infer<typeof ZReport>;

export const CloseDayBody = z.strictObject({
  ...Command,
  /** Close even with open checks: they carry over to the next business day. */
  force: z.boolean().default(false),
  approval: ApprovalInput.optional(),
});
export type CloseDayBody = z.infer<typeof CloseDayBody>;
export const ZList = z.object({
  reports: z.array(
    ZReport.pick({ number: true, closedAt: true, forced: true }).extend({
      businessDate: BusinessDate,
      net: z.int(),
    }),
  ),
});
export const ZNumberParams = z.strictObject({ number: z.coerce.number().int().min(1) });
