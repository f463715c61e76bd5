/**
 * Hub memory stays flat as orders pile up in SQLite.
 */
import { apiFor, burgerOrder } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { hubProcess } from '../lib/hub.ts';
import { rssBytes } from '../lib/proc.ts';

export async function memory(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const marks = o.full ? [10_000, 100_000, 1_000_000] : o.quick ? [5_000, 20_000] : [10_000, 100_000];
    const figures: Figure[] = [];
    let done = 0;
    const rss: number[] = [];
    for (const mark of marks) {
      let next = done;
      const api = apiFor(hub.base, hub.tokens.pos);
      await Promise.all(
        Array.from({ length: 48 }, async () => {
          while (next++ < mark) await api('POST', '/api/v1/orders', burgerOrder());
        }),
      );
      done = mark;
      await new Promise((r) => setTimeout(r, 500));
      rss.push(rssBytes(hub.child.pid!));
      figures.push({
        group: 'memory',
        figure: `hub RSS after ${mark.toLocaleString('en')} orders`,
        value: Math.round(rss.at(-1)! / 1_048_576),
        unit: 'MB',
        budget: null,
        audit: null,
      });
    }
    const growth = ((rss.at(-1)! - rss[0]!) / rss[0]!) * 100;
    figures.push({
      group: 'memory',
      figure: `hub RSS growth ${marks[0]!.toLocaleString('en')} → ${marks.at(-1)!.toLocaleString('en')} orders`,
      value: Math.round(growth * 10) / 10,
      unit: '%',
      budget: '< 10',
      audit: null,
    });
    return figures;
  } finally {
    await hub.stop();
  }
}

/** kill -9 trials under an order stream: acknowledged orders lost (must be 0). */
