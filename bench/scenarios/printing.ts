/**
 * Ticket → bytes at the printer: six network printers (fake ones, real TCP servers in this
 * process), one of them dead, orders with a line for every station at 20/s; the time from the
 * POST to the last byte of each ticket at its printer.
 */
import { newOrderId } from '../../test/support/hub.ts';
import { FakePrinter } from '../../test/support/printer.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, type Target } from '../lib/http-load.ts';
import { hubProcess, orderTarget } from '../lib/hub.ts';
import { p, percentile, repeat, spread } from '../lib/stats.ts';

/** One dish per station of the demo menu. */
const dishes = {
  grill: 'veg-curry',
  fry: 'wings',
  pizza: 'garlic-bread',
  cold: 'tomato-soup',
  bar: 'orange-juice',
  pastry: 'cheesecake',
} as const;

export async function printing(o: BenchOptions): Promise<Figure[]> {
  const printers = await Promise.all(Object.keys(dishes).map((s) => new FakePrinter(s).start()));
  await printers[0]!.become('refuse'); // the grill printer is dead
  const hub = await hubProcess();
  try {
    const api = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${hub.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${hub.tokens.manager}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    for (const [i, station] of Object.keys(dishes).entries()) {
      const printer = await api('POST', '/api/v1/printers', {
        name: station,
        host: '127.0.0.1',
        port: printers[i]!.port,
      });
      await api('PUT', `/api/v1/printing/stations/${station}`, {
        mode: 'always',
        printerId: printer.id,
        backupPrinterId: null,
      });
    }
    const sentAt = new Map<string, number>();
    let n = 0;
    const target: Target = {
      ...orderTarget(hub),
      body: () => {
        const table = `B${++n}`;
        sentAt.set(table, performance.now());
        return JSON.stringify({
          id: newOrderId(),
          tableLabel: table,
          lines: Object.values(dishes).map((itemId) => ({ itemId, qty: 1 })),
        });
      },
    };
    /** POST → last byte at the printer, for every ticket a live printer got. */
    const latencies = () =>
      printers.slice(1).flatMap((printer) =>
        printer.jobs.flatMap((job) => {
          const table = /#\d+\s+(B\d+)/.exec(job.text)?.[1];
          const t0 = table ? sentAt.get(table) : undefined;
          return t0 === undefined ? [] : [job.at - t0];
        }),
      );
    const runs = await repeat(o.reps, async () => {
      for (const printer of printers) printer.jobs.length = 0;
      await openLoop(target, 20, o.seconds);
      await new Promise((r) => setTimeout(r, 500));
      return percentile(latencies(), 99);
    });
    const all = latencies();
    return [
      {
        group: 'printing',
        figure: 'ticket → bytes at the printer p50 (6 printers, 1 dead, 20 orders/s × 6 stations)',
        value: p(all, 50),
        unit: 'ms',
        budget: null,
        audit: null,
      },
      {
        group: 'printing',
        figure: 'ticket → bytes at the printer p99 (6 printers, 1 dead, 20 orders/s × 6 stations)',
        ...spread(runs.runs),
        unit: 'ms',
        budget: '< 50',
        audit: null,
        note: `${all.length} tickets printed on the 5 live printers in the last run`,
      },
    ];
  } finally {
    await hub.stop();
    for (const printer of printers) await printer.stop();
  }
}
