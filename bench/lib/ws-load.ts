import { WebSocket } from 'ws';

export interface WsOrderTarget {
  port: number;
  token: string;
  body: () => unknown;
}

const resultPrefix = Buffer.from('{"type":"command.result"');

/**
 * A socket that starts at the log's head, as a device that is up to date does: no replay and no
 * snapshot (asking for a seq past the head, as these did, made the hub build a snapshot of every
 * open order for each socket, inside the measured window).
 */
export async function socketAtHead(port: number, token: string): Promise<WebSocket> {
  const head = ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { headSeq: number })
    .headSeq;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?since=${head}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await new Promise((resolve, reject) => {
    ws.once('error', reject);
    const live = (raw: Buffer) => {
      if (!raw.toString().startsWith('{"type":"caught_up"')) return;
      ws.off('message', live);
      resolve(null);
    };
    ws.on('message', live);
  });
  return ws;
}

async function openSockets(t: WsOrderTarget, n: number) {
  const pending = new Map<string, (status: number) => void>();
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i++) {
    const ws = await socketAtHead(t.port, t.token);
    ws.on('message', (raw) => {
      // Every socket also receives every event (as a POS does); the generator only needs the
      // results, and parsing 2 kB order events it ignores stole CPU from the hub on 2 cores.
      const bytes = raw as Buffer;
      if (!bytes.subarray(0, resultPrefix.length).equals(resultPrefix)) return;
      const m = JSON.parse(bytes.toString());
      pending.get(m.requestId)?.(m.status);
      pending.delete(m.requestId);
    });
    sockets.push(ws);
  }
  let next = 0;
  const send = (i: number) =>
    new Promise<number>((resolve) => {
      const requestId = String(next++);
      pending.set(requestId, resolve);
      sockets[i % sockets.length]!.send(JSON.stringify({ type: 'order.create', requestId, body: t.body() }));
    });
  return {
    send,
    close: () => {
      for (const s of sockets) s.terminate();
    },
  };
}

/** Closed loop over `sockets` sockets with `depth` orders in flight on each. */
export async function wsSaturate(
  t: WsOrderTarget,
  sockets: number,
  depth: number,
  seconds: number,
): Promise<number> {
  const conn = await openSockets(t, sockets);
  let ok = 0;
  const end = performance.now() + seconds * 1_000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: sockets * depth }, async (_, i) => {
      while (performance.now() < end) if ((await conn.send(i)) < 300) ok++;
    }),
  );
  conn.close();
  return ok / ((performance.now() - start) / 1_000);
}

/** Open loop: latency from each command's intended send time to its result. */
export async function wsOpenLoop(t: WsOrderTarget, rate: number, seconds: number): Promise<number[]> {
  const conn = await openSockets(t, 8);
  const latencies: number[] = [];
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const intended = start + (i * 1_000) / rate;
    const wait = intended - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(conn.send(i).then(() => void latencies.push(performance.now() - intended)));
  }
  await Promise.all(inflight);
  conn.close();
  return latencies;
}
