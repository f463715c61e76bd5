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
import { StripeEmulator } from './support/stripe-emulator.ts';

let stripe: StripeEmulator;
let t: TestHub;
beforeAll(async () => {
  stripe = new StripeEmulator();
  await stripe.start();
  t = await startHub({
    stripeSecretKey: 'sk_test_grow_hub_emulator',
    stripeApiBase: stripe.apiBase,
    stripeTimeoutMs: 600,
  });
});
afterAll(async () => {
  await t?.stop();
  await stripe?.stop();
});

const newOrder = async () =>
  (await t.api('POST', '/api/v1/orders', burgerOrder())).body as { id: string; total: number };
const pay = (orderId: string, body: Record<string, unknown>, token = t.tokens.pos) =>
  t.api('POST', `/api/v1/orders/${orderId}/payments`, { id: newOrderId(), ...body }, token);

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

  it('splits tender across cash and card with a tip, refunds part, and the totals always balance', async () => {
    const order = await newOrder();
    const cash = await pay(order.id, { method: 'cash', amount: 2_000, tendered: 2_000 });
    const over = await pay(order.id, { method: 'card_present', amount: order.total, readerId: 'tmr_front' });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('OVERPAYMENT');
    const card = await pay(order.id, {
      method: 'card_present',
      amount: order.total - 2_000,
      tip: 300,
      readerId: 'tmr_front',
    });
    expect(card.status).toBe(201);
    expect(card.body).toMatchObject({
      status: 'captured',
      stripePaymentIntentId: expect.stringMatching(/^pi_/),
    });
    const pi = stripe.intents.get(card.body.stripePaymentIntentId)!;
    expect(pi).toMatchObject({
      status: 'succeeded',
      amount: order.total - 2_000 + 300,
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
    expect(stripe.refunds.filter((r) => r.payment_intent === pi.id)).toHaveLength(1);
    expect(pi.refunded).toBe(500);
    const tooMuch = await t.api(
      'POST',
      `/api/v1/payments/${cash.body.id}/refunds`,
      { id: newOrderId(), amount: 2_001, reason: 'oops' },
      t.tokens.manager,
    );
    expect(tooMuch.body.code).toBe('REFUND_TOO_LARGE');
  });

  it('does not charge twice when Stripe created the PaymentIntent but its answer timed out', async () => {
    const order = await newOrder();
    stripe.fault('hangAfterCommit', '/v1/payment_intents', 1); // created, answer lost; stripe-node retries with the same key
    const res = await pay(order.id, { method: 'card_present', amount: order.total, readerId: 'tmr_front' });
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('captured');
    expect(stripe.intentsFor(res.body.id)).toHaveLength(1);

    // Every attempt lost: the hub says the outcome is unknown; the till retries the same payment id.
    const order2 = await newOrder();
    stripe.fault('hangAfterCommit', '/v1/payment_intents', 3);
    const body = { id: newOrderId(), method: 'card_present', amount: order2.total, readerId: 'tmr_front' };
    const first = await t.api('POST', `/api/v1/orders/${order2.id}/payments`, body);
    expect(first.status).toBe(503);
    expect(first.body.code).toBe('CARD_UNAVAILABLE');
    expect(first.body.detail).toMatch(/same payment id is safe/);
    stripe.clearFaults();
    const retry = await t.api('POST', `/api/v1/orders/${order2.id}/payments`, body);
    expect(retry.body.status).toBe('captured');
    expect(stripe.intentsFor(body.id)).toHaveLength(1);
    expect(stripe.intentsFor(body.id)[0]!.amount_received).toBe(order2.total);
  });

  it('lets the cashier cancel a card payment still waiting on the reader; nothing is charged', async () => {
    const order = await newOrder();
    const body = { id: newOrderId(), method: 'card_present', amount: order.total, readerId: 'tmr_waits' };
    const waiting = t.api('POST', `/api/v1/orders/${order.id}/payments`, body);
    // The reader is waiting for the guest's card.
    await expect
      .poll(() => stripe.readerActions.some((a) => a.paymentIntent === stripe.intentsFor(body.id)[0]?.id))
      .toBe(true);
    const cancelled = await t.api('POST', `/api/v1/payments/${body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('voided');
    expect((await waiting).body.status).toBe('voided');
    expect(stripe.intentsFor(body.id)[0]!.status).toBe('canceled');
    expect((await t.api('GET', `/api/v1/orders/${order.id}/payments`)).body).toMatchObject({
      paid: 0,
      due: order.total,
    });
    const again = await t.api('POST', `/api/v1/payments/${body.id}/cancel`);
    expect(again.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('reports a declined card and takes no money', async () => {
    const order = await newOrder();
    const res = await pay(order.id, {
      method: 'card_present',
      amount: order.total,
      readerId: 'tmr_declines',
    });
    expect(res.status).toBe(402);
    expect(res.body.code).toBe('CARD_DECLINED');
    expect((await t.api('GET', `/api/v1/orders/${order.id}/payments`)).body).toMatchObject({
      paid: 0,
      due: order.total,
    });
  });
});

describe('with the internet down', () => {
  it('takes cash, refuses server-driven card payments clearly, accepts offline-forwarded ones within limits, and reconciles them later', async () => {
    const offline = await startHub({
      stripeSecretKey: 'sk_test_grow_hub_emulator',
      stripeApiBase: stripe.apiBase,
      stripeTimeoutMs: 300,
      offlineCardLimitPerTransaction: 5_000,
      offlineCardLimitTotal: 8_000,
    });
    const api = offline.api;
    const order = async () =>
      (await api('POST', '/api/v1/orders', burgerOrder())).body as { id: string; total: number };
    const payBody = (body: Record<string, unknown>) => ({ id: newOrderId(), ...body });
    const card = { last4: '4242', brand: 'visa', authorisationCode: 'OFF123' };
    try {
      stripe.fault('down');
      const o1 = await order();
      expect(
        (await api('POST', `/api/v1/orders/${o1.id}/payments`, payBody({ method: 'cash', amount: o1.total })))
          .status,
      ).toBe(201);

      const o2 = await order();
      let refused = await api(
        'POST',
        `/api/v1/orders/${o2.id}/payments`,
        payBody({ method: 'card_present', amount: o2.total, readerId: 'tmr_front' }),
      );
      for (let i = 0; i < 4 && refused.status === 503 && !refused.body.detail.includes('unreachable'); i++) {
        refused = await api(
          'POST',
          `/api/v1/orders/${o2.id}/payments`,
          payBody({ method: 'card_present', amount: o2.total, readerId: 'tmr_front' }),
        );
      }
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('CARD_UNAVAILABLE');
      expect(refused.body.detail).toMatch(/Take cash, or use the terminal's offline mode/);

      const ok = await api(
        'POST',
        `/api/v1/orders/${o2.id}/payments`,
        payBody({ method: 'card_offline_forwarded', amount: o2.total, offline: card }),
      );
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ status: 'authorised', pendingForward: true, card: { last4: '4242' } });
      const o3 = await order();
      const big = await api(
        'POST',
        `/api/v1/orders/${o3.id}/payments`,
        payBody({ method: 'card_offline_forwarded', amount: o3.total, tip: 2_000, offline: card }),
      );
      expect(big.status).toBe(422);
      expect(big.body.code).toBe('OFFLINE_LIMIT');
      const overridden = await api(
        'POST',
        `/api/v1/orders/${o3.id}/payments`,
        payBody({
          method: 'card_offline_forwarded',
          amount: o3.total,
          tip: 2_000,
          offline: card,
          managerOverride: true,
        }),
        offline.tokens.manager,
      );
      expect(overridden.body).toMatchObject({ status: 'authorised', managerOverride: true });
      const status = (await api('GET', '/api/v1/sync/status')).body;
      expect(status.paymentsAwaitingForward).toEqual({ count: 2, amount: o2.total + o3.total + 2_000 });

      // The internet returns; the terminal forwards: one approved, one declined.
      stripe.clearFaults();
      stripe.forwardOffline(ok.body.id, o2.total, 'succeeded');
      stripe.forwardOffline(overridden.body.id, o3.total + 2_000, 'canceled');
      await api('POST', '/api/v1/payments/reconcile', undefined, offline.tokens.manager);
      expect((await api('GET', `/api/v1/payments/${ok.body.id}`)).body).toMatchObject({
        status: 'captured',
        pendingForward: false,
      });
      expect((await api('GET', `/api/v1/payments/${overridden.body.id}`)).body).toMatchObject({
        status: 'failed',
        lastError: expect.stringContaining('cancelled'),
      });
      expect((await api('GET', '/api/v1/sync/status')).body.paymentsAwaitingForward.count).toBe(0);
    } finally {
      stripe.clearFaults();
      await offline.stop();
    }
  });
});

describe('a crash between "Stripe said yes" and "the hub recorded it"', () => {
  it('is found and fixed by reconciliation after a kill -9', async () => {
    const { dir, remove } = tempDir();
    let hub: Awaited<ReturnType<typeof spawnHub>> | null = null;
    const env = {
      GROW_STRIPE_SECRET_KEY: 'sk_test_grow_hub_emulator',
      GROW_STRIPE_API_BASE: stripe.apiBase,
      GROW_STRIPE_TIMEOUT_MS: '400',
    };
    try {
      const token = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'manager', '--name', 'boss'])).stdout,
      ).token;
      hub = await spawnHub(dir, ['--demo'], env);
      let api = apiFor(hub.base, token);
      const order = (await api('POST', '/api/v1/orders', burgerOrder())).body;
      stripe.fault('hangAfterCommit', '/capture'); // captures go through on Stripe; no answer reaches the hub
      const body = { id: newOrderId(), method: 'card_present', amount: order.total, readerId: 'tmr_front' };
      const res = await api('POST', `/api/v1/orders/${order.id}/payments`, body);
      expect(res.status).toBe(503);
      expect(stripe.intentsFor(body.id)[0]!.status).toBe('succeeded'); // the money moved
      hub.child.kill('SIGKILL');
      await exited(hub.child);
      stripe.clearFaults();

      hub = await spawnHub(dir, [], env);
      api = apiFor(hub.base, token);
      expect((await api('GET', `/api/v1/payments/${body.id}`)).body.status).toBe('pending');
      const summary = (await api('POST', '/api/v1/payments/reconcile')).body;
      expect(summary.settled).toBe(1);
      expect((await api('GET', `/api/v1/payments/${body.id}`)).body).toMatchObject({
        status: 'captured',
        lastError: null,
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
