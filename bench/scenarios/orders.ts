/**
 * Order create over HTTP and over a till's socket: throughput at saturation, and latency percentiles
 * at fixed offered rates (open loop, so queueing is not hidden), with the hub's own commit and WAL
 * flush histograms beside them to attribute a tail.
 */
import { burgerOrder } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, saturate } from '../lib/http-load.ts';
import { diffHistogram, histogram, hubProcess, orderTarget } from '../lib/hub.ts';
import { percentile, repeat, spread } from '../lib/stats.ts';
import { wsOpenLoop, wsSaturate } from '../lib/ws-load.ts';

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
