import type { Logger } from '../../protocol/logger.ts';
import type { Payment } from '../../protocol/payments.ts';
import { HubError } from '../errors.ts';
import type { PaymentLedger } from './ledger.ts';
import { type CardGateway, GatewayError, type Intent } from './stripe-gateway.ts';

/** Card payments that never reached Stripe are given up after this long. */
const abandonAfterMs = 15 * 60_000;
/** How long a card payment request waits for the guest to present a card on the reader. */
const cardWaitMs = 60_000;
const pollMs = 250;

export const cardUnavailable = (why: string) =>
  new HubError(
    'CARD_UNAVAILABLE',
    `${why} Take cash, or use the terminal's offline mode (recorded as card_offline_forwarded within the limits).`,
    undefined,
    5,
  );

/**
 * Card payments through Stripe Terminal (server-driven): have the reader take the card, capture,
 * cancel, refund, and reconcile what Stripe knows with what the ledger recorded. The payment's own
 * id is Stripe's idempotency key, so no retry can charge twice.
 */
export class CardFlow {
  constructor(
    private readonly gateway: CardGateway,
    private readonly ledger: PaymentLedger,
    private readonly hubId: string,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  available(): boolean {
    return this.gateway.available();
  }

  /** Create (or find, by idempotency) the PaymentIntent, have the reader take the card, capture. */
  async charge(payment: Payment, readerId: string): Promise<Payment> {
    try {
      let pi = await this.gateway.createIntent({
        paymentId: payment.id,
        orderId: payment.orderId,
        hubId: this.hubId,
        amount: payment.amount + payment.tip,
        currency: this.ledger.currencyOf(payment.orderId),
      });
      payment = await this.ledger.update(payment.id, (p) => ({
        ...p,
        stripePaymentIntentId: pi.id,
        lastError: null,
      }));
      if (pi.status === 'requires_payment_method') {
        await this.gateway.processOnReader(readerId, pi.id);
        // The reader waits for the guest's card; the cashier may cancel meanwhile.
        const deadline = this.now() + cardWaitMs;
        for (;;) {
          pi = await this.gateway.retrieve(pi.id);
          if (pi.status !== 'requires_payment_method' || this.now() > deadline) break;
          if (this.ledger.get(payment.id).status !== 'pending') return this.ledger.get(payment.id);
          await new Promise((r) => setTimeout(r, pollMs));
        }
      }
      if (this.ledger.get(payment.id).status !== 'pending') return this.ledger.get(payment.id);
      return await this.settle(payment, pi);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.failure.kind === 'declined') {
        await this.ledger.update(payment.id, (p) => ({ ...p, status: 'failed', lastError: err.message }));
        throw new HubError('CARD_DECLINED', `${err.message}. Ask for another card or cash.`);
      }
      await this.ledger.update(payment.id, (p) => ({ ...p, lastError: err.message }));
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
      return this.ledger.update(payment.id, (p) => ({
        ...p,
        lastError: `amount mismatch: hub ${expected}, Stripe ${pi.amount}`,
      }));
    }
    if (pi.status === 'requires_capture') pi = await this.gateway.capture(pi.id);
    if (pi.status === 'succeeded') {
      const captured = await this.ledger.update(payment.id, (p) => ({
        ...p,
        status: 'captured',
        pendingForward: false,
        stripePaymentIntentId: pi.id,
        lastError: null,
      }));
      const { total, paid } = this.ledger.paidOf(payment.orderId);
      if (paid <= total) return captured;
      // An unknown outcome was settled after the bill was paid another way: flag it for a refund.
      this.log.warn(
        { paymentId: payment.id, orderId: payment.orderId, overpaid: paid - total },
        'order overpaid after reconciliation',
      );
      return this.ledger.update(payment.id, (p) => ({
        ...p,
        lastError: `order overpaid by ${paid - total}: refund it`,
      }));
    }
    if (pi.status === 'canceled') {
      return this.ledger.update(payment.id, (p) => ({
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
    let settled = 0;
    let mismatches = 0;
    const open = this.ledger.unsettled().filter((p) => p.method !== 'cash');
    for (const p of open) {
      try {
        const pi = p.stripePaymentIntentId
          ? await this.gateway.retrieve(p.stripePaymentIntentId)
          : await this.gateway.findByPaymentId(p.id);
        if (!pi) {
          if (p.method === 'card_present' && this.now() - Date.parse(p.createdAt) > abandonAfterMs) {
            await this.ledger.update(p.id, (x) => ({
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
        if (!(err instanceof GatewayError)) throw err;
        this.log.warn({ paymentId: p.id, err: err.message }, 'reconciliation could not check a payment');
        if (err.failure.kind === 'unreachable') break;
      }
    }
    if (open.length > 0)
      this.log.info({ checked: open.length, settled, mismatches }, 'payments reconciled with Stripe');
    return { checked: open.length, settled, mismatches };
  }

  /** Stop the reader and cancel the PaymentIntent of a payment still waiting for a card. */
  async cancel(payment: Payment): Promise<void> {
    if (!payment.stripePaymentIntentId) return;
    try {
      const reader = this.ledger.readerOf(payment.id);
      if (reader) {
        await this.gateway.cancelReaderAction(reader).catch((err: Error) => {
          // The reader may have finished already; cancelling the PaymentIntent below decides.
          this.log.info({ paymentId: payment.id, err: err.message }, 'reader action not cancelled');
        });
      }
      const pi = await this.gateway.cancel(payment.stripePaymentIntentId);
      if (pi.status !== 'canceled')
        throw new HubError('ILLEGAL_TRANSITION', 'Stripe has already taken this payment; refund it instead.');
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.failure.kind === 'unreachable')
        throw cardUnavailable(`Could not reach Stripe to cancel (${err.message}); it will be reconciled.`);
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `Stripe refused the cancellation: ${err.message}. Refund it instead if it was taken.`,
      );
    }
  }

  /** Give money back on the card; returns Stripe's refund id (idempotent by the refund's id). */
  async refund(payment: Payment, amount: number, refundId: string): Promise<string> {
    if (!payment.stripePaymentIntentId) throw cardUnavailable('Card refunds need Stripe.');
    try {
      return await this.gateway.refund(payment.stripePaymentIntentId, amount, refundId);
    } catch (err) {
      if (err instanceof GatewayError)
        throw cardUnavailable(
          `Stripe did not confirm the refund (${err.message}); retry with the same refund id.`,
        );
      throw err;
    }
  }
}
