import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiFor,
  burgerOrder,
  exited,
  newOrderId,
  runCli,
  spawnHub,
  startHub,
  type TestHub,
  tempDir,
} from './support/hub.ts';
import { StripeEmulator } from './support/stripe/emulator.ts';

/**
 * Payments through the API, with stripe-node unmodified against the strict emulator: the money
 * invariants (a retry never charges twice, totals balance, a crash loses nothing). What a cashier
 * sees of each card outcome is in card-payments.test.ts, in the browser.
 */
let stripe: StripeEmulator;
let t: TestHub;
const cardConfig = () => ({
  stripeSecretKey: 'sk_test_grow_hub_emulator',
  stripeApiBase: stripe.apiBase,
  stripeTimeoutMs: 600,
  cardPollMs: 50,
  reconcileIntervalMs: 1_000,
  stripeBreakerCooldownMs: 500,
});
beforeAll(async () => {
  stripe = new StripeEmulator();
  await stripe.start();
  t = await startHub(cardConfig());
});
afterAll(async () => {
  await t?.stop();
  await stripe?.stop();
});

const newOrder = async (hub = t) =>
  (await hub.api('POST', '/api/v1/orders', burgerOrder())).body as { id: string; total: number };
const pay = (orderId: string, body: Record<string, unknown>, hub = t, token = hub.tokens.pos) =>
  hub.api('POST', `/api/v1/orders/${orderId}/payments`, { id: newOrderId(), ...body }, token);
const stageOf = (id: string, hub = t) => hub.hub.payments.get(id).reader?.stage;
const statusOf = (id: string, hub = t) => hub.hub.payments.get(id).status;

describe('payments', () => {
  it('takes cash with change due, and replays a payment by its id', async () => {
    const order = await newOrder();
    const body = { id: newOrderId(), method: 'cash', amount: order.total, tendered: 5_000 };
    const res = await t.api('POST', `/api/v1/orders/${order.id}/payments`, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'captured', changeDue: 5_000 - order.total });
    expect((await t.api('POST', `/api/v1/orders/${order.id}/payments`, body)).status).toBe(200);
    const changed = await t.api('POST', `/api/v1/orders/${order.id}/payments`, { ...body, amount: 1 });
    expect(changed.body.code).toBe('PAYMENT_ID_REUSED');
    const short = await pay(order.id, { method: 'cash', amount: 100, tendered: 50 });
    expect(short.body.errors[0].field).toBe('tendered');
    expect((await t.api('GET', `/api/v1/orders/${order.id}/payments`)).body).toMatchObject({
      paid: order.total,
      due: 0,
    });
  });

  it('splits tender across cash and a card on the reader with a tip, refunds part, and the totals always balance', async () => {
    const order = await newOrder();
    const cash = await pay(order.id, { method: 'cash', amount: 2_000, tendered: 2_000 });
    const over = await pay(order.id, { method: 'card_present', amount: order.total, readerId: 'tmr_front' });
    expect(over.body.code).toBe('OVERPAYMENT');
    const card = await pay(order.id, {
      method: 'card_present',
      amount: order.total - 2_000,
      tip: 300,
      readerId: 'tmr_front',
    });
    expect(card.status).toBe(202); // under way: the till follows it as payment.updated events
    expect(card.body).toMatchObject({
      status: 'pending',
      reader: { id: 'tmr_front', attempt: 1, stage: 'starting' },
    });
    await expect.poll(() => stageOf(card.body.id)).toBe('waiting_for_card');
    await stripe.present('tmr_front', '4242424242424242');
    await expect.poll(() => statusOf(card.body.id)).toBe('captured');
    const captured = t.hub.payments.get(card.body.id);
    expect(captured).toMatchObject({
      card: { brand: 'visa', last4: '4242' },
      reader: { stage: null },
      failure: null,
    });
    const pi = stripe.account.intents.get(captured.stripePaymentIntentId!)!;
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount: order.total - 2_000 + 300,
      capture_method: 'manual',
      allowed_payment_method_types: ['card_present'],
      metadata: { order_id: order.id, payment_id: card.body.id },
    });
    const summary = (await t.api('GET', `/api/v1/orders/${order.id}/payments`)).body;
    expect(summary).toMatchObject({ total: order.total, paid: order.total, tips: 300, due: 0 });

    const refundBody = { id: newOrderId(), amount: 500, reason: 'cold fries' };
    expect((await t.api('POST', `/api/v1/payments/${card.body.id}/refunds`, refundBody)).status).toBe(403); // manager only
    const refunded = await t.api(
      'POST',
      `/api/v1/payments/${card.body.id}/refunds`,
      refundBody,
      t.tokens.manager,
    );
    expect(refunded.body).toMatchObject({ status: 'partially_refunded', refunded: 500 });
    await t.api('POST', `/api/v1/payments/${card.body.id}/refunds`, refundBody, t.tokens.manager); // a replay
    expect(stripe.account.refunds.filter((r) => r.payment_intent === pi.id)).toHaveLength(1);
    const tooMuch = await t.api(
      'POST',
      `/api/v1/payments/${cash.body.id}/refunds`,
      { id: newOrderId(), amount: 2_001, reason: 'oops' },
      t.tokens.manager,
    );
    expect(tooMuch.body.code).toBe('REFUND_TOO_LARGE');
  });

  it('refuses a card payment under Stripe’s 0.50 minimum before asking Stripe', async () => {
    const order = await newOrder();
    const before = stripe.log.length;
    const res = await pay(order.id, { method: 'card_present', amount: 49, readerId: 'tmr_front' });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'AMOUNT_TOO_SMALL', errors: [{ field: 'amount' }] });
    expect(stripe.log.length).toBe(before);
  });

  it('makes one PaymentIntent when Stripe created it but every answer was lost, and the next attempt finds it', async () => {
    const order = await newOrder();
    stripe.fault('hangAfterCommit', '/v1/payment_intents', 3); // created; stripe-node's 2 retries lost too
    const card = await pay(order.id, { method: 'card_present', amount: order.total, readerId: 'tmr_front' });
    await expect.poll(() => stageOf(card.body.id), { timeout: 5_000 }).toBe('attempt_failed');
    // The reader was never asked, so nothing can have been charged: the cashier may try again.
    expect(t.hub.payments.get(card.body.id).failure?.code).toBe('stripe_unreachable');
    stripe.clearFaults();
    const retry = await t.api('POST', `/api/v1/payments/${card.body.id}/retry`, { attempt: 2 });
    expect(retry.body.reader).toMatchObject({ attempt: 2, stage: 'starting' });
    await expect.poll(() => stageOf(card.body.id)).toBe('waiting_for_card');
    await stripe.present('tmr_front');
    await expect.poll(() => statusOf(card.body.id)).toBe('captured');
    expect(stripe.intentsFor(card.body.id)).toHaveLength(1);
    expect(stripe.intentsFor(card.body.id)[0]!.amount_received).toBe(order.total);
  });

  it('finds out after an outage whether a card on the reader was charged, and honours a cancel made meanwhile', async () => {
    const order = await newOrder();
    const card = await pay(order.id, { method: 'card_present', amount: order.total, readerId: 'tmr_front' });
    await expect.poll(() => stageOf(card.body.id)).toBe('waiting_for_card');
    stripe.fault('down');
    await expect.poll(() => stageOf(card.body.id), { timeout: 5_000 }).toBe('checking');
    expect(t.hub.payments.get(card.body.id).failure?.code).toBe('outcome_unknown');
    const cancel = await t.api('POST', `/api/v1/payments/${card.body.id}/cancel`);
    expect(cancel.status).toBe(503); // the reader cannot be stopped without Stripe
    expect(cancel.body.detail).toMatch(/ask the guest not to tap/);
    expect(stageOf(card.body.id)).toBe('cancelling');
    stripe.clearFaults();
    await expect.poll(() => statusOf(card.body.id), { timeout: 10_000 }).toBe('voided');
    expect(stripe.intentsFor(card.body.id)[0]!.status).toBe('canceled');
    await expect(stripe.present('tmr_front')).rejects.toThrow(/no action in progress/); // a late tap pays nothing
  });
});

describe('with the internet down', () => {
  it('takes cash, refuses the reader clearly, records standalone-terminal cards within limits, and a manager verifies them', async () => {
    const offline = await startHub({
      ...cardConfig(),
      standaloneCardLimitPerTransaction: 5_000,
      standaloneCardLimitTotal: 8_000,
    });
    const api = offline.api;
    const card = { last4: '4242', brand: 'visa' };
    try {
      stripe.fault('down');
      const o1 = await newOrder(offline);
      expect((await pay(o1.id, { method: 'cash', amount: o1.total }, offline)).status).toBe(201);

      // The first card attempts fail in the background; after three the hub stops trying Stripe.
      const o2 = await newOrder(offline);
      let refused = await pay(
        o2.id,
        { method: 'card_present', amount: o2.total, readerId: 'tmr_front' },
        offline,
      );
      for (let i = 0; i < 6 && refused.status === 202; i++) {
        await expect.poll(() => stageOf(refused.body.id, offline), { timeout: 5_000 }).toBe('attempt_failed');
        await api('POST', `/api/v1/payments/${refused.body.id}/cancel`);
        refused = await pay(
          o2.id,
          { method: 'card_present', amount: o2.total, readerId: 'tmr_front' },
          offline,
        );
      }
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('CARD_UNAVAILABLE');
      expect(refused.body.detail).toMatch(/standalone terminal/);

      const ok = await pay(o2.id, { method: 'card_standalone', amount: o2.total, standalone: card }, offline);
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ status: 'unverified', card: { last4: '4242' } });
      expect((await api('GET', `/api/v1/orders/${o2.id}/payments`)).body.due).toBe(0); // it counts, at our risk
      const o3 = await newOrder(offline);
      const big = await pay(
        o3.id,
        { method: 'card_standalone', amount: o3.total, tip: 2_000, standalone: card },
        offline,
      );
      expect(big.status).toBe(422);
      expect(big.body.code).toBe('STANDALONE_LIMIT');
      const overridden = await pay(
        o3.id,
        {
          method: 'card_standalone',
          amount: o3.total,
          tip: 2_000,
          standalone: { last4: '1881', brand: 'visa' },
          managerOverride: true,
        },
        offline,
        offline.tokens.manager,
      );
      expect(overridden.body).toMatchObject({ status: 'unverified', managerOverride: true });
      expect((await api('GET', '/api/v1/sync/status')).body.standaloneCardsUnverified).toEqual({
        count: 2,
        amount: o2.total + o3.total + 2_000,
      });
      expect(
        (await api('GET', '/api/v1/payments/unverified', undefined, offline.tokens.manager)).body.stripe,
      ).toBe('unreachable');

      // The internet returns. The terminal forwarded one card to Stripe; the other never arrived.
      stripe.clearFaults();
      const forwarded = stripe.account.forwardedPayment(o2.total, '4242');
      stripe.account.forwardedPayment(o2.total, '0005'); // same amount, another card: not likely
      await expect
        .poll(
          async () =>
            (await api('GET', '/api/v1/payments/unverified', undefined, offline.tokens.manager)).body.stripe,
        )
        .toBe('ok');
      const list = (await api('GET', '/api/v1/payments/unverified', undefined, offline.tokens.manager)).body;
      const first = list.payments.find((p: { payment: { id: string } }) => p.payment.id === ok.body.id);
      expect(first.candidates[0]).toMatchObject({ paymentIntentId: forwarded.id, likely: true });
      expect(first.candidates).toHaveLength(2);
      const wrong = await api(
        'POST',
        `/api/v1/payments/${overridden.body.id}/verify`,
        { outcome: 'matched', paymentIntentId: forwarded.id },
        offline.tokens.manager,
      );
      expect(wrong.body).toMatchObject({ code: 'MATCH_INVALID', errors: [{ field: 'paymentIntentId' }] });
      const matched = await api(
        'POST',
        `/api/v1/payments/${ok.body.id}/verify`,
        { outcome: 'matched', paymentIntentId: forwarded.id },
        offline.tokens.manager,
      );
      expect(matched.body).toMatchObject({ status: 'captured', stripePaymentIntentId: forwarded.id });
      const lost = await api(
        'POST',
        `/api/v1/payments/${overridden.body.id}/verify`,
        { outcome: 'not_received', note: 'declined when forwarded' },
        offline.tokens.manager,
      );
      expect(lost.body).toMatchObject({ status: 'failed', failure: { code: 'not_received' } });
      expect((await api('GET', `/api/v1/orders/${o3.id}/payments`)).body.due).toBe(o3.total);
      expect((await api('GET', '/api/v1/sync/status')).body.standaloneCardsUnverified.count).toBe(0);
    } finally {
      stripe.clearFaults();
      await offline.stop();
    }
  });
});

describe('a crash between "Stripe said yes" and "the hub recorded it"', () => {
  it('is found and fixed when the hub starts again after a kill -9', async () => {
    const { dir, remove } = tempDir();
    let hub: Awaited<ReturnType<typeof spawnHub>> | null = null;
    const env = {
      GROW_STRIPE_SECRET_KEY: 'sk_test_grow_hub_emulator',
      GROW_STRIPE_API_BASE: stripe.apiBase,
      GROW_STRIPE_TIMEOUT_MS: '400',
      GROW_CARD_POLL_MS: '50',
    };
    try {
      const token = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'manager', '--name', 'boss'])).stdout,
      ).token;
      hub = await spawnHub(dir, ['--demo'], env);
      let api = apiFor(hub.base, token);
      const order = (await api('POST', '/api/v1/orders', burgerOrder())).body;
      stripe.fault('hangAfterCommit', '/capture'); // captures go through on Stripe; no answer reaches the hub
      const body = { id: newOrderId(), method: 'card_present', amount: order.total, readerId: 'tmr_bar' };
      expect((await api('POST', `/api/v1/orders/${order.id}/payments`, body)).status).toBe(202);
      await expect
        .poll(async () => (await api('GET', `/api/v1/payments/${body.id}`)).body.reader.stage)
        .toBe('waiting_for_card');
      await stripe.present('tmr_bar');
      await expect.poll(() => stripe.intentsFor(body.id)[0]?.status).toBe('succeeded'); // the money moved
      hub.child.kill('SIGKILL');
      await exited(hub.child);
      stripe.clearFaults();

      hub = await spawnHub(dir, [], env);
      api = apiFor(hub.base, token);
      await expect
        .poll(async () => (await api('GET', `/api/v1/payments/${body.id}`)).body.status)
        .toBe('captured');
      expect((await api('GET', `/api/v1/payments/${body.id}`)).body).toMatchObject({
        failure: null,
        card: { last4: '4242' },
      });
      expect(stripe.intentsFor(body.id)).toHaveLength(1);
    } finally {
      if (hub) {
        hub.child.kill('SIGTERM');
        await exited(hub.child);
      }
      stripe.clearFaults();
      remove();
    }
  });
});
