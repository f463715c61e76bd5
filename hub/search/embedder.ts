import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelsDir } from './models-dir.ts';
import { type ModelVocabulary, packedLookup, tokenize } from './tokenize.ts';

/**
 * Turns texts into unit vectors. Every stored vector records the model id and dimension it came
 * from, so changing the model re-embeds instead of mixing incomparable vectors.
 */
export interface Embedder {
  readonly modelId: string;
  readonly dimension: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

interface ModelMeta {
  id: string;
  dimension: number;
  vocabSize: number;
  buckets: number;
  unknownWeight: number;
  sha256: string;
}

/** The shipped menu model (models/menu-embed.*) run by onnxruntime-node on the CPU. */
export class MenuEmbedModel implements Embedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly vocab: ModelVocabulary,
    readonly modelId: string,
    readonly dimension: number,
  ) {}

  static async load(dir = modelsDir): Promise<MenuEmbedModel> {
    const meta = JSON.parse(readFileSync(join(dir, 'menu-embed.json'), 'utf8')) as ModelMeta;
    const lines = readFileSync(join(dir, 'menu-embed.vocab.txt'), 'utf8').split('\n').filter(Boolean);
    const words: string[] = [];
    const weights = new Float32Array(lines.length);
    lines.forEach((line, row) => {
      const [word, weight] = line.split('\t');
      words.push(word!);
      weights[row] = Number(weight);
    });
    const lookup = packedLookup(words);
    // One thread: a hub shares two cores with the POS traffic it serves.
    const session = await ort.InferenceSession.create(join(dir, 'menu-embed.onnx'), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    const vocab = {
      lookup,
      weights,
      vocabSize: meta.vocabSize,
      buckets: meta.buckets,
      unknownWeight: meta.unknownWeight,
    };
    return new MenuEmbedModel(session, vocab, meta.id, meta.dimension);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const tokens = texts.map((t) => tokenize(t, this.vocab));
    const width = Math.max(1, ...tokens.map((t) => t.ids.length));
    const ids = new BigInt64Array(texts.length * width);
    const weights = new Float32Array(texts.length * width);
    tokens.forEach((t, b) => {
      t.ids.forEach((id, i) => {
        ids[b * width + i] = BigInt(id);
        weights[b * width + i] = t.weights[i]!;
      });
    });
    const result = await this.session.run({
      ids: new ort.Tensor('int64', ids, [texts.length, width]),
      weights: new ort.Tensor('float32', weights, [texts.length, width]),
    });
    const flat = result.embedding!.data as Float32Array;
    // A text with no words has no direction: a zero vector (cosine 0 with everything), not NaN.
    return tokens.map((t, b) =>
      t.ids.length === 0
        ? new Float32Array(this.dimension)
        : flat.slice(b * this.dimension, (b + 1) * this.dimension),
    );
  }
}
