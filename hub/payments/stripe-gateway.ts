import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import { CircuitBreaker } from '../../rules/breaker.ts';

export interface Intent {
  id: string;
  status: string;
  amount: number;
  metadata: Record<string, string>;
}

export type GatewayFailure = { kind: 'unreachable' | 'declined' | 'refused'; message: string };

export class GatewayError extends Error {
  constructor(readonly failure: GatewayFailure) {
    super(failure.message);
  }
}

/** The Stripe calls the hub makes (server-driven Terminal integration), each bounded and breaker-guarded. */
export interface CardGateway {
  available(): boolean;
  createIntent(p: {
    paymentId: string;
    orderId: string;
    hubId: string;
    amount: number;
    currency: string;
  }): Promise<Intent>;
  processOnReader(readerId: string, intentId: string): Promise<void>;
  retrieve(intentId: string): Promise<Intent>;
  capture(intentId: string): Promise<Intent>;
  cancel(intentId: string): Promise<Intent>;
  cancelReaderAction(readerId: string): Promise<void>;
  findByPaymentId(paymentId: string): Promise<Intent | null>;
  refund(intentId: string, amount: number, refundId: string): Promise<string>;
}

export interface StripeOptions {
  secretKey: string;
  /** https://api.stripe.com in production; the emulator's address in tests. */
  apiBase: string;
  timeoutMs: number;
  now: () => number;
}

const intent = (pi: Stripe.PaymentIntent): Intent => ({
  id: pi.id,
  status: pi.status,
  amount: pi.amount,
  metadata: pi.metadata,
});

/**
 * The `stripe` package, unmodified. Idempotency keys are the hub's own ids (payment id for the
 * PaymentIntent, refund id for the refund), so a retry after a timeout returns the first result
 * instead of charging again; stripe-node itself retries twice on network errors with the same key.
 */
export function stripeGateway(options: StripeOptions): CardGateway {
  const url = new URL(options.apiBase);
  // Required here rather than imported at the top: a hub without a Stripe key never loads the
  // package (several MB of heap for its generated resource classes).
  const StripeClient = createRequire(import.meta.url)('stripe') as typeof Stripe;
  const stripe = new StripeClient(options.secretKey, {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', '') as 'http' | 'https',
    timeout: options.timeoutMs,
    maxNetworkRetries: 2,
  });
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 15_000 });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!breaker.allow(options.now())) {
      throw new GatewayError({
        kind: 'unreachable',
        message: 'Stripe has not answered recently (circuit open); retrying shortly',
      });
    }
    try {
      const result = await fn();
      breaker.success();
      return result;
    } catch (err) {
      const e = err as { type?: string; message?: string; statusCode?: number };
      if (e.type === 'StripeCardError') {
        breaker.success();
        throw new GatewayError({ kind: 'declined', message: e.message ?? 'card declined' });
      }
      if (
        e.type === 'StripeConnectionError' ||
        e.type === 'StripeAPIError' ||
        (e.statusCode ?? 0) >= 500 ||
        !e.statusCode
      ) {
        breaker.failure(options.now());
        throw new GatewayError({
          kind: 'unreachable',
          message: `Stripe unreachable: ${e.message ?? String(err)}`,
        });
      }
      breaker.success();
      throw new GatewayError({ kind: 'refused', message: e.message ?? String(err) });
    }
  };
  return {
    available: () => breaker.state(options.now()) !== 'open',
    createIntent: (p) =>
      call(async () =>
        intent(
          await stripe.paymentIntents.create(
            // payment_method_types is what Terminal's server-driven flow needs; newer typings omit it.
            {
              amount: p.amount,
              currency: p.currency.toLowerCase(),
              payment_method_types: ['card_present'],
              capture_method: 'manual',
              metadata: { payment_id: p.paymentId, order_id: p.orderId, hub_id: p.hubId },
            } as unknown as Stripe.PaymentIntentCreateParams,
            { idempotencyKey: `payment-${p.paymentId}` },
          ),
        ),
      ),
    processOnReader: (readerId, intentId) =>
      call(async () => {
        await stripe.terminal.readers.processPaymentIntent(
          readerId,
          { payment_intent: intentId },
          { idempotencyKey: `process-${intentId}` },
        );
      }),
    retrieve: (intentId) => call(async () => intent(await stripe.paymentIntents.retrieve(intentId))),
    capture: (intentId) =>
      call(async () =>
        intent(await stripe.paymentIntents.capture(intentId, {}, { idempotencyKey: `capture-${intentId}` })),
      ),
    cancel: (intentId) => call(async () => intent(await stripe.paymentIntents.cancel(intentId))),
    cancelReaderAction: (readerId) =>
      call(async () => {
        await stripe.terminal.readers.cancelAction(readerId);
      }),
    findByPaymentId: (paymentId) =>
      call(async () => {
        const found = await stripe.paymentIntents.search({ query: `metadata['payment_id']:'${paymentId}'` });
        return found.data[0] ? intent(found.data[0]) : null;
      }),
    refund: (intentId, amount, refundId) =>
      call(
        async () =>
          (
            await stripe.refunds.create(
              { payment_intent: intentId, amount },
              { idempotencyKey: `refund-${refundId}` },
            )
          ).id,
      ),
  };
}
