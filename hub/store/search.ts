import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

export interface FtsRow {
  itemId: string;
  name: string;
  description: string;
  category: string;
  extras: string;
}

export interface StoredVector {
  itemId: string;
  contentHash: string;
  vector: Float32Array;
}

export class SearchStore {
  private readonly clearFts: Statement;
  private readonly insertFts: Statement;
  private readonly match: Statement;
  private readonly vectorsOf: Statement;
  private readonly putVector: Statement;
  private readonly replaceFts: (rows: FtsRow[]) => void;

  constructor(db: Db) {
    this.clearFts = db.prepare('DELETE FROM menu_fts');
    this.insertFts = db.prepare(
      'INSERT INTO menu_fts (item_id, name, description, category, extras) VALUES (?, ?, ?, ?, ?)',
    );
    // bm25() is lower-is-better; negate it. Column weights: name counts most, then category.
    this.match = db.prepare(
      `SELECT item_id AS itemId, -bm25(menu_fts, 0, 8.0, 2.0, 4.0, 1.0) AS score
       FROM menu_fts WHERE menu_fts MATCH ? ORDER BY score DESC LIMIT ?`,
    );
    this.vectorsOf = db.prepare(
      'SELECT item_id AS itemId, content_hash AS contentHash, vector FROM item_embeddings WHERE model_id = ?',
    );
    this.putVector = db.prepare(
      `INSERT INTO item_embeddings (item_id, model_id, content_hash, dimension, vector) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (item_id, model_id) DO UPDATE SET content_hash = excluded.content_hash, dimension = excluded.dimension, vector = excluded.vector`,
    );
    this.replaceFts = db.transaction((rows: FtsRow[]) => {
      this.clearFts.run();
      for (const r of rows) this.insertFts.run(r.itemId, r.name, r.description, r.category, r.extras);
    });
  }

  replaceIndex(rows: FtsRow[]): void {
    this.replaceFts(rows);
  }

  /** `expression` is an FTS5 query built from sanitised words (see hub/search/service.ts). */
  lexical(expression: string, limit: number): Map<string, number> {
    const rows = this.match.all(expression, limit) as { itemId: string; score: number }[];
    return new Map(rows.map((r) => [r.itemId, r.score]));
  }

  vectors(modelId: string): StoredVector[] {
    return (this.vectorsOf.all(modelId) as { itemId: string; contentHash: string; vector: Buffer }[]).map(
      (r) => ({
        itemId: r.itemId,
        contentHash: r.contentHash,
        vector: new Float32Array(
          r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength),
        ),
      }),
    );
  }

  saveVectors(modelId: string, rows: StoredVector[]): void {
    for (const r of rows)
      this.putVector.run(
        r.itemId,
        modelId,
        r.contentHash,
        r.vector.length,
        Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength),
      );
  }
}
