import type {
  CreatePaymentBody,
  OrderPayments,
  Payment,
  PaymentStatus,
  RefundBody,
} from '../../protocol/payments.ts';
import { money } from '../../rules/money.ts';
import type { Caller } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import { fingerprint, replayOf } from '../idempotency.ts';
import { recordAudit, type SensitiveAction } from '../staff/audit.ts';
import type { CommandContext, GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { CheckSchedule } from '../store/payments.ts';
import {
  type AmountLimits,
  amountRefusals,
  balance,
  canMovePayment,
  cardMinimum,
  changeDue,
  refundedStatus,
  type StandaloneLimits,
  standaloneRefusal,
} from './rules.ts';

function paymentFingerprint(orderId: string, b: CreatePaymentBody): string {
  return fingerprint([
    orderId,
    b.method,
    b.amount,
    b.tip,
    b.tendered ?? null,
    b.readerId ?? null,
    b.standalone ?? null,
    b.managerOverride ?? false,
  ]);
}

const refundFingerprint = (paymentId: string, amount: number, reason: string) =>
  fingerprint([paymentId, amount, reason]);

/**
 * The hub's record of money (invariant 1: the hub owns payments): what each order has been paid,
 * every change a committed command with its event. It knows nothing of Stripe; the card flow
 * (card.ts) asks it to record what Stripe said.
 */
export class PaymentLedger {
  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly standaloneLimits: StandaloneLimits,
    private readonly amountLimits: AmountLimits,
  ) {}

  forOrder(orderId: string): OrderPayments {
    const order = this.store.orders.get(orderId);
    if (!order) throw new HubError('ORDER_NOT_FOUND', `No order ${orderId} on this hub.`);
    const payments = this.store.payments.forOrder(orderId);
    return { orderId, total: order.total, ...balance(order.total, payments), payments };
  }

  get(id: string): Payment {
    const p = this.store.payments.get(id);
    if (!p) throw new HubError('PAYMENT_NOT_FOUND', `No payment ${id} on this hub.`);
    return p;
  }

  exists(id: string): boolean {
    return this.store.payments.get(id) !== null;
  }

  /** The hub payment a PaymentIntent is linked to, if any. */
  byPaymentIntent(intentId: string): Payment | null {
    return this.store.payments.byPaymentIntent(intentId);
  }

  /** Payments not settled yet: card payments under way, standalone ones to verify. */
  unsettled(): Payment[] {
    return this.store.payments.unsettled();
  }

  /** Pending card payments whose next check with Stripe is due. */
  dueForCheck(at: string): Payment[] {
    return this.store.payments.dueForCheck(at);
  }

  /** Standalone-terminal card payments nobody has verified yet (the restaurant's risk). */
  unverifiedTotal(): { count: number; amount: number } {
    return this.store.payments.unverifiedTotal();
  }

  checkSchedule(id: string): CheckSchedule {
    return this.store.payments.checkSchedule(id) ?? { checkAt: null, checks: 0 };
  }

  /** When reconciliation looks at this payment next (null: not until something changes). */
  scheduleCheck(id: string, schedule: CheckSchedule): Promise<void> {
    return this.committer.run(() => this.store.payments.scheduleCheck(id, schedule));
  }

  currencyOf(orderId: string): string {
    return this.store.orders.get(orderId)!.currency;
  }

  /** What the order still owes after the payments that count (rules.ts). */
  paidOf(orderId: string): { total: number; paid: number } {
    const order = this.store.orders.get(orderId)!;
    return { total: order.total, paid: balance(order.total, this.store.payments.forOrder(orderId)).paid };
  }

  /**
   * Record a payment the cashier took (idempotent by its id). Cash is captured at once; a card on
   * the reader starts pending (committed *before* Stripe is called, so a crash after Stripe said
   * yes leaves a record reconciliation settles); a standalone terminal's card is checked against
   * the limits and counts, unverified.
   */
  record(
    orderId: string,
    body: CreatePaymentBody,
    caller: Caller,
    drawerId: string | null,
  ): Promise<{ payment: Payment; created: boolean; override: boolean }> {
    const asked = paymentFingerprint(orderId, body);
    // Amounts as the cashier reads them, in the check's currency.
    const currency = this.store.orders.get(orderId)?.currency ?? 'USD';
    const show = (minor: number) => money(minor, currency);
    const tooLarge = amountRefusals(body, this.amountLimits, show);
    if (body.method === 'card_present' && body.amount + body.tip < cardMinimum) {
      return Promise.reject(
        new HubError(
          'AMOUNT_TOO_SMALL',
          `Stripe takes card payments of ${show(cardMinimum)} or more (this is ${show(body.amount + body.tip)}); take cash for it.`,
          [{ field: 'amount', message: `is less than the card minimum of ${show(cardMinimum)}` }],
        ),
      );
    }
    if (tooLarge.length > 0) {
      return Promise.reject(
        new HubError(
          'AMOUNT_TOO_LARGE',
          `${tooLarge.map((r) => `${r.field} ${r.message}`).join('; ')}. Check the figures; a manager can raise paymentMaxAmount or paymentMaxTip.`,
          tooLarge,
        ),
      );
    }
    return this.committer.run((ctx) => {
      const replay = replayOf(
        this.store.payments.fingerprintOf(body.id),
        asked,
        () => this.store.payments.get(body.id)!,
        () =>
          new HubError(
            'PAYMENT_ID_REUSED',
            `Payment ${body.id} exists with different details; make a new id for a new payment.`,
            [{ field: 'id', message: 'already used for a different payment' }],
          ),
      );
      if (replay) return { payment: replay, created: false, override: false };
      const order = this.store.orders.get(orderId);
      if (!order) throw new HubError('ORDER_NOT_FOUND', `No order ${orderId} on this hub.`);
      if (order.status === 'voided')
        throw new HubError('ILLEGAL_TRANSITION', `Order ${order.number} is voided; it takes no payments.`);
      const { due } = balance(order.total, this.store.payments.forOrder(orderId));
      if (body.amount > due) {
        throw new HubError(
          'OVERPAYMENT',
          `Check #${order.number} owes ${show(due)}; this payment is ${show(body.amount)}. Take ${show(due)}, and put any extra in the tip.`,
          [{ field: 'amount', message: `is more than the ${show(due)} due` }],
        );
      }
      let override = false;
      if (body.method === 'card_standalone') {
        const refusal = standaloneRefusal(
          body.amount + body.tip,
          this.store.payments.unverifiedTotal().amount,
          this.standaloneLimits,
          show,
        );
        if (refusal && !(body.managerOverride && caller.device.role === 'manager')) {
          throw new HubError(
            'STANDALONE_LIMIT',
            `Refused: ${refusal}. Take cash, or a manager may override.`,
            [{ field: 'amount', message: refusal }],
          );
        }
        override = refusal !== null;
      }
      const status: PaymentStatus =
        body.method === 'cash' ? 'captured' : body.method === 'card_present' ? 'pending' : 'unverified';
      const payment: Payment = {
        id: body.id,
        orderId,
        method: body.method,
        status,
        amount: body.amount,
        tip: body.tip,
        tendered: body.tendered ?? null,
        changeDue: body.method === 'cash' ? changeDue(body.tendered, body.amount, body.tip) : 0,
        refunded: 0,
        managerOverride: override,
        stripePaymentIntentId: null,
        card: body.standalone ?? null,
        reader: body.readerId ? { id: body.readerId, attempt: 1, stage: 'starting', deadlineAt: null } : null,
        failure: null,
        takenBy: caller.staff?.ref ?? null,
        createdAt: ctx.at,
        updatedAt: ctx.at,
      };
      this.store.payments.insert({
        ...payment,
        fingerprint: asked,
        deviceId: caller.device.id,
        drawerId: body.method === 'cash' ? drawerId : null,
      });
      ctx.emit({ type: 'payment.recorded', topic: 'orders', entityId: payment.id, data: { payment } });
      return { payment, created: true, override };
    });
  }

  /**
   * A refund this id already recorded (a replay), or null when it is new; a different request
   * under a used refund id is refused. Checked before Stripe is asked.
   */
  refundReplay(paymentId: string, body: RefundBody): Payment | null {
    const stored = this.store.payments.refund(body.id);
    return replayOf(
      stored && refundFingerprint(stored.paymentId, stored.amount, stored.reason),
      refundFingerprint(paymentId, body.amount, body.reason),
      () => this.get(paymentId),
      () =>
        new HubError('PAYMENT_ID_REUSED', `Refund ${body.id} exists with different details.`, [
          { field: 'id', message: 'already used' },
        ]),
    );
  }

  /** How much is left to refund; refuses payments that cannot be refunded. */
  refundable(paymentId: string, amount: number): Payment {
    const payment = this.get(paymentId);
    const left = payment.amount + payment.tip - payment.refunded;
    if (payment.status !== 'captured' && payment.status !== 'partially_refunded') {
      throw new HubError('ILLEGAL_TRANSITION', `A ${payment.status} payment cannot be refunded.`);
    }
    if (amount > left) {
      throw new HubError('REFUND_TOO_LARGE', `Only ${left} is left to refund on this payment.`, [
        { field: 'amount', message: `is more than ${left}` },
      ]);
    }
    return payment;
  }

  /** Record a refund the money has already gone back for (cash handed over, or Stripe's refund id). */
  /** Records a refund Stripe made (or a cash one), with its line in the audit trail. */
  recordRefund(
    paymentId: string,
    body: RefundBody,
    stripeRefund: string | null,
    by: { caller: Caller; audit: SensitiveAction },
    drawerId: string | null,
  ): Promise<Payment> {
    return this.committer.run((ctx) => {
      if (this.store.payments.refund(body.id)) return this.get(paymentId);
      recordAudit(ctx, this.store, by.caller, by.audit);
      this.store.payments.addRefund({
        id: body.id,
        paymentId,
        amount: body.amount,
        reason: body.reason,
        stripeRefund,
        at: ctx.at,
        drawerId,
      });
      return this.apply(ctx, paymentId, (p) => {
        const refunded = p.refunded + body.amount;
        return { ...p, refunded, status: refundedStatus(p.amount, p.tip, refunded) };
      });
    });
  }

  /** Change one payment in its own command (with a `payment.updated` event). */
  update(id: string, change: (p: Payment) => Payment): Promise<Payment> {
    return this.committer.run((ctx) => this.apply(ctx, id, change));
  }

  private apply(ctx: CommandContext, id: string, change: (p: Payment) => Payment): Payment {
    const before = this.store.payments.get(id)!;
    const after = { ...change(before), updatedAt: ctx.at };
    if (after.status !== before.status && !canMovePayment(before.status, after.status)) {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `Payment ${id} is ${before.status}; it cannot become ${after.status}.`,
      );
    }
    this.store.payments.save(after);
    ctx.emit({ type: 'payment.updated', topic: 'orders', entityId: id, data: { payment: after } });
    return after;
  }
}
