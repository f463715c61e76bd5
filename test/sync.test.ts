import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { Store } from '../hub/store/index.ts';
import { MenuSnapshot } from '../protocol/menu.ts';
import { signCloudToken } from '../sync/credential.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import {
  apiFor,
  burgerOrder,
  exited,
  newOrderId,
  RecordingSocket,
  runCli,
  spawnHub,
  startHub,
  type TestHub,
  tempDir,
} from './support/hub.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
  console.info(
    `cloud sync tests run on ${cloud.kind === 'postgres' ? 'PostgreSQL' : 'PGlite (no PostgreSQL server found)'}`,
  );
});
afterAll(() => cloud?.stop());

/** Timings shrunk so outages and recoveries fit in a test; the logic is the production one. */
const fastSync = {
  syncLingerMs: 20,
  syncBackoffBaseMs: 50,
  syncBackoffCapMs: 400,
  syncBreakerCooldownMs: 300,
  syncMenuPollMs: 200,
  syncTimeoutMs: 1_000,
};

async function hubOnCloud(overrides: Record<string, unknown> = {}) {
  const cred = await cloud.addHub();
  const t = await startHub({
    cloudUrl: cloud.url,
    cloudAnonKey: cloud.anonKey,
    cloudHubToken: cred.token,
    ...fastSync,
    ...overrides,
  });
  return { t, cred };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const synced = (t: TestHub) =>
  until(() => t.hub.sync!.status().pendingEvents === 0, 60_000, 'sync to finish');

async function postOrders(t: TestHub, n: number, concurrency = 32) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) {
        const res = await t.api('POST', '/api/v1/orders', burgerOrder());
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      }
    }),
  );
}

function hubFigures(store: Store) {
  return store.db
    .prepare('SELECT COUNT(*) AS orders, COALESCE(SUM(total), 0) AS total FROM orders')
    .get() as { orders: number; total: number };
}

async function cloudFigures(restaurantId: string, hubId: string) {
  const [o] = await cloud.db.query<{ orders: string; total: string }>(
    'select count(*) as orders, coalesce(sum(total), 0) as total from orders where restaurant_id = $1',
    [restaurantId],
  );
  const [e] = await cloud.db.query<{ events: string; distinct_seqs: string; max_seq: string }>(
    'select count(*) as events, count(distinct seq) as distinct_seqs, coalesce(max(seq), 0) as max_seq from hub_events where hub_id = $1',
    [hubId],
  );
  return {
    orders: Number(o!.orders),
    total: Number(o!.total),
    events: Number(e!.events),
    distinctSeqs: Number(e!.distinct_seqs),
    maxSeq: Number(e!.max_seq),
  };
}

describe('cloud sync', () => {
  it('keeps taking 5,000 orders through a cloud outage, then delivers every one exactly once in few requests', async () => {
    cloud.setFault('down');
    const { t, cred } = await hubOnCloud();
    try {
      await postOrders(t, 5_000);
      await until(
        () => t.hub.sync!.status().state !== 'syncing' && t.hub.sync!.status().lastError !== null,
        10_000,
        'a failure',
      );
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
      const inCloud = await cloudFigures(cred.restaurantId, cred.hubId);
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
    const { t, cred } = await hubOnCloud();
    try {
      await synced(t); // the demo menu's event
      cloud.setFault('dropAfterCommit');
      const before = cloud.stats.ingestRequests;
      await postOrders(t, 20, 4);
      await until(
        async () => (await cloudFigures(cred.restaurantId, cred.hubId)).orders === 20,
        10_000,
        'the commit',
      );
      expect(t.hub.sync!.status().pendingEvents).toBeGreaterThan(0); // the hub never heard
      cloud.setFault('pass');
      await synced(t);
      expect(cloud.stats.ingestRequests - before).toBeGreaterThanOrEqual(2);
      const inCloud = await cloudFigures(cred.restaurantId, cred.hubId);
      expect(inCloud).toMatchObject({ orders: 20, total: hubFigures(t.hub.store).total });
      expect(inCloud.events).toBe(inCloud.distinctSeqs);
      expect(inCloud.maxSeq).toBe(t.hub.store.events.headSeq());
    } finally {
      cloud.setFault('pass');
      await t.stop();
    }
  });

  it('times out a cloud that hangs, backs off, and recovers', async () => {
    const { t } = await hubOnCloud({ syncTimeoutMs: 500 });
    try {
      await synced(t);
      cloud.setFault('hang');
      await postOrders(t, 3, 1);
      await until(() => t.hub.sync!.status().lastError !== null, 5_000, 'the timeout');
      expect(t.hub.sync!.status().lastError).toMatch(/abort|timeout/i);
      cloud.setFault('pass');
      await synced(t);
      expect(t.hub.sync!.status().lastError).toBeNull();
    } finally {
      cloud.setFault('pass');
      await t.stop();
    }
  });

  it('quarantines an event the cloud refuses, sends a tombstone in its place, and keeps the queue moving', async () => {
    const { t, cred } = await hubOnCloud();
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
      expect((await cloudFigures(cred.restaurantId, cred.hubId)).orders).toBe(20);
    } finally {
      await t.stop();
    }
  });

  it('brings a menu HQ publishes to the hub and its devices; a price change applies to new orders only', async () => {
    const { t, cred } = await hubOnCloud();
    try {
      const { body: before } = await t.api('POST', '/api/v1/orders', {
        id: newOrderId(),
        lines: [{ itemId: 'cola', qty: 1 }],
      });
      expect(before.lines[0].unitPrice).toBe(350);
      const socket = new RecordingSocket(t.wsUrl, t.tokens.kds, {
        since: t.hub.store.events.headSeq(),
        stations: 'bar',
      });
      await socket.waitFor(() => socket.messages.find((m) => m.type === 'caught_up'));
      const menu = demoMenu();
      const v2 = {
        ...menu,
        version: 2,
        items: menu.items.map((i) => (i.id === 'cola' ? { ...i, price: 400 } : i)),
      };
      const hq = cloud.client(await cloud.hqToken(cred.organisationId));
      const published = await hq
        .from('menu_versions')
        .insert({ restaurant_id: cred.restaurantId, version: 2, body: v2 });
      expect(published.error).toBeNull();
      const applied = await socket.waitFor(
        () => socket.events().find((e) => e.type === 'menu.applied'),
        10_000,
      );
      expect(applied.data.version).toBe(2);
      socket.close();
      const { body: after } = await t.api('POST', '/api/v1/orders', {
        id: newOrderId(),
        lines: [{ itemId: 'cola', qty: 1 }],
      });
      expect(after.lines[0].unitPrice).toBe(400);
      expect(after.menuVersion).toBe(2);
      expect((await t.api('GET', `/api/v1/orders/${before.id}`)).body.lines[0].unitPrice).toBe(350);
      await synced(t);
      const lines = await cloud.db.query<{ order_id: string; unit_price: string }>(
        'select order_id, unit_price from order_lines where restaurant_id = $1',
        [cred.restaurantId],
      );
      const price = Object.fromEntries(lines.map((l) => [l.order_id, Number(l.unit_price)]));
      expect(price).toEqual({ [before.id]: 350, [after.id]: 400 });
    } finally {
      await t.stop();
    }
  });

  it('syncs two restaurants at once, and row level security keeps each hub to its own rows', async () => {
    const [a, b] = await Promise.all([hubOnCloud(), hubOnCloud()]);
    try {
      await Promise.all([postOrders(a.t, 300), postOrders(b.t, 200)]);
      await Promise.all([synced(a.t), synced(b.t)]);
      expect((await cloudFigures(a.cred.restaurantId, a.cred.hubId)).orders).toBe(300);
      expect((await cloudFigures(b.cred.restaurantId, b.cred.hubId)).orders).toBe(200);

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
        const writers = Array.from({ length: 4 }, async () => {
          while (!stop) await api('POST', '/api/v1/orders', burgerOrder()).catch(() => (stop = true));
        });
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 500));
        child.kill('SIGKILL');
        stop = true;
        await exited(child);
        await Promise.all(writers);
      }
      const { child, base } = await spawnHub(dir, [], env);
      const api = apiFor(base, token);
      await until(
        async () => (await api('GET', '/api/v1/sync/status')).body.pendingEvents === 0,
        60_000,
        'the restarted hub to sync',
      );
      child.kill('SIGTERM');
      await exited(child);
      const store = Store.open(join(dir, 'hub.db'));
      const hub = hubFigures(store);
      const head = store.events.headSeq();
      store.close();
      const inCloud = await cloudFigures(cred.restaurantId, cred.hubId);
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

  it('syncs payments and refunds into the cloud payments table', async () => {
    const { t, cred } = await hubOnCloud();
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
