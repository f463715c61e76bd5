/**
 * The cloud's aggregate load (docs/cloud-scale.md): HQ's dashboard over a chain's loaded history,
 * live ingest from many simulated hubs through PostgREST, the CPU it costs and so the cores the
 * cloud needs at 10,000 restaurants, and rollups checked against a recount; and the raw ingest
 * rate of 50 hubs pushing backlogs at once.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { demoMenu } from '../../hub/menu/demo.ts';
import { signCloudToken } from '../../sync/credential.ts';
import { startCloud, type TestCloud } from '../../test/support/cloud.ts';
import { rollupsAndRecounts } from '../../test/support/rollups.ts';
import { type ChainLoad, type ChainSize, loadChain } from '../lib/chain.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { captureMeal, type MealEvent, SimulatedHub } from '../lib/live-hubs.ts';
import { p } from '../lib/stats.ts';

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

export interface CloudScale extends ChainSize {
  /** Simulated hubs in the live-ingest load, and how long it runs. */
  hubs: number;
  minutes: number;
  /** Orders per hour per hub on a busy night. */
  rate: number;
}

/** Sizes by run length; each can be set by a flag (`npm run bench -- --only cloud --orders 10000000 …`). */
export function cloudScale(o: BenchOptions, flags: Partial<Record<keyof CloudScale, string>>): CloudScale {
  const base: CloudScale = o.quick
    ? { restaurants: 200, organisations: 10, orders: 200_000, days: 28, hubs: 100, minutes: 0.5, rate: 150 }
    : o.full
      ? {
          restaurants: 5_000,
          organisations: 100,
          orders: 10_000_000,
          days: 56,
          hubs: 1_000,
          minutes: 3,
          rate: 150,
        }
      : {
          restaurants: 1_000,
          organisations: 20,
          orders: 1_000_000,
          days: 28,
          hubs: 1_000,
          minutes: 1,
          rate: 150,
        };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) base[k as keyof CloudScale] = Number(v);
  return base;
}

const root = join(import.meta.dirname, '../..');
/** What a loaded chain depends on: the migrations and the generator. A change reloads it. */
function chainFingerprint(): string {
  const hash = createHash('sha256');
  const dir = join(root, 'supabase/migrations');
  for (const f of readdirSync(dir).sort()) hash.update(readFileSync(join(dir, f)));
  hash.update(readFileSync(join(root, 'bench/lib/chain.ts')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The cloud on a database that holds the chain, loaded once and kept between runs (it takes
 * minutes to hours): grow_bench_chain_<sizes>, dropped and loaded again when the migrations or
 * the generator change.
 */
async function chainCloud(
  size: ChainSize,
  log: (s: string) => void,
): Promise<{ cloud: TestCloud; load: ChainLoad }> {
  const name = `grow_bench_chain_${size.restaurants}_${size.organisations}_${size.orders}_${size.days}`;
  const fingerprint = chainFingerprint();
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (exists) {
      const c = new pg.Client({
        connectionString: Object.assign(new URL(server), { pathname: `/${name}` }).toString(),
      });
      await c.connect();
      const kept = await c
        .query('select load from grow_private.bench_chain where fingerprint = $1', [fingerprint])
        .catch(() => ({ rows: [] as Array<{ load: ChainLoad }> }));
      await c.end();
      if (kept.rows[0]) {
        log(`    reusing ${name} (${kept.rows[0].load.orders.toLocaleString('en')} orders)`);
        const cloud = await startCloud({ keepDatabase: name, pool: 10 });
        return { cloud, load: kept.rows[0].load };
      }
      log(`    ${name} is from other migrations or half loaded: loading again`);
      await admin.query(`drop database ${name} with (force)`);
    }
  } finally {
    await admin.end();
  }
  log(
    `    loading ${size.orders.toLocaleString('en')} orders over ${size.restaurants} restaurants and ${size.days} days into ${name}`,
  );
  const cloud = await startCloud({ keepDatabase: name, pool: 10 });
  const load = await loadChain(cloud, size, log);
  await cloud.db.query(
    'create table grow_private.bench_chain (fingerprint text primary key, load jsonb not null)',
  );
  await cloud.db.query('insert into grow_private.bench_chain values ($1, $2)', [
    fingerprint,
    JSON.stringify(load),
  ]);
  return { cloud, load };
}

/** Times one call `runs` times after a warm-up; ms per call. */
async function timed(runs: number, call: (i: number) => PromiseLike<{ error: unknown }>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await call(i);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { error } = await call(i);
    if (error) throw new Error(`HQ query refused: ${JSON.stringify(error)}`);
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** CPU seconds each process of a name has used so far (PostgreSQL's, PostgREST), by pid. */
function cpuByPid(command: string): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      used.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, USER_HZ
    } catch {
      // gone between listing and reading
    }
  }
  return used;
}

/** CPU seconds used between two samples by the pids chosen (all when none are given). */
function cpuBetween(before: Map<number, number>, after: Map<number, number>, pids?: number[]): number {
  let sum = 0;
  for (const [pid, s] of after) if (!pids || pids.includes(pid)) sum += s - (before.get(pid) ?? 0);
  return sum;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * K hubs on a busy night for `minutes`: tables sit down at `rate` an hour, each meal's four
 * commands (check, round, void, payment) come over a third of the run, and each hub sends a batch
 * after its 2-second linger and a heartbeat every 30 s. One batch in 20 overlaps what the cloud holds (a lost answer's retry), and
 * halfway one hub in ten is restored: it sends older states of some of its checks again, as a hub
 * restored from a backup does.
 */
async function liveIngest(cloud: TestCloud, scale: CloudScale, meal: MealEvent[][]) {
  const [org] = (await cloud.db.query<{ id: string }>(
    `insert into organisations (id, name) values (gen_random_uuid(), 'Live ingest ' || now()) returning id`,
  )) as [{ id: string }];
  const made = await cloud.db.query<{ restaurant_id: string; hub_id: string }>(
    `with r as (insert into restaurants (id, organisation_id, name, timezone)
                select gen_random_uuid(), $1, 'Live ' || n, 'Europe/London' from generate_series(1, $2) n returning id)
     insert into hubs (id, restaurant_id) select gen_random_uuid(), id from r returning restaurant_id, id as hub_id`,
    [org.id, scale.hubs],
  );
  const hubs = await Promise.all(
    made.map(
      async (m) =>
        new SimulatedHub(
          cloud,
          m.hub_id,
          await signCloudToken(
            { role: 'authenticated', grow_role: 'hub', hub_id: m.hub_id, restaurant_id: m.restaurant_id },
            cloud.jwtSecret,
          ),
        ),
    ),
  );
  const timingsFrom = cloud.stats.ingests.length;
  const pg0 = cpuByPid('postgres');
  const rest0 = cpuByPid('postgrest');
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + scale.minutes * 60_000;
  const perMs = scale.rate / 3_600_000;
  await Promise.all(
    hubs.map(async (h, i) => {
      let last = performance.now();
      let credit = Math.random(); // hubs out of step, as in life
      let nextBeat = last + Math.random() * 30_000;
      let restored = i % 10 !== 0;
      await sleep(Math.random() * 2_000);
      while (performance.now() < end) {
        const now = performance.now();
        credit += (now - last) * perMs;
        last = now;
        for (; credit >= 1; credit--) h.seat(meal, (end - t0) / 3);
        h.release();
        if (!restored && now > t0 + (end - t0) / 2) {
          h.restore(3);
          restored = true;
        }
        await h.push(Math.random() < 0.05 ? 5 : 0);
        if (now > nextBeat) {
          await h.heartbeat();
          nextBeat = now + 30_000;
        }
        await sleep(1_800 + Math.random() * 400);
      }
      h.release(true);
      while (h.pending > 0) await h.push(0);
    }),
  );
  const seconds = (performance.now() - t0) / 1_000;
  const pg1 = cpuByPid('postgres');
  const rest1 = cpuByPid('postgrest');
  const self = process.cpuUsage(self0);
  // PostgREST's pool: the backends that ran the calls, apart from the server's own background work.
  const serving = (
    await cloud.db.query<{ pid: number }>(
      `select pid from pg_stat_activity where usename = 'authenticator' and datname = current_database()`,
    )
  ).map((r) => r.pid);
  const orders = hubs.reduce((s, h) => s + h.orders, 0);
  const refusals = hubs.flatMap((h) => h.refusals);
  if (refusals.length > 0) throw new Error(`the cloud refused ${refusals.length} calls, e.g. ${refusals[0]}`);
  const ingests = cloud.stats.ingests.slice(timingsFrom).map((t) => t.answered - t.started);
  const events = await cloud.db.query<{ n: string }>(
    'select count(*) as n from hub_events e join hubs h on h.id = e.hub_id and h.restaurant_id = e.restaurant_id join restaurants r on r.id = h.restaurant_id where r.organisation_id = $1',
    [org.id],
  );
  return {
    organisationId: org.id,
    restaurants: made.map((m) => m.restaurant_id),
    seconds,
    orders,
    events: Number(events[0]!.n),
    requests: hubs.reduce((s, h) => s + h.requests, 0),
    ingests,
    backendCpu: cpuBetween(pg0, pg1, serving),
    postgresCpu: cpuBetween(pg0, pg1),
    postgrestCpu: cpuBetween(rest0, rest1),
    /** This process: the simulated hubs and the test cloud's proxy, on the same two cores. */
    loadCores: (self.user + self.system) / 1e6 / seconds,
  };
}

export async function cloudAtScale(
  o: BenchOptions,
  scale: CloudScale,
  log: (s: string) => void,
): Promise<Figure[]> {
  const { cloud, load } = await chainCloud(scale, log);
  try {
    const figures: Figure[] = [];
    const note = `${load.orders.toLocaleString('en')} orders over ${scale.restaurants.toLocaleString('en')} restaurants`;
    if (load.seconds > 0)
      log(
        `    history: ${load.orders} orders, ${load.lines} lines, ${load.payments} payments in ${load.seconds.toFixed(0)} s; ${load.bytesPerOrder} bytes an order`,
      );
    figures.push({
      group: 'cloud',
      figure: 'chain history load (orders/s, generated in Postgres through the rollup triggers)',
      value: Math.round(load.orders / load.seconds),
      unit: 'orders/s',
      budget: null,
      audit: null,
      note: `${note}; ${load.bytesPerOrder} bytes an order with its lines and payment`,
    });

    // HQ's dashboard for the big organisation, through PostgREST with an HQ user's token.
    const hq = cloud.client(await cloud.hqToken(load.organisationId));
    const runs = o.quick ? 30 : 100;
    const dashboard: Array<[string, (i: number) => PromiseLike<{ error: unknown }>]> = [
      ['today', () => hq.rpc('hq_sales', { p_period: 'today' })],
      ['this week', () => hq.rpc('hq_sales', { p_period: 'week' })],
      ['top items this week', () => hq.rpc('hq_top_items', { p_period: 'week', p_limit: 20 })],
      ['orders per hour today', () => hq.rpc('hq_orders_per_hour', { p_period: 'today' })],
      ['hub health', () => hq.rpc('hq_hubs')],
      ['labour this week', () => hq.rpc('hq_labour', { p_first: daysAgo(6), p_last: daysAgo(0) })],
      [
        'voids, comps, discounts this week',
        () => hq.rpc('hq_adjustments', { p_first: daysAgo(6), p_last: daysAgo(0) }),
      ],
      [
        '28-day report with comparison',
        () => hq.rpc('hq_sales_report', { p_first: daysAgo(27), p_last: daysAgo(0) }),
      ],
    ];
    for (const [name, call] of dashboard) {
      const ms = await timed(runs, call);
      figures.push({
        group: 'cloud',
        figure: `HQ ${name}, org of ${load.organisationRestaurants} restaurants p99`,
        value: p(ms, 99),
        unit: 'ms',
        budget: name.startsWith('28-day') ? null : '< 100',
        audit: null,
        note: `p50 ${p(ms, 50)} ms; ${note}`,
      });
    }
    const mine = (
      await cloud.db.query<{ id: string }>('select id from restaurants where organisation_id = $1', [
        load.organisationId,
      ])
    ).map((r) => r.id);
    const drill = await timed(runs, (i) =>
      hq.rpc('hq_checks', { p_restaurant_id: mine[i % mine.length], p_day: daysAgo(i % scale.days) }),
    );
    figures.push({
      group: 'cloud',
      figure: "HQ drill-down: one restaurant's day of checks p99",
      value: p(drill, 99),
      unit: 'ms',
      budget: '< 50',
      audit: null,
      note: `p50 ${p(drill, 50)} ms; raw rows, one partition`,
    });

    // Live ingest, then the rollups of every restaurant it touched against a recount.
    const meal = await captureMeal();
    log(
      `    live ingest: ${scale.hubs} hubs at ${scale.rate} orders/h each for ${scale.minutes} min (${meal.flat().length} events a meal in ${meal.length} commands)`,
    );
    // The same load with the rollup triggers off, first, for what the rollups cost (same run).
    const rollupTriggers = (on: boolean) =>
      cloud.db.query(
        `alter table orders ${on ? 'enable' : 'disable'} trigger orders_roll_up_inserted, ${on ? 'enable' : 'disable'} trigger orders_roll_up_updated;
         alter table order_lines ${on ? 'enable' : 'disable'} trigger lines_roll_up_inserted, ${on ? 'enable' : 'disable'} trigger lines_roll_up_updated, ${on ? 'enable' : 'disable'} trigger lines_roll_up_deleted;
         alter table payments ${on ? 'enable' : 'disable'} trigger payments_roll_up_inserted, ${on ? 'enable' : 'disable'} trigger payments_roll_up_updated;
         alter table audit_trail ${on ? 'enable' : 'disable'} trigger audit_roll_up_inserted`,
      );
    await rollupTriggers(false);
    let bare: Awaited<ReturnType<typeof liveIngest>>;
    try {
      bare = await liveIngest(cloud, scale, meal);
    } finally {
      await rollupTriggers(true);
    }
    // Their rollups (and the voided flag the orders trigger copies onto lines), counted now from
    // the raw rows, join the comparison below.
    await cloud.db.query(
      `update order_lines l set order_voided = (o.status = 'voided') from orders o
        where o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at
          and l.restaurant_id = any ($1)`,
      [bare.restaurants],
    );
    for (const r of bare.restaurants)
      await cloud.db.query('select grow_private.rebuild_rollups($1, null)', [r]);
    const live = await liveIngest(cloud, scale, meal);
    const perThousand = (cpu: number) => Math.round((cpu / live.orders) * 1_000 * 1_000);
    const bareCpu = ((bare.postgresCpu + bare.postgrestCpu) / bare.orders) * 1_000 * 1_000;
    const cpuPerOrder = (live.postgresCpu + live.postgrestCpu) / live.orders;
    const peak = (10_000 * scale.rate) / 3_600;
    figures.push(
      {
        group: 'cloud',
        figure: `live ingest: ${scale.hubs} hubs on a busy night, orders/s into Postgres`,
        value: Math.round(live.orders / live.seconds),
        unit: 'orders/s',
        budget: `> ${Math.floor(((scale.hubs * scale.rate) / 3_600) * 0.9)}`,
        audit: null,
        note: `${live.events} events in ${live.ingests.length} batches of ${(live.events / live.ingests.length).toFixed(1)} events; ${live.requests} requests; the hubs and proxy used ${live.loadCores.toFixed(2)} cores`,
      },
      {
        group: 'cloud',
        figure: 'live ingest: PostgREST ingest_batch p99',
        value: p(live.ingests, 99),
        unit: 'ms',
        budget: null,
        audit: null,
        note: `p50 ${p(live.ingests, 50)} ms`,
      },
      {
        group: 'cloud',
        figure: 'live ingest: Postgres CPU per 1,000 orders',
        value: perThousand(live.postgresCpu),
        unit: 'ms',
        budget: null,
        audit: null,
        note: `${perThousand(live.backendCpu)} ms in the backends that ran the calls, the rest WAL, checkpoints, autovacuum; PostgREST ${perThousand(live.postgrestCpu)} ms more`,
      },
      {
        group: 'cloud',
        figure: 'live ingest: Postgres and PostgREST CPU with rollups ÷ without (same run)',
        value: Math.round((perThousand(live.postgresCpu + live.postgrestCpu) / bareCpu) * 100) / 100,
        unit: '×',
        budget: null,
        audit: null,
        note: `without: ${Math.round(bareCpu)} ms per 1,000 orders; PostgREST p99 ${p(bare.ingests, 99)} ms`,
      },
      {
        group: 'cloud',
        figure: `cores at peak for 10,000 restaurants (${Math.round(peak)} orders/s)`,
        value: Math.round(peak * cpuPerOrder * 100) / 100,
        unit: 'cores',
        budget: null,
        audit: null,
        note: `Postgres and PostgREST CPU per order × 10,000 restaurants at ${scale.rate} orders/h`,
      },
    );

    const sample = await cloud.db.query<{ id: string }>(
      'select id from restaurants order by random() limit 20',
    );
    const { rollups, recounts } = await rollupsAndRecounts(cloud.db.query, [
      ...live.restaurants,
      ...bare.restaurants,
      ...sample.map((r) => r.id),
    ]);
    let rows = 0;
    let differ = 0;
    for (const table of Object.keys(rollups) as Array<keyof typeof rollups>) {
      const want = new Set(recounts[table]);
      rows += rollups[table].length;
      differ +=
        rollups[table].filter((r) => !want.has(r)).length +
        Math.abs(recounts[table].length - rollups[table].length);
    }
    figures.push({
      group: 'cloud',
      figure: 'rollup rows that differ from a recount (after replays, overlaps, restores)',
      value: differ,
      unit: 'rows',
      budget: '= 0',
      audit: null,
      note: `${rows} rollup rows of ${live.restaurants.length + bare.restaurants.length + sample.length} restaurants compared`,
    });
    return figures;
  } finally {
    await cloud.stop();
  }
}

function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}
