import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import type { CardFailureCode } from '../../protocol/payments.ts';
import { CircuitBreaker } from '../../rules/breaker.ts';

/**
 * The Stripe API version the hub is written against (stripe-node 23.1.0's own). Pinned here, not
 * left to the account's default, so a change in the Dashboard cannot change what the hub sends
 * or reads; moving to a new version is a code change (docs/payments.md).
 */
export const stripeApiVersion = '2026-10-28.endive' as const;

/** A PaymentIntent, as much of it as the hub reads. */
export interface Intent {
  id: string;
  status: Stripe.PaymentIntent.Status;
  amount: number;
  metadata: Record<string, string>;
  /** Unix seconds. */
  created: number;
  card: { brand: string; last4: string } | null;
}

/** What a reader is doing: its current (or last) action, if it is a payment. */
export interface ReaderState {
  id: string;
  online: boolean;
  action: {
    status: 'in_progress' | 'succeeded' | 'failed';
    paymentIntentId: string | null;
    failureCode: string | null;
    failureMessage: string | null;
    declineCode: string | null;
  } | null;
}

/**
 * A Stripe call that failed, classified: `unreachable` (no answer, or Stripe's own error: try
 * later, the outcome may be unknown) or `refused` (Stripe answered no; `code` says why).
 */
export class GatewayError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused',
    readonly code: CardFailureCode | 'unexpected_state' | 'not_found',
    message: string,
    /** Stripe's own error code, for the log. */
    readonly stripeCode: string | null = null,
  ) {
    super(message);
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
    attempt: number;
  }): Promise<Intent>;
  retrieve(intentId: string): Promise<Intent>;
  /** The PaymentIntent made for a hub payment, found by listing those created around `createdAt`. */
  findIntent(paymentId: string, createdAt: number): Promise<Intent | null>;
  /** Card payments Stripe took between two times (Unix seconds), newest first, at most `limit`. */
  cardPayments(from: number, to: number, limit: number): Promise<Intent[]>;
  processOnReader(readerId: string, intentId: string, key: string): Promise<ReaderState>;
  reader(readerId: string): Promise<ReaderState>;
  cancelReaderAction(readerId: string): Promise<ReaderState>;
  capture(intentId: string, key: string): Promise<Intent>;
  cancel(intentId: string, key: string): Promise<Intent>;
  refund(intentId: string, amount: number, key: string): Promise<string>;
}

export interface StripeOptions {
  secretKey: string;
  /** https://api.stripe.com in production; the emulator's address in tests. */
  apiBase: string;
  timeoutMs: number;
  /** How long card payments are refused at once after Stripe stopped answering. */
  breakerCooldownMs?: number;
  now: () => number;
}

function intentOf(pi: Stripe.PaymentIntent): Intent {
  const charge = typeof pi.latest_charge === 'object' ? pi.latest_charge : null;
  const present = charge?.payment_method_details?.card_present;
  return {
    id: pi.id,
    status: pi.status,
    amount: pi.amount,
    metadata: pi.metadata,
    created: pi.created,
    card: present?.last4 ? { brand: present.brand ?? 'card', last4: present.last4 } : null,
  };
}

function readerOf(reader: Stripe.Terminal.Reader | Stripe.Terminal.DeletedReader): ReaderState {
  if ('deleted' in reader && reader.deleted) return { id: reader.id, online: false, action: null };
  const r = reader as Stripe.Terminal.Reader;
  const a = r.action;
  const pi = a?.process_payment_intent?.payment_intent;
  return {
    id: r.id,
    online: r.status !== 'offline',
    action:
      a && a.type === 'process_payment_intent'
        ? {
            status: a.status as 'in_progress' | 'succeeded' | 'failed',
            paymentIntentId: typeof pi === 'string' ? pi : (pi?.id ?? null),
            failureCode: a.failure_code,
            failureMessage: a.failure_message,
            declineCode: a.api_error?.decline_code ?? null,
          }
        : null,
  };
}

/** Stripe's error codes, in the hub's words (docs/payments.md lists what the cashier reads). */
const refusals: Record<string, CardFailureCode | 'unexpected_state' | 'not_found'> = {
  card_declined: 'card_declined',
  expired_card: 'card_declined',
  incorrect_pin: 'card_declined',
  terminal_reader_offline: 'reader_offline',
  terminal_reader_busy: 'reader_busy',
  terminal_reader_timeout: 'reader_timeout',
  terminal_reader_hardware_fault: 'reader_fault',
  amount_too_small: 'amount_too_small',
  payment_intent_unexpected_state: 'unexpected_state',
  intent_invalid_state: 'unexpected_state',
  resource_missing: 'not_found',
};

/** What stripe-node threw, as a GatewayError: did Stripe answer, and if so, why no. */
export function classify(err: unknown): GatewayError {
  const e = err as {
    type?: string;
    code?: string;
    message?: string;
    statusCode?: number;
    decline_code?: string;
  };
  const message = e.message ?? String(err);
  const status = e.statusCode ?? 0;
  if (e.type === 'StripeConnectionError' || e.type === 'StripeAPIError' || status >= 500 || status === 0) {
    return new GatewayError(
      'unreachable',
      'stripe_unreachable',
      `Stripe did not answer: ${message}`,
      e.code ?? null,
    );
  }
  if (status === 429 || e.type === 'StripeRateLimitError' || e.code === 'idempotency_key_in_use') {
    return new GatewayError(
      'unreachable',
      'stripe_unreachable',
      `Stripe asked the hub to slow down: ${message}`,
      e.code ?? null,
    );
  }
  if (e.type === 'StripeAuthenticationError' || e.type === 'StripePermissionError') {
    return new GatewayError('refused', 'stripe_rejected_key', message, e.code ?? null);
  }
  const code = (e.code && refusals[e.code]) || 'stripe_refused';
  const detail = code === 'card_declined' && e.decline_code ? e.decline_code.replaceAll('_', ' ') : message;
  return new GatewayError('refused', code, detail, e.code ?? null);
}

/**
 * The `stripe` package, unmodified, at a pinned API version. Every key is the caller's and names
 * the attempt it belongs to (docs/payments.md), so a retry of the same step replays Stripe's first
 * answer while a new attempt reaches the reader. stripe-node itself retries twice on network
 * errors and 409s, with the same key.
 */
export function stripeGateway(options: StripeOptions): CardGateway {
  const url = new URL(options.apiBase);
  // Required here rather than imported at the top: a hub without a Stripe key never loads the
  // package (several MB of heap for its generated resource classes).
  const StripeClient = createRequire(import.meta.url)('stripe') as typeof Stripe;
  const stripe = new StripeClient(options.secretKey, {
    apiVersion: stripeApiVersion,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol.replace(':', '') as 'http' | 'https',
    timeout: options.timeoutMs,
    maxNetworkRetries: 2,
    appInfo: { name: 'grow-hub' },
  });
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    cooldownMs: options.breakerCooldownMs ?? 15_000,
  });
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (!breaker.allow(options.now())) {
      throw new GatewayError(
        'unreachable',
        'stripe_unreachable',
        'Stripe has not answered recently (circuit open); the hub tries again shortly',
      );
    }
    try {
      const result = await fn();
      breaker.success();
      return result;
    } catch (err) {
      const failure = classify(err);
      if (failure.kind === 'unreachable') breaker.failure(options.now());
      else breaker.success();
      throw failure;
    }
  };
  // The card's brand and last 4 are on the charge, which Stripe returns only when asked.
  const expandCharge = { expand: ['latest_charge'] };
  const expandChargeInList = { expand: ['data.latest_charge'] };
  return {
    available: () => breaker.state(options.now()) !== 'open',
    createIntent: (p) =>
      call(async () =>
        intentOf(
          await stripe.paymentIntents.create(
            {
              amount: p.amount,
              currency: p.currency.toLowerCase(),
              allowed_payment_method_types: ['card_present'],
              capture_method: 'manual',
              metadata: { payment_id: p.paymentId, order_id: p.orderId, hub_id: p.hubId },
            },
            { idempotencyKey: `create-${p.paymentId}-${p.attempt}` },
          ),
        ),
      ),
    retrieve: (intentId) =>
      call(async () => intentOf(await stripe.paymentIntents.retrieve(intentId, expandCharge))),
    findIntent: (paymentId, createdAt) =>
      call(async () => {
        // Listing is consistent at once (search lags, up to an hour in an outage). A payment's
        // PaymentIntents are created within minutes of it; the window allows for clock skew.
        const at = Math.floor(createdAt / 1000);
        for await (const pi of stripe.paymentIntents.list({
          created: { gte: at - 3_600, lte: at + 3_600 },
          limit: 100,
        })) {
          if (pi.metadata.payment_id === paymentId)
            return intentOf(await stripe.paymentIntents.retrieve(pi.id, expandCharge));
        }
        return null;
      }),
    cardPayments: (from, to, limit) =>
      call(async () => {
        const found: Intent[] = [];
        for await (const pi of stripe.paymentIntents.list({
          created: { gte: from, lte: to },
          limit: 100,
          ...expandChargeInList,
        })) {
          if (pi.status === 'succeeded') found.push(intentOf(pi));
          if (found.length >= limit) break;
        }
        return found;
      }),
    processOnReader: (readerId, intentId, key) =>
      call(async () =>
        readerOf(
          await stripe.terminal.readers.processPaymentIntent(
            readerId,
            { payment_intent: intentId },
            { idempotencyKey: key },
          ),
        ),
      ),
    reader: (readerId) => call(async () => readerOf(await stripe.terminal.readers.retrieve(readerId))),
    cancelReaderAction: (readerId) =>
      call(async () => readerOf(await stripe.terminal.readers.cancelAction(readerId))),
    capture: (intentId, key) =>
      call(async () =>
        intentOf(await stripe.paymentIntents.capture(intentId, expandCharge, { idempotencyKey: key })),
      ),
    cancel: (intentId, key) =>
      call(async () => intentOf(await stripe.paymentIntents.cancel(intentId, {}, { idempotencyKey: key }))),
    refund: (intentId, amount, key) =>
      call(
        async () =>
          (await stripe.refunds.create({ payment_intent: intentId, amount }, { idempotencyKey: key })).id,
      ),
  };
}
