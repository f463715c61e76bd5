import { Agent, request } from 'node:http';

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  /** ms from each request's *intended* start, so queueing is counted (no coordinated omission). */
  latencies: number[];
  /** Open loop only: each request's intended start (epoch ms) and latency, to line up with the hub's stall trace. */
  requests?: Array<{ at: number; ms: number }>;
}

export interface Target {
  port: number;
  /** A function gives each request its own path (e.g. rotating search queries). */
  path: string | (() => string);
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: () => string;
}

function send(agent: Agent, t: Target): Promise<number> {
  return new Promise((resolve) => {
    const payload = t.body?.();
    const req = request(
      {
        host: '127.0.0.1',
        port: t.port,
        path: typeof t.path === 'function' ? t.path() : t.path,
        method: t.method,
        agent,
        headers: {
          ...t.headers,
          ...(payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(payload);
  });
}

/** Open loop: requests are issued on a fixed schedule whatever the server does. */
export async function openLoop(t: Target, ratePerSecond: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(ratePerSecond * seconds);
  const interval = 1_000 / ratePerSecond;
  const start = performance.now();
  const latencies: number[] = [];
  const requests: Array<{ at: number; ms: number }> = [];
  let ok = 0;
  let failed = 0;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const intended = start + i * interval;
    const wait = intended - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      send(agent, t).then((status) => {
        const ms = performance.now() - intended;
        latencies.push(ms);
        requests.push({ at: performance.timeOrigin + intended, ms });
        if (status >= 200 && status < 300) ok++;
        else failed++;
      }),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  return { sent: total, ok, failed, seconds: (performance.now() - start) / 1_000, latencies, requests };
}

/** Closed loop at saturation: `connections` workers each send the next request when one returns. */
export async function saturate(t: Target, connections: number, seconds: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  const start = performance.now();
  const end = start + seconds * 1_000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await send(agent, t);
        latencies.push(performance.now() - t0);
        if (status >= 200 && status < 300) ok++;
        else failed++;
      }
    }),
  );
  agent.destroy();
  return { sent: ok + failed, ok, failed, seconds: (performance.now() - start) / 1_000, latencies };
}
