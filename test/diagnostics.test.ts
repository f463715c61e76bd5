import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StallReport } from '../hub/status/stalls.ts';
import { burgerOrder, startHub, type TestHub } from './support/hub.ts';

let t: TestHub | null = null;
afterEach(async () => {
  await t?.stop();
  t = null;
});

const stalls = async (hub: TestHub, since = 0) =>
  (await hub.api('GET', `/api/v1/status/stalls?since=${since}`, undefined, hub.tokens.manager))
    .body as StallReport & { hint?: string };

describe('stall trace (GET /api/v1/status/stalls)', () => {
  it('is off by default and says how to turn it on; managers only', async () => {
    t = await startHub();
    const report = await stalls(t);
    expect(report.enabled).toBe(false);
    expect(report.stalls).toEqual([]);
    expect(report.hint).toMatch(/GROW_STALL_TRACE=1/);
    expect((await t.api('GET', '/api/v1/status/stalls')).status).toBe(403);
  });

  it('records commits, WAL flushes and a blocked event loop with their times', async () => {
    t = await startHub({ stallTrace: true });
    const since = performance.timeOrigin + performance.now();
    for (let i = 0; i < 5; i++)
      expect((await t.api('POST', '/api/v1/orders', burgerOrder())).status).toBe(201);
    // The hub runs in this process: holding its event loop for 40 ms must show up as one stall,
    // timed where it happened, and not as asleep.
    await new Promise((r) => setTimeout(r, 20));
    const blockedAt = performance.timeOrigin + performance.now();
    const until = performance.now() + 40;
    while (performance.now() < until) {}
    await new Promise((r) => setTimeout(r, 20));

    const report = await stalls(t, since);
    expect(report.enabled).toBe(true);
    const of = (cause: string) => report.stalls.filter((s) => s.cause === cause);
    expect(of('commit').length).toBeGreaterThanOrEqual(5);
    expect(of('fdatasync').length).toBeGreaterThanOrEqual(5);
    for (const s of report.stalls) expect(s.at + s.ms).toBeGreaterThanOrEqual(since);
    // Named by what the thread did meanwhile: running ('event-loop'), or, when other test files
    // keep both cores busy, waiting for one ('descheduled'): the detail says which it was.
    const loop = report.stalls.find(
      (s) => ['event-loop', 'descheduled'].includes(s.cause) && s.ms >= 38 && Math.abs(s.at - blockedAt) < 10,
    );
    expect(loop, JSON.stringify(report.stalls.filter((s) => s.ms > 5))).toBeDefined();
    const waited = Number(loop!.detail!.match(/waited for a core (\d+\.\d) ms/)![1]);
    expect(loop!.cause).toBe(waited >= loop!.ms / 2 ? 'descheduled' : 'event-loop');
    expect(report.loopDelay.max).toBeGreaterThanOrEqual(38);
    // `since` leaves out what ended before it (from just after this stall ended: under load the
    // thread may wait for a core after the 40 ms, so the stall can end well after them).
    const later = await stalls(t, loop!.at + loop!.ms + 1);
    expect(later.stalls.some((s) => s.ms >= 38 && Math.abs(s.at - blockedAt) < 10)).toBe(false);
  });
});

describe('WAL checkpoints under a steady stream of orders', () => {
  it('rewind the WAL instead of letting it grow for as long as the stream lasts', async () => {
    t = await startHub({ stallTrace: true, walCheckpointMs: 100 });
    const hub = t;
    // Eight tills that never pause: with PASSIVE checkpoints alone the WAL would never start over.
    // They write until the WAL has passed 4,096 frames (16 MB) at least once: on a slow day that
    // takes longer than four seconds, so the stream runs in rounds until a rewind shows (or 30 s).
    const restarted = async () =>
      (await stalls(hub)).stalls.some((s) => s.cause === 'checkpoint' && s.detail === 'restart');
    const stop = performance.now() + 30_000;
    do {
      const end = performance.now() + 4_000;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (performance.now() < end)
            expect((await hub.api('POST', '/api/v1/orders', burgerOrder())).status).toBe(201);
        }),
      );
    } while (!(await restarted()) && performance.now() < stop);
    // Past 4,096 frames the worker rewinds it, so it stays near that size.
    expect(await restarted()).toBe(true);
    expect(statSync(join(hub.dir, 'hub.db-wal')).size).toBeLessThan(40 * 2 ** 20);
  }, 60_000);
});
