/**
 * The layer check run by `npm run lint`: every relative import must point down the layers below
 * (docs/architecture.md draws them), and no two folders may import each other. It reads import
 * statements as text, which is all a relative import in this repo ever is.
 *
 *   npx tsx scripts/layers.ts          exit 1 and one line per wrong-way import
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Layer {
  name: string;
  /** Path prefixes (a folder ends in '/'); the longest match places a file. */
  paths: string[];
  /** Layers this one may import, besides itself. */
  uses: string[];
}

const hubFeatures = [
  'backup',
  'day',
  'devices',
  'kds',
  'menu',
  'orders',
  'payments',
  'printing',
  'search',
  'staff',
  'standby',
  'status',
  'web',
].map((f) => `hub/${f}/`);

/** Bottom to top. Tests, benchmarks, the model build and these scripts sit at the edge. */
export const layers: Layer[] = [
  { name: 'protocol', paths: ['protocol/'], uses: [] },
  { name: 'rules', paths: ['rules/'], uses: ['protocol'] },
  {
    name: 'hub base',
    paths: ['hub/errors.ts', 'hub/config.ts', 'hub/version.ts', 'hub/tls.ts', 'hub/idempotency.ts'],
    uses: ['protocol', 'rules'],
  },
  { name: 'hub store', paths: ['hub/store/'], uses: ['protocol', 'rules', 'hub base'] },
  {
    name: 'hub http',
    paths: ['hub/http/', 'hub/limits/'],
    uses: ['protocol', 'rules', 'hub base', 'hub store'],
  },
  {
    name: 'hub features',
    paths: hubFeatures,
    uses: ['protocol', 'rules', 'hub base', 'hub store', 'hub http'],
  },
  {
    name: 'hub realtime',
    paths: ['hub/realtime/'],
    uses: ['protocol', 'rules', 'hub base', 'hub store', 'hub http', 'hub features'],
  },
  { name: 'sync', paths: ['sync/'], uses: ['protocol', 'rules'] },
  {
    name: 'hub wiring',
    paths: ['hub/hub.ts', 'hub/services.ts', 'hub/server.ts', 'hub/cli.ts', 'hub/cloud.ts'],
    uses: ['protocol', 'rules', 'hub base', 'hub store', 'hub http', 'hub features', 'hub realtime', 'sync'],
  },
  { name: 'desktop', paths: ['apps/desktop/'], uses: ['protocol', 'hub base', 'hub wiring'] },
  { name: 'app kit', paths: ['apps/shared/'], uses: ['protocol', 'rules'] },
  { name: 'apps', paths: ['apps/'], uses: ['protocol', 'rules', 'app kit'] },
  { name: 'hq', paths: ['hq/'], uses: ['protocol', 'rules', 'app kit'] },
  { name: 'edge', paths: ['bench/', 'test/', 'models/', 'scripts/', '.test.ts'], uses: ['*'] },
];

export function layerOf(file: string): Layer | null {
  let best: { layer: Layer; length: number } | null = null;
  for (const layer of layers) {
    for (const p of layer.paths) {
      const hit = p.startsWith('.') ? file.endsWith(p) : file.startsWith(p);
      const length = p.startsWith('.') ? Number.MAX_SAFE_INTEGER : p.length;
      if (hit && (!best || length > best.length)) best = { layer, length };
    }
  }
  return best?.layer ?? null;
}

export interface Import {
  from: string;
  to: string;
  line: number;
}

const importPattern =
  /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Relative imports of one file, as repo paths. */
export function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(importPattern)) {
    const spec = m[1] ?? m[2]!;
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ from: file, to: join(dirname(file), spec), line });
  }
  return found;
}

/** A unit for the cycle check: a folder (`hub/orders`, `sync`, `apps/pos`) within one layer. */
const unitOf = (file: string) => {
  const parts = file.split('/');
  const folder = parts.length <= 2 ? parts[0]! : `${parts[0]}/${parts[1]}`;
  return `${folder} (${layerOf(file)?.name})`;
};

export function violations(imports: Import[]): string[] {
  const out: string[] = [];
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    const from = layerOf(i.from);
    const to = layerOf(i.to);
    if (!from || !to) {
      out.push(
        `${i.from}:${i.line} imports ${i.to}: ${!from ? i.from : i.to} is in no layer (scripts/layers.ts)`,
      );
      continue;
    }
    if (to.name === 'edge' && from.name !== 'edge') {
      out.push(`${i.from}:${i.line} imports ${i.to}: nothing outside tests and benchmarks may import them`);
    } else if (from !== to && !from.uses.includes('*') && !from.uses.includes(to.name)) {
      out.push(`${i.from}:${i.line} imports ${i.to}: ${from.name} may not import ${to.name}`);
    }
    const a = unitOf(i.from);
    const b = unitOf(i.to);
    if (a !== b && from.name !== 'edge') {
      if (!edges.has(a)) edges.set(a, new Map());
      edges.get(a)!.set(b, i);
    }
  }
  for (const [a, targets] of edges) {
    for (const [b, i] of targets) {
      const back = edges.get(b)?.get(a);
      if (back && a < b) {
        out.push(
          `${a} and ${b} import each other (${i.from}:${i.line} and ${back.from}:${back.line}): move what both need below them`,
        );
      }
    }
  }
  return out;
}

function sourceFiles(root: string, dir = root): string[] {
  const skip = new Set(['node_modules', 'dist', 'data', '.git', 'results', 'artifacts']);
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (skip.has(name)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(root, path);
    return /\.(ts|mts|mjs|js)$/.test(name) ? [relative(root, path)] : [];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const root = resolve(import.meta.dirname, '..');
  const roots = ['protocol', 'rules', 'hub', 'sync', 'apps', 'hq', 'bench', 'test', 'models', 'scripts'];
  const files = roots.flatMap((r) => {
    try {
      return sourceFiles(root, join(root, r));
    } catch {
      return []; // a folder this checkout does not have
    }
  });
  const imports = files.flatMap((f) => importsOf(f, readFileSync(join(root, f), 'utf8')));
  const found = violations(imports);
  if (found.length > 0) {
    console.error(
      `layers: ${found.length} import(s) point the wrong way\n${found.map((v) => `  ${v}`).join('\n')}`,
    );
    process.exit(1);
  }
  console.log(`layers: ${imports.length} imports across ${files.length} files point down the layers`);
}
