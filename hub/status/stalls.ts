import { closeSync, openSync, readSync } from 'node:fs';
import { type IntervalHistogram, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { z } from 'zod';

/**
 * What can make an answer late. `event-loop`: the loop did not come round for a while and its
 * thread was running meanwhile (the sum of whatever ran on it: a commit, a GC pause, JSON
 * work); `descheduled`: the loop thread spent most of that time waiting for a core (something
 * else had it); `blocked`: it spent most of it asleep in a system call (the disk, a lock wait).
 * The others name one cause.
 */
export const StallCause = z.enum([
  'event-loop',
  'descheduled',
  'blocked',
  'gc',
  'commit',
  'fdatasync',
  'checkpoint',
  'embedding',
]);
export type StallCause = z.infer<typeof StallCause>;

export const Stall = z.object({
  cause: StallCause,
  /** Start, epoch ms with sub-ms precision (performance.timeOrigin + now), comparable across processes. */
  at: z.number(),
  ms: z.number(),
  detail: z.string().optional(),
});
export type Stall = z.infer<typeof Stall>;

export const StallReport = z.object({
  enabled: z.boolean(),
  /** Entries dropped because the ring was full (the oldest go first). */
  dropped: z.int(),
  /** The event-loop delay histogram since the trace started (ms; monitorEventLoopDelay). */
  loopDelay: z.object({ p50: z.number(), p99: z.number(), max: z.number(), mean: z.number() }),
  stalls: z.array(Stall),
});
export type StallReport = z.infer<typeof StallReport>;

/**
 * The event-loop thread's time running and waiting to run (ms), from Linux's per-thread scheduler
 * counters (/proc/self/task/<pid>/schedstat; the main thread's id is the process id). Elsewhere
 * the process's CPU time stands in, and waiting reads as zero.
 */
function threadClock(): { read: () => { ranMs: number; waitedMs: number }; close: () => void } {
  let fd: number | null = null;
  try {
    fd = openSync(`/proc/self/task/${process.pid}/schedstat`, 'r');
  } catch {
    // not Linux
  }
  const buf = Buffer.alloc(128);
  return {
    read: () => {
      if (fd === null) {
        const cpu = process.cpuUsage();
        return { ranMs: (cpu.user + cpu.system) / 1_000, waitedMs: 0 };
      }
      const text = buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
      const [ran, waited] = text.split(' ');
      return { ranMs: Number(ran) / 1e6, waitedMs: Number(waited) / 1e6 };
    },
    close: () => {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Epoch ms now, with the monotonic clock's precision. */
const epochNow = (): number => performance.timeOrigin + performance.now();

const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };

/**
 * A diagnostic timeline of everything that can hold an answer back (issue 21): GC pauses, times
 * the event loop was blocked, group commits, WAL fdatasyncs, checkpoints and embedding calls, each
 * with its start time, so a load generator can line its slow requests up against them
 * (`npm run bench -- --only stalls`). Off unless `stallTrace` is set: the loop sampler wakes
 * every millisecond.
 */
export class StallTrace {
  private ring: Stall[] = [];
  private next = 0;
  private dropped = 0;
  private gc: PerformanceObserver | null = null;
  private loop: IntervalHistogram | null = null;
  private sampler: NodeJS.Timeout | null = null;
  private clock: ReturnType<typeof threadClock> | null = null;

  constructor(
    /** Entries kept at most (the newest). */
    private readonly capacity = 100_000,
    /** A loop turn later than this (ms) is recorded as an event-loop stall. */
    private readonly loopThresholdMs = 2,
  ) {}

  start(): void {
    this.gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
        this.record('gc', performance.timeOrigin + e.startTime, e.duration, GC_KINDS[kind] ?? String(kind));
      }
    });
    this.gc.observe({ entryTypes: ['gc'] });
    this.loop = monitorEventLoopDelay({ resolution: 1 });
    this.loop.enable();
    // The histogram has no timestamps: a 1 ms timer that notes when it came late gives them.
    // The loop thread's own scheduler counters over the same span say what it was doing: running
    // (work on the loop), waiting in the run queue (another thread or process had the core), or
    // neither (asleep in a system call: the disk, a lock wait).
    const clock = threadClock();
    this.clock = clock;
    let last = performance.now();
    let before = clock.read();
    this.sampler = setInterval(() => {
      const now = performance.now();
      const after = clock.read();
      const wall = now - last;
      if (wall - 1 > this.loopThresholdMs) {
        const ran = after.ranMs - before.ranMs;
        const waited = after.waitedMs - before.waitedMs;
        const slept = Math.max(0, wall - ran - waited);
        const cause = waited >= wall / 2 ? 'descheduled' : slept >= wall / 2 ? 'blocked' : 'event-loop';
        const detail = `ran ${ran.toFixed(1)} ms, waited for a core ${waited.toFixed(1)} ms, asleep ${slept.toFixed(1)} ms`;
        this.record(cause, performance.timeOrigin + last, wall, detail);
      }
      last = now;
      before = after;
    }, 1);
    this.sampler.unref();
  }

  stop(): void {
    this.gc?.disconnect();
    this.loop?.disable();
    if (this.sampler) clearInterval(this.sampler);
    this.clock?.close();
  }

  /** Note a span that started at `at` (epoch ms) and lasted `ms`. */
  record(cause: StallCause, at: number, ms: number, detail?: string): void {
    const entry: Stall = detail === undefined ? { cause, at, ms } : { cause, at, ms, detail };
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else {
      this.ring[this.next] = entry;
      this.next = (this.next + 1) % this.capacity;
      this.dropped++;
    }
  }

  /** A span that just ended and lasted `ms`. */
  ended(cause: StallCause, ms: number, detail?: string): void {
    this.record(cause, epochNow() - ms, ms, detail);
  }

  /** Entries that ended after `since` (epoch ms), oldest first. */
  report(since = 0): StallReport {
    const ordered = [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    return {
      enabled: true,
      dropped: this.dropped,
      loopDelay: {
        p50: ms(this.loop?.percentile(50) ?? 0),
        p99: ms(this.loop?.percentile(99) ?? 0),
        max: ms(this.loop?.max ?? 0),
        mean: ms(this.loop?.mean ?? 0),
      },
      stalls: ordered.filter((s) => s.at + s.ms >= since),
    };
  }
}
