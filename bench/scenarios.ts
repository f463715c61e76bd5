import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { demoMenu } from '../hub/menu/demo.ts';
import { Store } from '../hub/store/index.ts';
import { MenuSnapshot } from '../protocol/menu.ts';
import { RealtimeClient } from '../protocol/realtime-client.ts';
import { startCloud } from '../test/support/cloud.ts';
import {
  apiFor,
  burgerOrder,
  exited,
  productionEntry,
  runCli,
  spawnHub,
  tempDir,
} from '../test/support/hub.ts';
import { openLoop, saturate, type Target } from './lib/http-load.ts';
import { cpuSeconds, rssBytes } from './lib/proc.ts';
import { percentile, repeat } from './lib/stats.ts';
import { wsOpenLoop, wsSaturate } from './lib/ws-load.ts';

export interface Figure {
  group: string;
  figure: string;
  value: number;
  unit: string;
  /** e.g. "< 10" or "> 2000" (DESIGN.md budgets); null when DESIGN.md sets none. */
  budget: string | null;
  /** AUDIT.md's target for the cloud-only system, for comparison. */
  audit: string | null;
  min?: number;
  max?: number;
  note?: string;
}

export interface BenchOptions {
  quick: boolean;
  full: boolean;
  seconds: number;
  reps: number;
}

interface RunningHub {
  child: ChildProcess;
  base: string;
  port: number;
  dir: string;
  tokens: { pos: string; kds: string; manager: string };
  stop: () => Promise<void>;
}

/** A hub in its own process (as in production), on a fresh data dir with device tokens. */
async function hubProcess(
  env: Record<string, string> = {},
  existing?: { dir: string; tokens: RunningHub['tokens'] },
  port = 0,
): Promise<RunningHub> {
  const tmp = existing ? { dir: existing.dir, remove: () => {} } : tempDir('grow-bench-');
  let tokens = existing?.tokens;
  if (!tokens) {
    const make = async (role: string) =>
      JSON.parse(
        (await runCli(['device', 'create', '--data-dir', tmp.dir, '--role', role, '--name', `bench ${role}`]))
          .stdout,
      ).token as string;
    tokens = { pos: await make('pos'), kds: await make('kds'), manager: await make('manager') };
  }
  const { child, base } = await spawnHub(
    tmp.dir,
    ['--demo', '--port', String(port)],
    { GROW_LOG_LEVEL: 'error', ...env },
    productionEntry,
  );
  return {
    child,
    base,
    port: Number(new URL(base).port),
    dir: tmp.dir,
    tokens,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      if (!existing) tmp.remove();
    },
  };
}

const orderTarget = (hub: RunningHub): Target => ({
  port: hub.port,
  path: '/api/v1/orders',
  method: 'POST',
  headers: { authorization: `Bearer ${hub.tokens.pos}` },
  body: () => JSON.stringify(burgerOrder()),
});

/** One of the hub's histograms (cumulative counts by upper bound, seconds), from /metrics. */
async function histogram(hub: RunningHub, name: string): Promise<{ total: number; le: Map<number, number> }> {
  const text = (await apiFor(hub.base, hub.tokens.manager)('GET', '/metrics')).body as string;
  const le = new Map<number, number>();
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) {
    if (m[1] === '+Inf') total = Number(m[2]);
    else le.set(Number(m[1]), Number(m[2]));
  }
  return { total, le };
}

function diffHistogram(
  after: { total: number; le: Map<number, number> },
  before: { total: number; le: Map<number, number> },
) {
  return {
    total: after.total - before.total,
    le: new Map([...after.le].map(([k, v]) => [k, v - (before.le.get(k) ?? 0)])),
  };
}

const p = (values: number[], q: number) => Math.round(percentile(values, q) * 100) / 100;
const round2 = (n: number) => Math.round(n * 100) / 100;
/** Median of per-repetition values, with their min and max. */
const spread = (per: number[]) => ({
  value: round2(percentile(per, 50)),
  min: round2(Math.min(...per)),
  max: round2(Math.max(...per)),
});

export async function orderCreate(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const figures: Figure[] = [];
    await saturate(orderTarget(hub), 32, 1); // warm-up
    const sat = await repeat(o.reps, async () => {
      const r = await saturate(orderTarget(hub), 64, o.seconds);
      return r.ok / r.seconds;
    });
    figures.push({
      group: 'orders',
      figure: 'order create throughput at saturation (HTTP, 64 conns)',
      value: Math.round(sat.median),
      min: Math.round(sat.min),
      max: Math.round(sat.max),
      unit: 'orders/s',
      budget: '> 2000',
      audit: '> 8.3 (500/min)',
    });
    for (const rate of o.quick ? [50, 500] : [50, 500, 2_000]) {
      const runs = [];
      const names = ['grow_commit_duration_seconds', 'grow_wal_flush_duration_seconds'];
      const before = await Promise.all(names.map((n) => histogram(hub, n)));
      for (let i = 0; i < o.reps; i++) runs.push(await openLoop(orderTarget(hub), rate, o.seconds));
      const [commits, flushes] = await Promise.all(
        names.map(async (n, i) => diffHistogram(await histogram(hub, n), before[i]!)),
      );
      const over = (h: typeof commits, s: number) => h!.total - (h!.le.get(s) ?? 0);
      figures.push(
        {
          group: 'orders',
          figure: `commits holding the event loop > 10 ms @ ${rate}/s`,
          value: over(commits, 0.01),
          unit: `of ${commits!.total}`,
          budget: null,
          audit: null,
          note: `> 25 ms: ${over(commits, 0.025)}; each stalls every request behind it`,
        },
        {
          group: 'orders',
          figure: `WAL flushes (fdatasync) > 10 ms @ ${rate}/s`,
          value: over(flushes, 0.01),
          unit: `of ${flushes!.total}`,
          budget: null,
          audit: null,
          note: `> 25 ms: ${over(flushes, 0.025)}; off the loop, but every answer waits for one`,
        },
      );
      const failed = runs.reduce((n, r) => n + r.failed, 0);
      for (const [q, budget, audit] of [
        [50, null, '< 300'],
        [99, '< 10', '< 1000'],
        [99.9, null, null],
      ] as const) {
        const per = runs.map((r) => percentile(r.latencies, q));
        figures.push({
          group: 'orders',
          figure: `order create p${q} @ ${rate}/s offered (open loop)`,
          ...spread(per),
          unit: 'ms',
          budget,
          audit,
          note: q === 99.9 && failed > 0 ? `${failed} requests failed` : undefined,
        });
      }
    }
    const ws = { port: hub.port, token: hub.tokens.pos, body: () => burgerOrder() };
    const wsSat = await repeat(o.reps, () => wsSaturate(ws, 16, 4, o.seconds));
    figures.push({
      group: 'orders',
      figure: 'order create throughput at saturation (WebSocket, 16 sockets × 4)',
      value: Math.round(wsSat.median),
      min: Math.round(wsSat.min),
      max: Math.round(wsSat.max),
      unit: 'orders/s',
      budget: '> 2000',
      audit: null,
      note: 'each sending socket also receives every event (a POS sees all)',
    });
    const wsRuns = [];
    for (let i = 0; i < o.reps; i++) wsRuns.push(await wsOpenLoop(ws, 500, o.seconds));
    for (const q of [50, 99] as const) {
      figures.push({
        group: 'orders',
        figure: `order create p${q} over WebSocket @ 500/s offered`,
        ...spread(wsRuns.map((r) => percentile(r, q))),
        unit: 'ms',
        budget: q === 99 ? '< 10' : null,
        audit: null,
      });
    }
    return figures;
  } finally {
    await hub.stop();
  }
}

/** Order → ticket on every KDS socket: 20 sockets, orders posted at 100/s. */
export async function fanOut(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  const sockets: WebSocket[] = [];
  try {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/ws?since=${1_000_000_000}`, {
        headers: { authorization: `Bearer ${hub.tokens.kds}` },
      });
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString());
        if (msg.type === 'order.created') {
          const t0 = sentAt.get(msg.data.order.id);
          if (t0 !== undefined) latencies.push(performance.now() - t0);
        }
      });
      await new Promise((r) => ws.once('open', r));
      sockets.push(ws);
    }
    await new Promise((r) => setTimeout(r, 300));
    const target: Target = {
      ...orderTarget(hub),
      body: () => {
        const body = burgerOrder();
        sentAt.set(body.id, performance.now());
        return JSON.stringify(body);
      },
    };
    const runs = await repeat(o.reps, async () => {
      latencies.length = 0;
      await openLoop(target, 100, o.seconds);
      await new Promise((r) => setTimeout(r, 200));
      return percentile(latencies, 99);
    });
    return [
      {
        group: 'realtime',
        figure: 'order → all 20 KDS sockets p50 @ 100 orders/s',
        value: p(latencies, 50),
        unit: 'ms',
        budget: null,
        audit: '< 100',
      },
      {
        group: 'realtime',
        figure: 'order → all 20 KDS sockets p99 @ 100 orders/s',
        ...spread(runs.runs),
        unit: 'ms',
        budget: '< 15',
        audit: '< 300',
      },
    ];
  } finally {
    for (const s of sockets) s.terminate();
    await hub.stop();
  }
}

/** A 1,000-item menu, as a large restaurant group's might be. */
export function bigMenu(version: number) {
  const base = demoMenu();
  const items = Array.from({ length: 1_000 }, (_, i) => {
    const src = base.items[i % base.items.length]!;
    return { ...src, id: `${src.id}-${i}`, name: `${src.name} ${i}`, sort: i };
  });
  return { ...base, version, items };
}

export async function menuLoad(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const api = apiFor(hub.base, hub.tokens.manager);
    const put = await api('PUT', '/api/v1/menu', bigMenu(2));
    if (put.status !== 200) throw new Error(`menu PUT failed: ${JSON.stringify(put.body)}`);
    const target: Target = {
      port: hub.port,
      path: '/api/v1/menu',
      method: 'GET',
      headers: { authorization: `Bearer ${hub.tokens.pos}` },
    };
    const runs = await repeat(o.reps, async () =>
      percentile((await openLoop(target, 200, o.seconds)).latencies, 99),
    );
    const last = await openLoop(target, 200, o.seconds);
    // Search over the same 1,000 items, with varied queries, once the index has been rebuilt and
    // the new items embedded after the PUT (a search meanwhile waits for it).
    const indexed = async () =>
      (await api('GET', '/api/v1/status')).body.search as { indexedItems: number; embedder: string };
    for (let i = 0; i < 600; i++) {
      const s = await indexed();
      if (s.indexedItems >= 1_000 || s.embedder !== 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const queries = [
      'burger',
      'fizzy drink',
      'buger with bacon',
      'something sweet',
      'vegan',
      'coffee',
      'cold beer',
      'pasta',
      'spicy chicken',
      'sencha',
    ];
    let qi = 0;
    const search: Target = {
      port: hub.port,
      path: '/api/v1/menu/search?q=burger',
      method: 'GET',
      headers: { authorization: `Bearer ${hub.tokens.pos}` },
    };
    const searchRuns = [];
    for (let i = 0; i < o.reps; i++) {
      const path = () => `/api/v1/menu/search?q=${encodeURIComponent(queries[qi++ % queries.length]!)}`;
      searchRuns.push(await openLoop({ ...search, path }, 200, o.seconds));
    }
    return [
      {
        group: 'menu',
        figure: 'menu load (1,000 items, ~400 kB) p50 @ 200/s',
        value: p(last.latencies, 50),
        unit: 'ms',
        budget: null,
        audit: '< 200',
      },
      {
        group: 'menu',
        figure: 'menu load (1,000 items, ~400 kB) p99 @ 200/s',
        ...spread(runs.runs),
        unit: 'ms',
        budget: '< 20',
        audit: '< 500',
      },
      {
        group: 'menu',
        figure: 'search (1,000 items, hybrid) p50 @ 200/s',
        ...spread(searchRuns.map((r) => percentile(r.latencies, 50))),
        unit: 'ms',
        budget: null,
        audit: '< 500',
      },
      {
        group: 'menu',
        figure: 'search (1,000 items, hybrid) p99 @ 200/s',
        ...spread(searchRuns.map((r) => percentile(r.latencies, 99))),
        unit: 'ms',
        budget: '< 20',
        audit: '< 1500',
      },
    ];
  } finally {
    await hub.stop();
  }
}

export async function sockets(o: BenchOptions): Promise<Figure[]> {
  // This figure is memory per idle socket, not admission: lift the handshake rate for the setup.
  const hub = await hubProcess({ GROW_WS_HANDSHAKES_PER_SECOND: '100000' });
  const open: WebSocket[] = [];
  try {
    const before = rssBytes(hub.child.pid!);
    for (let i = 0; i < 1_000; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/ws?since=1000000000`, {
        headers: { authorization: `Bearer ${hub.tokens.kds}` },
      });
      ws.on('error', () => {});
      open.push(ws);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(
      open.map((ws) => (ws.readyState === WebSocket.OPEN ? null : new Promise((r) => ws.once('open', r)))),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const cpu0 = cpuSeconds(hub.child.pid!);
    const idleSeconds = o.quick ? 3 : 10;
    await new Promise((r) => setTimeout(r, idleSeconds * 1_000));
    const cpu = ((cpuSeconds(hub.child.pid!) - cpu0) / idleSeconds) * 100;
    const rss = rssBytes(hub.child.pid!);
    const status = await apiFor(hub.base, hub.tokens.manager)('GET', '/api/v1/status');
    const embedderRss = rssBytes(status.body.search.embedderPid);
    for (const ws of open) ws.terminate();
    const mb = (bytes: number) => Math.round(bytes / 1_048_576);
    return [
      {
        group: 'sockets',
        figure: 'hub RSS with 1,000 idle authenticated sockets',
        value: mb(rss),
        unit: 'MB',
        budget: '< 150',
        audit: null,
        note: `${mb(before)} MB before; the embedding process is apart (next rows)`,
      },
      {
        group: 'sockets',
        figure: 'embedding process RSS (onnxruntime + model)',
        value: mb(embedderRss),
        unit: 'MB',
        budget: null,
        audit: null,
      },
      {
        group: 'sockets',
        figure: 'hub + embedding process RSS, 1,000 idle sockets',
        value: mb(rss + embedderRss),
        unit: 'MB',
        budget: null,
        audit: null,
        note: 'everything the hub needs resident',
      },
      {
        group: 'sockets',
        figure: 'hub CPU with 1,000 idle sockets',
        value: Math.round(cpu * 10) / 10,
        unit: '% of a core',
        budget: null,
        audit: null,
      },
    ];
  } finally {
    await hub.stop();
  }
}

/** 500 devices (the real client library) reconnect at once after a hub restart. */
export async function reconnectStorm(o: BenchOptions): Promise<Figure[]> {
  const n = o.quick ? 200 : 500;
  let hub = await hubProcess();
  const clients: RealtimeClient[] = [];
  try {
    const live = new Set<number>();
    for (let i = 0; i < n; i++) {
      const c = new RealtimeClient({
        url: `ws://127.0.0.1:${hub.port}/ws`,
        token: hub.tokens.kds,
        since: 0,
        connect: (url) => {
          const ws = new WebSocket(url);
          ws.on('error', () => {});
          return ws as never;
        },
        onEvent: () => {},
        onState: (s) => (s.status === 'live' ? live.add(i) : live.delete(i)),
      });
      c.start();
      clients.push(c);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
    }
    while (live.size < n) await new Promise((r) => setTimeout(r, 50));
    const { dir, tokens, port } = hub;
    hub.child.kill('SIGTERM');
    await exited(hub.child);
    const t0 = performance.now();
    hub = await hubProcess({}, { dir, tokens }, port);
    while (live.size < n) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - t0) / 1_000;
    const stormRss = rssBytes(hub.child.pid!);
    return [
      {
        group: 'sockets',
        figure: `hub RSS after a ${n}-socket reconnect storm`,
        value: Math.round(stormRss / 1_048_576),
        unit: 'MB',
        budget: '< 150',
        audit: null,
      },
      {
        group: 'sockets',
        figure: `${n}-socket reconnect storm: restart → all resumed`,
        value: Math.round(seconds * 100) / 100,
        unit: 's',
        budget: null,
        audit: '5–10 (recovery)',
        note: 'includes the hub process restart; clients back off with full jitter (cap 15 s)',
      },
    ];
  } finally {
    for (const c of clients) c.stop();
    await hub.stop();
    rmSync(hub.dir, { recursive: true, force: true });
  }
}

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
    const t0 = performance.now();
    cloud.setFault('pass');
    for (;;) {
      const s = (await api('GET', '/api/v1/sync/status')).body;
      if (s.pendingEvents === 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const seconds = (performance.now() - t0) / 1_000;
    const requests = cloud.stats.ingestRequests - requestsBefore;
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
        note: `${cloud.kind}`,
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
export async function cloudIngest(o: BenchOptions): Promise<Figure[]> {
  const cloud = await startCloud();
  try {
    const hubs = [];
    for (let i = 0; i < 50; i++) hubs.push(await cloud.addHub()); // one admin connection: one query at a time
    const batches = o.quick ? 2 : 5;
    const perBatch = 200;
    const sample = demoMenu();
    const t0 = performance.now();
    await Promise.all(
      hubs.map(async (h) => {
        const client = cloud.client(h.token);
        for (let b = 0; b < batches; b++) {
          const events = Array.from({ length: perBatch }, (_, i) => {
            const seq = b * perBatch + i + 1;
            const id = crypto.randomUUID();
            const at = new Date().toISOString();
            const item = sample.items[i % sample.items.length]!;
            return {
              seq,
              type: 'order.created',
              entityId: id,
              at,
              data: {
                order: {
                  id,
                  number: seq,
                  status: 'sent',
                  currency: 'USD',
                  menuVersion: 1,
                  subtotal: item.price,
                  tax: 0,
                  total: item.price,
                  note: null,
                  tableLabel: null,
                  voidReason: null,
                  deviceId: null,
                  createdAt: at,
                  updatedAt: at,
                  lines: [
                    {
                      lineNo: 1,
                      itemId: item.id,
                      name: item.name,
                      qty: 1,
                      unitPrice: item.price,
                      lineTotal: item.price,
                      stationId: item.stationId,
                      taxClassId: item.taxClassId,
                      modifiers: [],
                      note: null,
                    },
                  ],
                },
              },
            };
          });
          const r = await client.rpc('ingest_batch', {
            p_hub_id: h.hubId,
            p_from_seq: b * perBatch + 1,
            p_to_seq: (b + 1) * perBatch,
            p_events: events,
          });
          if (r.error) throw new Error(r.error.message);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1_000;
    return [
      {
        group: 'cloud',
        figure: 'cloud ingest: orders/s into Postgres, 50 hubs pushing at once',
        value: Math.round((50 * batches * perBatch) / seconds),
        unit: 'orders/s',
        budget: null,
        audit: null,
        note: `${cloud.kind}, batches of ${perBatch}`,
      },
    ];
  } finally {
    await cloud.stop();
  }
}

/** Hub RSS after 10k and 100k orders (1M with --full): memory must not grow with history. */
export async function memory(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const marks = o.full ? [10_000, 100_000, 1_000_000] : o.quick ? [5_000, 20_000] : [10_000, 100_000];
    const figures: Figure[] = [];
    let done = 0;
    const rss: number[] = [];
    for (const mark of marks) {
      let next = done;
      const api = apiFor(hub.base, hub.tokens.pos);
      await Promise.all(
        Array.from({ length: 48 }, async () => {
          while (next++ < mark) await api('POST', '/api/v1/orders', burgerOrder());
        }),
      );
      done = mark;
      await new Promise((r) => setTimeout(r, 500));
      rss.push(rssBytes(hub.child.pid!));
      figures.push({
        group: 'memory',
        figure: `hub RSS after ${mark.toLocaleString('en')} orders`,
        value: Math.round(rss.at(-1)! / 1_048_576),
        unit: 'MB',
        budget: null,
        audit: null,
      });
    }
    const growth = ((rss.at(-1)! - rss[0]!) / rss[0]!) * 100;
    figures.push({
      group: 'memory',
      figure: `hub RSS growth ${marks[0]!.toLocaleString('en')} → ${marks.at(-1)!.toLocaleString('en')} orders`,
      value: Math.round(growth * 10) / 10,
      unit: '%',
      budget: '< 10',
      audit: null,
    });
    return figures;
  } finally {
    await hub.stop();
  }
}

/** kill -9 trials under an order stream: acknowledged orders lost (must be 0). */
export async function killTrials(o: BenchOptions): Promise<Figure[]> {
  // 80 here and 20 in `npm test` (test/durability.test.ts): 100 kill -9 trials across the suites.
  const trials = o.quick ? 5 : 80;
  const { dir, remove } = tempDir('grow-bench-kill-');
  const token = JSON.parse(
    (await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'kill'])).stdout,
  ).token as string;
  const acked = new Set<string>();
  try {
    for (let i = 0; i < trials; i++) {
      const { child, base } = await spawnHub(dir, ['--demo'], { GROW_LOG_LEVEL: 'error' }, productionEntry);
      const api = apiFor(base, token);
      let stop = false;
      const writers = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const body = burgerOrder();
          const res = await api('POST', '/api/v1/orders', body).catch(() => null);
          if (!res) return;
          if (res.status < 300) acked.add(body.id);
        }
      });
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 500));
      child.kill('SIGKILL');
      stop = true;
      await exited(child);
      await Promise.all(writers);
    }
    const store = Store.open(join(dir, 'hub.db'));
    const has = store.db.prepare('SELECT 1 FROM orders WHERE id = ?').pluck();
    const lost = [...acked].filter((id) => !has.get(id)).length;
    const integrity = store.integrityCheck();
    store.close();
    return [
      {
        group: 'durability',
        figure: `kill -9 trials under an order stream (${acked.size} acked orders)`,
        value: trials,
        unit: 'trials',
        budget: null,
        audit: null,
        note: `integrity_check: ${integrity}`,
      },
      {
        group: 'durability',
        figure: 'acknowledged orders lost',
        value: lost,
        unit: 'orders',
        budget: '= 0',
        audit: null,
      },
    ];
  } finally {
    remove();
  }
}

/** Peers in the same run: what the hub costs over bare fastify, raw SQLite and bare ws. */
export async function peers(o: BenchOptions, hubFigures: Figure[]): Promise<Figure[]> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'peers/hello.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((r) =>
    child.stdout!.once('data', (d) => r(Number(String(d).trim()))),
  );
  const hello = await repeat(o.reps, async () => {
    const res = await saturate({ port, path: '/', method: 'GET', headers: {} }, 64, o.seconds);
    return res.ok / res.seconds;
  });
  child.kill();

  const { dir, remove } = tempDir('grow-bench-sqlite-');
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  const one = db.transaction((id: string, body: string) => insert.run(id, body));
  const body = JSON.stringify(burgerOrder());
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < o.seconds * 1_000) {
    one(crypto.randomUUID(), body);
    n++;
  }
  const rawPerSecond = n / ((performance.now() - t0) / 1_000);
  db.close();
  remove();

  const bare = await bareBroadcastP99(o);
  const hubFanout =
    hubFigures.find((f) => f.figure.startsWith('order → all 20 KDS sockets p99'))?.value ?? Number.NaN;
  const hubRate = hubFigures.find((f) => f.figure.startsWith('order create throughput'))?.value ?? Number.NaN;
  return [
    {
      group: 'peers',
      figure: 'bare fastify hello-world (64 conns)',
      value: Math.round(hello.median),
      min: Math.round(hello.min),
      max: Math.round(hello.max),
      unit: 'req/s',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'hub order create ÷ bare fastify hello-world',
      value: Math.round((hubRate / hello.median) * 100) / 100,
      unit: 'ratio',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'bare ws broadcast to 20 sockets p99 @ 100 msg/s',
      value: bare,
      unit: 'ms',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'hub order → KDS p99 ÷ bare ws broadcast p99',
      value: Math.round((hubFanout / bare) * 100) / 100,
      unit: 'ratio',
      budget: null,
      audit: null,
      note: 'the hub also validates, prices, commits (fsync) and routes',
    },
    {
      group: 'peers',
      figure: 'raw better-sqlite3 single-row transactions (WAL, synchronous=FULL)',
      value: Math.round(rawPerSecond),
      unit: 'tx/s',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'hub group-committed orders ÷ raw single-row transactions',
      value: Math.round((hubRate / rawPerSecond) * 100) / 100,
      unit: 'ratio',
      budget: null,
      audit: null,
      note: 'each hub order also writes tickets and 3 events',
    },
  ];
}

/** p99 from sending on a source socket to arrival on each of 20 sockets of a bare ws relay. */
async function bareBroadcastP99(o: BenchOptions): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'peers/broadcast.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((r) =>
    child.stdout!.once('data', (d) => r(Number(String(d).trim()))),
  );
  const latencies: number[] = [];
  const sinks: WebSocket[] = [];
  for (let i = 0; i < 20; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sink`);
    ws.on('message', (d) => latencies.push(performance.now() - Number(JSON.parse(d.toString()).t)));
    await new Promise((r) => ws.once('open', r));
    sinks.push(ws);
  }
  const source = new WebSocket(`ws://127.0.0.1:${port}/source`);
  await new Promise((r) => source.once('open', r));
  const payload = 'x'.repeat(1_500); // about an order.created event
  const runs: number[] = [];
  for (let rep = 0; rep < o.reps; rep++) {
    latencies.length = 0;
    const total = 100 * o.seconds;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + i * 10 - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      source.send(JSON.stringify({ t: performance.now(), payload }));
    }
    await new Promise((r) => setTimeout(r, 200));
    runs.push(percentile(latencies, 99));
  }
  for (const ws of [...sinks, source]) ws.terminate();
  child.kill();
  return Math.round(percentile(runs, 50) * 100) / 100;
}
