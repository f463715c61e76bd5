import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type TestCloud } from '../support/cloud.ts';
import { newOrderId } from '../support/hub.ts';
import { cloudFigures, hubOnCloud, postOrders, synced } from '../support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

describe('cloud sync for many restaurants', () => {
  it('syncs two restaurants at once, and row level security keeps each hub to its own rows', async () => {
    const [a, b] = await Promise.all([hubOnCloud(cloud), hubOnCloud(cloud)]);
    try {
      await Promise.all([postOrders(a.t, 300), postOrders(b.t, 200)]);
      await Promise.all([synced(a.t), synced(b.t)]);
      expect((await cloudFigures(cloud, a.cred.restaurantId, a.cred.hubId)).orders).toBe(300);
      expect((await cloudFigures(cloud, b.cred.restaurantId, b.cred.hubId)).orders).toBe(200);

      const asA = cloud.client(a.cred.token);
      const foreign = await asA.from('orders').insert({
        restaurant_id: b.cred.restaurantId,
        id: newOrderId(),
        hub_id: a.cred.hubId,
        number: 1,
        status: 'sent',
        currency: 'USD',
        menu_version: 1,
        subtotal: 1,
        tax: 0,
        total: 1,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
        last_seq: 1,
      });
      expect(foreign.error?.code).toBe('42501');
      const hijack = await asA.rpc('ingest_batch', {
        p_hub_id: b.cred.hubId,
        p_from_seq: 10_000,
        p_to_seq: 10_000,
        p_events: [{ seq: 10_000, type: 'x', entityId: 'x', at: new Date().toISOString(), data: {} }],
      });
      expect(hijack.error?.code).toBe('42501');
      const visible = await asA.from('orders').select('restaurant_id').limit(1_000);
      expect(new Set(visible.data!.map((r) => r.restaurant_id))).toEqual(new Set([a.cred.restaurantId]));
      const hqOfA = cloud.client(await cloud.hqToken(a.cred.organisationId));
      const hqRows = await hqOfA.from('orders').select('restaurant_id').limit(1_000);
      expect(hqRows.data).toHaveLength(300);
      const hqMenu = await hqOfA
        .from('menu_versions')
        .insert({ restaurant_id: b.cred.restaurantId, version: 9, body: {} });
      expect(hqMenu.error?.code).toBe('42501');
      const anon = cloud.client(cloud.anonKey);
      expect((await anon.from('orders').select('id')).error).not.toBeNull();
    } finally {
      await Promise.all([a.t.stop(), b.t.stop()]);
    }
  });
});
