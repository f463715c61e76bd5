/**
 * Bare peers in the same run (fastify hello-world, raw better-sqlite3, bare ws broadcast), as ratios.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { saturate } from '../lib/http-load.ts';
import { serverCommand } from '../lib/placement.ts';
import { percentile, repeat } from '../lib/stats.ts';

export async function peers(o: BenchOptions, hubFigures: Figure[]): Promise<Figure[]> {
  const child = spawn(
    ...serverCommand(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../peers/hello.ts')]),
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((r) =>
    child.stdout!.once('data', (d) => r(Number(String(d).trim()))),
  );
  const hello = await repeat(o.reps, async () => {
    const res = await saturate({ port, path: '/', method: 'GET', headers: {} }, 64, o.seconds);
    return res.ok / res.seconds;
  });
  child.kill();

  // In a child, so it runs where the servers run (pinned: on their core).
  const [cmd, args] = serverCommand(process.execPath, [
    '--import',
    'tsx',
    join(import.meta.dirname, '../peers/sqlite.ts'),
    String(o.seconds),
  ]);
  const rawPerSecond = Number(spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim());

  const bare = await bareBroadcastP99(o);
  const hubFanout =
    hubFigures.find((f) => f.figure.startsWith('order → all 20 KDS sockets p99'))?.value ?? Number.NaN;
  const hubRate = hubFigures.find((f) => f.figure.startsWith('order create throughput'))?.value ?? Number.NaN;
  return [
    {
      group: 'peers',
      figure: 'bare fastify hello-world (64 conns)',
      value: Math.round(hello.median),
      min: Math.round(hello.min),
      max: Math.round(hello.max),
      unit: 'req/s',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'hub order create ÷ bare fastify hello-world',
      value: Math.round((hubRate / hello.median) * 100) / 100,
      unit: 'ratio',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'bare ws broadcast to 20 sockets p99 @ 100 msg/s',
      value: bare,
      unit: 'ms',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'hub order → KDS p99 ÷ bare ws broadcast p99',
      value: Math.round((hubFanout / bare) * 100) / 100,
      unit: 'ratio',
      budget: null,
      audit: null,
      note: 'the hub also validates, prices, commits (fsync) and routes',
    },
    {
      group: 'peers',
      figure: 'raw better-sqlite3 single-row transactions (WAL, synchronous=FULL)',
      value: Math.round(rawPerSecond),
      unit: 'tx/s',
      budget: null,
      audit: null,
    },
    {
      group: 'peers',
      figure: 'hub group-committed orders ÷ raw single-row transactions',
      value: Math.round((hubRate / rawPerSecond) * 100) / 100,
      unit: 'ratio',
      budget: null,
      audit: null,
      note: 'each hub order also writes tickets and 3 events',
    },
  ];
}

/** p99 from sending on a source socket to arrival on each of 20 sockets of a bare ws relay. */
async function bareBroadcastP99(o: BenchOptions): Promise<number> {
  const child = spawn(
    ...serverCommand(process.execPath, [
      '--import',
      'tsx',
      join(import.meta.dirname, '../peers/broadcast.ts'),
    ]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((r) =>
    child.stdout!.once('data', (d) => r(Number(String(d).trim()))),
  );
  const latencies: number[] = [];
  const sinks: WebSocket[] = [];
  for (let i = 0; i < 20; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/sink`);
    ws.on('message', (d) => latencies.push(performance.now() - Number(JSON.parse(d.toString()).t)));
    await new Promise((r) => ws.once('open', r));
    sinks.push(ws);
  }
  const source = new WebSocket(`ws://127.0.0.1:${port}/source`);
  await new Promise((r) => source.once('open', r));
  const payload = 'x'.repeat(1_500); // about an order.created event
  const runs: number[] = [];
  for (let rep = 0; rep < o.reps; rep++) {
    latencies.length = 0;
    const total = 100 * o.seconds;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + i * 10 - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      source.send(JSON.stringify({ t: performance.now(), payload }));
    }
    await new Promise((r) => setTimeout(r, 200));
    runs.push(percentile(latencies, 99));
  }
  for (const ws of [...sinks, source]) ws.terminate();
  child.kill();
  return Math.round(percentile(runs, 50) * 100) / 100;
}
