/**
 * Issue 14.1: a stranger on the LAN opens thousands of idle connections (no token needed), each
 * trickling a header line every few seconds. Before, the hub ran out of file descriptors and every
 * new connection, a paired till's too, was reset until the flood stopped. Now connections are
 * capped in total and per address, the oldest connection that never showed a device token makes
 * room, and slow headers are cut at `headersTimeoutMs`: the paired till keeps taking orders.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { apiFor, burgerOrder, exited, runCli, spawnHub, tempDir } from './support/hub.ts';

describe('a connection flood from the LAN', () => {
  it('keeps answering a paired till while 20 addresses hold 1,500 idle connections open', {
    timeout: 90_000,
  }, async () => {
    const { dir, remove } = tempDir();
    const attackers = new Set<Socket>();
    let flooding = true;
    try {
      const make = async (role: string) =>
        JSON.parse(
          (await runCli(['device', 'create', '--data-dir', dir, '--role', role, '--name', role])).stdout,
        ).token as string;
      const token = await make('pos');
      const manager = await make('manager');
      // A box whose open-file limit is 1,024 (a common default), with the production per-address cap.
      const hub = await spawnHub(
        dir,
        ['--demo'],
        { GROW_MAX_CONNECTIONS_PER_ADDRESS: '64', GROW_HEADERS_TIMEOUT_MS: '5000' },
        undefined,
        { fdLimit: 1_024 },
      );
      const port = Number(new URL(hub.base).port);
      // Slowloris: open, send part of a request, then a header line every 2 s; reconnect when cut.
      const open = (address: string) => {
        if (!flooding) return;
        const s = connect({ port, host: '127.0.0.1', localAddress: address });
        attackers.add(s);
        s.on('connect', () => s.write('GET /health HTTP/1.1\r\nHost: hub\r\n'));
        const drip = setInterval(() => s.writable && s.write('X-Wait: 1\r\n'), 2_000);
        s.on('error', () => {}); // cut by the hub: the close below reconnects
        s.on('close', () => {
          clearInterval(drip);
          attackers.delete(s);
          setTimeout(() => open(address), 50);
        });
      };
      for (let i = 0; i < 1_500; i++) open(`127.0.0.${2 + (i % 20)}`);
      await sleep(1_000); // the flood is on

      const api = apiFor(hub.base, token);
      const latencies: number[] = [];
      const failures: string[] = [];
      let retried = 0;
      for (let i = 0; i < 60; i++) {
        const started = performance.now();
        const order = burgerOrder();
        // A till gives up on a request after 10 s and sends the same order again once, as the
        // POS outbox does (an order id is idempotent); both failing is what the flood did before.
        for (let attempt = 1; attempt <= 2; attempt++) {
          try {
            const res = await api('POST', '/api/v1/orders', order, undefined, {}, 10_000);
            if (res.status === 201 || res.status === 200) latencies.push(performance.now() - started);
            else failures.push(`${res.status} ${JSON.stringify(res.body)}`);
            break;
          } catch (err) {
            if (attempt === 2) failures.push(String((err as Error).cause ?? err));
            else retried++;
          }
        }
        await sleep(100);
      }
      const health = await fetch(`${hub.base}/health`).then(
        (r) => r.status,
        () => 0,
      );
      latencies.sort((a, b) => a - b);
      console.info(
        `during the flood: ${latencies.length} of 60 orders answered (${retried} sent twice), p50 ${latencies[30]?.toFixed(1)} ms, worst ${latencies.at(-1)?.toFixed(1)} ms; ${attackers.size} attacker connections open`,
      );
      expect(failures).toEqual([]);
      expect(retried).toBeLessThanOrEqual(3);
      expect(health).toBe(200);
      const metrics = (await api('GET', '/metrics', undefined, manager)).body as string;
      expect(metrics).toMatch(/grow_connections\{kind="evicted"\} [1-9]/);
      flooding = false;
      for (const s of attackers) s.destroy();
      hub.child.kill('SIGTERM');
      await exited(hub.child);
    } finally {
      flooding = false;
      for (const s of attackers) s.destroy();
      remove();
    }
  });
});
