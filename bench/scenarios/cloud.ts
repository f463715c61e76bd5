/**
 * The cloud's aggregate load: 50 simulated hubs pushing batches into ingest_batch at once.
 */
import { demoMenu } from '../../hub/menu/demo.ts';
import { startCloud } from '../../test/support/cloud.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';

export async function cloudIngest(o: BenchOptions): Promise<Figure[]> {
  const cloud = await startCloud();
  try {
    const hubs = [];
    for (let i = 0; i < 50; i++) hubs.push(await cloud.addHub()); // one admin connection: one query at a time
    const batches = o.quick ? 2 : 5;
    const perBatch = 200;
    const sample = demoMenu();
    const t0 = performance.now();
    await Promise.all(
      hubs.map(async (h) => {
        const client = cloud.client(h.token);
        for (let b = 0; b < batches; b++) {
          const events = Array.from({ length: perBatch }, (_, i) => {
            const seq = b * perBatch + i + 1;
            const id = crypto.randomUUID();
            const at = new Date().toISOString();
            const item = sample.items[i % sample.items.length]!;
            return {
              seq,
              type: 'order.created',
              entityId: id,
              at,
              data: {
                order: {
                  id,
                  number: seq,
                  status: 'sent',
                  currency: 'USD',
                  menuVersion: 1,
                  subtotal: item.price,
                  tax: 0,
                  total: item.price,
                  note: null,
                  tableLabel: null,
                  voidReason: null,
                  deviceId: null,
                  createdAt: at,
                  updatedAt: at,
                  lines: [
                    {
                      lineNo: 1,
                      itemId: item.id,
                      name: item.name,
                      qty: 1,
                      unitPrice: item.price,
                      lineTotal: item.price,
                      stationId: item.stationId,
                      taxClassId: item.taxClassId,
                      modifiers: [],
                      note: null,
                    },
                  ],
                },
              },
            };
          });
          const r = await client.rpc('ingest_batch', {
            p_hub_id: h.hubId,
            p_from_seq: b * perBatch + 1,
            p_to_seq: (b + 1) * perBatch,
            p_events: events,
          });
          if (r.error) throw new Error(r.error.message);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1_000;
    return [
      {
        group: 'cloud',
        figure: 'cloud ingest: orders/s into Postgres, 50 hubs pushing at once',
        value: Math.round((50 * batches * perBatch) / seconds),
        unit: 'orders/s',
        budget: null,
        audit: null,
        note: `${cloud.kind}, batches of ${perBatch}`,
      },
    ];
  } finally {
    await cloud.stop();
  }
}

/** Hub RSS after 10k and 100k orders (1M with --full): memory must not grow with history. */
