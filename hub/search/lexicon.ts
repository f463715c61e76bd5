/** Damerau–Levenshtein distance (optimal string alignment), stopping early past `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j]!;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Typo tolerance for the lexical side: a query word the menu never uses is replaced by the menu
 * words within one edit (two for long words), e.g. `buger` → `burger`, `expreso` → `espresso`.
 */
export function correct(word: string, menuWords: ReadonlySet<string>): string[] {
  if (menuWords.has(word) || word.length < 4) return [word];
  const max = word.length >= 7 ? 2 : 1;
  const near = [...menuWords].filter((m) => m.length >= 3 && editDistance(word, m, max) <= max);
  return near.length > 0 ? near : [word];
}
