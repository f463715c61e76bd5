import { createHash } from 'node:crypto';
import type { Role } from '../../protocol/devices.ts';
import type { Logger } from '../../protocol/logger.ts';
import type {
  CreatePaymentBody,
  OrderPayments,
  Payment,
  PaymentStatus,
  RefundBody,
} from '../../protocol/payments.ts';
import { HubError } from '../errors.ts';
import type { CommandContext, GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import {
  balance,
  canMovePayment,
  changeDue,
  type OfflineLimits,
  offlineRefusal,
  refundedStatus,
} from './rules.ts';
import { type CardGateway, GatewayError, type Intent } from './stripe-gateway.ts';

/** Card payments that never reached Stripe are given up after this long. */
const abandonAfterMs = 15 * 60_000;
/** How long a card payment request waits for the guest to present a card on the reader. */
const cardWaitMs = 60_000;
const pollMs = 250;

const cardUnavailable = (why: string) =>
  new HubError(
    'CARD_UNAVAILABLE',
    `${why} Take cash, or use the terminal's offline mode (recorded as card_offline_forwarded within the limits).`,
    undefined,
    5,
  );

export function paymentFingerprint(orderId: string, b: CreatePaymentBody): string {
  const canonical = [
    orderId,
    b.method,
    b.amount,
    b.tip,
    b.tendered ?? null,
    b.readerId ?? null,
    b.offline ?? null,
    b.managerOverride ?? false,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/**
 * Payments the hub owns (invariant 1), each state change an event like everything else.
 * A card payment is recorded as pending and committed *before* Stripe is called, so a crash or a
 * timeout after Stripe said yes leaves a record that reconciliation settles; the payment's own id
 * is Stripe's idempotency key, so no retry can charge twice.
 */
export class PaymentService {
  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly gateway: CardGateway | null,
    private readonly hubId: string,
    private readonly offlineLimits: OfflineLimits,
    private readonly log: Logger,
    private readonly now: () => number,
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

  /** What waits for Stripe: offline payments to forward, and card payments not yet settled. */
  awaitingForward(): { count: number; amount: number } {
    const list = this.store.payments.unsettled().filter((p) => p.pendingForward);
    return { count: list.length, amount: list.reduce((s, p) => s + p.amount + p.tip, 0) };
  }

  async create(
    orderId: string,
    body: CreatePaymentBody,
    device: { id: string; role: Role },
  ): Promise<{ payment: Payment; created: boolean }> {
    const fingerprint = paymentFingerprint(orderId, body);
    if (
      body.method === 'card_present' &&
      (!this.gateway || !this.gateway.available()) &&
      !this.store.payments.get(body.id)
    ) {
      throw cardUnavailable(
        this.gateway
          ? 'Stripe is unreachable (the internet may be down).'
          : 'Card payments are not configured on this hub.',
      );
    }
    const { payment, created, override } = await this.committer.run((ctx) => {
      const used = this.store.payments.fingerprintOf(body.id);
      if (used !== null) {
        if (used !== fingerprint) {
          throw new HubError(
            'PAYMENT_ID_REUSED',
            `Payment ${body.id} exists with different details; make a new id for a new payment.`,
            [{ field: 'id', message: 'already used for a different payment' }],
          );
        }
        return { payment: this.store.payments.get(body.id)!, created: false, override: false };
      }
      const order = this.store.orders.get(orderId);
      if (!order) throw new HubError('ORDER_NOT_FOUND', `No order ${orderId} on this hub.`);
      if (order.status === 'voided')
        throw new HubError('ILLEGAL_TRANSITION', `Order ${order.number} is voided; it takes no payments.`);
      const { due } = balance(order.total, this.store.payments.forOrder(orderId));
      if (body.amount > due) {
        throw new HubError(
          'OVERPAYMENT',
          `Order ${order.number} owes ${due}; this payment is ${body.amount}. Put the extra in tip.`,
          [{ field: 'amount', message: `is more than the ${due} due` }],
        );
      }
      let override = false;
      if (body.method === 'card_offline_forwarded') {
        const refusal = offlineRefusal(
          body.amount + body.tip,
          this.store.payments.pendingForwardTotal(),
          this.offlineLimits,
        );
        if (refusal && !(body.managerOverride && device.role === 'manager')) {
          throw new HubError('OFFLINE_LIMIT', `Refused: ${refusal}. Take cash, or a manager may override.`, [
            { field: 'amount', message: refusal },
          ]);
        }
        override = refusal !== null;
      }
      const status: PaymentStatus =
        body.method === 'cash' ? 'captured' : body.method === 'card_present' ? 'pending' : 'authorised';
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
        pendingForward: body.method === 'card_offline_forwarded',
        managerOverride: override,
        stripePaymentIntentId: null,
        card: body.offline ? { brand: body.offline.brand, last4: body.offline.last4 } : null,
        lastError: null,
        createdAt: ctx.at,
        updatedAt: ctx.at,
      };
      this.store.payments.insert({
        ...payment,
        fingerprint,
        deviceId: device.id,
        readerId: body.readerId ?? null,
      });
      ctx.emit({ type: 'payment.recorded', topic: 'orders', entityId: payment.id, data: { payment } });
      return { payment, created: true, override };
    });
    if (created && override)
      this.log.warn(
        { paymentId: payment.id, orderId, deviceId: device.id },
        'offline card payment beyond the limits accepted by manager override',
      );
    if (payment.method === 'card_present' && payment.status === 'pending') {
      return { payment: await this.chargeCard(payment, body.readerId!), created };
    }
    return { payment, created };
  }

  /** Create (or find, by idempotency) the PaymentIntent, have the reader take the card, capture. */
  private async chargeCard(payment: Payment, readerId: string): Promise<Payment> {
    const order = this.store.orders.get(payment.orderId)!;
    try {
      let pi = await this.gateway!.createIntent({
        paymentId: payment.id,
        orderId: payment.orderId,
        hubId: this.hubId,
        amount: payment.amount + payment.tip,
        currency: order.currency,
      });
      payment = await this.update(payment.id, (p) => ({
        ...p,
        stripePaymentIntentId: pi.id,
        lastError: null,
      }));
      if (pi.status === 'requires_payment_method') {
        await this.gateway!.processOnReader(readerId, pi.id);
        // The reader waits for the guest's card; the cashier may cancel meanwhile.
        const deadline = this.now() + cardWaitMs;
        for (;;) {
          pi = await this.gateway!.retrieve(pi.id);
          if (pi.status !== 'requires_payment_method' || this.now() > deadline) break;
          if (this.get(payment.id).status !== 'pending') return this.get(payment.id);
          await new Promise((r) => setTimeout(r, pollMs));
        }
      }
      if (this.get(payment.id).status !== 'pending') return this.get(payment.id);
      return await this.settle(payment, pi);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.failure.kind === 'declined') {
        await this.update(payment.id, (p) => ({ ...p, status: 'failed', lastError: err.message }));
        throw new HubError('CARD_DECLINED', `${err.message}. Ask for another card or cash.`);
      }
      await this.update(payment.id, (p) => ({ ...p, lastError: err.message }));
      throw cardUnavailable(
        `The card payment's outcome is not known yet (${err.message}); it will be reconciled, and retrying with the same payment id is safe.`,
      );
    }
  }

  /** Bring a payment in line with its PaymentIntent. */
  private async settle(payment: Payment, pi: Intent): Promise<Payment> {
    const expected = payment.amount + payment.tip;
    if (pi.amount !== expected) {
      this.log.warn(
        { paymentId: payment.id, hub: expected, stripe: pi.amount },
        'payment amount differs from Stripe',
      );
      return this.update(payment.id, (p) => ({
        ...p,
        lastError: `amount mismatch: hub ${expected}, Stripe ${pi.amount}`,
      }));
    }
    if (pi.status === 'requires_capture') pi = await this.gateway!.capture(pi.id);
    if (pi.status === 'succeeded') {
      const captured = await this.update(payment.id, (p) => ({
        ...p,
        status: 'captured',
        pendingForward: false,
        stripePaymentIntentId: pi.id,
        lastError: null,
      }));
      const order = this.store.orders.get(payment.orderId)!;
      const paid = balance(order.total, this.store.payments.forOrder(payment.orderId)).paid;
      if (paid <= order.total) return captured;
      // An unknown outcome was settled after the bill was paid another way: flag it for a refund.
      this.log.warn(
        { paymentId: payment.id, orderId: payment.orderId, overpaid: paid - order.total },
        'order overpaid after reconciliation',
      );
      return this.update(payment.id, (p) => ({
        ...p,
        lastError: `order overpaid by ${paid - order.total}: refund it`,
      }));
    }
    if (pi.status === 'canceled') {
      return this.update(payment.id, (p) => ({
        ...p,
        status: 'failed',
        pendingForward: false,
        lastError: 'Stripe cancelled the payment',
      }));
    }
    return payment;
  }

  /**
   * Settle every payment Stripe has not confirmed: look its PaymentIntent up by id or by the
   * payment id in its metadata (idempotency keys may be pruned after 24 h; metadata is not).
   */
  async reconcile(): Promise<{ checked: number; settled: number; mismatches: number }> {
    if (!this.gateway) return { checked: 0, settled: 0, mismatches: 0 };
    let settled = 0;
    let mismatches = 0;
    const open = this.store.payments.unsettled().filter((p) => p.method !== 'cash');
    for (const p of open) {
      try {
        const pi = p.stripePaymentIntentId
          ? await this.gateway.retrieve(p.stripePaymentIntentId)
          : await this.gateway.findByPaymentId(p.id);
        if (!pi) {
          if (p.method === 'card_present' && this.now() - Date.parse(p.createdAt) > abandonAfterMs) {
            await this.update(p.id, (x) => ({
              ...x,
              status: 'failed',
              lastError: 'never reached Stripe; nothing was charged',
            }));
            settled++;
          }
          continue;
        }
        const after = await this.settle(p, pi);
        if (after.status !== p.status) settled++;
        if (after.lastError?.startsWith('amount mismatch')) mismatches++;
      } catch (err) {
        if (!(err instanceof GatewayError) || err.failure.kind === 'unreachable') break;
      }
    }
    if (open.length > 0)
      this.log.info({ checked: open.length, settled, mismatches }, 'payments reconciled with Stripe');
    return { checked: open.length, settled, mismatches };
  }

  /** The cashier cancels a card payment still waiting on the reader: nothing is charged. */
  async cancel(paymentId: string): Promise<Payment> {
    const payment = this.get(paymentId);
    if (payment.method !== 'card_present' || payment.status !== 'pending') {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `A ${payment.status} ${payment.method} payment cannot be cancelled${payment.status === 'captured' ? '; refund it instead' : ''}.`,
      );
    }
    if (this.gateway && payment.stripePaymentIntentId) {
      try {
        const reader = this.store.payments.readerOf(paymentId);
        if (reader) await this.gateway.cancelReaderAction(reader).catch(() => {});
        const pi = await this.gateway.cancel(payment.stripePaymentIntentId);
        if (pi.status !== 'canceled')
          throw new HubError(
            'ILLEGAL_TRANSITION',
            'Stripe has already taken this payment; refund it instead.',
          );
      } catch (err) {
        if (err instanceof GatewayError) {
          if (err.failure.kind === 'unreachable')
            throw cardUnavailable(
              `Could not reach Stripe to cancel (${err.message}); it will be reconciled.`,
            );
          throw new HubError(
            'ILLEGAL_TRANSITION',
            `Stripe refused the cancellation: ${err.message}. Refund it instead if it was taken.`,
          );
        }
        throw err;
      }
    }
    return this.update(paymentId, (p) => ({ ...p, status: 'voided', lastError: null }));
  }

  async refund(paymentId: string, body: RefundBody): Promise<Payment> {
    const existing = this.store.payments.refund(body.id);
    if (existing) {
      if (existing.paymentId !== paymentId || existing.amount !== body.amount) {
        throw new HubError('PAYMENT_ID_REUSED', `Refund ${body.id} exists with different details.`, [
          { field: 'id', message: 'already used' },
        ]);
      }
      return this.get(paymentId);
    }
    const payment = this.get(paymentId);
    const left = payment.amount + payment.tip - payment.refunded;
    if (payment.status !== 'captured' && payment.status !== 'partially_refunded') {
      throw new HubError('ILLEGAL_TRANSITION', `A ${payment.status} payment cannot be refunded.`);
    }
    if (body.amount > left) {
      throw new HubError('REFUND_TOO_LARGE', `Only ${left} is left to refund on this payment.`, [
        { field: 'amount', message: `is more than ${left}` },
      ]);
    }
    let stripeRefund: string | null = null;
    if (payment.method !== 'cash') {
      if (!this.gateway || !payment.stripePaymentIntentId) throw cardUnavailable('Card refunds need Stripe.');
      try {
        stripeRefund = await this.gateway.refund(payment.stripePaymentIntentId, body.amount, body.id);
      } catch (err) {
        if (err instanceof GatewayError)
          throw cardUnavailable(
            `Stripe did not confirm the refund (${err.message}); retry with the same refund id.`,
          );
        throw err;
      }
    }
    return this.committer.run((ctx) => {
      if (this.store.payments.refund(body.id)) return this.get(paymentId);
      this.store.payments.addRefund({
        id: body.id,
        paymentId,
        amount: body.amount,
        reason: body.reason,
        stripeRefund,
        at: ctx.at,
      });
      return this.apply(ctx, paymentId, (p) => {
        const refunded = p.refunded + body.amount;
        return { ...p, refunded, status: refundedStatus(p.amount, p.tip, refunded) };
      });
    });
  }

  private update(id: string, change: (p: Payment) => Payment): Promise<Payment> {
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
