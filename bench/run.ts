/**
 * `npm run bench [-- --quick|--full] [--only group,group] [--pinned]`: real hubs in child
 * processes on 127.0.0.1, driven by load from this process, beside bare peers (with --pinned also
 * with servers and load on separate cores, side by side), in one table with the budgets
 * (docs/architecture.md) and the cloud-only system's targets. One file per scenario in
 * bench/scenarios/. Writes bench/results/latest.json and latency.svg. The cloud step takes its
 * sizes as flags: --restaurants --organisations --orders --days (the chain's history) and --hubs
 * --minutes --rate (the live-ingest load); docs/cloud-scale.md.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchOptions, Figure } from './lib/figure.ts';
import { type Placement, place, placementNote } from './lib/placement.ts';
import { machine, meets, table, write } from './lib/report.ts';
import { checks } from './scenarios/checks.ts';
import { cloudAtScale, cloudIngest, cloudScale } from './scenarios/cloud.ts';
import { day } from './scenarios/day.ts';
import { killTrials } from './scenarios/durability.ts';
import { instructions } from './scenarios/instructions.ts';
import { memory } from './scenarios/memory.ts';
import { menuLoad } from './scenarios/menu.ts';
import { orderCreate } from './scenarios/orders.ts';
import { peers } from './scenarios/peers.ts';
import { printing } from './scenarios/printing.ts';
import { fanOut } from './scenarios/realtime.ts';
import { reconnectStorm, sockets } from './scenarios/sockets.ts';
import { stalls } from './scenarios/stalls.ts';
import { standby } from './scenarios/standby.ts';
import { sync } from './scenarios/sync.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    only: { type: 'string' },
    pinned: { type: 'boolean' },
    // The cloud step's sizes (bench/scenarios/cloud.ts).
    restaurants: { type: 'string' },
    organisations: { type: 'string' },
    orders: { type: 'string' },
    days: { type: 'string' },
    hubs: { type: 'string' },
    minutes: { type: 'string' },
    rate: { type: 'string' },
  },
});
const options: BenchOptions = {
  quick: !!values.quick,
  full: !!values.full,
  seconds: values.quick ? 2 : 4,
  reps: 3,
};
const only = values.only?.split(',');

const steps: Array<[string, () => Promise<Figure[]>]> = [
  ['orders', () => orderCreate(options)],
  ['instructions', () => instructions(options)],
  ['stalls', () => stalls(options)],
  ['realtime', () => fanOut(options)],
  ['checks', () => checks(options)],
  ['day', () => day(options)],
  ['printing', () => printing(options)],
  ['menu', () => menuLoad(options)],
  ['sockets', async () => [...(await sockets(options)), ...(await reconnectStorm(options))]],
  ['sync', () => sync(options)],
  [
    'cloud',
    async () => [
      ...(await cloudIngest(options)),
      ...(await cloudAtScale(options, cloudScale(options, values), (line) => console.log(line))),
    ],
  ],
  ['memory', () => memory(options)],
  ['durability', () => killTrials(options)],
  ['standby', () => standby(options)],
];

const figures: Figure[] = [];
const started = performance.now();
console.log(`Grow Hub benchmarks on ${machine()}${options.quick ? ' (quick)' : ''}`);
// Hubs run as production runs them (docs/operations.md): the compiled build, so build it first.
process.stdout.write('  building dist/… ');
const build = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
if (build.status !== 0) {
  console.log(`failed:\n${build.stdout}${build.stderr}`);
  process.exit(1);
}
console.log(`${((performance.now() - started) / 1_000).toFixed(1)} s`);
// --pinned: every step (and the peers) runs twice, shared then pinned, side by side in the table.
const placements: Placement[] = values.pinned ? ['shared', 'pinned'] : ['shared'];
for (const where of placements) {
  if (values.pinned) {
    place(where);
    console.log(`  ${placementNote(where)}`);
  }
  const here: Figure[] = [];
  for (const [name, run] of steps) {
    if (only && !only.includes(name)) continue;
    // An instruction count does not depend on where the process runs: count once.
    if (name === 'instructions' && where === 'pinned') continue;
    const t0 = performance.now();
    process.stdout.write(`  ${name}… `);
    try {
      here.push(...(await run()));
      console.log(`${((performance.now() - t0) / 1_000).toFixed(1)} s`);
    } catch (err) {
      console.log(`failed: ${(err as Error).message}`);
      here.push({
        group: name,
        figure: `${name} (did not run)`,
        value: Number.NaN,
        unit: '',
        budget: null,
        audit: null,
        note: (err as Error).message.slice(0, 120),
      });
    }
  }
  if (!only || only.includes('peers')) here.push(...(await peers(options, here)));
  figures.push(...here.map((f) => ({ ...f, placement: where })));
}
if (values.pinned) place('shared');

console.log(`\n${table(figures)}\n`);
const misses = figures.filter((f) => meets(f.value, f.budget) === false);
console.log(
  `${figures.length} figures in ${((performance.now() - started) / 1_000).toFixed(0)} s; ${misses.length} miss their budget.`,
);
write(figures, join(import.meta.dirname, 'results'));
console.log('Wrote bench/results/latest.json and bench/results/latency.svg');
process.exit(0);
