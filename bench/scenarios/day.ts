/**
 * Staff and closing the day (docs/staff.md): a PIN sign-in (scrypt on the hub, by design slow), a
 * void by a signed-in server (the session and permission checked on the command), and the X and Z
 * of a busy day (1,000 paid checks).
 */
import { newOrderId } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, type Target } from '../lib/http-load.ts';
import { hubProcess, type RunningHub } from '../lib/hub.ts';
import { p, percentile, spread } from '../lib/stats.ts';

async function call(
  hub: RunningHub,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
) {
  const res = await fetch(`${hub.base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads answers whose shape docs/api.md gives
  return res.json() as Promise<any>;
}

export async function day(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const pos = { authorization: `Bearer ${hub.tokens.pos}` };
    const manager = { authorization: `Bearer ${hub.tokens.manager}` };
    // The demo restaurant's staff (`--demo`): Sam is a server, PIN 1111.
    const tiles = (await call(hub, 'GET', '/api/v1/staff/tiles', undefined, pos)).staff as {
      id: string;
      name: string;
    }[];
    const sam = tiles.find((s) => s.name === 'Sam')!.id;

    const signIns: number[] = [];
    let session = '';
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      session = (await call(hub, 'POST', '/api/v1/staff/sign-in', { staffId: sam, pin: '1111' }, pos))
        .session;
      signIns.push(performance.now() - t0);
    }
    const asSam = { ...pos, 'x-grow-staff': session };

    // Checks with a line not yet sent, each voided once by Sam (void.unsent).
    const rate = 100;
    const pool: { id: string; line: string }[] = [];
    for (let i = 0; i < 2 * (Math.ceil(rate * o.seconds * (o.reps + 1)) + 10); i++) {
      const check = await call(
        hub,
        'POST',
        '/api/v1/orders',
        {
          id: newOrderId(),
          tableLabel: `V${i}`,
          send: false,
          lines: [
            { itemId: 'lager', qty: 1 },
            { itemId: 'cola', qty: 1 },
          ],
        },
        asSam,
      );
      pool.push({ id: check.id, line: check.lines[0].id });
    }
    let next = 0;
    const voidAs = (headers: Record<string, string>): Target => ({
      port: hub.port,
      method: 'POST',
      headers,
      // The body is made before the path (bench/lib/http-load.ts): the path moves on to the next check.
      body: () =>
        JSON.stringify({ commandId: newOrderId(), lineIds: [pool[next]!.line], reason: 'rang twice' }),
      path: () => `/api/v1/orders/${pool[next++]!.id}/void-lines`,
    });
    let failed = 0;
    const p99 = async (target: Target) => {
      const r = await openLoop(target, rate, o.seconds);
      failed += r.failed;
      return percentile(r.latencies, 99);
    };
    // The same void from the admin page's device (no session, no permission looked up), in turns
    // with the server's so both meet the same checkpoints: the cost of staff is the difference.
    await openLoop(voidAs(asSam), rate, 0.5); // warm-up
    const backOffice = { runs: [] as number[] };
    const voids = { runs: [] as number[] };
    for (let i = 0; i < o.reps; i++) {
      backOffice.runs.push(await p99(voidAs(manager)));
      voids.runs.push(await p99(voidAs(asSam)));
    }

    // A busy day: 1,000 checks paid in cash and closed, then the X (any time) and the Z.
    const checks = o.quick ? 200 : 1_000;
    for (let i = 0; i < checks; i++) {
      const check = await call(
        hub,
        'POST',
        '/api/v1/orders',
        {
          id: newOrderId(),
          tableId: `t${(i % 12) + 1}`,
          guests: 2,
          lines: [
            { itemId: 'ribeye', qty: 1 },
            { itemId: 'lager', qty: 2 },
          ],
        },
        asSam,
      );
      await call(
        hub,
        'POST',
        `/api/v1/orders/${check.id}/payments`,
        { id: newOrderId(), method: 'cash', amount: check.total, tip: 200, tendered: check.total + 200 },
        asSam,
      );
      await call(hub, 'POST', `/api/v1/orders/${check.id}/complete`, undefined, asSam);
    }
    const xs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await call(hub, 'GET', '/api/v1/reports/x', undefined, manager);
      xs.push(performance.now() - t0);
    }
    const t0 = performance.now();
    const z = await call(hub, 'POST', '/api/v1/day/close', { commandId: newOrderId(), force: true }, manager);
    const zMs = performance.now() - t0;
    const size = `${z.figures.checks + pool.length} checks`;
    return [
      {
        group: 'day',
        figure: 'PIN sign-in p50 (scrypt, by design slow)',
        value: p(signIns, 50),
        unit: 'ms',
        budget: '< 250',
        audit: null,
      },
      {
        group: 'day',
        figure: `void by a signed-in server p99 @ ${rate}/s (session and permission checked)`,
        ...spread(voids.runs),
        unit: 'ms',
        budget: '< 10',
        audit: null,
        note: failed > 0 ? `${failed} requests failed` : undefined,
      },
      {
        group: 'day',
        figure: `the same void from the back office (no staff session) p99 @ ${rate}/s`,
        ...spread(backOffice.runs),
        unit: 'ms',
        budget: null,
        audit: null,
      },
      {
        group: 'day',
        figure: `X report p50, a day of ${size}`,
        value: p(xs, 50),
        unit: 'ms',
        budget: '< 250',
        audit: null,
      },
      {
        group: 'day',
        figure: `Z (close the day), a day of ${size}`,
        value: Math.round(zMs * 10) / 10,
        unit: 'ms',
        budget: '< 1000',
        audit: null,
      },
    ];
  } finally {
    await hub.stop();
  }
}
