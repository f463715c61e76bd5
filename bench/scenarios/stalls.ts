/**
 * Where the tails come from (issue 21). Against hubs with their stall trace on (GC pauses,
 * event-loop stalls, commits, WAL fdatasyncs, checkpoints, embedding calls), two loads: open-loop
 * orders at 2,000/s (every request over 10 ms is put down to the cause that overlapped it
 * longest), and orders at 100/s to 20 KDS sockets (every delivery over 3 ms, three times the bare
 * ws broadcast's p99, likewise).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StallReport } from '../../hub/status/stalls.ts';
import { apiFor } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, saturate } from '../lib/http-load.ts';
import { hubProcess, orderTarget, type RunningHub } from '../lib/hub.ts';
import { placement } from '../lib/placement.ts';
import { attribute, type Blame } from '../lib/stalls.ts';
import { percentile } from '../lib/stats.ts';
import { kdsDeliveries } from './realtime.ts';

const RESULTS = join(import.meta.dirname, '../results');

const label: Record<Blame, string> = {
  'event-loop': 'other work on the event loop (JS: parse, validate, serialise)',
  descheduled: 'the hub waiting for a core (runnable, not running)',
  blocked: 'the event loop asleep in a system call (disk, lock wait)',
  gc: 'GC pauses',
  commit: 'group commits (SQLite on the loop)',
  fdatasync: 'WAL fdatasync (answers wait for it)',
  checkpoint: 'WAL checkpoints (worker thread)',
  embedding: 'embedding calls',
  none: 'nothing the trace saw (client side, scheduler)',
};

export async function stalls(o: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  await traced(
    async (hub) => {
      await saturate(orderTarget(hub), 32, 1); // warm-up: JIT, caches
      const requests: Array<{ at: number; ms: number }> = [];
      for (let i = 0; i < o.reps; i++)
        requests.push(...((await openLoop(orderTarget(hub), 2_000, o.seconds)).requests ?? []));
      return requests;
    },
    { name: 'order create', what: 'requests', load: '@ 2000/s', slowMs: 10, minMs: 3, file: 'orders' },
    figures,
  );
  await traced(
    async (hub) => (await kdsDeliveries(hub, { ...o, reps: 1 })).orders,
    {
      name: 'order → all 20 KDS sockets',
      what: 'deliveries',
      load: '@ 100/s',
      slowMs: 3,
      minMs: 1, // a 3-5 ms delivery is late by small things: count a cause from 1 ms
      file: 'kds',
    },
    figures,
  );
  return figures;
}

/** Run `load` against a traced hub and put each slow request down to what overlapped it. */
async function traced(
  load: (hub: RunningHub) => Promise<Array<{ at: number; ms: number }>>,
  as: { name: string; what: string; load: string; slowMs: number; minMs: number; file: string },
  figures: Figure[],
): Promise<void> {
  const hub = await hubProcess({ GROW_STALL_TRACE: '1' });
  try {
    const since = performance.timeOrigin + performance.now();
    const requests = await load(hub);
    const trace = (await apiFor(hub.base, hub.tokens.manager)('GET', `/api/v1/status/stalls?since=${since}`))
      .body as StallReport;
    const a = attribute(requests, trace.stalls, as.slowMs, as.minMs);
    // The raw timeline, for a person to line up by hand (bench/results is not committed).
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      join(RESULTS, `stalls-${as.file}-${placement()}.json`),
      JSON.stringify({ requests, trace }),
    );
    const share = (n: number) => (a.slow === 0 ? 0 : Math.round((n / a.slow) * 1_000) / 10);
    const of = (cause: string) => trace.stalls.filter((s) => s.cause === cause);
    const sum = (cause: string) => Math.round(of(cause).reduce((t, s) => t + s.ms, 0));
    const longest = (cause: string) => Math.round(Math.max(0, ...of(cause).map((s) => s.ms)) * 10) / 10;
    const p99 =
      Math.round(
        percentile(
          requests.map((r) => r.ms),
          99,
        ) * 100,
      ) / 100;
    figures.push({
      group: 'stalls',
      figure: `${as.name} ${as.what} > ${as.slowMs} ms ${as.load} (stall trace on)`,
      value: a.slow,
      unit: `of ${a.total}`,
      budget: null,
      audit: null,
      note: `p99 ${p99} ms with the trace on; event-loop delay p99 ${Math.round(trace.loopDelay.p99 * 100) / 100} ms, max ${Math.round(trace.loopDelay.max * 10) / 10} ms`,
    });
    for (const cause of Object.keys(label) as Blame[]) {
      figures.push({
        group: 'stalls',
        figure: `  ${as.name}: slow ${as.what} put down to ${label[cause]}`,
        value: share(a.primary[cause]),
        unit: '%',
        budget: null,
        audit: null,
        note:
          cause === 'none'
            ? undefined
            : `overlapped ≥ ${as.minMs} ms: ${share(a.any[cause])}%; ${sum(cause)} ms in all, longest ${longest(cause)} ms`,
      });
    }
  } finally {
    await hub.stop();
  }
}
