import type { Embedder } from './embedder.ts';

/**
 * The embeddings of recent query texts, bounded (least recently used goes first): a till asks
 * for "burger" and "coke" all night, and the answer never changes under one model, so a repeated
 * query costs no round trip to the embedding process. 1,000 entries of 100 floats is 400 kB.
 */
export class QueryVectors {
  private readonly cache = new Map<string, Float32Array>();
  private model: string | null = null;

  constructor(private readonly capacity = 1_000) {}

  /** One vector per text, in order; only texts not seen lately go to the embedder (in one call). */
  async embed(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
    if (embedder.modelId !== this.model) {
      this.cache.clear();
      this.model = embedder.modelId;
    }
    const missing = [...new Set(texts.filter((t) => !this.cache.has(t)))];
    if (missing.length > 0) {
      const vectors = await embedder.embed(missing);
      missing.forEach((t, i) => {
        this.cache.set(t, vectors[i]!);
      });
    }
    const out = texts.map((t) => {
      const v = this.cache.get(t)!;
      // A Map keeps insertion order: re-inserting marks it recently used.
      this.cache.delete(t);
      this.cache.set(t, v);
      return v;
    });
    for (const key of this.cache.keys()) {
      if (this.cache.size <= this.capacity) break;
      this.cache.delete(key);
    }
    return out;
  }

  get size(): number {
    return this.cache.size;
  }
}
