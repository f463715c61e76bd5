import { createRequire } from 'node:module';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CardGateway,
  classify,
  stripeApiVersion,
  stripeGateway,
} from '../hub/payments/stripe-gateway.ts';
import { newOrderId } from './support/hub.ts';
import { emulatedVersion, StripeEmulator } from './support/stripe/emulator.ts';
import { endpoints, unknownParam } from './support/stripe/params.ts';

const StripeClient = createRequire(import.meta.url)('stripe') as typeof Stripe;

let stripe: StripeEmulator;
let gateway: CardGateway;
/** The test's own client, as a test would drive Stripe's test helpers. */
let helper: Stripe;
beforeAll(async () => {
  stripe = new StripeEmulator();
  await stripe.start();
  gateway = stripeGateway({
    secretKey: 'sk_test_gateway',
    apiBase: stripe.apiBase,
    timeoutMs: 2_000,
    now: Date.now,
  });
  helper = new StripeClient('sk_test_helper', {
    host: '127.0.0.1',
    port: stripe.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
});
afterAll(() => stripe?.stop());

const intent = (amount = 1_250) =>
  gateway.createIntent({
    paymentId: newOrderId(),
    orderId: newOrderId(),
    hubId: newOrderId(),
    amount,
    currency: 'USD',
    attempt: 1,
  });

describe('the Stripe gateway against the strict emulator', () => {
  it('sends only parameters each endpoint accepts, at the pinned API version, with a key on every write', async () => {
    expect(stripeApiVersion).toBe(emulatedVersion);
    const pi = await intent();
    await gateway.processOnReader('tmr_front', pi.id, `process-${pi.id}-1`);
    await gateway.reader('tmr_front');
    await helper.testHelpers.terminal.readers.presentPaymentMethod('tmr_front', {
      card_present: { number: '4242424242424242' },
    });
    await gateway.retrieve(pi.id);
    await gateway.capture(pi.id, `capture-${pi.id}`);
    await gateway.refund(pi.id, 100, `refund-${pi.id}`);
    await gateway.findIntent(pi.metadata.payment_id!, Date.now());
    await gateway.cardPayments(0, Math.ceil(Date.now() / 1000), 10);
    const other = await intent();
    await gateway.processOnReader('tmr_bar', other.id, `process-${other.id}-1`);
    await gateway.cancelReaderAction('tmr_bar');
    await gateway.cancel(other.id, `cancel-${other.id}`);

    const used = new Set(stripe.log.map((r) => r.endpoint));
    for (const name of [
      'createIntent',
      'retrieveIntent',
      'listIntents',
      'captureIntent',
      'cancelIntent',
      'processPaymentIntent',
      'retrieveReader',
      'cancelAction',
      'createRefund',
    ] as const)
      expect(used, name).toContain(name);
    for (const r of stripe.log) {
      expect(r.endpoint, `${r.method} ${r.path}`).not.toBeNull();
      expect(unknownParam(endpoints[r.endpoint!], r.params), `${r.method} ${r.path}`).toBeNull();
      expect(r.status, `${r.method} ${r.path}`).toBeLessThan(400);
      if (r.method === 'POST') expect(r.idempotencyKey, `${r.method} ${r.path}`).not.toBeNull();
    }
    expect(
      new Set(stripe.log.filter((r) => r.endpoint !== 'presentPaymentMethod').map((r) => r.version)),
    ).toEqual(new Set([stripeApiVersion]));
  });

  it('reads every PaymentIntent status and reader action status it acts on', async () => {
    const pi = await intent();
    expect(pi).toMatchObject({ status: 'requires_payment_method', card: null });
    let reader = await gateway.processOnReader('tmr_front', pi.id, `process-${pi.id}-1`);
    expect(reader.action).toMatchObject({ status: 'in_progress', paymentIntentId: pi.id });
    await helper.testHelpers.terminal.readers.presentPaymentMethod('tmr_front', {
      card_present: { number: '4000000000009995' },
    });
    reader = await gateway.reader('tmr_front');
    expect(reader.action).toMatchObject({
      status: 'failed',
      failureCode: 'card_declined',
      declineCode: 'insufficient_funds',
    });
    expect((await gateway.retrieve(pi.id)).status).toBe('requires_payment_method');
    await gateway.processOnReader('tmr_front', pi.id, `process-${pi.id}-2`);
    await helper.testHelpers.terminal.readers.presentPaymentMethod('tmr_front', {
      card_present: { number: '5555555555554444' },
    });
    expect((await gateway.reader('tmr_front')).action?.status).toBe('succeeded');
    expect(await gateway.retrieve(pi.id)).toMatchObject({
      status: 'requires_capture',
      card: { brand: 'mastercard', last4: '4444' },
    });
    expect((await gateway.capture(pi.id, `capture-${pi.id}`)).status).toBe('succeeded');
    const gone = await intent();
    expect((await gateway.cancel(gone.id, `cancel-${gone.id}`)).status).toBe('canceled');
  });

  it("turns each of Stripe's refusals into what the cashier should do", async () => {
    const pi = await intent();
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (err) => err,
      );
    stripe.account.readers.get('tmr_bar')!.status = 'offline';
    expect(await refusal(gateway.processOnReader('tmr_bar', pi.id, 'k-offline'))).toMatchObject({
      kind: 'refused',
      code: 'reader_offline',
    });
    stripe.account.readers.get('tmr_bar')!.status = 'online';
    stripe.account.occupy('tmr_bar');
    expect(await refusal(gateway.processOnReader('tmr_bar', pi.id, 'k-busy'))).toMatchObject({
      code: 'reader_busy',
    });
    stripe.account.readers.get('tmr_bar')!.action = null;
    stripe.account.readerTimeouts.set('tmr_bar', 1);
    expect(await refusal(gateway.processOnReader('tmr_bar', pi.id, 'k-timeout'))).toMatchObject({
      code: 'reader_timeout',
    });
    expect(await refusal(gateway.processOnReader('tmr_nowhere', pi.id, 'k-missing'))).toMatchObject({
      code: 'not_found',
    });
    expect(await refusal(intent(49))).toMatchObject({ code: 'amount_too_small' });
    const badKey = stripeGateway({
      secretKey: 'rk_live_wrong',
      apiBase: stripe.apiBase,
      timeoutMs: 2_000,
      now: Date.now,
    });
    expect(await refusal(badKey.retrieve(pi.id))).toMatchObject({ code: 'stripe_rejected_key' });
    // A parameter Stripe does not know, as a careless change to the gateway would send it.
    const raw = new StripeClient('sk_test_raw', {
      host: '127.0.0.1',
      port: stripe.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const unknown = await refusal(
      raw.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        allowed_payment_method_types: ['card_present'],
        surprise: 1,
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(classify(unknown)).toMatchObject({
      kind: 'refused',
      code: 'stripe_refused',
      stripeCode: 'parameter_unknown',
    });
    // What the hub sent before endive, refused as Stripe refuses it now.
    const old = await refusal(
      raw.paymentIntents.create({
        amount: 100,
        currency: 'usd',
        payment_method_types: ['card_present'],
      } as Stripe.PaymentIntentCreateParams),
    );
    expect(classify(old).stripeCode).toBe('payment_method_types_no_longer_supported');
    const outdated = new StripeClient('sk_test_raw', {
      apiVersion: '2024-06-20' as Stripe.LatestApiVersion,
      host: '127.0.0.1',
      port: stripe.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    expect(classify(await refusal(outdated.paymentIntents.retrieve(pi.id))).message).toMatch(
      /models API version/,
    );
    stripe.fault('error500', '/v1/payment_intents/', 3); // stripe-node retries twice
    expect(await refusal(gateway.retrieve(pi.id))).toMatchObject({
      kind: 'unreachable',
      code: 'stripe_unreachable',
    });
  });

  it("keeps idempotent results as Stripe's docs say: refusals not saved, 500s replayed, a key in use is 409", async () => {
    const raw = new StripeClient('sk_test_raw', {
      host: '127.0.0.1',
      port: stripe.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const params = { amount: 100, currency: 'usd', allowed_payment_method_types: ['card_present' as const] };
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (err) => err as { statusCode: number; code?: string; type: string },
      );
    // Refused before it ran: nothing saved, the same key works once the request is right.
    expect(
      (await refusal(raw.paymentIntents.create({ ...params, amount: 10 }, { idempotencyKey: 'k1' })))?.code,
    ).toBe('amount_too_small');
    expect(
      (
        await refusal(
          raw.paymentIntents.create({ ...params, surprise: 1 } as Stripe.PaymentIntentCreateParams, {
            idempotencyKey: 'k1',
          }),
        )
      )?.code,
    ).toBe('parameter_unknown');
    const first = await raw.paymentIntents.create(params, { idempotencyKey: 'k1' });
    expect((await raw.paymentIntents.create(params, { idempotencyKey: 'k1' })).id).toBe(first.id);
    expect(
      (await refusal(raw.paymentIntents.create({ ...params, amount: 200 }, { idempotencyKey: 'k1' })))?.type,
    ).toBe('StripeIdempotencyError');
    // A 500 after the endpoint started is saved: the retry with the same key gets it again.
    stripe.fault('error500', '/v1/payment_intents', 1);
    expect((await refusal(raw.paymentIntents.create(params, { idempotencyKey: 'k2' })))?.statusCode).toBe(
      500,
    );
    expect((await refusal(raw.paymentIntents.create(params, { idempotencyKey: 'k2' })))?.statusCode).toBe(
      500,
    );
    // Two at once with one key: the second is told the key is in use.
    stripe.delays.set('createIntent', 300);
    const [a, b] = await Promise.all([
      refusal(raw.paymentIntents.create(params, { idempotencyKey: 'k3' })),
      new Promise((r) => setTimeout(r, 50)).then(() =>
        refusal(raw.paymentIntents.create(params, { idempotencyKey: 'k3' })),
      ),
    ]);
    stripe.delays.clear();
    expect(a).toBeNull();
    expect(b).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
  });
});
