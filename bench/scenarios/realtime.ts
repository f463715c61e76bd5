/**
 * Order → every KDS socket: 20 kitchen sockets, orders at 100/s, the time from POST to each socket.
 */
import { WebSocket } from 'ws';
import { burgerOrder } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, type Target } from '../lib/http-load.ts';
import { hubProcess, orderTarget } from '../lib/hub.ts';
import { p, percentile, repeat, spread } from '../lib/stats.ts';

export async function fanOut(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  const sockets: WebSocket[] = [];
  try {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/ws?since=${1_000_000_000}`, {
        headers: { authorization: `Bearer ${hub.tokens.kds}` },
      });
      ws.on('message', (raw) => {
        const msg = JSON.parse(raw.toString());
        if (msg.type === 'order.created') {
          const t0 = sentAt.get(msg.data.order.id);
          if (t0 !== undefined) latencies.push(performance.now() - t0);
        }
      });
      await new Promise((r) => ws.once('open', r));
      sockets.push(ws);
    }
    await new Promise((r) => setTimeout(r, 300));
    const target: Target = {
      ...orderTarget(hub),
      body: () => {
        const body = burgerOrder();
        sentAt.set(body.id, performance.now());
        return JSON.stringify(body);
      },
    };
    const runs = await repeat(o.reps, async () => {
      latencies.length = 0;
      await openLoop(target, 100, o.seconds);
      await new Promise((r) => setTimeout(r, 200));
      return percentile(latencies, 99);
    });
    return [
      {
        group: 'realtime',
        figure: 'order → all 20 KDS sockets p50 @ 100 orders/s',
        value: p(latencies, 50),
        unit: 'ms',
        budget: null,
        audit: '< 100',
      },
      {
        group: 'realtime',
        figure: 'order → all 20 KDS sockets p99 @ 100 orders/s',
        ...spread(runs.runs),
        unit: 'ms',
        budget: '< 15',
        audit: '< 300',
      },
    ];
  } finally {
    for (const s of sockets) s.terminate();
    await hub.stop();
  }
}

/** A 1,000-item menu, as a large restaurant group's might be. */
