/**
 * The text → (row id, weight) step of the menu embedding model, shared by the model build
 * (models/build.ts) and the hub. Pure and deterministic, so a build and a hub agree on every id.
 *
 * Known words map to their vocabulary row with their smooth-inverse-frequency weight. Unknown
 * words (`sencha`, `guanciale`, typos like `buger`) map to hashed character-trigram rows, so they
 * still land near the words that share their pieces.
 */
import { words } from '../../rules/menu-words.ts';
export interface ModelVocabulary {
  /** word → row (0..vocabSize-1), or undefined for a word the model does not know. */
  lookup(word: string): number | undefined;
  /** SIF weight per vocabulary row. */
  weights: Float32Array;
  vocabSize: number;
  buckets: number;
  /** Weight an unknown word gets, split across its trigram rows. */
  unknownWeight: number;
}

/** Character trigrams of `<word>`, the boundary marks telling prefixes and suffixes apart. */
export function trigrams(word: string): string[] {
  const padded = `<${word}>`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}

/** FNV-1a 32-bit: stable across platforms and versions, unlike any built-in hash. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function bucketOf(gram: string, buckets: number): number {
  return fnv1a(gram) % buckets;
}

export interface Tokens {
  ids: number[];
  weights: number[];
}

export function tokenize(text: string, vocab: ModelVocabulary): Tokens {
  const ids: number[] = [];
  const weights: number[] = [];
  for (const word of words(text)) {
    const row = vocab.lookup(word);
    if (row !== undefined) {
      ids.push(row);
      weights.push(vocab.weights[row]!);
      continue;
    }
    const grams = trigrams(word);
    for (const g of grams) {
      ids.push(vocab.vocabSize + bucketOf(g, vocab.buckets));
      weights.push(vocab.unknownWeight / grams.length);
    }
  }
  return { ids, weights };
}

/**
 * A word → row lookup in about 1 MB instead of the ~18 MB a Map of 60,000 strings takes: the
 * words sorted and packed into one string, with offsets and rows in typed arrays, searched by
 * bisection (about 16 comparisons a word).
 */
export function packedLookup(words: readonly string[]): (word: string) => number | undefined {
  const order = words
    .map((w, row) => [w, row] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const blob = order.map(([w]) => w).join('');
  const starts = new Int32Array(order.length + 1);
  const rows = new Int32Array(order.length);
  let at = 0;
  order.forEach(([w, row], i) => {
    starts[i] = at;
    rows[i] = row;
    at += w.length;
  });
  starts[order.length] = at;
  // The closure must not mention `order`: that would keep 60,000 pairs alive, and through their
  // sliced strings the whole vocabulary file, which is what packing exists to avoid.
  const last = order.length - 1;
  return (word) => {
    let lo = 0;
    let hi = last;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const candidate = blob.slice(starts[mid]!, starts[mid + 1]!);
      if (candidate === word) return rows[mid]!;
      if (candidate < word) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };
}
