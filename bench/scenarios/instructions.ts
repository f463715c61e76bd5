/**
 * CPU instructions per order create, counted by valgrind's callgrind on a real hub process: the
 * same from run to run whatever else the machine does, so a change that costs instructions shows
 * up even on a noisy day (issue 21). Orders go one at a time (one per group commit), after a
 * warm-up long enough for V8 to have compiled the hot path, so JIT compilation stays out of the
 * count. Each run is appended to bench/results/instructions.json (kept in git) and compared with
 * the last one recorded there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { burgerOrder, tempDir } from '../../test/support/hub.ts';
import type { BenchOptions, Figure } from '../lib/figure.ts';
import { hubProcess } from '../lib/hub.ts';

const HISTORY = join(import.meta.dirname, '../results/instructions.json');

interface Count {
  at: string;
  commit: string;
  orders: number;
  /** Instructions on the event-loop thread per order. */
  perOrder: number;
  /** On every thread (V8's background compiler and GC, libuv's pool) per order. */
  allThreadsPerOrder: number;
  top: Array<{ fn: string; share: number }>;
  groups: Record<string, number>;
}

/** Where an instruction was spent, by the object and symbol callgrind names. */
function group(fn: string, object: string): string {
  if (object.includes('better_sqlite3')) return fn.startsWith('sqlite3') ? 'SQLite' : 'better-sqlite3 glue';
  if (/libc|ld-linux|libpthread/.test(object)) return 'libc (memcpy, malloc, syscalls)';
  if (fn.startsWith('Builtins_')) return 'V8 builtins (JSON, strings, calls, ICs)';
  if (/v8::internal::(Heap|Scavenger|MarkCompact|Sweeper|Factory|.*GC)/.test(fn)) return 'V8 heap and GC';
  if (/v8::internal::(compiler|maglev|Turbofan|Pipeline)/i.test(fn)) return 'V8 compiler';
  if (fn.startsWith('v8::') || fn.startsWith('Builtin')) return 'V8 runtime';
  if (/uv_|node::/.test(fn)) return 'Node and libuv';
  if (fn === '???' || object === '???') return 'JIT-compiled JavaScript';
  if (/ssl|crypto|sha/i.test(`${fn} ${object}`)) return 'OpenSSL';
  return 'other';
}

function callgrindControl(args: string[]): void {
  const r = spawnSync('callgrind_control', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(' ')}: ${r.stderr || r.stdout}`);
}

export async function instructions(_o: BenchOptions): Promise<Figure[]> {
  if (spawnSync('valgrind', ['--version']).status !== 0)
    throw new Error('valgrind is not installed: apt-get install valgrind');
  // The same in --quick: a count is only comparable with counts taken the same way.
  const warmup = 2_000;
  const measured = 300;
  const out = tempDir('grow-callgrind-');
  const hub = await hubProcess({}, undefined, 0, {
    wrap: [
      'valgrind',
      '--tool=callgrind',
      '--smc-check=all-non-file', // V8 writes code into anonymous memory
      '--instr-atstart=no', // start-up and warm-up run uncounted
      '--separate-threads=yes', // the event loop's own count apart from V8's compiler and GC threads
      `--callgrind-out-file=${join(out.dir, 'callgrind.out')}`,
    ],
    startTimeoutMs: 300_000,
  });
  try {
    const pid = String(hub.child.pid);
    const order = async () => {
      const res = await fetch(`${hub.base}/api/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hub.tokens.pos}`, 'content-type': 'application/json' },
        body: JSON.stringify(burgerOrder()),
        signal: AbortSignal.timeout(60_000),
      });
      if (res.status !== 201) throw new Error(`order create answered ${res.status}: ${await res.text()}`);
    };
    for (let i = 0; i < warmup; i++) await order();
    callgrindControl(['-z', pid]);
    callgrindControl(['-i', 'on', pid]);
    for (let i = 0; i < measured; i++) await order();
    callgrindControl(['-i', 'off', pid]);
    callgrindControl(['-d', pid]);
    // -d writes callgrind.out.1-NN, one file per thread; thread 01 is the event loop. The others
    // are V8's background compiler and GC threads and libuv's pool (the fdatasyncs).
    const dumps = readdirSync(out.dir)
      .filter((f) => f.startsWith('callgrind.out.1-'))
      .sort()
      .map((f) => join(out.dir, f));
    const totalOf = (f: string) => Number(/^totals:\s*(\d+)/m.exec(readFileSync(f, 'utf8'))?.[1] ?? 0);
    const dump = dumps[0];
    const total = dump ? totalOf(dump) : 0;
    if (!dump || !(total > 0))
      throw new Error(`callgrind counted no instructions on the event loop (${out.dir})`);
    const allThreads = dumps.reduce((t, f) => t + totalOf(f), 0);
    const annotated = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', dump], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }).stdout;
    // Lines look like "12,345,678 (3.71%)  file:function [object]".
    const rows = [...annotated.matchAll(/^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.+?):(.+?)(?: \[(.+)\])?$/gm)].map(
      (m) => ({ ir: Number(m[1]!.replaceAll(',', '')), fn: m[3]!.trim(), object: m[4] ?? m[2]! }),
    );
    const groups: Record<string, number> = {};
    for (const r of rows) {
      const g = group(r.fn, r.object);
      groups[g] = (groups[g] ?? 0) + r.ir / total;
    }
    const count: Count = {
      at: new Date().toISOString(),
      commit: `${spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim()}${
        spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
          encoding: 'utf8',
        }).stdout.trim()
          ? ' + uncommitted changes'
          : ''
      }`,
      orders: measured,
      perOrder: Math.round(total / measured),
      allThreadsPerOrder: Math.round(allThreads / measured),
      top: rows
        .slice(0, 15)
        .map((r) => ({ fn: r.fn.slice(0, 100), share: Math.round((r.ir / total) * 1_000) / 10 })),
      groups: Object.fromEntries(
        Object.entries(groups)
          .sort((a, b) => b[1] - a[1])
          .map(([g, v]) => [g, Math.round(v * 1_000) / 10]),
      ),
    };
    const history: Count[] = existsSync(HISTORY) ? JSON.parse(readFileSync(HISTORY, 'utf8')) : [];
    const previous = history.at(-1);
    writeFileSync(HISTORY, `${JSON.stringify([...history, count].slice(-100), null, 1)}\n`);

    console.log(
      `\n    instructions per order create: ${(count.perOrder / 1e6).toFixed(3)} M on the event loop, ${(count.allThreadsPerOrder / 1e6).toFixed(3)} M on all threads (${measured} orders); the event loop's by part:`,
    );
    for (const [g, share] of Object.entries(count.groups))
      console.log(`      ${String(share).padStart(5)} %  ${g}`);
    console.log('    top functions by instructions (self):');
    for (const t of count.top) console.log(`      ${String(t.share).padStart(5)} %  ${t.fn}`);
    const change = previous ? (count.perOrder / previous.perOrder - 1) * 100 : null;
    return [
      {
        group: 'instructions',
        figure: 'CPU instructions per order create on the event loop (callgrind, one order per commit)',
        value: Math.round(count.perOrder / 1_000),
        unit: 'k instr',
        // A regression guard: more than 5 % over the last recorded count fails.
        budget: previous ? `< ${Math.round((previous.perOrder * 1.05) / 1_000)}` : null,
        audit: null,
        note: previous
          ? `${change! >= 0 ? '+' : ''}${change!.toFixed(1)} % on ${previous.commit} (${(previous.perOrder / 1e6).toFixed(3)} M); top: ${count.top
              .slice(0, 3)
              .map((t) => `${t.fn.slice(0, 40)} ${t.share}%`)
              .join(', ')}`
          : 'first count recorded',
      },
      {
        group: 'instructions',
        figure: 'CPU instructions per order create, all threads (V8 compiler and GC, libuv pool)',
        value: Math.round(count.allThreadsPerOrder / 1_000),
        unit: 'k instr',
        budget: null,
        audit: null,
        note: 'background threads: varies with when V8 recompiles',
      },
    ];
  } finally {
    await hub.stop();
    out.remove();
  }
}
