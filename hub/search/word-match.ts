/**
 * Word-by-word matching with the embedding model ("late interaction"): each query word is
 * compared with each word of an item, and the item scores by how well its best word answers each
 * query word. One averaged vector per item blurs "Sorbet" into "two scoops of dairy-free lemon";
 * matched one by one, "gelato" finds the sorbet and "fiery" the chilli.
 *
 * The menu's distinct words are embedded once per menu (a few thousand at most); a query then
 * costs one dot product per query word and menu word, and one lookup per item word.
 */
import type { Embedder } from './embedder.ts';
import { best } from './top.ts';

/** The query words compared one by one (the service sends at most this many). */
export const maxQueryWords = 8;

export class WordIndex {
  /** Per query word, its cosine with every menu word (reused across queries). */
  private readonly sims: Float32Array[];
  private readonly scores: Float32Array;
  private readonly scratch: Float32Array;

  private constructor(
    private readonly dimension: number,
    /** Row-major: one unit vector per distinct menu word. */
    private readonly vectors: Float32Array,
    private readonly wordCount: number,
    private readonly itemIds: readonly string[],
    /** Per item (in itemIds' order), the rows of its words. */
    private readonly itemRows: readonly Int32Array[],
  ) {
    this.sims = Array.from({ length: maxQueryWords }, () => new Float32Array(wordCount));
    this.scores = new Float32Array(itemIds.length);
    this.scratch = new Float32Array(itemIds.length);
  }

  static empty(): WordIndex {
    return new WordIndex(0, new Float32Array(0), 0, [], []);
  }

  /** Embeds every distinct word of the items' texts, `batch` words per call. */
  static async build(
    embedder: Embedder,
    itemWords: ReadonlyMap<string, readonly string[]>,
    batch = 256,
  ): Promise<WordIndex> {
    const vocabulary = [...new Set([...itemWords.values()].flat())].sort();
    const row = new Map(vocabulary.map((w, i) => [w, i]));
    const { dimension } = embedder;
    const vectors = new Float32Array(vocabulary.length * dimension);
    for (let i = 0; i < vocabulary.length; i += batch) {
      const embedded = await embedder.embed(vocabulary.slice(i, i + batch));
      embedded.forEach((v, k) => {
        vectors.set(v, (i + k) * dimension);
      });
    }
    const ids = [...itemWords.keys()];
    const rows = ids.map((id) => Int32Array.from(new Set(itemWords.get(id)), (w) => row.get(w)!));
    return new WordIndex(dimension, vectors, vocabulary.length, ids, rows);
  }

  get words(): number {
    return this.wordCount;
  }

  /**
   * 0..1 per item: for each query word (the first eight) the best cosine among the item's words,
   * averaged; for the best `top` items.
   */
  score(queryWords: readonly Float32Array[], top = 100): Map<string, number> {
    const asked = queryWords.slice(0, maxQueryWords);
    if (asked.length === 0 || this.wordCount === 0) return new Map();
    const dim = this.dimension;
    asked.forEach((q, k) => {
      const s = this.sims[k]!;
      for (let w = 0; w < this.wordCount; w++) {
        let d = 0;
        const base = w * dim;
        for (let i = 0; i < dim; i++) d += q[i]! * this.vectors[base + i]!;
        s[w] = d;
      }
    });
    for (let item = 0; item < this.itemIds.length; item++) {
      const rows = this.itemRows[item]!;
      let sum = 0;
      for (let k = 0; k < asked.length; k++) {
        const s = this.sims[k]!;
        let most = 0;
        for (const r of rows) if (s[r]! > most) most = s[r]!;
        sum += most;
      }
      this.scores[item] = sum / asked.length;
    }
    return best(this.itemIds, this.scores, top, this.scratch, 0);
  }
}
