import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { type EvalRow, evalSets, evaluateAll, menuOf, table } from '../scripts/search-eval.ts';
import { burgerOrder, startHub, type TestHub, tempDir } from './support/hub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startHub();
});
afterAll(() => t.stop());

describe('menu search quality (npm run eval:search)', () => {
  let rows: EvalRow[];
  const figures = (set: string, method: string) =>
    rows.find((r) => r.set === set && r.method === method)!.figures;
  beforeAll(async () => {
    // Also checks that no intent query shares a word with an item it should find (it throws).
    rows = await evaluateAll(tempDir);
    console.info(`menu search evaluation\n${table(rows)}`);
  }, 120_000);

  it('measures intent on two menus: 40 intent queries on the demo menu, a second menu of 150 items', () => {
    const sets = evalSets();
    expect(sets.get('demo')!.queries.filter((q) => q.kind === 'intent').length).toBeGreaterThanOrEqual(40);
    const other = sets.get('noodle-house')!;
    expect(menuOf(other)!.items.length).toBeGreaterThanOrEqual(150);
    expect(other.queries.filter((q) => q.kind === 'intent').length).toBeGreaterThanOrEqual(20);
  });

  it('understands intent better than any one signal, on both menus', () => {
    for (const set of ['demo', 'noodle-house']) {
      const hybrid = figures(set, 'hybrid').intent;
      for (const method of ['lexical', 'vector', 'words']) {
        expect(hybrid.precisionAt5, `${set}: hybrid vs ${method}`).toBeGreaterThan(
          figures(set, method).intent.precisionAt5 + 0.15,
        );
      }
      // Measured at commit time: 0.697 demo, 0.660 noodle house (was 0.372 and 0.271 before the
      // food concepts, retrofitting and word matching). The goal is 0.8; docs/search.md says what limits it.
      expect(hybrid.precisionAt5, `${set} intent`).toBeGreaterThanOrEqual(0.65);
    }
  });

  it('keeps lexical quality: names, aliases and typos', () => {
    const demo = figures('demo', 'hybrid');
    // The evaluation set that predates intent queries: lexical and typo queries on the demo menu.
    const old =
      (demo.lexical.mrr * demo.lexical.queries + demo.typo.mrr * demo.typo.queries) /
      (demo.lexical.queries + demo.typo.queries);
    expect(old).toBeGreaterThanOrEqual(0.94);
    for (const set of ['demo', 'noodle-house']) {
      expect(figures(set, 'hybrid').lexical.precisionAt5, set).toBeGreaterThanOrEqual(0.95);
      expect(figures(set, 'hybrid').typo.precisionAt5, set).toBeGreaterThanOrEqual(0.95);
    }
  });
});

describe('menu search', () => {
  it('puts the item named first, and stops where relevance does', async () => {
    const ids = async (q: string) =>
      (await t.api('GET', `/api/v1/menu/search?q=${encodeURIComponent(q)}&limit=24`)).body.results.map(
        (r: any) => r.itemId,
      );
    expect((await ids('cola')).slice(0, 2)).toEqual(['cola', 'diet-cola']);
    expect((await ids('coke')).slice(0, 2)).toEqual(['cola', 'diet-cola']);
    const poultry = await ids('poultry');
    expect(poultry.slice(0, 5).sort()).toEqual([
      'bbq-chicken-pizza',
      'chicken-burger',
      'chicken-parm',
      'cobb',
      'wings',
    ]);
    expect(poultry.length).toBeLessThan(24);
    expect(await ids('qwzx')).toEqual([]);
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
    // Words that name properties of every JavaScript object are words like any other.
    for (const q of ['constructor', '__proto__', 'toString hasOwnProperty', 'valueOf prototype']) {
      const res = await t.api('GET', `/api/v1/menu/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(200);
    }
  });

  it('answers from the new menu while the new menu is still being embedded', async () => {
    const h = await startHub();
    try {
      const real = h.hub.search.process!;
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      // Holds the embedding of the new item, so the reindex is caught in the middle.
      h.hub.search.useEmbedder({
        modelId: real.modelId,
        dimension: real.dimension,
        embed: async (texts) => {
          if (texts.some((t) => t.includes('Craft Cola'))) await held;
          return real.embed(texts);
        },
      });
      expect((await h.api('GET', '/api/v1/menu/search?q=cola')).body.results[0].itemId).toBe('cola');
      const menu = demoMenu();
      const cola = menu.items.find((i) => i.id === 'cola')!;
      const v2 = {
        ...menu,
        version: 9,
        items: [
          ...menu.items.filter((i) => i.id !== 'cola'),
          { ...cola, id: 'craft-cola', name: 'Craft Cola' },
        ],
      };
      expect((await h.api('PUT', '/api/v1/menu', v2, h.tokens.manager)).status).toBe(200);
      const meanwhile = await h.api('GET', '/api/v1/menu/search?q=cola');
      expect(meanwhile.status).toBe(200);
      expect(meanwhile.body.results.map((r: any) => r.itemId)).not.toContain('cola');
      // The vector index still holds the old menu (Cola's vector would rank first by itself).
      const byVector = await h.hub.search.search('cola', 10, h.hub.menu.requireCatalog(), {
        vector: 1,
        lexical: 0,
        concept: 0,
        words: 1,
        name: 0,
      });
      expect(byVector.map((r) => r.itemId)).not.toContain('cola');
      expect(byVector.length).toBeGreaterThan(0);
      // Found lexically before it has a vector; once embedded it has one.
      expect(meanwhile.body.results.find((r: any) => r.itemId === 'craft-cola')).toMatchObject({ vector: 0 });
      release();
      await expect
        .poll(async () => {
          const { body } = await h.api('GET', '/api/v1/menu/search?q=cola');
          return body.results.find((r: any) => r.itemId === 'craft-cola')?.vector ?? 0;
        })
        .toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
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
