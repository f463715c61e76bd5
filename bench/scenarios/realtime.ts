/**
 * Order → every KDS socket: 20 kitchen sockets, orders at 100/s, the time from POST to each socket.
 */
import type { WebSocket } from 'ws';
import { burgerOrder } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, type Target } from '../lib/http-load.ts';
import { hubProcess, orderTarget, type RunningHub } from '../lib/hub.ts';
import { p, percentile, repeat, spread } from '../lib/stats.ts';
import { socketAtHead } from '../lib/ws-load.ts';

export async function fanOut(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const { latencies, runs } = await kdsDeliveries(hub, o);
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
        ...spread(runs),
        unit: 'ms',
        budget: '< 15',
        audit: '< 300',
      },
    ];
  } finally {
    await hub.stop();
  }
}

/**
 * 20 KDS sockets on `hub`, orders posted at 100/s for `o.reps` runs: each socket's delay from the
 * POST to the order's event, each run's p99, and per order (intended start, epoch ms) the time
 * until the last socket had it, for lining up with the hub's stall trace.
 */
export async function kdsDeliveries(hub: RunningHub, o: BenchOptions) {
  const sockets: WebSocket[] = [];
  try {
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const lastAt = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const ws = await socketAtHead(hub.port, hub.tokens.kds);
      ws.on('message', (raw) => {
        // Parse only the order's own event, as the bare ws peer's sinks parse one message an
        // order: the tickets' events would otherwise put this process's JSON work in the figure.
        const text = raw.toString();
        if (!text.startsWith('{"type":"order.created"')) return;
        const id = JSON.parse(text).data.order.id as string;
        const t0 = sentAt.get(id);
        if (t0 !== undefined) {
          latencies.push(performance.now() - t0);
          lastAt.set(id, performance.now());
        }
      });
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
    const orders = [...sentAt].flatMap(([id, t0]) => {
      const last = lastAt.get(id);
      return last === undefined ? [] : [{ at: performance.timeOrigin + t0, ms: last - t0 }];
    });
    return { latencies, runs: runs.runs, orders };
  } finally {
    for (const s of sockets) s.terminate();
  }
}

/** A 1,000-item menu, as a large restaurant group's might be. */
