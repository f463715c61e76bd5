/** Percentile of a sample (nearest rank); sorts a copy. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Runs `fn` n times and reports median, min and max of what it returns. */
export async function repeat(
  n: number,
  fn: (i: number) => Promise<number>,
): Promise<{ median: number; min: number; max: number; runs: number[] }> {
  const runs: number[] = [];
  for (let i = 0; i < n; i++) runs.push(await fn(i));
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs), runs };
}

export const p = (values: number[], q: number) => Math.round(percentile(values, q) * 100) / 100;
const round2 = (n: number) => Math.round(n * 100) / 100;
/** Median of per-repetition values, with their min and max. */
export const spread = (per: number[]) => ({
  value: round2(percentile(per, 50)),
  min: round2(Math.min(...per)),
  max: round2(Math.max(...per)),
});
