import { z } from 'zod';
import { Uuid } from './ids.ts';
import { ApprovalInput, StaffRef } from './staff.ts';
import { Name } from './text.ts';

/**
 * cash; card_present: a Stripe Terminal reader the hub drives (needs Stripe, so the internet);
 * card_standalone: a card taken on a separate terminal that works without the hub (the offline
 * policy in docs/payments.md), recorded by the cashier and verified later by a manager.
 */
export const PaymentMethod = z.enum(['cash', 'card_present', 'card_standalone']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/**
 * pending: a card payment under way on the reader (it does not count towards the bill);
 * unverified: a standalone-terminal card payment nobody has matched yet (it counts; the
 * restaurant bears the risk); captured → partially_refunded → refunded; failed; voided.
 */
export const PaymentStatus = z.enum([
  'pending',
  'unverified',
  'captured',
  'partially_refunded',
  'refunded',
  'failed',
  'voided',
]);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

/** Where a card payment on the reader is, while it is pending. */
export const CardStage = z.enum([
  /** creating the PaymentIntent and sending it to the reader */
  'starting',
  /** the reader shows the amount and waits for the guest's card */
  'waiting_for_card',
  /** the card was approved; the hub is capturing it */
  'capturing',
  /** this attempt failed (see `failure`); try again or cancel */
  'attempt_failed',
  /** Stripe stopped answering mid-attempt; the hub is finding out whether the card was charged */
  'checking',
  /** the cashier cancelled while Stripe could not be reached; the hub keeps trying to stop it */
  'cancelling',
]);
export type CardStage = z.infer<typeof CardStage>;

/** Why a card attempt failed, or what reconciliation found: each has a message and an action (docs/payments.md). */
export const CardFailureCode = z.enum([
  'card_declined',
  'reader_offline',
  'reader_busy',
  'reader_timeout',
  'reader_fault',
  'reader_not_found',
  'no_card_presented',
  'customer_cancelled',
  'amount_too_small',
  'stripe_unreachable',
  'outcome_unknown',
  'stripe_rejected_key',
  'stripe_refused',
  'interrupted',
  'not_charged',
  'stripe_cancelled',
  'amount_mismatch',
  'order_overpaid',
  'unresolved',
  'not_received',
  'earlier_note',
]);
export type CardFailureCode = z.infer<typeof CardFailureCode>;

export const CardFailure = z.object({ code: CardFailureCode, message: z.string() });
export type CardFailure = z.infer<typeof CardFailure>;

const Minor = z.int().min(0).max(100_000_000);
const ReaderId = z.string().regex(/^[A-Za-z0-9_]{1,100}$/, 'is not a reader id (tmr_…)');

export const CreatePaymentBody = z
  .strictObject({
    /** Client-made (UUIDv7): a retry with the same id never charges twice. */
    id: Uuid,
    method: PaymentMethod,
    amount: Minor.min(1, 'must be at least 1'),
    tip: Minor.default(0),
    /** Cash handed over; change due = tendered − amount − tip. */
    tendered: Minor.optional(),
    /** card_present: the Stripe Terminal reader to use. */
    readerId: ReaderId.optional(),
    /** card_standalone: what the standalone terminal printed, to match it later. */
    standalone: z
      .strictObject({
        last4: z.string().regex(/^\d{4}$/, 'must be the 4 last digits'),
        brand: Name(30),
        /** The terminal's receipt or transaction number, if it printed one. */
        reference: Name(60).optional(),
      })
      .optional(),
    /** A manager may accept a standalone payment beyond the limits; it is logged. */
    managerOverride: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.method === 'cash' && b.tendered !== undefined && b.tendered < b.amount + b.tip) {
      ctx.addIssue({ code: 'custom', path: ['tendered'], message: 'is less than amount + tip' });
    }
    if (b.method === 'card_present' && !b.readerId)
      ctx.addIssue({ code: 'custom', path: ['readerId'], message: 'is required for card_present' });
    if (b.method === 'card_standalone' && !b.standalone)
      ctx.addIssue({ code: 'custom', path: ['standalone'], message: 'is required for card_standalone' });
  });
export type CreatePaymentBody = z.infer<typeof CreatePaymentBody>;

export const RetryCardBody = z.strictObject({
  /** The attempt to start (the current one + 1): sent twice, it starts once. */
  attempt: z.int().min(2).max(1_000),
  /** Another reader, if the last one is offline or busy. */
  readerId: ReaderId.optional(),
});
export type RetryCardBody = z.infer<typeof RetryCardBody>;

export const VerifyStandaloneBody = z.discriminatedUnion('outcome', [
  /** Stripe has the payment (the terminal forwarded it): link it. */
  z.strictObject({ outcome: z.literal('matched'), paymentIntentId: z.string().regex(/^pi_\w{1,200}$/) }),
  /** The terminal's own acquirer paid it out (its settlement report shows it). */
  z.strictObject({ outcome: z.literal('settled_elsewhere') }),
  /** The money never came (declined when forwarded): the bill is due again. */
  z.strictObject({ outcome: z.literal('not_received'), note: Name(200, 3) }),
]);
export type VerifyStandaloneBody = z.infer<typeof VerifyStandaloneBody>;

export const RefundBody = z.strictObject({
  id: Uuid,
  amount: Minor.min(1),
  reason: Name(200, 3),
  /** A manager override, when the signed-in staff member may not refund (docs/staff.md). */
  approval: ApprovalInput.optional(),
});
export type RefundBody = z.infer<typeof RefundBody>;

export const Payment = z.object({
  id: Uuid,
  orderId: Uuid,
  method: PaymentMethod,
  status: PaymentStatus,
  amount: z.int(),
  tip: z.int(),
  tendered: z.int().nullable(),
  changeDue: z.int(),
  refunded: z.int(),
  managerOverride: z.boolean(),
  stripePaymentIntentId: z.string().nullable(),
  card: z.object({ brand: z.string(), last4: z.string(), reference: z.string().optional() }).nullable(),
  /** card_present: the reader, which attempt this is, and where it stands (null once settled). */
  reader: z
    .object({
      id: z.string(),
      attempt: z.int(),
      stage: CardStage.nullable(),
      /** When the reader stops waiting for a card. */
      deadlineAt: z.string().nullable(),
    })
    .nullable(),
  /** The last attempt's failure, or what reconciliation found, in the cashier's words. */
  failure: CardFailure.nullable(),
  /** The staff member signed in on the till that took it. */
  takenBy: StaffRef.nullable().default(null),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Payment = z.infer<typeof Payment>;

export const OrderPayments = z.object({
  orderId: Uuid,
  total: z.int(),
  paid: z.int(),
  tips: z.int(),
  due: z.int(),
  payments: z.array(Payment),
});
export type OrderPayments = z.infer<typeof OrderPayments>;

/** A payment Stripe took that a standalone payment may be (for the manager's matching screen). */
export const MatchCandidate = z.object({
  paymentIntentId: z.string(),
  amount: z.int(),
  created: z.string(),
  card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  /** Same amount, same last 4: the likely match. */
  likely: z.boolean(),
});
export type MatchCandidate = z.infer<typeof MatchCandidate>;

export const UnverifiedPayments = z.object({
  /** Whether the candidates could be read from Stripe just now. */
  stripe: z.enum(['ok', 'unreachable', 'not_configured']),
  payments: z.array(z.object({ payment: Payment, candidates: z.array(MatchCandidate) })),
});
export type UnverifiedPayments = z.infer<typeof UnverifiedPayments>;

export const StandaloneSummary = z.object({ count: z.int(), amount: z.int() });
