import { type Stall, StallCause } from '../../hub/status/stalls.ts';

/**
 * What a slow request is put down to. `event-loop` here means loop time not already named by a GC
 * pause or a commit inside it (JSON, HTTP parsing, routing: JavaScript), `none` a request no
 * recorded span overlaps by at least `minMs`: it waited on something the trace cannot see.
 */
export type Blame = StallCause | 'none';

export interface Attribution {
  slow: number;
  total: number;
  /** Slow requests by the cause that overlapped them longest. */
  primary: Record<Blame, number>;
  /** Slow requests each cause overlapped by at least `minMs` (a request can count under several). */
  any: Record<Blame, number>;
}

const causes: StallCause[] = StallCause.options;
const zero = (): Record<Blame, number> =>
  Object.fromEntries([...causes, 'none'].map((c) => [c, 0])) as Record<Blame, number>;

type Span = [number, number];
const clip = (s: Span, w: Span): Span | null => {
  const a = Math.max(s[0], w[0]);
  const b = Math.min(s[1], w[1]);
  return b > a ? [a, b] : null;
};
/** Total length of `spans` not covered by `cover` (both within one window). */
function uncovered(spans: Span[], cover: Span[]): number {
  let total = 0;
  for (const [a, b] of spans) {
    let covered = 0;
    for (const c of cover) {
      const x = clip(c, [a, b]);
      if (x) covered += x[1] - x[0];
    }
    total += Math.max(0, b - a - covered);
  }
  return total;
}

/**
 * Line the load generator's requests (intended start, epoch ms, and latency) up against the hub's
 * stall trace: for each request slower than `slowMs`, how long each cause overlapped its wait.
 * Two corrections keep one stall from being counted as another: a blocked loop is what a GC pause
 * or a commit looks like from outside, so loop time names them first; and a WAL flush's measured
 * time ends when its callback runs on the loop, so flush time while the loop was blocked is the
 * loop's, not the disk's.
 */
export function attribute(
  requests: ReadonlyArray<{ at: number; ms: number }>,
  stalls: readonly Stall[],
  slowMs = 10,
  minMs = 3,
): Attribution {
  const sorted = [...stalls].sort((a, b) => a.at - b.at);
  const longest = Math.max(0, ...sorted.map((s) => s.ms));
  const result: Attribution = { slow: 0, total: requests.length, primary: zero(), any: zero() };
  for (const r of requests) {
    if (r.ms <= slowMs) continue;
    result.slow++;
    const window: Span = [r.at, r.at + r.ms];
    const spans = Object.fromEntries(causes.map((c) => [c, [] as Span[]])) as Record<StallCause, Span[]>;
    // Spans that could overlap start after (request start - longest span): binary search to there.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.at < r.at - longest) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < sorted.length && sorted[i]!.at < window[1]; i++) {
      const s = sorted[i]!;
      const x = clip([s.at, s.at + s.ms], window);
      if (x) spans[s.cause].push(x);
    }
    const length = (list: Span[]) => list.reduce((t, [a, b]) => t + b - a, 0);
    const by = Object.fromEntries(causes.map((c) => [c, length(spans[c])])) as Record<StallCause, number>;
    by['event-loop'] = Math.max(0, by['event-loop'] - by.gc - by.commit);
    by.fdatasync = uncovered(spans.fdatasync, [
      ...spans['event-loop'],
      ...spans.descheduled,
      ...spans.blocked,
    ]);
    let best: Blame = 'none';
    let bestMs = minMs;
    for (const c of causes) {
      if (by[c] >= minMs) result.any[c]++;
      if (by[c] >= bestMs) {
        best = c;
        bestMs = by[c];
      }
    }
    if (best === 'none') result.any.none++;
    result.primary[best]++;
  }
  return result;
}
