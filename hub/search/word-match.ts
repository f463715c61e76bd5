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

export class WordIndex {
  private constructor(
    private readonly dimension: number,
    /** Row-major: one unit vector per distinct menu word. */
    private readonly vectors: Float32Array,
    private readonly wordCount: number,
    /** Per item, the rows of its words. */
    private readonly items: ReadonlyMap<string, Int32Array>,
  ) {}

  static empty(): WordIndex {
    return new WordIndex(0, new Float32Array(0), 0, new Map());
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
    const items = new Map(
      [...itemWords].map(([id, ws]) => [id, Int32Array.from(new Set(ws), (w) => row.get(w)!)]),
    );
    return new WordIndex(dimension, vectors, vocabulary.length, items);
  }

  get words(): number {
    return this.wordCount;
  }

  /** 0..1 per item: for each query word the best cosine among the item's words, averaged. */
  score(queryWords: readonly Float32Array[]): Map<string, number> {
    const out = new Map<string, number>();
    if (queryWords.length === 0 || this.wordCount === 0) return out;
    const dim = this.dimension;
    const sims = queryWords.map((q) => {
      const s = new Float32Array(this.wordCount);
      for (let w = 0; w < this.wordCount; w++) {
        let d = 0;
        const base = w * dim;
        for (let i = 0; i < dim; i++) d += q[i]! * this.vectors[base + i]!;
        s[w] = d;
      }
      return s;
    });
    for (const [id, rows] of this.items) {
      let sum = 0;
      for (const s of sims) {
        let best = 0;
        for (const r of rows) if (s[r]! > best) best = s[r]!;
        sum += best;
      }
      if (sum > 0) out.set(id, sum / sims.length);
    }
    return out;
  }
}
