import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figure.ts';

/** Does a value meet a budget like "< 10", "> 2000" or "= 0"? null when there is no budget. */
export function meets(value: number, budget: string | null): boolean | null {
  if (!budget) return null;
  const m = /^([<>=])\s*([\d.,]+)/.exec(budget);
  if (!m) return null;
  const limit = Number(m[2]!.replaceAll(',', ''));
  return m[1] === '<' ? value < limit : m[1] === '>' ? value > limit : value === limit;
}

const cell = (f: Figure | undefined) =>
  f ? `${f.value}${f.min !== undefined ? ` (${f.min}–${f.max})` : ''} ${f.unit}` : '';
const verdict = (f: Figure | undefined) => {
  const pass = f ? meets(f.value, f.budget) : null;
  return pass === null ? '' : pass ? 'pass' : 'FAIL';
};

/** The figures as a text table; with pinned runs, shared and pinned side by side. */
export function table(figures: Figure[]): string {
  const pinned = figures.some((f) => f.placement === 'pinned');
  const names = [...new Set(figures.map((f) => f.figure))];
  const find = (name: string, where: 'shared' | 'pinned') =>
    figures.find((f) => f.figure === name && (f.placement ?? 'shared') === where);
  const rows = names.map((name) => {
    const shared = find(name, 'shared');
    const any = (shared ?? find(name, 'pinned'))!;
    const cells = [name, cell(shared)];
    if (pinned) cells.push(cell(find(name, 'pinned')));
    cells.push(any.budget ?? '', any.audit ?? '', verdict(shared));
    if (pinned) cells.push(verdict(find(name, 'pinned')));
    cells.push(any.note ?? '');
    return cells;
  });
  const head = pinned
    ? [
        'figure',
        'shared: value (min–max)',
        'pinned: value (min–max)',
        'budget',
        'audit target',
        'shared',
        'pinned',
        'note',
      ]
    : ['figure', 'value (min–max)', 'budget', 'audit target', '', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** A small SVG of every latency figure (ms) against its budget, for a person to look at. */
function svg(figures: Figure[]): string {
  const lat = figures.filter((f) => f.unit === 'ms');
  const max = Math.max(20, ...lat.map((f) => f.value));
  const rowH = 26;
  const w = 900;
  const bars = lat.map((f, i) => {
    const y = 30 + i * rowH;
    const width = Math.max(1, (f.value / max) * 420);
    const pass = meets(f.value, f.budget);
    const colour = pass === false ? '#c2372b' : '#1f7a4d';
    const budget = f.budget ? Number(/[\d.]+/.exec(f.budget)?.[0]) : null;
    const mark = budget
      ? `<line x1="${440 + (budget / max) * 420}" x2="${440 + (budget / max) * 420}" y1="${y - 2}" y2="${y + 18}" stroke="#333" stroke-dasharray="3,2"/>`
      : '';
    return `<text x="430" y="${y + 13}" text-anchor="end" font-size="12">${f.figure}${f.placement === 'pinned' ? ' (pinned)' : ''}</text><rect x="440" y="${y}" width="${width}" height="16" fill="${colour}"/>${mark}<text x="${446 + width}" y="${y + 13}" font-size="12">${f.value} ms</text>`;
  });
  const h = 50 + lat.length * rowH;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif"><text x="10" y="18" font-size="14" font-weight="bold">Grow Hub latency (dashed line: budget)</text>${bars.join('')}</svg>`;
}

export function write(figures: Figure[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'latest.json'),
    JSON.stringify({ at: new Date().toISOString(), machine: machine(), figures }, null, 2),
  );
  writeFileSync(join(dir, 'latency.svg'), svg(figures));
}
