import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCloudToken } from '../../sync/credential.ts';
import { startCloud, type TestCloud } from '../support/cloud.ts';
import { burgerOrder, newOrderId } from '../support/hub.ts';
import { hubOnCloud, synced } from '../support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

describe('payments in the cloud', () => {
  it('syncs payments and refunds into the cloud payments table', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
      const payment = await t.api('POST', `/api/v1/orders/${order.id}/payments`, {
        id: newOrderId(),
        method: 'cash',
        amount: order.total,
        tip: 100,
      });
      await t.api(
        'POST',
        `/api/v1/payments/${payment.body.id}/refunds`,
        { id: newOrderId(), amount: 500, reason: 'spilled drink' },
        t.tokens.manager,
      );
      await synced(t);
      const rows = await cloud.db.query<{ status: string; amount: string; tip: string; refunded: string }>(
        'select status, amount, tip, refunded from payments where restaurant_id = $1',
        [cred.restaurantId],
      );
      expect(
        rows.map((r) => ({
          ...r,
          amount: Number(r.amount),
          tip: Number(r.tip),
          refunded: Number(r.refunded),
        })),
      ).toEqual([{ status: 'partially_refunded', amount: order.total, tip: 100, refunded: 500 }]);
    } finally {
      await t.stop();
    }
  });
  it('records Stripe webhook events once, after the stripe library verified their signature', async () => {
    const stripe = new Stripe('sk_test_unused');
    const secret = 'whsec_test_grow_hub';
    const payload = JSON.stringify({
      id: 'evt_test_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      livemode: false,
      data: { object: { id: 'pi_1' } },
    });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret });
    const event = stripe.webhooks.constructEvent(payload, header, secret);
    expect(() => stripe.webhooks.constructEvent(payload.replace('pi_1', 'pi_2'), header, secret)).toThrow(
      /signature/i,
    );
    const service = cloud.client(await signCloudToken({ role: 'service_role' }, cloud.jwtSecret));
    expect((await service.rpc('record_stripe_event', { p_event: event })).data).toBe(true);
    expect((await service.rpc('record_stripe_event', { p_event: event })).data).toBe(false); // Stripe retried
    const hub = await cloud.addHub();
    expect((await cloud.client(hub.token).rpc('record_stripe_event', { p_event: event })).error?.code).toBe(
      '42501',
    );
    const [row] = await cloud.db.query<{ n: string }>(
      "select count(*) as n from stripe_events where id = 'evt_test_1'",
    );
    expect(Number(row!.n)).toBe(1);
  });
});
