/**
 * Menu load (a 1,000-item menu) and hybrid search over it, at 200 requests a second; and how long
 * the search model takes to build (npm run build:model).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { demoMenu } from '../../hub/menu/demo.ts';
import { evalSets } from '../../scripts/search-eval.ts';
import { apiFor, tempDir } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { openLoop, type Target } from '../lib/http-load.ts';
import { hubProcess } from '../lib/hub.ts';
import { p, percentile, repeat, spread } from '../lib/stats.ts';

function bigMenu(version: number) {
  const base = demoMenu();
  const items = Array.from({ length: 1_000 }, (_, i) => {
    const src = base.items[i % base.items.length]!;
    return { ...src, id: `${src.id}-${i}`, name: `${src.name} ${i}`, sort: i };
  });
  return { ...base, version, items };
}

/** `npm run build:model` into a temp dir: GloVe → ONNX model, WordNet → food lexicon. */
function modelBuild(): Figure {
  const figure = 'search model build (GloVe + WordNet)';
  const { dir, remove } = tempDir('grow-bench-model-');
  try {
    const started = performance.now();
    for (const step of ['build.ts', 'build-lexicon.ts']) {
      const run = spawnSync(
        process.execPath,
        ['--max-old-space-size=4096', '--import', 'tsx', join(import.meta.dirname, '../../models', step)],
        { env: { ...process.env, GROW_MODEL_OUT: dir }, encoding: 'utf8' },
      );
      if (run.status !== 0)
        return {
          group: 'menu',
          figure,
          value: Number.NaN,
          unit: 's',
          budget: '< 30',
          audit: null,
          note: 'needs the devDependencies',
        };
    }
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    return { group: 'menu', figure, value: seconds, unit: 's', budget: '< 30', audit: null };
  } finally {
    remove();
  }
}

export async function menuLoad(o: BenchOptions): Promise<Figure[]> {
  const hub = await hubProcess();
  try {
    const api = apiFor(hub.base, hub.tokens.manager);
    const put = await api('PUT', '/api/v1/menu', bigMenu(2));
    if (put.status !== 200) throw new Error(`menu PUT failed: ${JSON.stringify(put.body)}`);
    const target: Target = {
      port: hub.port,
      path: '/api/v1/menu',
      method: 'GET',
      headers: { authorization: `Bearer ${hub.tokens.pos}` },
    };
    const runs = await repeat(o.reps, async () =>
      percentile((await openLoop(target, 200, o.seconds)).latencies, 99),
    );
    const last = await openLoop(target, 200, o.seconds);
    // Search over the same 1,000 items, with varied queries, once the index has been rebuilt and
    // the new items embedded after the PUT (a search meanwhile waits for it).
    const indexed = async () =>
      (await api('GET', '/api/v1/status')).body.search as { indexedItems: number; embedder: string };
    for (let i = 0; i < 600; i++) {
      const s = await indexed();
      if (s.indexedItems >= 1_000 || s.embedder !== 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The evaluation's queries on the demo menu (test/search-eval/demo.json: lexical, typo and
    // intent), round and round, as tills repeat them all night; then every query new (a number
    // appended), which no cache has seen.
    const queries = evalSets()
      .get('demo')!
      .queries.map((q) => q.q);
    let qi = 0;
    const search: Target = {
      port: hub.port,
      path: '/api/v1/menu/search?q=burger',
      method: 'GET',
      headers: { authorization: `Bearer ${hub.tokens.pos}` },
    };
    const searchRuns = [];
    const newRuns = [];
    for (let i = 0; i < o.reps; i++) {
      const path = () => `/api/v1/menu/search?q=${encodeURIComponent(queries[qi++ % queries.length]!)}`;
      searchRuns.push(await openLoop({ ...search, path }, 200, o.seconds));
      const fresh = () =>
        `/api/v1/menu/search?q=${encodeURIComponent(`${queries[qi % queries.length]!} ${qi++}`)}`;
      newRuns.push(await openLoop({ ...search, path: fresh }, 200, o.seconds));
    }
    return [
      {
        group: 'menu',
        figure: 'menu load (1,000 items, ~400 kB) p50 @ 200/s',
        value: p(last.latencies, 50),
        unit: 'ms',
        budget: null,
        audit: '< 200',
      },
      {
        group: 'menu',
        figure: 'menu load (1,000 items, ~400 kB) p99 @ 200/s',
        ...spread(runs.runs),
        unit: 'ms',
        budget: '< 20',
        audit: '< 500',
      },
      {
        group: 'menu',
        figure: 'search (1,000 items, hybrid) p50 @ 200/s',
        ...spread(searchRuns.map((r) => percentile(r.latencies, 50))),
        unit: 'ms',
        budget: null,
        audit: '< 500',
      },
      {
        group: 'menu',
        figure: 'search (1,000 items, hybrid) p99 @ 200/s',
        ...spread(searchRuns.map((r) => percentile(r.latencies, 99))),
        unit: 'ms',
        budget: '< 5',
        audit: '< 1500',
        note: `the ${queries.length} demo evaluation queries, repeated`,
      },
      {
        group: 'menu',
        figure: 'search (1,000 items, hybrid) p99 @ 200/s, every query new',
        ...spread(newRuns.map((r) => percentile(r.latencies, 99))),
        unit: 'ms',
        budget: null,
        audit: '< 1500',
        note: 'no query embedding cached: each one goes to the embedding process',
      },
      modelBuild(),
    ];
  } finally {
    await hub.stop();
  }
}
