export interface RankWeights {
  vector: number;
  lexical: number;
  /** Food knowledge (hub/search/concepts.ts): what a query implies rather than says. */
  concept: number;
  /** The embedding model word by word (hub/search/word-match.ts). */
  words: number;
  /** The item's name is the query (or its alias): "cola" and "coke" put Cola before Diet Cola. */
  name: number;
}

/** Tuned on test/search-eval (`npm run eval:search`); docs/search.md has the table. */
export const defaultWeights: RankWeights = { vector: 0.4, lexical: 0.3, concept: 0.6, words: 0.2, name: 1 };

/**
 * Where results stop: an item scoring under this share of the best result is not shown, nor one
 * under the floor (a query nothing on the menu answers gets no results, not 24 unrelated tiles).
 * Chosen with `npm run eval:search` (docs/search.md).
 */
export const relevance: Readonly<{ share: number; floor: number }> = { share: 0.6, floor: 0.2 };

export interface Signals {
  /** Cosine similarity of the embeddings, per item (best 100). */
  vector: ReadonlyMap<string, number>;
  /** BM25, per item that matched. */
  bm25: ReadonlyMap<string, number>;
  /** 0..1 concept score, per item that has one. */
  concept: ReadonlyMap<string, number>;
  /** 0..1 word-by-word match, per item. */
  words: ReadonlyMap<string, number>;
  /** 1 when the item's name is the query, 0.5 when it nearly is (hub/search/names.ts). */
  name: ReadonlyMap<string, number>;
}

export interface Scored {
  itemId: string;
  score: number;
  vector: number;
  lexical: number;
  concept: number;
  words: number;
  name: number;
}

/**
 * Hybrid score: weighted sum of the signals, each 0..1 (the cosine clamped at 0, BM25 divided by
 * the best lexical hit of this query), so no signal's scale dominates another's. Best first, down
 * to `cut` (relevance above), at most `limit`.
 */
export function rank(
  signals: Signals,
  weights: RankWeights,
  limit: number,
  cut: { share: number; floor: number } = relevance,
): Scored[] {
  const bestLexical = Math.max(0, ...signals.bm25.values());
  const ids = new Set([
    ...signals.vector.keys(),
    ...signals.bm25.keys(),
    ...signals.concept.keys(),
    ...signals.words.keys(),
    ...signals.name.keys(),
  ]);
  const scored: Scored[] = [];
  for (const itemId of ids) {
    const vector = Math.max(0, signals.vector.get(itemId) ?? 0);
    const lexical = bestLexical > 0 ? (signals.bm25.get(itemId) ?? 0) / bestLexical : 0;
    const concept = signals.concept.get(itemId) ?? 0;
    const words = signals.words.get(itemId) ?? 0;
    const name = signals.name.get(itemId) ?? 0;
    const score =
      weights.vector * vector +
      weights.lexical * lexical +
      weights.concept * concept +
      weights.words * words +
      weights.name * name;
    scored.push({ itemId, score, vector, lexical, concept, words, name });
  }
  scored.sort((a, b) => b.score - a.score || a.itemId.localeCompare(b.itemId));
  // The bar is set by the best match on content: a name match lifts its item to the top, and
  // must not lift the bar over everything that answers the query too ("expresso" → Espresso and
  // the other coffees).
  const content = (s: Scored) => s.score - weights.name * s.name;
  const bar = Math.max(cut.floor, cut.share * Math.max(0, ...scored.map(content)));
  return scored.filter((s) => s.name > 0 || content(s) >= bar).slice(0, limit);
}
