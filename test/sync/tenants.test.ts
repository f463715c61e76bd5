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

  it('lets a hub change its own row only through the RPCs: no moving restaurants, no fake seq, no fake contact', async () => {
    const [a, b] = await Promise.all([cloud.addHub(), cloud.addHub()]);
    const row = async () =>
      (
        await cloud.db.query<{ restaurant_id: string; synced_seq: string; last_contact_at: Date | null }>(
          'select restaurant_id, synced_seq, last_contact_at from hubs where id = $1',
          [a.hubId],
        )
      )[0]!;
    const before = await row();
    const asA = cloud.client(a.token);
    for (const change of [
      { restaurant_id: b.restaurantId },
      { synced_seq: 1e12 },
      { last_contact_at: '2099-01-01T00:00:00Z' },
    ]) {
      const res = await asA.from('hubs').update(change).eq('id', a.hubId).select();
      expect(res.error?.code, JSON.stringify(change)).toBe('42501');
    }
    expect(await row()).toEqual(before);
    // What a hub may do, it still does through the RPCs (the sync tests push batches through them).
    const beat = await asA.rpc('hub_heartbeat', { p_hub_id: a.hubId });
    expect(beat.error).toBeNull();
    expect((await row()).last_contact_at).not.toBeNull();
    expect((await asA.rpc('hub_heartbeat', { p_hub_id: b.hubId })).error?.code).toBe('42501');
  });
});
