import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type TestCloud } from '../support/cloud.ts';
import { cloudFigures, hubOnCloud, postOrders, synced } from '../support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

describe('cloud sync when the cloud refuses an event', () => {
  it('quarantines an event the cloud refuses, sends a tombstone in its place, and keeps the queue moving', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      await postOrders(t, 10, 2);
      // An event the cloud cannot apply (as a bug in an older hub version might have written).
      const bad = await t.hub.committer.run((ctx) =>
        ctx.emit({
          type: 'order.created',
          topic: 'orders',
          entityId: 'broken',
          data: { order: { id: 'not-a-uuid' } } as never,
        }),
      );
      await postOrders(t, 10, 2);
      await synced(t);
      const status = t.hub.sync!.status();
      expect(status.quarantinedEvents).toBe(1);
      expect(t.hub.store.sync.quarantined()[0]).toMatchObject({ seq: bad.seq, type: 'order.created' });
      const rows = await cloud.db.query<{ type: string }>(
        'select type from hub_events where hub_id = $1 and seq = $2',
        [cred.hubId, bad.seq],
      );
      expect(rows.map((r) => r.type)).toEqual(['sync.quarantined']);
      expect((await cloudFigures(cloud, cred.restaurantId, cred.hubId)).orders).toBe(20);

      // Never silent (issue 14.4): an alarm in the status, a gauge in /metrics, the event kept for repair.
      const viaApi = (await t.api('GET', '/api/v1/sync/status')).body;
      expect(viaApi.alarm).toMatch(/1 event the cloud refused is kept on this hub: HQ's figures miss it/);
      const metrics = (await t.api('GET', '/metrics', undefined, t.tokens.manager)).body as string;
      expect(metrics).toMatch(/^grow_sync_quarantined_events 1$/m);
      const kept = (await t.api('GET', '/api/v1/sync/quarantine', undefined, t.tokens.manager)).body.events;
      expect(kept).toEqual([
        expect.objectContaining({ seq: bad.seq, entityId: 'broken', data: { order: { id: 'not-a-uuid' } } }),
      ]);
    } finally {
      await t.stop();
    }
  });
});
