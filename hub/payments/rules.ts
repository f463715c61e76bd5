import type { Payment, PaymentStatus } from '../../protocol/payments.ts';

/** pending → authorised → captured → partially refunded → refunded; pending/authorised → failed or voided. */
const moves: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['authorised', 'captured', 'failed', 'voided'],
  authorised: ['captured', 'failed', 'voided'],
  captured: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  failed: [],
  voided: [],
};

export function canMovePayment(from: PaymentStatus, to: PaymentStatus): boolean {
  return moves[from].includes(to);
}

/**
 * Payments that count towards the bill: authorised or captured (refunds give money back; they do
 * not reopen the bill). A pending card payment whose outcome is unknown does not count, so the
 * cashier can take another tender; if reconciliation later finds it went through, the order is
 * flagged as overpaid for a refund.
 */
function counts(p: Pick<Payment, 'status'>): boolean {
  return (
    p.status === 'authorised' ||
    p.status === 'captured' ||
    p.status === 'partially_refunded' ||
    p.status === 'refunded'
  );
}

/** What the order still needs. Tips are on top of the bill; refunds give money back, not bill. */
export function balance(total: number, payments: readonly Pick<Payment, 'status' | 'amount' | 'tip'>[]) {
  const live = payments.filter(counts);
  const paid = live.reduce((s, p) => s + p.amount, 0);
  return { paid, tips: live.reduce((s, p) => s + p.tip, 0), due: Math.max(0, total - paid) };
}

/** A payment that has (or may yet have) money in it: a void must wait for its refund or cancel. */
export function holdsMoney(p: Pick<Payment, 'status'>): boolean {
  return (
    p.status === 'pending' ||
    p.status === 'authorised' ||
    p.status === 'captured' ||
    p.status === 'partially_refunded'
  );
}

export interface AmountLimits {
  maxAmount: number;
  maxTip: number;
}

/** Sane upper bounds, so a mistyped tip of 100,000,000 is refused rather than recorded. */
export function amountRefusals(
  b: { amount: number; tip: number; tendered?: number | undefined },
  limits: AmountLimits,
): { field: string; message: string }[] {
  const refusals: { field: string; message: string }[] = [];
  if (b.amount > limits.maxAmount)
    refusals.push({ field: 'amount', message: `is more than the ${limits.maxAmount} one payment may carry` });
  if (b.tip > limits.maxTip)
    refusals.push({ field: 'tip', message: `is more than the ${limits.maxTip} a tip may be` });
  if (b.tendered !== undefined && b.tendered > limits.maxAmount + limits.maxTip)
    refusals.push({ field: 'tendered', message: 'is more cash than one payment may take' });
  return refusals;
}

export function changeDue(tendered: number | undefined, amount: number, tip: number): number {
  return tendered === undefined ? 0 : tendered - amount - tip;
}

export interface OfflineLimits {
  perTransaction: number;
  total: number;
}

/**
 * Stripe's guidance for store-and-forward: the merchant carries the decline risk, so cap each
 * offline payment and the total awaiting forwarding. Returns why it is refused, or null.
 */
export function offlineRefusal(
  amountWithTip: number,
  pendingForwardTotal: number,
  limits: OfflineLimits,
): string | null {
  if (amountWithTip > limits.perTransaction) {
    return `offline card payments are limited to ${limits.perTransaction} per transaction (this is ${amountWithTip})`;
  }
  if (pendingForwardTotal + amountWithTip > limits.total) {
    return `offline card payments awaiting forwarding would reach ${pendingForwardTotal + amountWithTip}, over the limit of ${limits.total}`;
  }
  return null;
}

export function refundedStatus(amount: number, tip: number, refunded: number): PaymentStatus {
  return refunded >= amount + tip ? 'refunded' : 'partially_refunded';
}
