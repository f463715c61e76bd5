import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  it('shows a standalone-terminal card as unverified in the cloud until a manager verifies it; no webhook table remains', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
      const payment = await t.api('POST', `/api/v1/orders/${order.id}/payments`, {
        id: newOrderId(),
        method: 'card_standalone',
        amount: order.total,
        standalone: { last4: '4242', brand: 'visa' },
      });
      expect(payment.body.status).toBe('unverified');
      const row = async () =>
        (
          await cloud.db.query<{ method: string; status: string }>(
            'select method, status from payments where restaurant_id = $1 and id = $2',
            [cred.restaurantId, payment.body.id],
          )
        )[0];
      await synced(t);
      expect(await row()).toEqual({ method: 'card_standalone', status: 'unverified' });
      const verified = await t.api(
        'POST',
        `/api/v1/payments/${payment.body.id}/verify`,
        { outcome: 'settled_elsewhere' },
        t.tokens.manager,
      );
      expect(verified.body.status).toBe('captured');
      await synced(t);
      expect(await row()).toEqual({ method: 'card_standalone', status: 'captured' });
      const [table] = await cloud.db.query<{ t: string | null }>(
        "select to_regclass('public.stripe_events')::text as t",
      );
      expect(table!.t).toBeNull();
    } finally {
      await t.stop();
    }
  });
});
