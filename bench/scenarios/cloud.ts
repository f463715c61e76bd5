/**
 * The cloud's aggregate load (docs/cloud-scale.md): HQ's dashboard over a chain's loaded history,
 * live ingest from many simulated hubs through PostgREST, the CPU it costs and so the cores the
 * cloud needs at 10,000 restaurants, and rollups checked against a recount; and the raw ingest
 * rate of 50 hubs pushing backlogs at once.
 */
import { demoMenu } from '../../hub/menu/demo.ts';
import { startCloud } from '../../test/support/cloud.ts';
import { rollupsAndRecounts } from '../../test/support/rollups.ts';
import { type ChainSize, chainCloud } from '../lib/chain.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { captureMeal, type LiveLoad, liveIngest } from '../lib/live-hubs.ts';
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

/** The chain's history and the live load on it. */
export type CloudScale = ChainSize & LiveLoad;

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

export async function cloudAtScale(
  o: BenchOptions,
  scale: CloudScale,
  log: (s: string) => void,
): Promise<Figure[]> {
  const { cloud, load } = await chainCloud(scale, log);
  try {
    const figures: Figure[] = [];
    const note = `${load.orders.toLocaleString('en')} orders over ${scale.restaurants.toLocaleString('en')} restaurants`;
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
        note: `${live.events} events in ${live.batches} batches of ${(live.events / live.batches).toFixed(1)} events; ${live.requests} requests; the hubs and proxy used ${live.loadCores.toFixed(2)} cores`,
      },
      {
        group: 'cloud',
        figure: 'live ingest: PostgREST ingest_batch p99 (the night, not the final drain)',
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
