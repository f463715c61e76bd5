import { describe, expect, it } from 'vitest';
import { Store } from '../hub/store/index.ts';
import { apiFor, burgerOrder, exited, runCli, spawnHub, tempDir } from './support/hub.ts';

const trials = Number(process.env.GROW_KILL_TRIALS ?? 20);

/**
 * Invariant 4, "acked means durable": a hub under a stream of orders is killed with SIGKILL at a
 * random moment, again and again on the same data dir. Every order that got a 2xx must be on disk.
 */
describe('kill -9 under an order stream', () => {
  it(`loses no acknowledged order across ${trials} kills`, { timeout: 30_000 + trials * 8_000 }, async () => {
    const { dir, remove } = tempDir();
    const acked = new Set<string>();
    try {
      const made = await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'stream']);
      expect(made.code).toBe(0);
      const token = JSON.parse(made.stdout).token as string;
      for (let trial = 0; trial < trials; trial++) {
        const { child, base } = await spawnHub(dir, ['--demo']);
        const api = apiFor(base, token);
        let stop = false;
        // 8 cashiers posting as fast as the hub answers; only 2xx answers count as acknowledged.
        const writers = Array.from({ length: 8 }, async () => {
          while (!stop) {
            const body = burgerOrder();
            try {
              const res = await api('POST', '/api/v1/orders', body);
              if (res.status === 201 || res.status === 200) acked.add(body.id);
            } catch {
              return; // connection died with the hub: this order was not acknowledged
            }
          }
        });
        // Killed at a random moment under load: after a random number of acknowledged orders.
        const before = acked.size;
        const target = before + 20 + Math.floor(Math.random() * 300);
        await expect.poll(() => acked.size, { timeout: 20_000 }).toBeGreaterThanOrEqual(target);
        child.kill('SIGKILL');
        stop = true;
        await exited(child);
        await Promise.all(writers);
      }
      const store = Store.open(`${dir}/hub.db`);
      try {
        expect(store.integrityCheck()).toBe('ok');
        const has = store.db.prepare('SELECT 1 FROM orders WHERE id = ?').pluck();
        const missing = [...acked].filter((id) => !has.get(id));
        expect(acked.size).toBeGreaterThan(trials * 10);
        expect(missing).toEqual([]);
        // Every order has its order.created event: the change and its event committed together.
        const orphans = store.db
          .prepare(
            "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.entity_id = o.id AND e.type = 'order.created')",
          )
          .pluck()
          .get();
        expect(orphans).toBe(0);
      } finally {
        store.close();
      }
    } finally {
      remove();
    }
  });
});
