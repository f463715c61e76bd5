import type { Role } from '../../protocol/devices.ts';
import type { Logger } from '../../protocol/logger.ts';
import type { CreatePaymentBody, OrderPayments, Payment, RefundBody } from '../../protocol/payments.ts';
import { HubError } from '../errors.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { CardFlow, cardUnavailable } from './card.ts';
import { PaymentLedger } from './ledger.ts';
import type { AmountLimits, OfflineLimits } from './rules.ts';
import type { CardGateway } from './stripe-gateway.ts';

/**
 * Taking money for an order: the ledger records every tender (cash, card, offline card) and
 * refund; the card flow talks to Stripe when there is one. Routes call this and nothing else.
 */
export class PaymentService {
  private readonly ledger: PaymentLedger;
  private readonly card: CardFlow | null;

  constructor(
    store: Store,
    committer: GroupCommitter,
    gateway: CardGateway | null,
    hubId: string,
    limits: { offline: OfflineLimits; amounts: AmountLimits },
    private readonly log: Logger,
    now: () => number,
  ) {
    this.ledger = new PaymentLedger(store, committer, limits.offline, limits.amounts);
    this.card = gateway ? new CardFlow(gateway, this.ledger, hubId, log, now) : null;
  }

  forOrder(orderId: string): OrderPayments {
    return this.ledger.forOrder(orderId);
  }

  get(id: string): Payment {
    return this.ledger.get(id);
  }

  /** What waits for Stripe: offline payments to forward. */
  awaitingForward(): { count: number; amount: number } {
    return this.ledger.awaitingForward();
  }

  async create(
    orderId: string,
    body: CreatePaymentBody,
    device: { id: string; role: Role },
  ): Promise<{ payment: Payment; created: boolean }> {
    if (body.method === 'card_present' && !this.card?.available() && !this.ledger.exists(body.id)) {
      throw cardUnavailable(
        this.card
          ? 'Stripe is unreachable (the internet may be down).'
          : 'Card payments are not configured on this hub.',
      );
    }
    const { payment, created, override } = await this.ledger.record(orderId, body, device);
    if (created && override)
      this.log.warn(
        { paymentId: payment.id, orderId, deviceId: device.id },
        'offline card payment beyond the limits accepted by manager override',
      );
    if (payment.method === 'card_present' && payment.status === 'pending' && this.card) {
      return { payment: await this.card.charge(payment, body.readerId!), created };
    }
    return { payment, created };
  }

  /** The cashier cancels a card payment still waiting on the reader: nothing is charged. */
  async cancel(paymentId: string): Promise<Payment> {
    const payment = this.ledger.get(paymentId);
    if (payment.method !== 'card_present' || payment.status !== 'pending') {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `A ${payment.status} ${payment.method} payment cannot be cancelled${payment.status === 'captured' ? '; refund it instead' : ''}.`,
      );
    }
    await this.card?.cancel(payment);
    return this.ledger.update(paymentId, (p) => ({ ...p, status: 'voided', lastError: null }));
  }

  async refund(paymentId: string, body: RefundBody): Promise<Payment> {
    const replay = this.ledger.refundReplay(paymentId, body);
    if (replay) return replay;
    const payment = this.ledger.refundable(paymentId, body.amount);
    let stripeRefund: string | null = null;
    if (payment.method !== 'cash') {
      if (!this.card) throw cardUnavailable('Card refunds need Stripe.');
      stripeRefund = await this.card.refund(payment, body.amount, body.id);
    }
    return this.ledger.recordRefund(paymentId, body, stripeRefund);
  }

  /** Settle what Stripe has not confirmed (a timer runs this; managers may too). */
  reconcile(): Promise<{ checked: number; settled: number; mismatches: number }> {
    return this.card ? this.card.reconcile() : Promise.resolve({ checked: 0, settled: 0, mismatches: 0 });
  }
}
