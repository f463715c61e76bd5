import type { Logger } from '../../protocol/logger.ts';
import type {
  CreatePaymentBody,
  OrderPayments,
  Payment,
  RefundBody,
  RetryCardBody,
  UnverifiedPayments,
  VerifyStandaloneBody,
} from '../../protocol/payments.ts';
import { money } from '../../rules/money.ts';
import type { Caller } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import type { StaffService } from '../staff/service.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { CardFlow, type CardTimings, cardUnavailable, type ReconcileSummary } from './card.ts';
import { PaymentLedger } from './ledger.ts';
import type { AmountLimits, StandaloneLimits } from './rules.ts';
import { StandaloneCards } from './standalone.ts';
import type { CardGateway } from './stripe-gateway.ts';

/**
 * Taking money for an order: the ledger records every tender (cash, card on the reader, card on a
 * standalone terminal) and refund; the card flow talks to Stripe when there is one; standalone
 * cards wait for a manager to verify them. Routes call this and nothing else.
 */
export class PaymentService {
  private readonly ledger: PaymentLedger;
  private readonly card: CardFlow | null;
  private readonly standalone: StandaloneCards;

  constructor(
    store: Store,
    committer: GroupCommitter,
    private readonly staff: StaffService,
    /** The cash drawer open for whoever takes cash now (hub/day), or null. */
    private readonly drawerFor: (caller: Caller) => string | null,
    gateway: CardGateway | null,
    hubId: string,
    options: { standalone: StandaloneLimits; amounts: AmountLimits; card: CardTimings },
    private readonly log: Logger,
    now: () => number,
  ) {
    this.ledger = new PaymentLedger(store, committer, options.standalone, options.amounts);
    this.card = gateway ? new CardFlow(gateway, this.ledger, hubId, options.card, log, now) : null;
    this.standalone = new StandaloneCards(this.ledger, gateway, log, now);
  }

  forOrder(orderId: string): OrderPayments {
    return this.ledger.forOrder(orderId);
  }

  get(id: string): Payment {
    return this.ledger.get(id);
  }

  /** Standalone-terminal cards nobody has verified yet: count and amount (the restaurant's risk). */
  standaloneSummary(): { count: number; amount: number } {
    return this.standalone.summary();
  }

  /**
   * Record a payment. A card on the reader is answered at once as `pending` (202); the attempt
   * runs in the background and reaches the till as `payment.updated` events.
   */
  async create(
    orderId: string,
    body: CreatePaymentBody,
    caller: Caller,
  ): Promise<{ payment: Payment; created: boolean }> {
    const { device } = caller;
    if (body.method === 'card_present' && !this.card?.available() && !this.ledger.exists(body.id)) {
      throw cardUnavailable(
        this.card
          ? 'Stripe is unreachable (the internet may be down).'
          : 'Card readers are not set up on this hub.',
      );
    }
    const drawerId = body.method === 'cash' ? this.drawerFor(caller) : null;
    const { payment, created, override } = await this.ledger.record(orderId, body, caller, drawerId);
    if (created && override)
      this.log.warn(
        { paymentId: payment.id, orderId, deviceId: device.id },
        'standalone card payment beyond the limits accepted by manager override',
      );
    if (created && payment.method === 'card_present') this.card!.start(payment.id);
    return { payment, created };
  }

  /** The cashier cancels a card payment still pending: the reader stops, nothing is charged. */
  async cancel(paymentId: string): Promise<Payment> {
    const payment = this.ledger.get(paymentId);
    if (payment.method !== 'card_present' || payment.status !== 'pending' || !this.card) {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `A ${payment.status} ${payment.method} payment cannot be cancelled${payment.status === 'captured' ? '; refund it instead' : ''}.`,
      );
    }
    return this.card.cancel(paymentId);
  }

  /** The next attempt of a card payment whose last attempt failed (another card or reader). */
  retry(paymentId: string, body: RetryCardBody): Promise<Payment> {
    const payment = this.ledger.get(paymentId);
    if (payment.method !== 'card_present' || payment.status !== 'pending' || !this.card) {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `A ${payment.status} ${payment.method} payment has no card attempt to retry; take a new payment.`,
      );
    }
    return this.card.retry(paymentId, body);
  }

  async refund(paymentId: string, body: RefundBody, caller: Caller): Promise<Payment> {
    const replay = this.ledger.refundReplay(paymentId, body);
    if (replay) return replay;
    const payment = this.ledger.refundable(paymentId, body.amount);
    // Before Stripe hears of it: a refund nobody may make never leaves the hub.
    const actor = { ...caller, override: await this.staff.overrider(body.approval) };
    const approvedBy = this.staff.permit(actor, 'refund', `refunding ${money(body.amount)}`);
    let stripeRefund: string | null = null;
    if (payment.method !== 'cash') {
      if (!payment.stripePaymentIntentId) {
        throw new HubError(
          'ILLEGAL_TRANSITION',
          'This card was taken on a standalone terminal outside Stripe: refund it on that terminal.',
        );
      }
      if (!this.card) throw cardUnavailable('Card refunds need Stripe, which is not set up on this hub.');
      stripeRefund = await this.card.refund(payment, body.amount, body.id);
    }
    return this.ledger.recordRefund(
      paymentId,
      body,
      stripeRefund,
      {
        caller,
        audit: {
          action: 'refund',
          approver: approvedBy,
          orderId: payment.orderId,
          reason: body.reason,
          detail: `Refunded ${money(body.amount)} of a ${payment.method} payment`,
          amount: body.amount,
        },
      },
      payment.method === 'cash' ? this.drawerFor(caller) : null,
    );
  }

  /** Settle what Stripe has not confirmed (a timer runs this; managers may too). */
  reconcile(): Promise<ReconcileSummary> {
    return this.card ? this.card.reconcile() : Promise.resolve({ checked: 0, settled: 0, mismatches: 0 });
  }

  unverified(): Promise<UnverifiedPayments> {
    return this.standalone.unverified();
  }

  verify(paymentId: string, body: VerifyStandaloneBody): Promise<Payment> {
    return this.standalone.verify(paymentId, body);
  }

  /** Let card attempts under way reach a point they resume from; call before the committer drains. */
  stop(): Promise<void> {
    return this.card?.stop() ?? Promise.resolve();
  }
}
