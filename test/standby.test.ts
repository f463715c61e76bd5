/**
 * A standby hub: two real `grow-hub start` processes, a primary and its standby, each in its own
 * network namespace on a bridge (as two boxes on the restaurant's LAN), with tills in the test's
 * namespace that send orders to the primary and, when it fails them, to the other box with the
 * same order ids (what the POS outbox does). Every order a till saw acknowledged must be on
 * whichever box is primary at the end, once. Each scenario runs three times. Where namespaces
 * cannot be made (not root) the boxes share loopback instead, and the test says so; in CI they
 * are made.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { burgerOrder } from './support/hub.ts';
import { type Lan, tryLan } from './support/netns.ts';
import { type Box, type PairOptions, startPair, tillStream, waitFor } from './support/pair.ts';

const repeats = Number(process.env.GROW_STANDBY_REPEATS ?? 3);
let lan: Lan | null = null;
{
  const made = tryLan(2);
  lan = made.lan;
  if (!lan) {
    if (process.env.CI === 'true')
      throw new Error(`CI must run the standby tests in network namespaces: ${made.why}`);
    console.warn(`standby tests on loopback, not in network namespaces (${made.why})`);
  }
}
afterAll(() => lan?.remove());
/** Where the pair runs: the namespace LAN when there is one. */
const where = (options: PairOptions = {}): PairOptions =>
  lan
    ? { ...options, hosts: [lan.hosts[0]!.ip, lan.hosts[1]!.ip], wrap: [lan.wrap(0), lan.wrap(1)] }
    : options;

type Pair = Awaited<ReturnType<typeof startPair>>;
let pair: Pair | null = null;
/** Every till stream a test started: stopped after it whatever happened. */
const streams: { stop: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const t of streams.splice(0)) await t.stop();
  await pair?.stop();
  pair = null;
});

/** Tills sending orders (test/support/pair.ts), stopped after each test whatever happened. */
function tills(p: Pair, count: number) {
  const stream = tillStream(p, count);
  streams.push(stream);
  return stream;
}

/** The acknowledged orders a box's database lacks (read beside the running hub, as a backup would). */
async function ordersOn(_p: Pair, box: Box, ids: Iterable<string>): Promise<string[]> {
  const db = new Database(join(box.dir, 'hub.db'), { readonly: true });
  try {
    const has = db.prepare('SELECT 1 FROM orders WHERE id = ?').pluck();
    return [...ids].filter((id) => !has.get(id));
  } finally {
    db.close();
  }
}

describe.each(Array.from({ length: repeats }, (_, i) => i + 1))('a standby hub, run %i', () => {
  it('takes over from a primary killed with SIGKILL under 4 tills: every acknowledged order is on it, once', {
    timeout: 120_000,
  }, async () => {
    pair = await startPair(where({ leaseMs: 1_000 }));
    const p = pair;
    const alone = (await p.primaryStatus(p.a)).standby.answeredAlone; // the demo's setup, before the standby came
    const t = tills(p, 4);
    await expect.poll(() => t.acked.size, { timeout: 20_000 }).toBeGreaterThanOrEqual(100);
    // Every answer of the stream waited for the standby.
    expect((await p.primaryStatus(p.a)).standby).toMatchObject({ state: 'in-sync', answeredAlone: alone });
    const killedAt = Date.now();
    await p.kill(p.a);
    const before = t.acked.size;
    await expect
      .poll(() => t.acked.size, { timeout: 20_000 })
      .toBeGreaterThan(before + 20)
      .catch(async (err) => {
        console.log(JSON.stringify(await p.standbyStatus(p.b)), p.b.output);
        throw err;
      });
    await t.stop();
    const firstAfter = Math.min(...[...t.acked.values()].filter((a) => a.by === 'b').map((a) => a.at));
    expect(await p.role(p.b)).toBe('primary');
    expect(await ordersOn(p, p.b, t.acked.keys())).toEqual([]);
    expect(t.refused).toEqual([]);
    console.log(
      `takeover: first order acknowledged ${firstAfter - killedAt} ms after the kill; ${t.acked.size} orders`,
    );
    expect(firstAfter - killedAt).toBeLessThan(5_000);
  });
});

describe.each(Array.from({ length: repeats }, (_, i) => i + 1))(
  'a standby hub, planned and unplanned, run %i',
  () => {
    it('switches over during a stream with nothing lost, doubled or refused, and the old primary follows the new one', {
      timeout: 120_000,
    }, async () => {
      pair = await startPair(where());
      const p = pair;
      const t = tills(p, 4);
      await expect.poll(() => t.acked.size, { timeout: 20_000 }).toBeGreaterThanOrEqual(50);
      // On the primary's computer, as its operator would.
      const switched = await p.cli(p.a, ['switchover', '--port', String(p.a.port)]);
      expect(switched.code, switched.stderr).toBe(0);
      expect(JSON.parse(switched.stdout)).toMatchObject({ to: { box: 'box-b', url: p.b.url } });
      const before = t.acked.size;
      await expect.poll(() => t.acked.size, { timeout: 20_000 }).toBeGreaterThan(before + 50);
      await t.stop();
      expect(await p.role(p.b)).toBe('primary');
      await waitFor(
        async () => (await p.role(p.a)) === 'standby',
        20_000,
        () => p.a.output,
      );
      await waitFor(
        async () => (await p.standbyStatus(p.a).catch(() => null))?.inSync === true,
        20_000,
        () => p.a.output,
      );
      await t.stop();
      expect(await ordersOn(p, p.b, t.acked.keys())).toEqual([]);
      expect(t.refused).toEqual([]);
      expect((await p.primaryStatus(p.b)).epoch).toBe(2);
    });

    it('carries on alone while the standby is away, says so, and waits for it again once it has caught up', {
      timeout: 120_000,
    }, async () => {
      pair = await startPair(where());
      const p = pair;
      await p.kill(p.b);
      await waitFor(
        async () => (await p.primaryStatus(p.a)).standby.state === 'away',
        10_000,
        () => p.a.output,
      );
      const t = tills(p, 4);
      await expect.poll(() => t.acked.size, { timeout: 30_000 }).toBeGreaterThanOrEqual(400);
      await t.stop();
      expect((await p.primaryStatus(p.a)).standby.behind).toBeGreaterThan(400);
      const back = Date.now();
      await p.run(p.b, p.a);
      await waitFor(
        async () => (await p.primaryStatus(p.a)).standby.state === 'in-sync',
        30_000,
        () => p.b.output,
      );
      console.log(`standby caught up ${t.acked.size} orders in ${Date.now() - back} ms (from its start)`);
      // In sync again: the next orders wait for it, and it holds them.
      const more = tills(p, 2);
      await expect.poll(() => more.acked.size, { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
      await more.stop();
      expect((await p.primaryStatus(p.a)).standby.state).toBe('in-sync');
      await p.kill(p.a);
      const after = tills(p, 4); // the tills find the primary gone and come to the standby
      let seen = '';
      await waitFor(
        async () => {
          seen = JSON.stringify(await p.standbyStatus(p.b).catch(() => null));
          return (await p.role(p.b)) === 'primary';
        },
        10_000,
        () => `${seen}\n${p.b.output}`,
      );
      await after.stop();
      expect(
        await ordersOn(p, p.b, [...t.acked.keys(), ...more.acked.keys(), ...after.acked.keys()]),
      ).toEqual([]);
    });

    it('fences a primary that was cut off: once back it refuses writes at its old epoch and rejoins as standby; no order is accepted by both', {
      timeout: 120_000,
    }, async () => {
      pair = await startPair(where({ leaseMs: 1_000 }));
      const p = pair;
      const t = tills(p, 4);
      await expect.poll(() => t.acked.size, { timeout: 20_000 }).toBeGreaterThanOrEqual(50);
      // Cut off: its cable pulled (on loopback, the process frozen): it neither answers nor renews its lease.
      if (lan) lan.cut(0);
      else p.a.child!.kill('SIGSTOP');
      await waitFor(
        async () => {
          const r = await p.role(p.b);
          return r === 'primary';
        },
        10_000,
        () => p.b.output,
      );
      const before = t.acked.size;
      await expect.poll(() => t.acked.size, { timeout: 20_000 }).toBeGreaterThan(before + 30);
      // Back: a till that has seen the new epoch reaches it.
      if (lan) lan.mend(0);
      else p.a.child!.kill('SIGCONT');
      // It refuses: as a stale primary (409), or, if it already stepped down on losing its standby
      // and its devices, as a standby (503). It never takes the order.
      let stale: { status: number; body: unknown } | null = null;
      await waitFor(
        async () => {
          stale = await p
            .api(p.a)('POST', '/api/v1/orders', burgerOrder(), undefined, { 'x-grow-epoch': '2' }, 2_000)
            .catch(() => null); // while it restarts as a standby
          return stale !== null;
        },
        20_000,
        () => p.a.output,
      );
      expect([409, 503]).toContain(stale!.status);
      expect(['STALE_PRIMARY', 'STANDBY']).toContain((stale!.body as { code: string }).code);
      await waitFor(
        async () => (await p.role(p.a)) === 'standby',
        20_000,
        () => p.a.output,
      );
      await waitFor(
        async () => (await p.standbyStatus(p.a).catch(() => null))?.inSync === true,
        20_000,
        () => p.a.output,
      );
      await t.stop();
      expect(await ordersOn(p, p.b, t.acked.keys())).toEqual([]);
      expect(t.refused).toEqual([]);
      expect((await p.primaryStatus(p.b)).epoch).toBe(2);
    });
  },
);
