/**
 * 1,000 idle authenticated sockets (memory and CPU), and a reconnect storm after a restart.
 */
import { rmSync } from 'node:fs';
import { WebSocket } from 'ws';
import { RealtimeClient } from '../../protocol/realtime-client.ts';
import { apiFor, exited } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { hubProcess } from '../lib/hub.ts';
import { cpuSeconds, rssBytes } from '../lib/proc.ts';

export async function sockets(o: BenchOptions): Promise<Figure[]> {
  // This figure is memory per idle socket, not admission: lift the handshake rate for the setup.
  const hub = await hubProcess({ GROW_WS_HANDSHAKES_PER_SECOND: '100000' });
  const open: WebSocket[] = [];
  try {
    const before = rssBytes(hub.child.pid!);
    for (let i = 0; i < 1_000; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${hub.port}/ws?since=1000000000`, {
        headers: { authorization: `Bearer ${hub.tokens.kds}` },
      });
      ws.on('error', () => {});
      open.push(ws);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(
      open.map((ws) => (ws.readyState === WebSocket.OPEN ? null : new Promise((r) => ws.once('open', r)))),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const cpu0 = cpuSeconds(hub.child.pid!);
    const idleSeconds = o.quick ? 3 : 10;
    await new Promise((r) => setTimeout(r, idleSeconds * 1_000));
    const cpu = ((cpuSeconds(hub.child.pid!) - cpu0) / idleSeconds) * 100;
    const rss = rssBytes(hub.child.pid!);
    const status = await apiFor(hub.base, hub.tokens.manager)('GET', '/api/v1/status');
    const embedderRss = rssBytes(status.body.search.embedderPid);
    for (const ws of open) ws.terminate();
    const mb = (bytes: number) => Math.round(bytes / 1_048_576);
    return [
      {
        group: 'sockets',
        figure: 'hub RSS with 1,000 idle authenticated sockets',
        value: mb(rss),
        unit: 'MB',
        budget: '< 150',
        audit: null,
        note: `${mb(before)} MB before; the embedding process is apart (next rows)`,
      },
      {
        group: 'sockets',
        figure: 'embedding process RSS (onnxruntime + model)',
        value: mb(embedderRss),
        unit: 'MB',
        budget: '< 120',
        audit: null,
      },
      {
        group: 'sockets',
        figure: 'hub + embedding process RSS, 1,000 idle sockets',
        value: mb(rss + embedderRss),
        unit: 'MB',
        budget: null,
        audit: null,
        note: 'everything the hub needs resident',
      },
      {
        group: 'sockets',
        figure: 'hub CPU with 1,000 idle sockets',
        value: Math.round(cpu * 10) / 10,
        unit: '% of a core',
        budget: null,
        audit: null,
      },
    ];
  } finally {
    await hub.stop();
  }
}

/** 500 devices (the real client library) reconnect at once after a hub restart. */
export async function reconnectStorm(o: BenchOptions): Promise<Figure[]> {
  const n = o.quick ? 200 : 500;
  let hub = await hubProcess();
  const clients: RealtimeClient[] = [];
  try {
    const live = new Set<number>();
    for (let i = 0; i < n; i++) {
      const c = new RealtimeClient({
        url: `ws://127.0.0.1:${hub.port}/ws`,
        token: hub.tokens.kds,
        since: 0,
        connect: (url) => {
          const ws = new WebSocket(url);
          ws.on('error', () => {});
          return ws as never;
        },
        onEvent: () => {},
        onState: (s) => (s.status === 'live' ? live.add(i) : live.delete(i)),
      });
      c.start();
      clients.push(c);
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 50));
    }
    while (live.size < n) await new Promise((r) => setTimeout(r, 50));
    const { dir, tokens, port } = hub;
    hub.child.kill('SIGTERM');
    await exited(hub.child);
    const t0 = performance.now();
    hub = await hubProcess({}, { dir, tokens }, port);
    const upAfter = (performance.now() - t0) / 1_000;
    // The storm's load on the hub: its CPU time over each half second until all are back.
    const pid = hub.child.pid!;
    const cpu: number[] = [];
    const admitted: number[] = [];
    let lastLive = live.size;
    let lastCpu = cpuSeconds(pid);
    let lastAt = performance.now();
    while (live.size < n) {
      await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - lastAt >= 500) {
        const now = cpuSeconds(pid);
        cpu.push((now - lastCpu) / ((performance.now() - lastAt) / 1_000));
        admitted.push((live.size - lastLive) / ((performance.now() - lastAt) / 1_000));
        lastLive = live.size;
        lastCpu = now;
        lastAt = performance.now();
      }
    }
    const seconds = (performance.now() - t0) / 1_000;
    const peakCpu = Math.round(Math.max(0, ...cpu) * 100);
    const stormRss = rssBytes(hub.child.pid!);
    return [
      {
        group: 'sockets',
        figure: `hub RSS after a ${n}-socket reconnect storm`,
        value: Math.round(stormRss / 1_048_576),
        unit: 'MB',
        budget: '< 150',
        audit: null,
      },
      {
        group: 'sockets',
        figure: `${n}-socket reconnect storm: restart → all resumed`,
        value: Math.round(seconds * 100) / 100,
        unit: 's',
        budget: null,
        audit: '5–10 (recovery)',
        note: `includes the hub process restart (listening after ${upAfter.toFixed(1)} s); devices turned away come back at their slot`,
      },
      {
        group: 'sockets',
        figure: `${n}-socket reconnect storm: hub CPU, busiest half second`,
        value: peakCpu,
        unit: '% of a core',
        budget: null,
        audit: null,
        note: `mean ${Math.round((cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length)) * 100)} % over the storm; sockets resumed in the busiest half second: ${Math.round(Math.max(0, ...admitted) / 2)}`,
      },
    ];
  } finally {
    for (const c of clients) c.stop();
    await hub.stop();
    rmSync(hub.dir, { recursive: true, force: true });
  }
}
