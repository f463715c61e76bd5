import { expect, vi } from 'vitest';
import type { Store } from '../../hub/store/index.ts';
import type { TestCloud } from './cloud.ts';
import { burgerOrder, startHub, type TestHub } from './hub.ts';

/** Timings shrunk so outages and recoveries fit in a test; the logic is the production one. */
const fastSync = {
  syncLingerMs: 20,
  syncBackoffBaseMs: 50,
  syncBackoffCapMs: 400,
  syncBreakerCooldownMs: 300,
  syncMenuPollMs: 200,
  syncTimeoutMs: 1_000,
};

/** A hub in this process with its own credential on `cloud`. */
export async function hubOnCloud(cloud: TestCloud, overrides: Record<string, unknown> = {}) {
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

/** Wait until the hub has nothing left to send. */
export const synced = (t: TestHub) =>
  vi.waitFor(() => expect(t.hub.sync!.status().pendingEvents).toBe(0), { timeout: 60_000, interval: 50 });

export async function postOrders(t: TestHub, n: number, concurrency = 32) {
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

/** Orders and their total as the hub holds them. */
export function hubFigures(store: Store) {
  return store.db
    .prepare('SELECT COUNT(*) AS orders, COALESCE(SUM(total), 0) AS total FROM orders')
    .get() as { orders: number; total: number };
}

/** Orders, their total and the events the cloud holds for one hub. */
export async function cloudFigures(cloud: TestCloud, restaurantId: string, hubId: string) {
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
