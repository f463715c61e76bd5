/**
 * The menu search evaluation: every query in test/search-eval/*.json against a real hub (its own
 * SQLite file, its embedding process), by query kind and ranking method.
 *
 *   npm run eval:search            prints the table (docs/search.md quotes it)
 *   npm run eval:search -- --misses    also lists each query whose first five miss something
 *
 * test/search.test.ts runs the same evaluation and holds the figures to their goals.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stemmer } from 'stemmer';
import { z } from 'zod';
import { parseConfig } from '../hub/config.ts';
import { Hub } from '../hub/hub.ts';
import { itemFields, itemText } from '../hub/search/item-text.ts';
import { defaultWeights, type RankWeights } from '../hub/search/rank.ts';
import { Slug } from '../protocol/ids.ts';
import { MenuSnapshot } from '../protocol/menu.ts';
import type { Catalog } from '../rules/catalog.ts';
import { contentWords } from '../rules/menu-words.ts';

export const QueryKind = z.enum(['lexical', 'typo', 'intent']);
export type QueryKind = z.infer<typeof QueryKind>;

export const EvalSet = z.strictObject({
  about: z.string(),
  /** 'demo', or a menu file next to the set. */
  menu: z.string(),
  queries: z.array(
    z.strictObject({
      q: z.string().min(1),
      kind: QueryKind,
      /** Every item a cashier would accept for this query. */
      expect: z.array(Slug).min(1),
    }),
  ),
});
export type EvalSet = z.infer<typeof EvalSet>;

export const evalDir = join(import.meta.dirname, '../test/search-eval');

/** Each set, by name (the file's name without .json). */
export function evalSets(): Map<string, EvalSet> {
  const sets = new Map<string, EvalSet>();
  for (const file of readdirSync(evalDir).sort()) {
    if (!file.endsWith('.json') || file.endsWith('.menu.json')) continue;
    sets.set(
      file.replace(/\.json$/, ''),
      EvalSet.parse(JSON.parse(readFileSync(join(evalDir, file), 'utf8'))),
    );
  }
  return sets;
}

export function menuOf(set: EvalSet): MenuSnapshot | null {
  if (set.menu === 'demo') return null;
  return MenuSnapshot.parse(JSON.parse(readFileSync(join(evalDir, set.menu), 'utf8')));
}

/** The ranking methods compared: each signal alone, and what the hub ships. */
export const methods: Record<string, RankWeights> = {
  lexical: { vector: 0, lexical: 1, concept: 0, words: 0, name: 0 },
  vector: { vector: 1, lexical: 0, concept: 0, words: 0, name: 0 },
  words: { vector: 0, lexical: 0, concept: 0, words: 1, name: 0 },
  concepts: { vector: 0, lexical: 0, concept: 1, words: 0, name: 0 },
  hybrid: defaultWeights,
};

const stems = (text: string) => new Set(contentWords(text).map((w) => stemmer(w)));

/**
 * Intent queries must share no word, after stemming, with any item they should find: otherwise
 * they measure the lexical index, not understanding. Returns one line per offending query.
 */
export function sharedWords(set: EvalSet, catalog: Catalog): string[] {
  const problems: string[] = [];
  for (const { q, kind, expect } of set.queries) {
    const missing = expect.filter((id) => !catalog.items.has(id));
    if (missing.length > 0) problems.push(`"${q}": no such item ${missing.join(', ')}`);
    if (kind !== 'intent') continue;
    const query = stems(q);
    for (const id of expect.filter((i) => catalog.items.has(i))) {
      const shared = [...stems(itemText(itemFields(catalog, id)))].filter((s) => query.has(s));
      if (shared.length > 0) problems.push(`"${q}" shares "${shared.join(', ')}" with ${id}`);
    }
  }
  return problems;
}

export interface Figures {
  queries: number;
  /** Relevant items in the first five, out of min(5, relevant items): 1 when the first five are all right. */
  precisionAt5: number;
  /** Relevant items in the first ten, out of all relevant items. */
  recallAt10: number;
  /** 1 / rank of the first relevant item in the first ten (0 if none), averaged. */
  mrr: number;
  /** Queries whose first five miss something they could have held. */
  misses: string[];
}

export type KindFigures = Record<QueryKind, Figures>;

export async function evaluate(hub: Hub, set: EvalSet, weights: RankWeights): Promise<KindFigures> {
  const catalog = hub.menu.requireCatalog();
  const sums = Object.fromEntries(
    QueryKind.options.map((k) => [k, { queries: 0, precisionAt5: 0, recallAt10: 0, mrr: 0, misses: [] }]),
  ) as unknown as KindFigures;
  for (const { q, kind, expect } of set.queries) {
    const ids = (await hub.search.search(q, 10, catalog, weights)).map((h) => h.itemId);
    const relevant = new Set(expect);
    const top5 = ids.slice(0, 5).filter((id) => relevant.has(id)).length;
    const top10 = ids.filter((id) => relevant.has(id)).length;
    const first = ids.findIndex((id) => relevant.has(id));
    const s = sums[kind];
    s.queries++;
    s.precisionAt5 += top5 / Math.min(5, relevant.size);
    s.recallAt10 += top10 / relevant.size;
    s.mrr += first >= 0 ? 1 / (first + 1) : 0;
    if (top5 < Math.min(5, relevant.size))
      s.misses.push(`${q} → ${ids.slice(0, 5).join(' ') || '(nothing)'}`);
  }
  for (const s of Object.values(sums)) {
    const n = Math.max(1, s.queries);
    s.precisionAt5 /= n;
    s.recallAt10 /= n;
    s.mrr /= n;
  }
  return sums;
}

/** A hub with this set's menu, in a temp dir, serving on a loopback port; stop() removes it. */
export async function hubFor(set: EvalSet, dataDir: string): Promise<Hub> {
  const hub = new Hub(
    parseConfig({ dataDir, port: 0, host: '127.0.0.1', logLevel: process.env.EVAL_LOG ?? 'silent' }),
  );
  const menu = menuOf(set);
  if (menu) await hub.menu.apply(menu);
  else await hub.loadDemoMenuIfEmpty();
  await hub.listen();
  return hub;
}

export interface EvalRow {
  set: string;
  method: string;
  figures: KindFigures;
}

export async function evaluateAll(tempDir: () => { dir: string; remove: () => void }): Promise<EvalRow[]> {
  const rows: EvalRow[] = [];
  for (const [name, set] of evalSets()) {
    const tmp = tempDir();
    const hub = await hubFor(set, tmp.dir);
    try {
      const problems = sharedWords(set, hub.menu.requireCatalog());
      if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
      for (const [method, weights] of Object.entries(methods))
        rows.push({ set: name, method, figures: await evaluate(hub, set, weights) });
    } finally {
      await hub.stop();
      tmp.remove();
    }
  }
  return rows;
}

/** The table as Markdown: one row per set, kind and method. */
export function table(rows: EvalRow[]): string {
  const lines = [
    '| menu | queries | method | precision@5 | recall@10 | MRR |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const kind of QueryKind.options)
    for (const r of rows) {
      const f = r.figures[kind];
      if (f.queries === 0) continue;
      lines.push(
        `| ${r.set} | ${kind} (${f.queries}) | ${r.method} | ${f.precisionAt5.toFixed(3)} | ${f.recallAt10.toFixed(3)} | ${f.mrr.toFixed(3)} |`,
      );
    }
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  // The embedding process's channel is unref'd (it must never keep a stopping hub alive), so
  // while a query waits on it nothing else would keep this script's event loop running.
  const keepAlive = setInterval(() => {}, 60_000);
  const rows = await evaluateAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'grow-hub-eval-'));
    return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
  });
  clearInterval(keepAlive);
  console.log(table(rows));
  if (process.argv.includes('--misses'))
    for (const r of rows.filter((x) => x.method === 'hybrid'))
      for (const kind of QueryKind.options)
        for (const m of r.figures[kind].misses) console.log(`miss  ${r.set} ${kind}: ${m}`);
}
