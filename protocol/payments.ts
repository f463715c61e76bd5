import { z } from 'zod';
import { Uuid } from './ids.ts';
import { Name } from './text.ts';

export const PaymentMethod = z.enum(['cash', 'card_present', 'card_offline_forwarded']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

export const PaymentStatus = z.enum([
  'pending',
  'authorised',
  'captured',
  'partially_refunded',
  'refunded',
  'failed',
  'voided',
]);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

const Minor = z.int().min(0).max(100_000_000);

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
    readerId: Name(100).optional(),
    /** card_offline_forwarded: what the terminal reported when it stored the payment offline. */
    offline: z
      .strictObject({
        last4: z.string().regex(/^\d{4}$/),
        brand: Name(30),
        authorisationCode: Name(40),
      })
      .optional(),
    /** A manager may accept an offline payment beyond the limits; it is logged. */
    managerOverride: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.method === 'cash' && b.tendered !== undefined && b.tendered < b.amount + b.tip) {
      ctx.addIssue({ code: 'custom', path: ['tendered'], message: 'is less than amount + tip' });
    }
    if (b.method === 'card_present' && !b.readerId)
      ctx.addIssue({ code: 'custom', path: ['readerId'], message: 'is required for card_present' });
    if (b.method === 'card_offline_forwarded' && !b.offline)
      ctx.addIssue({ code: 'custom', path: ['offline'], message: 'is required for card_offline_forwarded' });
  });
export type CreatePaymentBody = z.infer<typeof CreatePaymentBody>;

export const RefundBody = z.strictObject({
  id: Uuid,
  amount: Minor.min(1),
  reason: Name(200, 3),
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
  /** Stored offline by a terminal, not yet confirmed by Stripe. */
  pendingForward: z.boolean(),
  managerOverride: z.boolean(),
  stripePaymentIntentId: z.string().nullable(),
  card: z.object({ brand: z.string(), last4: z.string() }).nullable(),
  lastError: z.string().nullable(),
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
