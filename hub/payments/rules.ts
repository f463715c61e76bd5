import type { Payment, PaymentStatus } from '../../protocol/payments.ts';

/**
 * pending (a card on the reader) → captured or voided or failed; unverified (a standalone
 * terminal's card) → captured (matched) or failed (not received); captured → partially refunded →
 * refunded.
 */
const moves: Record<PaymentStatus, readonly PaymentStatus[]> = {
  pending: ['captured', 'failed', 'voided'],
  unverified: ['captured', 'failed'],
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
 * Payments that count towards the bill: captured ones (refunds give money back; they do not
 * reopen the bill) and standalone ones not yet verified (the restaurant bears that risk, within
 * the limits). A pending card payment does not count, so the cashier can take another tender; if
 * it later turns out charged, the order is flagged as overpaid for a refund.
 */
function counts(p: Pick<Payment, 'status'>): boolean {
  return (
    p.status === 'unverified' ||
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
    p.status === 'unverified' ||
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
  show: (minor: number) => string = String,
): { field: string; message: string }[] {
  const refusals: { field: string; message: string }[] = [];
  if (b.amount > limits.maxAmount)
    refusals.push({
      field: 'amount',
      message: `is more than the ${show(limits.maxAmount)} one payment may carry`,
    });
  if (b.tip > limits.maxTip)
    refusals.push({ field: 'tip', message: `is more than the ${show(limits.maxTip)} a tip may be` });
  if (b.tendered !== undefined && b.tendered > limits.maxAmount + limits.maxTip)
    refusals.push({ field: 'tendered', message: 'is more cash than one payment may take' });
  return refusals;
}

export function changeDue(tendered: number | undefined, amount: number, tip: number): number {
  return tendered === undefined ? 0 : tendered - amount - tip;
}

export interface StandaloneLimits {
  perTransaction: number;
  total: number;
}

/**
 * A standalone terminal takes a card with no authorisation the hub can see, so the restaurant
 * carries the risk until a manager verifies it: cap each such payment and the total not yet
 * verified. Returns why it is refused, or null.
 */
export function standaloneRefusal(
  amountWithTip: number,
  unverifiedTotal: number,
  limits: StandaloneLimits,
  show: (minor: number) => string = String,
): string | null {
  if (amountWithTip > limits.perTransaction) {
    return `standalone card payments are limited to ${show(limits.perTransaction)} each (this is ${show(amountWithTip)})`;
  }
  if (unverifiedTotal + amountWithTip > limits.total) {
    return `standalone card payments not yet verified would reach ${show(unverifiedTotal + amountWithTip)}, over the limit of ${show(limits.total)}`;
  }
  return null;
}

/** Stripe's smallest card charge is $0.50 (or about that in other currencies): 50 minor units. */
export const cardMinimum = 50;

export function refundedStatus(amount: number, tip: number, refunded: number): PaymentStatus {
  return refunded >= amount + tip ? 'refunded' : 'partially_refunded';
}

/**
 * When Stripe cannot say how a card payment ended, the hub asks again after 5 s, 15 s, 1 min, then
 * every 5 min, for 7 days (the horizon): past it, a manager settles the payment by hand.
 */
export const checkHorizonMs = 7 * 86_400_000;

export function nextCheckDelayMs(checks: number): number {
  return [5_000, 15_000, 60_000][checks] ?? 300_000;
}
