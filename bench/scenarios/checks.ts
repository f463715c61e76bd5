/**
 * Checks through the meal (docs/checks.md): a round added to a check of about 40 lines at 200
 * commands/s (open loop), and a held course fired to 20 kitchen screens (the time from the POST
 * to each screen's `ticket.fired`).
 */
import type { WebSocket } from 'ws';
import { newOrderId } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, type Target } from '../lib/http-load.ts';
import { hubProcess, type RunningHub } from '../lib/hub.ts';
import { p, percentile, repeat, spread } from '../lib/stats.ts';
import { socketAtHead } from '../lib/ws-load.ts';

const drinks = ['lager', 'ipa', 'stout', 'red-wine', 'white-wine', 'orange-juice', 'sparkling-water'];

async function post(hub: RunningHub, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${hub.base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.tokens.pos}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/** `n` open checks of `lines` lines each, spread over the demo menu's drinks (one station). */
async function openChecks(hub: RunningHub, n: number, lines: number, extra: Record<string, unknown> = {}) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = {
      id: newOrderId(),
      tableLabel: `B${i}`,
      lines: Array.from({ length: lines }, (_, k) => ({
        itemId: drinks[k % drinks.length]!,
        qty: 1,
        seat: 1 + (k % 6),
      })),
      ...extra,
    };
    ids.push((await post(hub, '/api/v1/orders', body)).id);
  }
  return ids;
}

export async function checks(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    return [...(await addRound(hub, o)), ...(await fireFanOut(hub, o))];
  } finally {
    await hub.stop();
  }
}

async function addRound(hub: RunningHub, o: BenchOptions): Promise<Figure[]> {
  const rate = 200;
  // Enough checks that none grows far past 40 lines over every run: each gets a few rounds.
  const pool = await openChecks(hub, Math.ceil((rate * o.seconds * (o.reps + 1)) / 4), 38);
  let next = 0;
  const target: Target = {
    port: hub.port,
    method: 'POST',
    headers: { authorization: `Bearer ${hub.tokens.pos}` },
    path: () => `/api/v1/orders/${pool[next++ % pool.length]}/rounds`,
    body: () => JSON.stringify({ commandId: newOrderId(), lines: [{ itemId: 'espresso', qty: 1, seat: 2 }] }),
  };
  await openLoop(target, rate, 1); // warm-up
  let failed = 0;
  const runs = await repeat(o.reps, async () => {
    const r = await openLoop(target, rate, o.seconds);
    failed += r.failed;
    return percentile(r.latencies, 99);
  });
  return [
    {
      group: 'checks',
      figure: `add a round to a ~40-line check p99 @ ${rate}/s (open loop)`,
      ...spread(runs.runs),
      unit: 'ms',
      budget: '< 10',
      audit: null,
      note: failed > 0 ? `${failed} requests failed` : undefined,
    },
  ];
}

async function fireFanOut(hub: RunningHub, o: BenchOptions): Promise<Figure[]> {
  const rate = 50;
  // Each check holds one course at one station (the grill's mains), so one fire is one event.
  const held = await openChecks(hub, Math.ceil(rate * o.seconds * o.reps) + 10, 3, {
    lines: [
      { itemId: 'lager', qty: 2, seat: 1 },
      { itemId: 'veg-curry', qty: 1, seat: 1 },
      { itemId: 'veg-curry', qty: 1, seat: 2 },
    ],
    hold: ['mains'],
  });
  const sockets: WebSocket[] = [];
  const firedAt = new Map<string, number>();
  const delays: number[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const ws = await socketAtHead(hub.port, hub.tokens.kds);
      ws.on('message', (raw) => {
        const text = raw.toString();
        if (!text.startsWith('{"type":"ticket.fired"')) return;
        const t0 = firedAt.get(JSON.parse(text).data.ticket.orderId as string);
        if (t0 !== undefined) delays.push(performance.now() - t0);
      });
      sockets.push(ws);
    }
    let next = 0;
    const target: Target = {
      port: hub.port,
      method: 'POST',
      headers: { authorization: `Bearer ${hub.tokens.pos}` },
      path: () => {
        const id = held[next++]!;
        firedAt.set(id, performance.now());
        return `/api/v1/orders/${id}/fire`;
      },
      body: () => JSON.stringify({ commandId: newOrderId(), course: 'mains' }),
    };
    const runs = await repeat(o.reps, async () => {
      delays.length = 0;
      await openLoop(target, rate, o.seconds);
      await new Promise((r) => setTimeout(r, 200));
      return percentile(delays, 99);
    });
    return [
      {
        group: 'checks',
        figure: `fired course → all 20 KDS sockets p50 @ ${rate} fires/s`,
        value: p(delays, 50),
        unit: 'ms',
        budget: null,
        audit: null,
      },
      {
        group: 'checks',
        figure: `fired course → all 20 KDS sockets p99 @ ${rate} fires/s`,
        ...spread(runs.runs),
        unit: 'ms',
        budget: '< 15',
        audit: null,
      },
    ];
  } finally {
    for (const s of sockets) s.terminate();
  }
}
