/**
 * kill -9 under an order stream, repeatedly: every acknowledged order must be there after restart.
 */
import { join } from 'node:path';
import { Store } from '../../hub/store/index.ts';
import {
  apiFor,
  burgerOrder,
  exited,
  productionEntry,
  runCli,
  spawnHub,
  tempDir,
} from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';

export async function killTrials(o: BenchOptions): Promise<Figure[]> {
  // 80 here and 20 in `npm test` (test/durability.test.ts): 100 kill -9 trials across the suites.
  const trials = o.quick ? 5 : 80;
  const { dir, remove } = tempDir('grow-bench-kill-');
  const token = JSON.parse(
    (await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'kill'])).stdout,
  ).token as string;
  const acked = new Set<string>();
  try {
    for (let i = 0; i < trials; i++) {
      const { child, base } = await spawnHub(dir, ['--demo'], { GROW_LOG_LEVEL: 'error' }, productionEntry);
      const api = apiFor(base, token);
      let stop = false;
      const writers = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const body = burgerOrder();
          const res = await api('POST', '/api/v1/orders', body).catch(() => null);
          if (!res) return;
          if (res.status < 300) acked.add(body.id);
        }
      });
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 500));
      child.kill('SIGKILL');
      stop = true;
      await exited(child);
      await Promise.all(writers);
    }
    const store = Store.open(join(dir, 'hub.db'));
    const has = store.db.prepare('SELECT 1 FROM orders WHERE id = ?').pluck();
    const lost = [...acked].filter((id) => !has.get(id)).length;
    const integrity = store.integrityCheck();
    store.close();
    return [
      {
        group: 'durability',
        figure: 'kill -9 trials under an order stream',
        value: trials,
        unit: 'trials',
        budget: null,
        audit: null,
        note: `${acked.size} orders acknowledged; integrity_check: ${integrity}`,
      },
      {
        group: 'durability',
        figure: 'acknowledged orders lost',
        value: lost,
        unit: 'orders',
        budget: '= 0',
        audit: null,
      },
    ];
  } finally {
    remove();
  }
}

/** Peers in the same run: what the hub costs over bare fastify, raw SQLite and bare ws. */
