/**
 * A standby hub (docs/operations.md, "A standby hub"): what waiting for the standby costs an order
 * (same run, with it and alone), how long a takeover takes after the primary dies (20 trials; 3
 * with --quick), and how fast a standby that was away catches up. Two real processes on loopback
 * with four tills (test/support/pair.ts), as test/standby.test.ts runs them.
 */
import { type startPair as StartPair, startPair, tillStream, waitFor } from '../../test/support/pair.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { percentile } from '../lib/stats.ts';

type Pair = Awaited<ReturnType<typeof StartPair>>;

const figure = (
  figure: string,
  value: number,
  unit: string,
  budget: string | null,
  note?: string,
): Figure => ({
  group: 'standby',
  figure,
  value,
  unit,
  budget,
  audit: null,
  ...(note ? { note } : {}),
});

/** Four tills for `seconds`: their order latencies (ms) and orders per second. */
async function stream(p: Pair, seconds: number) {
  const t = tillStream(p, 4);
  await new Promise((r) => setTimeout(r, seconds * 1_000));
  await t.stop();
  return { p99: percentile(t.latencies, 99), p50: percentile(t.latencies, 50), rate: t.acked.size / seconds };
}

export async function standby(o: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  // 1. The cost of RPO 0: the same pair, with the standby confirming every commit, then alone.
  {
    const p = await startPair();
    try {
      const seconds = o.quick ? 3 : 8;
      const paired = await stream(p, seconds);
      await p.kill(p.b);
      await waitFor(
        async () => (await p.primaryStatus(p.a)).standby.state === 'away',
        10_000,
        () => p.a.output,
      );
      const alone = await stream(p, seconds);
      figures.push(
        figure(
          'order create p99, standby in sync (4 tills)',
          paired.p99,
          'ms',
          null,
          `p50 ${paired.p50.toFixed(1)} ms`,
        ),
        figure('order create p99, alone (same run)', alone.p99, 'ms', null, `p50 ${alone.p50.toFixed(1)} ms`),
        figure('order create p99 ratio, in sync / alone', paired.p99 / alone.p99, '×', null),
        figure('orders/s, standby in sync (4 tills)', paired.rate, '/s', null),
        figure(
          'orders/s ratio, in sync / alone',
          paired.rate / alone.rate,
          '×',
          null,
          `${alone.rate.toFixed(0)}/s alone`,
        ),
      );
      // 3. Catch-up: the standby was away for the stream above; how fast does it come back?
      const behind = (await p.primaryStatus(p.a)).standby.behind;
      const back = performance.now();
      await p.run(p.b, p.a);
      await waitFor(
        async () => (await p.primaryStatus(p.a)).standby.state === 'in-sync',
        120_000,
        () => p.b.output,
      );
      const secondsBack = (performance.now() - back) / 1_000;
      figures.push(
        figure(
          'standby catch-up after being away',
          behind / secondsBack,
          'changes/s',
          null,
          `${behind} row changes (${(alone.rate * seconds) | 0} orders) in ${secondsBack.toFixed(1)} s, from its start`,
        ),
      );
    } finally {
      await p.stop();
    }
  }
  // 2. Takeover: the primary killed under four tills, again and again.
  const trials = o.quick ? 3 : 20;
  const takeover: number[] = [];
  const firstOrder: number[] = [];
  let lost = 0;
  for (let i = 0; i < trials; i++) {
    const p = await startPair({ leaseMs: 1_000 });
    try {
      const t = tillStream(p, 4);
      await waitFor(
        async () => t.acked.size >= 50,
        20_000,
        () => p.a.output,
      );
      const killed = Date.now();
      await p.kill(p.a);
      await waitFor(
        async () => (await p.role(p.b)) === 'primary',
        20_000,
        () => p.b.output,
      );
      takeover.push(Date.now() - killed);
      await waitFor(
        async () => [...t.acked.values()].some((a) => a.by === 'b'),
        20_000,
        () => p.b.output,
      );
      firstOrder.push(
        Math.min(...[...t.acked.values()].filter((a) => a.by === 'b').map((a) => a.at)) - killed,
      );
      await t.stop();
      const missing = [];
      for (const id of t.acked.keys())
        if ((await p.api(p.b)('GET', `/api/v1/orders/${id}`)).status !== 200) missing.push(id);
      lost += missing.length;
    } finally {
      await p.stop();
    }
  }
  figures.push(
    figure('takeover: the standby primary after a kill -9, p50', percentile(takeover, 50), 'ms', '< 5000'),
    figure('takeover p99', percentile(takeover, 99), 'ms', '< 5000', `${trials} trials, lease 1 s`),
    figure('first order acknowledged after the kill, p50', percentile(firstOrder, 50), 'ms', '< 5000'),
    figure('first order acknowledged after the kill, p99', percentile(firstOrder, 99), 'ms', '< 5000'),
    figure('acknowledged orders missing on the new primary', lost, 'orders', '= 0', `${trials} kills`),
  );
  return figures;
}
