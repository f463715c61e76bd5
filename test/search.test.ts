import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import type { RankWeights } from '../hub/search/rank.ts';
import { defaultWeights } from '../hub/search/rank.ts';
import { burgerOrder, startHub, type TestHub } from './support/hub.ts';

const evalSet = JSON.parse(readFileSync(join(import.meta.dirname, 'search-eval.json'), 'utf8')) as {
  queries: { q: string; expect: string[] }[];
};

let t: TestHub;
beforeAll(async () => {
  t = await startHub();
});
afterAll(() => t.stop());

async function evaluate(weights: RankWeights) {
  let rr = 0;
  let top3 = 0;
  const misses: string[] = [];
  for (const { q, expect: wanted } of evalSet.queries) {
    const hits = await t.hub.search.search(q, 10, t.hub.menu.requireCatalog(), weights);
    const rank = hits.findIndex((h) => wanted.includes(h.itemId));
    if (rank >= 0) rr += 1 / (rank + 1);
    if (rank >= 0 && rank < 3) top3++;
    else misses.push(q);
  }
  const n = evalSet.queries.length;
  return { mrr: rr / n, top3: top3 / n, misses };
}

describe('menu search', () => {
  it('ranks better with the hybrid than with either half alone, on the evaluation set', async () => {
    expect(evalSet.queries.length).toBeGreaterThanOrEqual(40);
    const lexical = await evaluate({ vector: 0, lexical: 1 });
    const vector = await evaluate({ vector: 1, lexical: 0 });
    const hybrid = await evaluate(defaultWeights);
    const row = (name: string, r: { mrr: number; top3: number }) =>
      `${name.padEnd(13)} MRR ${r.mrr.toFixed(3)}  top-3 ${(r.top3 * 100).toFixed(1)} %`;
    console.info(
      [
        `search evaluation (${evalSet.queries.length} queries, demo menu)`,
        row('lexical only', lexical),
        row('vector only', vector),
        row('hybrid', hybrid),
        `hybrid misses top-3: ${hybrid.misses.join(', ') || 'none'}`,
      ].join('\n'),
    );
    // Measured at commit time: lexical 0.900 / 93.0 %, vector 0.762 / 78.9 %, hybrid 0.940 / 96.5 %.
    expect(hybrid.mrr).toBeGreaterThan(lexical.mrr + 0.02);
    expect(hybrid.mrr).toBeGreaterThan(vector.mrr + 0.1);
    expect(hybrid.top3).toBeGreaterThan(lexical.top3);
    expect(hybrid.mrr).toBeGreaterThanOrEqual(0.9);
    expect(hybrid.top3).toBeGreaterThanOrEqual(0.9);
  });

  it('answers over HTTP with ranked items and scores; marks 86d items; refuses empty and overlong queries', async () => {
    await t.api('POST', '/api/v1/menu/items/cola/availability', { available: false }, t.tokens.manager);
    const res = await t.api('GET', '/api/v1/menu/search?q=soda&limit=5');
    expect(res.status).toBe(200);
    expect(res.body.model).toMatch(/^glove6b/);
    expect(res.body.results.length).toBeGreaterThan(0);
    const scores = res.body.results.map((r: any) => r.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(res.body.results.find((r: any) => r.itemId === 'cola')).toMatchObject({ available: false });
    await t.api('POST', '/api/v1/menu/items/cola/availability', { available: true }, t.tokens.manager);
    const empty = await t.api('GET', '/api/v1/menu/search?q=%20%20');
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('q');
    const long = await t.api('GET', `/api/v1/menu/search?q=${'a'.repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.body.errors[0].message).toMatch(/200/);
    const nothing = await t.api('GET', '/api/v1/menu/search?q=%21%21%21');
    expect(nothing.body.results).toEqual([]);
  });

  it('keeps embeddings across restarts and re-embeds only items whose text changed', async () => {
    const catalog = t.hub.menu.requireCatalog();
    expect(await t.hub.search.reindex(catalog)).toEqual({ embedded: 0, reused: catalog.items.size });
    const menu = demoMenu();
    const v2 = {
      ...menu,
      version: 5,
      items: menu.items.map((i) =>
        i.id === 'fries' ? { ...i, description: 'Hand-cut chips, rosemary salt.' } : i,
      ),
    };
    expect((await t.api('PUT', '/api/v1/menu', v2, t.tokens.manager)).status).toBe(200);
    expect(await t.hub.search.reindex(t.hub.menu.requireCatalog())).toEqual({
      embedded: 0,
      reused: catalog.items.size,
    });
    const stored = t.hub.store.search.vectors(t.hub.search.modelId!);
    expect(stored).toHaveLength(catalog.items.size);
    await t.hub.stop(); // one hub per data dir: stop it, then start it again on the same files
    const restarted = await startHub({}, t.dir);
    try {
      // The restarted hub found every vector in SQLite: nothing to embed.
      expect(await restarted.hub.search.reindex(restarted.hub.menu.requireCatalog())).toEqual({
        embedded: 0,
        reused: catalog.items.size,
      });
    } finally {
      await restarted.hub.stop();
    }
  });
});

describe('the embedding process', () => {
  it('runs apart from the hub: killed, search answers lexically and orders go on; it comes back and fills in vectors', async () => {
    const h = await startHub({ embedTimeoutMs: 2_000 });
    const status = async () =>
      (await h.api('GET', '/api/v1/status', undefined, h.tokens.manager)).body.search;
    const search = async (q: string) =>
      (await h.api('GET', `/api/v1/menu/search?q=${q}&limit=5`)).body.results;
    try {
      const before = await status();
      expect(before).toMatchObject({ embedder: 'ready', embedderRestarts: 0 });
      expect(before.embedderPid).not.toBe(process.pid);
      expect((await search('soda')).some((r: any) => r.vector > 0)).toBe(true);

      process.kill(before.embedderPid, 'SIGKILL');
      await expect.poll(async () => (await status()).embedder).not.toBe('ready');
      // While it is down: orders and lexical search are untouched.
      const lexical = await search('burger');
      expect(lexical.map((r: any) => r.itemId)).toContain('classic-burger');
      expect(lexical.every((r: any) => r.vector === 0)).toBe(true);
      expect((await h.api('POST', '/api/v1/orders', burgerOrder())).status).toBe(201);
      // A menu edit while it is down: the item keeps its place in lexical search…
      const menu = demoMenu();
      const v2 = {
        ...menu,
        version: 7,
        items: menu.items.map((i) =>
          i.id === 'fries' ? { ...i, description: 'Hand-cut chips, sea salt.' } : i,
        ),
      };
      expect((await h.api('PUT', '/api/v1/menu', v2, h.tokens.manager)).status).toBe(200);

      await expect
        .poll(status, { timeout: 10_000 })
        .toMatchObject({ embedder: 'ready', embedderRestarts: 1 });
      const after = await status();
      expect(after.embedderPid).not.toBe(before.embedderPid);
      // …and once the process is back the edited item has a vector for its new text.
      await expect.poll(async () => (await status()).indexedItems).toBe(menu.items.length);
      expect((await search('chips')).find((r: any) => r.itemId === 'fries').vector).toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
  });

  it('replaces a process that stops answering: the waiting search gets lexical results at the deadline', async () => {
    const h = await startHub({ embedTimeoutMs: 500 });
    try {
      const pid = h.hub.search.process!.pid!;
      process.kill(pid, 'SIGSTOP'); // alive but wedged, as a hung native call would be
      const res = await h.api('GET', '/api/v1/menu/search?q=coffee&limit=5');
      expect(res.status).toBe(200);
      expect(res.body.results.length).toBeGreaterThan(0);
      expect(res.body.results.every((r: any) => r.vector === 0)).toBe(true);
      await expect
        .poll(() => ({ restarts: h.hub.search.process!.restarts, status: h.hub.search.process!.status }), {
          timeout: 10_000,
        })
        .toEqual({ restarts: 1, status: 'ready' });
      expect(h.hub.search.process!.pid).not.toBe(pid);
      expect(() => process.kill(pid, 0)).toThrow(); // the wedged one is gone, not leaked
    } finally {
      await h.stop();
    }
  });
});
