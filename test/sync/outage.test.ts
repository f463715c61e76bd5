import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Store } from '../../hub/store/index.ts';
import { startCloud, type TestCloud } from '../support/cloud.ts';
import { apiFor, burgerOrder, exited, runCli, spawnHub, tempDir } from '../support/hub.ts';
import { cloudFigures, hubFigures, hubOnCloud, postOrders, synced } from '../support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
  console.info(
    `cloud sync tests run on ${cloud.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (no PostgreSQL server found)'}`,
  );
});
afterAll(() => cloud?.stop());

describe('cloud sync through outages, lost answers, hangs and crashes', () => {
  it('keeps taking 5,000 orders through a cloud outage, then delivers every one exactly once in few requests', async () => {
    cloud.setFault('down');
    const { t, cred } = await hubOnCloud(cloud);
    try {
      await postOrders(t, 5_000);
      await vi.waitFor(() => expect(t.hub.sync!.status().lastError).not.toBeNull(), { timeout: 10_000 });
      await vi.waitFor(() => expect(t.hub.sync!.status().state).not.toBe('syncing'), { timeout: 10_000 });
      const during = t.hub.sync!.status();
      expect(['backing_off', 'offline']).toContain(during.state);
      expect(during.pendingEvents).toBeGreaterThanOrEqual(15_000);
      expect(during.offlineSince).not.toBeNull();
      expect(during.nextRetryAt).not.toBeNull();
      const viaApi = await t.api('GET', '/api/v1/sync/status');
      expect(viaApi.body.pendingEvents).toBe(during.pendingEvents);

      const before = cloud.stats.ingestRequests;
      cloud.setFault('pass');
      await synced(t);
      const requests = cloud.stats.ingestRequests - before;
      console.info(
        `outage backlog of ${during.pendingEvents} events delivered in ${requests} ingest requests`,
      );
      expect(requests).toBeLessThanOrEqual(20);
      const hub = hubFigures(t.hub.store);
      const inCloud = await cloudFigures(cloud, cred.restaurantId, cred.hubId);
      expect(inCloud.orders).toBe(hub.orders);
      expect(inCloud.total).toBe(hub.total);
      expect(inCloud.events).toBe(t.hub.store.events.headSeq());
      expect(inCloud.distinctSeqs).toBe(inCloud.events);
      expect(t.hub.sync!.status()).toMatchObject({ state: 'idle', lastError: null, offlineSince: null });
    } finally {
      cloud.setFault('pass');
      await t.stop();
    }
  });
  it('retries a batch whose answer was lost after the cloud committed it, and the retry changes nothing', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      await synced(t); // the demo menu's event
      cloud.setFault('dropAfterCommit');
      const before = cloud.stats.ingestRequests;
      await postOrders(t, 20, 4);
      await expect
        .poll(async () => (await cloudFigures(cloud, cred.restaurantId, cred.hubId)).orders, {
          timeout: 10_000,
        })
        .toBe(20);
      expect(t.hub.sync!.status().pendingEvents).toBeGreaterThan(0); // the hub never heard
      cloud.setFault('pass');
      await synced(t);
      expect(cloud.stats.ingestRequests - before).toBeGreaterThanOrEqual(2);
      const inCloud = await cloudFigures(cloud, cred.restaurantId, cred.hubId);
      expect(inCloud).toMatchObject({ orders: 20, total: hubFigures(t.hub.store).total });
      expect(inCloud.events).toBe(inCloud.distinctSeqs);
      // The hub may log an event of its own after its queue drained: the cloud catches up to the
      // hub's head, whatever it is by then.
      await expect
        .poll(
          async () =>
            (await cloudFigures(cloud, cred.restaurantId, cred.hubId)).maxSeq - t.hub.store.events.headSeq(),
        )
        .toBe(0);
    } finally {
      cloud.setFault('pass');
      await t.stop();
    }
  });
  it('times out a cloud that hangs, backs off, and recovers', async () => {
    const { t } = await hubOnCloud(cloud, { syncTimeoutMs: 500 });
    try {
      await synced(t);
      cloud.setFault('hang');
      await postOrders(t, 3, 1);
      await vi.waitFor(() => expect(t.hub.sync!.status().lastError).not.toBeNull(), { timeout: 5_000 });
      expect(t.hub.sync!.status().lastError).toMatch(/abort|timeout/i);
      cloud.setFault('pass');
      await synced(t);
      expect(t.hub.sync!.status().lastError).toBeNull();
    } finally {
      cloud.setFault('pass');
      await t.stop();
    }
  });
  it('loses and doubles nothing when the hub is killed with SIGKILL while syncing', async () => {
    const cred = await cloud.addHub();
    const { dir, remove } = tempDir();
    // The credential as an operator makes it: `grow-hub cloud-credential` with the project's JWT secret.
    const minted = await runCli(
      ['cloud-credential', '--hub-id', cred.hubId, '--restaurant-id', cred.restaurantId],
      {
        GROW_SUPABASE_JWT_SECRET: cloud.jwtSecret,
      },
    );
    expect(minted.code).toBe(0);
    const env = {
      GROW_CLOUD_URL: cloud.url,
      GROW_CLOUD_ANON_KEY: cloud.anonKey,
      GROW_CLOUD_HUB_TOKEN: JSON.parse(minted.stdout).token as string,
      GROW_SYNC_LINGER_MS: '5',
      GROW_SYNC_BATCH_MAX_EVENTS: '200',
      GROW_SYNC_BACKOFF_BASE_MS: '50',
      GROW_SYNC_BACKOFF_CAP_MS: '400',
    };
    try {
      const token = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'till'])).stdout,
      ).token;
      for (let round = 0; round < 3; round++) {
        const { child, base } = await spawnHub(dir, ['--demo'], env);
        const api = apiFor(base, token);
        let stop = false;
        let answered = 0;
        const writers = Array.from({ length: 4 }, async () => {
          while (!stop) {
            await api('POST', '/api/v1/orders', burgerOrder()).then(
              () => answered++,
              () => (stop = true), // the hub died under this request
            );
          }
        });
        // Killed at a random moment under load: after a random number of answered orders.
        const target = 30 + Math.floor(Math.random() * 200);
        await expect.poll(() => answered, { timeout: 20_000 }).toBeGreaterThanOrEqual(target);
        child.kill('SIGKILL');
        stop = true;
        await exited(child);
        await Promise.all(writers);
      }
      const { child, base } = await spawnHub(dir, [], env);
      const api = apiFor(base, token);
      await expect
        .poll(async () => (await api('GET', '/api/v1/sync/status')).body.pendingEvents, { timeout: 60_000 })
        .toBe(0);
      child.kill('SIGTERM');
      await exited(child);
      const store = Store.open(join(dir, 'hub.db'));
      const hub = hubFigures(store);
      const head = store.events.headSeq();
      store.close();
      const inCloud = await cloudFigures(cloud, cred.restaurantId, cred.hubId);
      expect(hub.orders).toBeGreaterThan(0);
      expect(inCloud).toMatchObject({
        orders: hub.orders,
        total: hub.total,
        events: head,
        distinctSeqs: head,
        maxSeq: head,
      });
    } finally {
      remove();
    }
  });
});
