/**
 * The best `top` rows of `scores` as id → score (ties at the bar all kept), above `floor`.
 * `scratch` (at least as long as `scores`) is overwritten: per-query buffers are reused, so a
 * search allocates next to nothing for the garbage collector to pause on.
 */
export function best(
  ids: readonly string[],
  scores: Float32Array,
  top: number,
  scratch: Float32Array,
  floor = Number.NEGATIVE_INFINITY,
): Map<string, number> {
  const n = ids.length;
  let bar = floor;
  if (n > top) {
    const sorted = scratch.subarray(0, n);
    sorted.set(scores.subarray(0, n));
    sorted.sort();
    bar = Math.max(floor, sorted[n - top]!);
  }
  const out = new Map<string, number>();
  for (let row = 0; row < n; row++)
    if (scores[row]! >= bar && scores[row]! > floor) out.set(ids[row]!, scores[row]!);
  return out;
}
