/**
 * The text → (row id, weight) step of the menu embedding model, shared by the model build
 * (models/build.ts) and the hub. Pure and deterministic, so a build and a hub agree on every id.
 *
 * Known words map to their vocabulary row with their smooth-inverse-frequency weight. Unknown
 * words (`sencha`, `guanciale`, typos like `buger`) map to hashed character-trigram rows, so they
 * still land near the words that share their pieces.
 */
export interface ModelVocabulary {
  /** word → row; rows 0..vocabSize-1. */
  index: ReadonlyMap<string, number>;
  /** SIF weight per vocabulary row. */
  weights: Float32Array;
  vocabSize: number;
  buckets: number;
  /** Weight an unknown word gets, split across its trigram rows. */
  unknownWeight: number;
}

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Character trigrams of `<word>`, the boundary marks telling prefixes and suffixes apart. */
export function trigrams(word: string): string[] {
  const padded = `<${word}>`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= padded.length; i++) out.push(padded.slice(i, i + 3));
  return out;
}

/** FNV-1a 32-bit: stable across platforms and versions, unlike any built-in hash. */
export function fnv1a(s: string): number {
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
    const row = vocab.index.get(word);
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
