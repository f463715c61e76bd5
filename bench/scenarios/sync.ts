/**
 * Cloud sync: a backlog of pending orders to the real cloud (time, requests), and the request rate
 * in steady state.
 */
import { startCloud } from '../../test/support/cloud.ts';
import { apiFor, burgerOrder } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop } from '../lib/http-load.ts';
import { hubProcess, orderTarget } from '../lib/hub.ts';

export async function sync(o: BenchOptions): Promise<Figure[]> {
  const cloud = await startCloud();
  const cred = await cloud.addHub();
  const env = {
    GROW_CLOUD_URL: cloud.url,
    GROW_CLOUD_ANON_KEY: cloud.anonKey,
    GROW_CLOUD_HUB_TOKEN: cred.token,
    GROW_SYNC_BACKOFF_CAP_MS: '500',
    GROW_SYNC_BREAKER_COOLDOWN_MS: '500',
  };
  cloud.setFault('down');
  const hub = await hubProcess(env);
  try {
    const orders = o.quick ? 2_000 : 10_000;
    const api = apiFor(hub.base, hub.tokens.pos);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next++ < orders) await api('POST', '/api/v1/orders', burgerOrder());
      }),
    );
    const requestsBefore = cloud.stats.ingestRequests;
    const timingsBefore = cloud.stats.ingests.length;
    const t0 = performance.now();
    cloud.setFault('pass');
    for (;;) {
      const s = (await api('GET', '/api/v1/sync/status')).body;
      if (s.pendingEvents === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const seconds = (performance.now() - t0) / 1_000;
    const requests = cloud.stats.ingestRequests - requestsBefore;
    // Where the time went, from the proxy's clock: before each request's first byte (the hub
    // reading and serialising the batch, after the previous answer), its upload, and PostgREST
    // with ingest_batch until the answer. The rest is the answer's way back and the poll.
    const timings = cloud.stats.ingests.slice(timingsBefore);
    let previous = t0;
    const split = { hub: 0, upload: 0, cloud: 0, bytes: 0 };
    for (const t of timings) {
      split.hub += t.started - previous;
      split.upload += t.received - t.started;
      split.cloud += t.answered - t.received;
      split.bytes += t.bytes;
      previous = t.answered;
    }
    const s1 = (ms: number) => `${(ms / 1_000).toFixed(2)} s`;
    // Steady state: 2 orders/s for a while; count cloud requests per 1,000 orders.
    const steadySeconds = o.quick ? 5 : 15;
    const r0 = cloud.stats.ingestRequests;
    await openLoop(
      { ...orderTarget(hub), headers: { authorization: `Bearer ${hub.tokens.pos}` } },
      2,
      steadySeconds,
    );
    await new Promise((r) => setTimeout(r, 600));
    const perThousand = ((cloud.stats.ingestRequests - r0) / (2 * steadySeconds)) * 1_000;
    return [
      {
        group: 'sync',
        figure: `${orders.toLocaleString('en')} pending orders → cloud: time`,
        value: Math.round(seconds * 100) / 100,
        unit: 's',
        budget: '< 10',
        audit: null,
        note: `${cloud.kind}; hub builds batches ${s1(split.hub)}, upload ${s1(split.upload)}, PostgREST + ingest_batch ${s1(split.cloud)}; ${(split.bytes / 2 ** 20).toFixed(1)} MB`,
      },
      {
        group: 'sync',
        figure: `${orders.toLocaleString('en')} pending orders → cloud: requests`,
        value: requests,
        unit: 'requests',
        budget: '< 20',
        audit: null,
      },
      {
        group: 'sync',
        figure: 'steady state at 2 orders/s: cloud requests per 1,000 orders',
        value: Math.round(perThousand),
        unit: 'requests',
        budget: null,
        audit: '1,000 (one per order, cloud-only)',
        note: 'syncLingerMs 2 s batches what arrives together',
      },
    ];
  } finally {
    await hub.stop();
    await cloud.stop();
  }
}

/** 50 simulated hubs push batches into Postgres through ingest_batch at once. */
