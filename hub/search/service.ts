import { createHash } from 'node:crypto';
import type { Logger } from '../../protocol/logger.ts';
import type { SearchHit } from '../../protocol/search.ts';
import type { Catalog } from '../../rules/catalog.ts';
import { contentWords, correct, expandAliases, NameIndex, words } from '../../rules/menu-words.ts';
import type { Store } from '../store/index.ts';
import { ConceptIndex, itemConcepts, type Lexicon, loadLexicon, queryConcepts } from './concepts.ts';
import type { Embedder } from './embedder.ts';
import { EmbedderProcess, type EmbedderProcessOptions } from './embedder-process.ts';
import { itemFields, itemText } from './item-text.ts';
import { QueryVectors } from './query-vectors.ts';
import { defaultWeights, type RankWeights, rank } from './rank.ts';
import { best } from './top.ts';
import { maxQueryWords, WordIndex } from './word-match.ts';

const batchSize = 64;

/** The operator's settings for the embedding process. */
export type EmbedderSettings = Pick<
  EmbedderProcessOptions,
  'modelDir' | 'timeoutMs' | 'maxHeapMb' | 'observe'
>;

/**
 * Hybrid menu search: SQLite FTS5 (BM25, prefixes, typo correction, aliases) plus cosine
 * similarity of locally computed embeddings. Item vectors are computed when the menu changes,
 * never at query time, and kept in SQLite; the in-memory index is rebuilt from there at start
 * and is bounded by a byte budget (the cloud-only system's embedding cache was an unbounded Map).
 */
export class SearchService {
  private ids: string[] = [];
  private matrix = new Float32Array(0);
  private readonly queryCache = new QueryVectors();
  /** Per-query buffers, one slot per vector-searchable item (reused: no garbage per query). */
  private scores = new Float32Array(0);
  private scratch = new Float32Array(0);
  private menuWords = new Set<string>();
  /** The food lexicon, read at the first menu (0.6 MB: not on the way to a listening hub). */
  private lexicon: Lexicon | null = null;
  private concepts: ConceptIndex | null = null;
  private wordIndex = WordIndex.empty();
  /** Each item's name as words, for name matches. */
  private names = new NameIndex([]);
  private indexedVersion: { version: number; unavailable: ReadonlySet<string> } | null = null;
  /** Reindexing runs one at a time: two menus applied in quick succession queue, never interleave. */
  private reindexing: Promise<unknown> = Promise.resolve();

  private embedder: Embedder | null = null;
  /** The supervised embedding process, once started (null: search is lexical). */
  process: EmbedderProcess | null = null;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly budgetBytes: number,
  ) {}

  /**
   * Start the embedding process and index the menu; until then (or if no model can be loaded)
   * search is lexical. `catalog` is read again after every restart of the process, so items edited
   * while it was down are embedded once it is back.
   */
  async start(options: EmbedderSettings, catalog: () => Catalog | null): Promise<void> {
    try {
      this.process = await EmbedderProcess.start({
        ...options,
        maxPending: 256,
        restartBackoff: { baseMs: 500, capMs: 30_000 },
        log: this.log,
        onRestart: () => this.reindexInBackground(catalog()),
      });
      this.useEmbedder(this.process);
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message },
        'no embedding model could be loaded; menu search is lexical only',
      );
    }
    const current = catalog();
    if (current) await this.reindex(current);
  }

  async stop(): Promise<void> {
    await this.process?.stop();
  }

  /** For GET /api/v1/status: the embedding process ('none' when no model could be loaded) and the index. */
  status() {
    return {
      embedder: this.process?.status ?? 'none',
      embedderPid: this.process?.pid ?? null,
      embedderRestarts: this.process?.restarts ?? 0,
      modelId: this.modelId,
      indexedItems: this.indexedItems,
    };
  }

  /** A new menu (or a restarted embedder): reindex without holding anyone up; failures are logged. */
  reindexInBackground(catalog: Catalog | null): void {
    if (catalog) this.reindex(catalog).catch((err) => this.log.error({ err }, 'search reindex failed'));
  }

  /** An embedder other than the process (tests use one in this process). */
  useEmbedder(embedder: Embedder): void {
    this.embedder = embedder;
    this.indexedVersion = null;
  }

  get modelId(): string | null {
    return this.embedder?.modelId ?? null;
  }

  get indexedItems(): number {
    return this.ids.length;
  }

  /** Rebuild the lexical index and embed items whose text changed (others reuse stored vectors). */
  reindex(catalog: Catalog): Promise<{ embedded: number; reused: number }> {
    const run = this.reindexing.then(() => this.rebuild(catalog));
    // The caller of each run gets its error; this chain only keeps runs one after another.
    this.reindexing = run.catch(() => {});
    return run;
  }

  private async rebuild(catalog: Catalog): Promise<{ embedded: number; reused: number }> {
    const itemIds = [...catalog.items.keys()];
    const fields = itemIds.map((id) => itemFields(catalog, id));
    const texts = new Map(fields.map((f) => [f.itemId, itemText(f)]));
    this.store.search.replaceIndex(fields);
    // Numbers ("12 oz", "Burger 7") are never typos of each other; leaving them out keeps typo
    // correction to the menu's words.
    this.menuWords = new Set([...texts.values()].flatMap((t) => words(t)).filter((w) => !/\d/.test(w)));
    this.lexicon ??= loadLexicon();
    const lexicon = this.lexicon;
    this.concepts = new ConceptIndex(
      lexicon,
      new Map(fields.map((f) => [f.itemId, itemConcepts(lexicon, f)])),
    );
    this.names = new NameIndex(fields.map((f) => ({ id: f.itemId, name: f.name })));
    this.indexedVersion = { version: catalog.version, unavailable: catalog.unavailable };
    if (!this.embedder) return { embedded: 0, reused: 0 };

    const { modelId, dimension } = this.embedder;
    const hash = (text: string) => createHash('sha256').update(`${modelId}\n${text}`).digest('base64url');
    const stored = new Map(this.store.search.vectors(modelId).map((v) => [v.itemId, v]));
    const hashes = new Map(itemIds.map((id) => [id, hash(texts.get(id)!)]));
    const current = (id: string) => stored.get(id)?.contentHash === hashes.get(id);
    const missing = itemIds.filter((id) => !current(id));
    const started = Date.now();
    let embedded = 0;
    for (let i = 0; i < missing.length; i += batchSize) {
      const slice = missing.slice(i, i + batchSize);
      let vectors: Float32Array[];
      try {
        vectors = await this.embedder.embed(slice.map((id) => texts.get(id)!));
      } catch (err) {
        // The embedding process is down or restarting: index what has vectors now; the hub
        // reindexes when it is back, and these items are embedded then.
        this.log.warn(
          { err: (err as Error).message, waiting: missing.length - i },
          'menu embeddings incomplete; the rest follow when the embedding process is back',
        );
        break;
      }
      embedded += slice.length;
      const rows = slice.map((id, k) => ({
        itemId: id,
        contentHash: hashes.get(id)!,
        vector: vectors[k]!,
      }));
      this.store.search.saveVectors(modelId, rows);
      for (const r of rows) stored.set(r.itemId, r);
      if (missing.length > batchSize * 4)
        this.log.info(
          { done: Math.min(i + batchSize, missing.length), of: missing.length },
          'embedding menu items',
        );
    }
    if (embedded > 0)
      this.log.info({ embedded, ms: Date.now() - started, modelId }, 'menu embeddings updated');

    const capacity = Math.floor(this.budgetBytes / (dimension * 4));
    const withVectors = itemIds.filter(current);
    if (withVectors.length > capacity) {
      this.log.warn(
        { items: withVectors.length, capacity, budgetBytes: this.budgetBytes },
        'search index budget too small; only the first items are vector-searchable',
      );
    }
    const kept = withVectors.slice(0, capacity);
    const matrix = new Float32Array(kept.length * dimension);
    for (const [row, id] of kept.entries()) matrix.set(stored.get(id)!.vector, row * dimension);
    this.ids = kept;
    this.matrix = matrix;
    this.scores = new Float32Array(kept.length);
    this.scratch = new Float32Array(kept.length);
    try {
      this.wordIndex = await WordIndex.build(
        this.embedder,
        new Map(fields.map((f) => [f.itemId, contentWords(`${f.name} ${f.category} ${f.description}`)])),
      );
    } catch (err) {
      // As for item vectors: the process is restarting; the hub reindexes when it is back.
      this.log.warn(
        { err: (err as Error).message },
        'menu word vectors incomplete; word matching is off until the embedding process is back',
      );
    }
    return { embedded, reused: itemIds.length - missing.length };
  }

  /**
   * The query's embedding and one per content word, in one call; null while the embedding
   * process is unavailable (the query is answered from the other signals).
   */
  private async queryVectors(
    terms: string[],
    content: string[],
  ): Promise<{ whole: Float32Array; words: Float32Array[] } | null> {
    try {
      const [whole, ...vectors] = await this.queryCache.embed(this.embedder!, [
        terms.join(' '),
        ...content.slice(0, maxQueryWords),
      ]);
      return whole ? { whole, words: vectors } : null;
    } catch (err) {
      // The embedding process logs its own failures and restarts; this query is answered lexically.
      this.log.debug({ err: (err as Error).message }, 'search answered lexically');
      return null;
    }
  }

  async search(
    query: string,
    limit: number,
    catalog: Catalog,
    weights: RankWeights = defaultWeights,
  ): Promise<SearchHit[]> {
    if (this.indexedVersion?.version !== catalog.version) await this.reindex(catalog);
    const terms = expandAliases(words(query)).slice(0, 32);
    if (terms.length === 0) return [];
    // The words that can say what the query is about, for word matching and food concepts.
    const content = contentWords(terms.join(' '));
    const lexicalTerms = [...new Set(terms.flatMap((w) => correct(w, this.menuWords)))];
    const expression = lexicalTerms.map((w) => `"${w}"*`).join(' OR ');
    const lexical =
      weights.lexical > 0 ? this.store.search.lexical(expression, 100) : new Map<string, number>();
    let vector = new Map<string, number>();
    const qv =
      this.embedder && (weights.vector > 0 || weights.words > 0) && this.ids.length > 0
        ? await this.queryVectors(terms, content)
        : null;
    const q = qv?.whole;
    const wordScores = qv && weights.words > 0 ? this.wordIndex.score(qv.words) : new Map<string, number>();
    if (q) {
      const dim = this.embedder!.dimension;
      const scores = this.scores;
      for (let row = 0; row < this.ids.length; row++) {
        let s = 0;
        const base = row * dim;
        for (let i = 0; i < dim; i++) s += q[i]! * this.matrix[base + i]!;
        scores[row] = s;
      }
      vector = best(this.ids, scores, 100, this.scratch);
    }
    const asked = weights.concept > 0 && this.lexicon ? queryConcepts(this.lexicon, content) : [];
    const concept =
      asked.length > 0 && this.concepts ? this.concepts.score(asked) : new Map<string, number>();
    const name = weights.name > 0 ? this.names.match(query) : new Map<string, number>();
    // While a new menu is being embedded the vector and word indexes still hold the old one's
    // items: an item the new menu dropped is not an answer.
    for (const scores of [vector, wordScores])
      for (const id of scores.keys()) if (!catalog.items.has(id)) scores.delete(id);
    return rank({ vector, bm25: lexical, concept, words: wordScores, name }, weights, limit).map((s) => {
      const item = catalog.items.get(s.itemId)!;
      return {
        itemId: s.itemId,
        name: item.name,
        price: item.price,
        categoryId: item.categoryId,
        available: !catalog.unavailable.has(s.itemId),
        score: Math.round(s.score * 10_000) / 10_000,
        vector: Math.round(s.vector * 10_000) / 10_000,
        lexical: Math.round(s.lexical * 10_000) / 10_000,
        concept: Math.round(s.concept * 10_000) / 10_000,
        words: Math.round(s.words * 10_000) / 10_000,
      };
    });
  }
}
