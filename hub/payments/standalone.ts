import type { Logger } from '../../protocol/logger.ts';
import type {
  MatchCandidate,
  Payment,
  UnverifiedPayments,
  VerifyStandaloneBody,
} from '../../protocol/payments.ts';
import { HubError } from '../errors.ts';
import { cardFailure } from './failures.ts';
import type { PaymentLedger } from './ledger.ts';
import { type CardGateway, GatewayError, type Intent } from './stripe-gateway.ts';

/** How far before the oldest unverified payment Stripe's list is read (terminal clocks drift). */
const lookBackSeconds = 3_600;
const candidatesEach = 5;

/**
 * Cards taken on a standalone terminal while the hub could not use Stripe. Nothing links them to
 * a Stripe payment (no PaymentIntent metadata, no authorisation the hub saw), so a manager
 * verifies each: matched to the payment Stripe shows (same amount, last 4, about the same time),
 * paid out by the terminal's own acquirer, or never received.
 */
export class StandaloneCards {
  constructor(
    private readonly ledger: PaymentLedger,
    private readonly gateway: CardGateway | null,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  summary(): { count: number; amount: number } {
    return this.ledger.unverifiedTotal();
  }

  /** The payments to verify, each with the Stripe payments it may be, likeliest first. */
  async unverified(): Promise<UnverifiedPayments> {
    const payments = this.ledger.unsettled().filter((p) => p.status === 'unverified');
    const none = (stripe: UnverifiedPayments['stripe']) => ({
      stripe,
      payments: payments.map((payment) => ({ payment, candidates: [] })),
    });
    if (!this.gateway) return none('not_configured');
    if (payments.length === 0) return none('ok');
    const from = Math.min(...payments.map((p) => Date.parse(p.createdAt))) / 1000 - lookBackSeconds;
    let taken: Intent[];
    try {
      taken = await this.gateway.cardPayments(Math.floor(from), Math.ceil(this.now() / 1000), 500);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      this.log.warn({ err: err.message }, 'Stripe payments not listed for verification');
      return none(err.kind === 'unreachable' ? 'unreachable' : 'ok');
    }
    // Payments the hub itself made (or already matched) cannot be a standalone terminal's.
    const free = taken.filter((pi) => !pi.metadata.payment_id && !this.ledger.byPaymentIntent(pi.id));
    return {
      stripe: 'ok',
      payments: payments.map((payment) => ({ payment, candidates: candidatesFor(payment, free) })),
    };
  }

  async verify(id: string, body: VerifyStandaloneBody): Promise<Payment> {
    const payment = this.ledger.get(id);
    if (payment.status !== 'unverified') {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `Payment ${id} is ${payment.status}; only unverified ones are verified.`,
      );
    }
    if (body.outcome === 'settled_elsewhere') {
      return this.ledger.update(id, (p) => ({ ...p, status: 'captured', failure: null }));
    }
    if (body.outcome === 'not_received') {
      this.log.warn(
        { paymentId: id, amount: payment.amount + payment.tip },
        'standalone card payment not received',
      );
      return this.ledger.update(id, (p) => ({
        ...p,
        status: 'failed',
        failure: cardFailure('not_received', { detail: body.note }),
      }));
    }
    const pi = await this.matchable(payment, body.paymentIntentId);
    return this.ledger.update(id, (p) => ({
      ...p,
      status: 'captured',
      stripePaymentIntentId: pi.id,
      card: p.card && { ...p.card, ...pi.card },
      failure: null,
    }));
  }

  /** The PaymentIntent, if it can be this payment; otherwise why not, in the manager's words. */
  private async matchable(payment: Payment, intentId: string): Promise<Intent> {
    if (!this.gateway) throw new HubError('CARD_UNAVAILABLE', 'Stripe is not configured on this hub.');
    const refuse = (why: string) =>
      new HubError('MATCH_INVALID', `${intentId} ${why}.`, [{ field: 'paymentIntentId', message: why }]);
    let pi: Intent;
    try {
      pi = await this.gateway.retrieve(intentId);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.kind === 'unreachable')
        throw new HubError('CARD_UNAVAILABLE', `${err.message}; try again later.`, undefined, 30);
      throw refuse('is not a payment Stripe knows');
    }
    if (pi.status !== 'succeeded') throw refuse(`is ${pi.status}, not a payment Stripe took`);
    if (pi.amount !== payment.amount + payment.tip)
      throw refuse(`is for ${pi.amount}, this payment for ${payment.amount + payment.tip}`);
    const linked = this.ledger.byPaymentIntent(pi.id);
    if (linked || pi.metadata.payment_id)
      throw refuse(`already belongs to payment ${linked?.id ?? pi.metadata.payment_id}`);
    return pi;
  }
}

/** Same amount only; the same last 4 makes it likely; nearer in time first. */
function candidatesFor(payment: Payment, taken: readonly Intent[]): MatchCandidate[] {
  const at = Date.parse(payment.createdAt) / 1000;
  return taken
    .filter((pi) => pi.amount === payment.amount + payment.tip)
    .map((pi) => ({ pi, likely: pi.card !== null && pi.card.last4 === payment.card?.last4 }))
    .sort(
      (a, b) =>
        Number(b.likely) - Number(a.likely) || Math.abs(a.pi.created - at) - Math.abs(b.pi.created - at),
    )
    .slice(0, candidatesEach)
    .map(({ pi, likely }) => ({
      paymentIntentId: pi.id,
      amount: pi.amount,
      created: new Date(pi.created * 1000).toISOString(),
      card: pi.card,
      likely,
    }));
}
