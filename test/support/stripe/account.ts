// Long because it is one Stripe account: its objects and what every emulated endpoint does to
// them, kept together so each state change can be read against Stripe's documentation in one
// place (the parameter checks are in params.ts, the HTTP side in emulator.ts).
import { randomBytes } from 'node:crypto';
import type { EndpointName } from './params.ts';

/**
 * The state of one emulated Stripe account and what each endpoint does to it, written from
 * Stripe's API reference (2026-10-28.endive): PaymentIntents (manual capture, card_present),
 * Terminal readers whose actions run asynchronously (`in_progress` → `succeeded`/`failed`, driven
 * by the test helper `present_payment_method` and its test cards), refunds.
 */

export type IntentStatus =
  | 'requires_payment_method'
  | 'requires_capture'
  | 'processing'
  | 'succeeded'
  | 'canceled';

export interface EmulatedIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: IntentStatus;
  capture_method: 'manual' | 'automatic';
  allowed_payment_method_types: string[];
  payment_method_types: string[];
  metadata: Record<string, string>;
  created: number;
  latest_charge: string | null;
  last_payment_error: StripeError | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
  livemode: false;
}

interface EmulatedCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  payment_intent: string;
  status: 'succeeded';
  created: number;
  payment_method_details: { type: 'card_present'; card_present: { brand: string; last4: string } };
}

interface ReaderAction {
  type: 'process_payment_intent';
  status: 'in_progress' | 'succeeded' | 'failed';
  failure_code: string | null;
  failure_message: string | null;
  api_error: StripeError | null;
  process_payment_intent: { payment_intent: string };
}

export interface EmulatedReader {
  id: string;
  object: 'terminal.reader';
  device_type: 'simulated_wisepos_e';
  label: string;
  status: 'online' | 'offline';
  action: ReaderAction | null;
  livemode: false;
}

export interface StripeError {
  type: 'invalid_request_error' | 'card_error' | 'api_error' | 'idempotency_error';
  code?: string;
  decline_code?: string;
  param?: string;
  message: string;
}

export type Answer = [status: number, body: unknown];

export const error = (status: number, e: StripeError): Answer => [status, { error: e }];

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const seconds = () => Math.floor(Date.now() / 1000);

/** Stripe's card_present test cards: approved unless listed. */
const testCards: Record<string, { decline_code: string; message: string }> = {
  '4000000000000002': { decline_code: 'generic_decline', message: 'Your card was declined.' },
  '4000000000009995': { decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  '4000000000009987': { decline_code: 'lost_card', message: 'Your card was declined.' },
};
const brandOf = (number: string) =>
  number.startsWith('4')
    ? 'visa'
    : number.startsWith('5')
      ? 'mastercard'
      : number.startsWith('3')
        ? 'amex'
        : 'unknown';

/** Stripe's minimum charge, in minor units, per currency the emulator knows. */
const minimums: Record<string, number> = { usd: 50, eur: 50, gbp: 30, cad: 50 };

export class Account {
  readonly intents = new Map<string, EmulatedIntent>();
  readonly charges = new Map<string, EmulatedCharge>();
  readonly readers = new Map<string, EmulatedReader>();
  readonly refunds: { id: string; payment_intent: string; amount: number }[] = [];
  /** Every process_payment_intent a reader accepted, in order. */
  readonly readerActions: { reader: string; paymentIntent: string }[] = [];
  /** Readers whose next N process calls time out (Stripe could not reach them in time). */
  readonly readerTimeouts = new Map<string, number>();

  addReader(id: string): EmulatedReader {
    const reader: EmulatedReader = {
      id,
      object: 'terminal.reader',
      device_type: 'simulated_wisepos_e',
      label: id,
      status: 'online',
      action: null,
      livemode: false,
    };
    this.readers.set(id, reader);
    return reader;
  }

  /** Another till's payment in progress on the reader. */
  occupy(readerId: string, amount = 1_000): void {
    const pi = this.newIntent(amount, 'usd', {});
    this.readers.get(readerId)!.action = inProgress(pi.id);
  }

  /** A card a standalone Stripe terminal took offline and forwarded later: no hub metadata. */
  forwardedPayment(amount: number, last4: string, createdSeconds = seconds()): EmulatedIntent {
    const pi = this.newIntent(amount, 'usd', {});
    pi.created = createdSeconds;
    this.approve(pi, `424242424242${last4}`);
    this.capture(pi);
    return pi;
  }

  /** The endpoint's effect on the account: [HTTP status, body]. */
  run(name: EndpointName, id: string | null, p: Record<string, unknown>): Answer {
    switch (name) {
      case 'createIntent':
        return this.createIntent(p);
      case 'listIntents':
        return this.listIntents(p);
      case 'retrieveIntent':
        return this.withIntent(id!, (pi) => [200, this.render(pi, p.expand)]);
      case 'captureIntent':
        return this.withIntent(id!, (pi) => {
          if (pi.status !== 'requires_capture') return unexpected(pi, 'capture');
          this.capture(pi);
          return [200, this.render(pi, p.expand)];
        });
      case 'cancelIntent':
        return this.withIntent(id!, (pi) => {
          if (pi.status === 'succeeded' || pi.status === 'canceled') return unexpected(pi, 'cancel');
          pi.status = 'canceled';
          pi.canceled_at = seconds();
          pi.amount_capturable = 0;
          pi.cancellation_reason = (p.cancellation_reason as string | undefined) ?? null;
          // A reader still waiting for this PaymentIntent stops: a late tap has nothing to pay.
          for (const r of this.readers.values())
            if (
              r.action?.status === 'in_progress' &&
              r.action.process_payment_intent.payment_intent === pi.id
            )
              r.action = failed(r.action, 'canceled', 'The PaymentIntent was canceled.', null);
          return [200, this.render(pi, p.expand)];
        });
      case 'retrieveReader':
        return this.withReader(id!, (r) => [200, r]);
      case 'processPaymentIntent':
        return this.withReader(id!, (r) => this.process(r, p));
      case 'cancelAction':
        return this.withReader(id!, (r) => {
          if (r.action?.status !== 'in_progress')
            return error(400, {
              type: 'invalid_request_error',
              code: 'terminal_reader_action_not_in_progress',
              message: 'This reader has no action in progress to cancel.',
            });
          r.action = failed(r.action, 'canceled', 'The action was canceled.', null);
          return [200, r];
        });
      case 'createRefund':
        return this.refund(p);
      case 'presentPaymentMethod':
        return this.withReader(id!, (r) => this.present(r, p));
    }
  }

  newIntent(amount: number, currency: string, metadata: Record<string, string>): EmulatedIntent {
    const pi: EmulatedIntent = {
      id: newId('pi'),
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      capture_method: 'manual',
      allowed_payment_method_types: ['card_present'],
      payment_method_types: ['card_present'],
      metadata,
      created: seconds(),
      latest_charge: null,
      last_payment_error: null,
      canceled_at: null,
      cancellation_reason: null,
      livemode: false,
    };
    this.intents.set(pi.id, pi);
    return pi;
  }

  /**
   * The endpoint's checks of its parameters' values, made before it runs (so, per Stripe's
   * idempotency docs, a refusal here saves nothing under the key). null: they are fine.
   */
  validate(name: EndpointName, p: Record<string, unknown>): Answer | null {
    if (name !== 'createIntent') return null;
    const amount = Number(p.amount);
    const currency = String(p.currency ?? '');
    if (!Number.isInteger(amount) || amount < 1)
      return error(400, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_integer',
        param: 'amount',
        message: 'Invalid integer: amount',
      });
    if (!minimums[currency])
      return error(400, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_string',
        param: 'currency',
        message: `Invalid currency: ${currency}`,
      });
    if (amount < minimums[currency]!)
      return error(400, {
        type: 'invalid_request_error',
        code: 'amount_too_small',
        param: 'amount',
        message: `Amount must be at least ${minimums[currency]} ${currency} minor units`,
      });
    const types = (p.allowed_payment_method_types as string[] | undefined) ?? [];
    if (!types.includes('card_present'))
      return error(400, {
        type: 'invalid_request_error',
        code: 'parameter_invalid_empty',
        param: 'allowed_payment_method_types',
        message: 'Terminal payments need allowed_payment_method_types to include card_present.',
      });
    return null;
  }

  private createIntent(p: Record<string, unknown>): Answer {
    const amount = Number(p.amount);
    const currency = String(p.currency);
    const types = p.allowed_payment_method_types as string[];
    const pi = this.newIntent(amount, currency, (p.metadata as Record<string, string>) ?? {});
    pi.capture_method = p.capture_method === 'manual' ? 'manual' : 'automatic';
    pi.allowed_payment_method_types = types;
    return [200, this.render(pi, p.expand)];
  }

  private listIntents(p: Record<string, unknown>): Answer {
    const created = (p.created ?? {}) as Record<string, string>;
    const limit = Math.min(100, Number(p.limit ?? 10));
    const inRange = (t: number) =>
      (created.gte === undefined || t >= Number(created.gte)) &&
      (created.gt === undefined || t > Number(created.gt)) &&
      (created.lte === undefined || t <= Number(created.lte)) &&
      (created.lt === undefined || t < Number(created.lt));
    let all = [...this.intents.values()]
      .filter((pi) => inRange(pi.created))
      .sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
    if (p.starting_after) all = all.slice(all.findIndex((pi) => pi.id === p.starting_after) + 1);
    const page = all.slice(0, limit);
    const expand = ((p.expand as string[] | undefined) ?? []).map((e) => e.replace(/^data\./, ''));
    return [
      200,
      {
        object: 'list',
        url: '/v1/payment_intents',
        has_more: all.length > limit,
        data: page.map((pi) => this.render(pi, expand)),
      },
    ];
  }

  private process(reader: EmulatedReader, p: Record<string, unknown>): Answer {
    const pi = this.intents.get(String(p.payment_intent));
    if (!pi) return missing('payment_intent', String(p.payment_intent));
    if (reader.status === 'offline')
      return error(400, {
        type: 'invalid_request_error',
        code: 'terminal_reader_offline',
        message:
          'Reader is currently offline, please ensure the reader is powered on and connected to the internet before retrying your request.',
      });
    const timeouts = this.readerTimeouts.get(reader.id) ?? 0;
    if (timeouts > 0) {
      this.readerTimeouts.set(reader.id, timeouts - 1);
      return error(400, {
        type: 'invalid_request_error',
        code: 'terminal_reader_timeout',
        message: 'There was a timeout when sending this command to the reader.',
      });
    }
    if (reader.action?.status === 'in_progress')
      return error(400, {
        type: 'invalid_request_error',
        code: 'terminal_reader_busy',
        message: 'Reader is currently busy processing another request.',
      });
    if (pi.status !== 'requires_payment_method') return unexpected(pi, 'process');
    reader.action = inProgress(pi.id);
    this.readerActions.push({ reader: reader.id, paymentIntent: pi.id });
    return [200, reader];
  }

  /** The test helper: a card tapped on a simulated reader decides its action. */
  private present(reader: EmulatedReader, p: Record<string, unknown>): Answer {
    const action = reader.action;
    if (action?.status !== 'in_progress')
      return error(400, {
        type: 'invalid_request_error',
        message: 'This reader has no action in progress to present a payment method to.',
      });
    const pi = this.intents.get(action.process_payment_intent.payment_intent)!;
    const number = String((p.card_present as { number?: string } | undefined)?.number ?? '4242424242424242');
    const decline = testCards[number];
    if (decline) {
      const e: StripeError = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: decline.decline_code,
        message: decline.message,
      };
      pi.last_payment_error = e;
      reader.action = failed(action, 'card_declined', decline.message, e);
      return [200, reader];
    }
    this.approve(pi, number);
    reader.action = { ...action, status: 'succeeded' };
    return [200, reader];
  }

  private approve(pi: EmulatedIntent, number: string): void {
    const charge: EmulatedCharge = {
      id: newId('ch'),
      object: 'charge',
      amount: pi.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      payment_intent: pi.id,
      status: 'succeeded',
      created: seconds(),
      payment_method_details: {
        type: 'card_present',
        card_present: { brand: brandOf(number), last4: number.slice(-4) },
      },
    };
    this.charges.set(charge.id, charge);
    pi.latest_charge = charge.id;
    pi.last_payment_error = null;
    pi.status = 'requires_capture';
    pi.amount_capturable = pi.amount;
  }

  private capture(pi: EmulatedIntent): void {
    pi.status = 'succeeded';
    pi.amount_received = pi.amount;
    pi.amount_capturable = 0;
    const charge = this.charges.get(pi.latest_charge!)!;
    charge.captured = true;
    charge.amount_captured = pi.amount;
  }

  private refund(p: Record<string, unknown>): Answer {
    const pi = this.intents.get(String(p.payment_intent));
    if (!pi) return missing('payment_intent', String(p.payment_intent));
    const charge = pi.latest_charge ? this.charges.get(pi.latest_charge) : undefined;
    if (pi.status !== 'succeeded' || !charge)
      return error(400, {
        type: 'invalid_request_error',
        code: 'charge_not_captured',
        message: 'This PaymentIntent has no captured charge to refund.',
      });
    const left = charge.amount_captured - charge.amount_refunded;
    const amount = p.amount === undefined ? left : Number(p.amount);
    if (amount > left)
      return error(400, {
        type: 'invalid_request_error',
        code: 'amount_too_large',
        param: 'amount',
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
      });
    charge.amount_refunded += amount;
    const refund = {
      id: newId('re'),
      object: 'refund',
      amount,
      payment_intent: pi.id,
      charge: charge.id,
      status: 'succeeded',
    };
    this.refunds.push(refund);
    return [200, refund];
  }

  /** A PaymentIntent as Stripe returns it, with `latest_charge` expanded when asked. */
  private render(pi: EmulatedIntent, expand: unknown): unknown {
    const wanted = Array.isArray(expand) ? expand : [];
    if (!wanted.includes('latest_charge') || !pi.latest_charge) return { ...pi };
    return { ...pi, latest_charge: { ...this.charges.get(pi.latest_charge) } };
  }

  private withIntent(id: string, fn: (pi: EmulatedIntent) => Answer): Answer {
    const pi = this.intents.get(id);
    return pi ? fn(pi) : missing('payment_intent', id);
  }

  private withReader(id: string, fn: (r: EmulatedReader) => Answer): Answer {
    const reader = this.readers.get(id);
    return reader ? fn(reader) : missing('terminal.reader', id);
  }
}

const inProgress = (intentId: string): ReaderAction => ({
  type: 'process_payment_intent',
  status: 'in_progress',
  failure_code: null,
  failure_message: null,
  api_error: null,
  process_payment_intent: { payment_intent: intentId },
});

const failed = (
  action: ReaderAction,
  code: string,
  message: string,
  apiError: StripeError | null,
): ReaderAction => ({
  ...action,
  status: 'failed',
  failure_code: code,
  failure_message: message,
  api_error: apiError,
});

const missing = (what: string, id: string): Answer =>
  error(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    param: 'id',
    message: `No such ${what}: '${id}'`,
  });

const unexpected = (pi: EmulatedIntent, action: string): Answer =>
  error(400, {
    type: 'invalid_request_error',
    code: 'payment_intent_unexpected_state',
    message: `This PaymentIntent's status is ${pi.status}; you cannot ${action} it.`,
  });
