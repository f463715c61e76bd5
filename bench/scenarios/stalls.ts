/**
 * Where the order-create tail comes from (issue 21): open-loop orders at 2,000/s against a hub with
 * its stall trace on (GC pauses, event-loop stalls, commits, WAL fdatasyncs, checkpoints, embedding
 * calls), then every request over 10 ms is put down to the cause that overlapped it longest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StallReport } from '../../hub/status/stalls.ts';
import { apiFor } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, saturate } from '../lib/http-load.ts';
import { hubProcess, orderTarget } from '../lib/hub.ts';
import { placement } from '../lib/placement.ts';
import { attribute, type Blame } from '../lib/stalls.ts';
import { percentile } from '../lib/stats.ts';

const RATE = 2_000;
const SLOW_MS = 10;
const RESULTS = join(import.meta.dirname, '../results');

export async function stalls(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess({ GROW_STALL_TRACE: '1' });
  try {
    await saturate(orderTarget(hub), 32, 1); // warm-up: JIT, caches
    const since = performance.timeOrigin + performance.now();
    const requests: Array<{ at: number; ms: number }> = [];
    for (let i = 0; i < o.reps; i++)
      requests.push(...((await openLoop(orderTarget(hub), RATE, o.seconds)).requests ?? []));
    const trace = (await apiFor(hub.base, hub.tokens.manager)('GET', `/api/v1/status/stalls?since=${since}`))
      .body as StallReport;
    const a = attribute(requests, trace.stalls, SLOW_MS);
    // The raw timeline, for a person to line up by hand (bench/results is not committed).
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, `stalls-${placement()}.json`), JSON.stringify({ requests, trace }));
    const share = (n: number) => (a.slow === 0 ? 0 : Math.round((n / a.slow) * 1_000) / 10);
    const sum = (cause: string) =>
      Math.round(trace.stalls.filter((s) => s.cause === cause).reduce((t, s) => t + s.ms, 0));
    const longest = (cause: string) =>
      Math.round(Math.max(0, ...trace.stalls.filter((s) => s.cause === cause).map((s) => s.ms)) * 10) / 10;
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
    const figures: Figure[] = [
      {
        group: 'stalls',
        figure: `order create requests > ${SLOW_MS} ms @ ${RATE}/s (stall trace on)`,
        value: a.slow,
        unit: `of ${a.total}`,
        budget: null,
        audit: null,
        note: `p99 ${
          Math.round(
            percentile(
              requests.map((r) => r.ms),
              99,
            ) * 100,
          ) / 100
        } ms with the trace on`,
      },
    ];
    for (const cause of Object.keys(label) as Blame[]) {
      figures.push({
        group: 'stalls',
        figure: `slow requests put down to ${label[cause]}`,
        value: share(a.primary[cause]),
        unit: '%',
        budget: null,
        audit: null,
        note:
          cause === 'none'
            ? undefined
            : `overlapped ≥ 3 ms: ${share(a.any[cause])}%; ${sum(cause)} ms in all, longest ${longest(cause)} ms`,
      });
    }
    figures.push({
      group: 'stalls',
      figure: `event-loop delay p99 / max @ ${RATE}/s (monitorEventLoopDelay)`,
      value: Math.round(trace.loopDelay.p99 * 100) / 100,
      unit: 'ms',
      budget: null,
      audit: null,
      note: `max ${Math.round(trace.loopDelay.max * 10) / 10} ms, mean ${Math.round(trace.loopDelay.mean * 100) / 100} ms${trace.dropped ? `; ${trace.dropped} trace entries dropped` : ''}`,
    });
    return figures;
  } finally {
    await hub.stop();
  }
}
