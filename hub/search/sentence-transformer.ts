import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import type { Embedder } from './embedder.ts';

const maxTokens = 256;

/**
 * An operator's drop-in model: a standard sentence-transformers export (e.g. all-MiniLM-L6-v2)
 * in a folder with `model.onnx` (or `onnx/model.onnx`), `tokenizer.json` and, optionally,
 * `tokenizer_config.json`. Tokenised with @huggingface/tokenizers, run by onnxruntime-node,
 * mean-pooled over the attention mask and L2-normalised, as sentence-transformers does.
 * Set `embeddingModelDir` to use it; its model id (folder name and model hash) and dimension are
 * recorded with every vector, so switching models re-embeds the menu.
 */
export class SentenceTransformerEmbedder implements Embedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly unkId: number,
    readonly modelId: string,
    readonly dimension: number,
  ) {}

  static async load(dir: string): Promise<SentenceTransformerEmbedder> {
    const modelFile = [join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx')].find((f) => existsSync(f));
    if (!modelFile) throw new Error(`No model.onnx (or onnx/model.onnx) in ${dir}`);
    const tokenizerJson = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
    const configFile = join(dir, 'tokenizer_config.json');
    const tokenizerConfig = existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
    const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    const unkToken = tokenizerJson.model?.unk_token as string | undefined;
    const unkId = (unkToken && tokenizerJson.model?.vocab?.[unkToken]) ?? 0;
    const bytes = readFileSync(modelFile);
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const id = `st:${basename(dir)}:${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`;
    const embedder = new SentenceTransformerEmbedder(session, tokenizer, unkId, id, 0);
    const [probe] = await embedder.run(['probe']);
    return new SentenceTransformerEmbedder(session, tokenizer, unkId, id, probe!.length);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return this.run(texts);
  }

  private async run(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = texts.map((t) => {
      const e = this.tokenizer.encode(t) as { ids: (number | null)[] };
      return e.ids.slice(0, maxTokens).map((id) => id ?? this.unkId);
    });
    const width = Math.max(1, ...encoded.map((ids) => ids.length));
    const ids = new BigInt64Array(texts.length * width);
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((row, b) => {
      row.forEach((id, i) => {
        ids[b * width + i] = BigInt(id);
        mask[b * width + i] = 1n;
      });
    });
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [texts.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [texts.length, width]),
    };
    if (this.session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(texts.length * width), [
        texts.length,
        width,
      ]);
    }
    const out = await this.session.run(feeds);
    const hidden = (out.sentence_embedding ?? out[this.session.outputNames[0]!])!;
    const data = hidden.data as Float32Array;
    const pooled = hidden.dims.length === 2;
    const dim = Number(hidden.dims.at(-1));
    return encoded.map((row, b) => {
      const v = new Float32Array(dim);
      if (pooled) v.set(data.subarray(b * dim, (b + 1) * dim));
      else {
        for (let i = 0; i < row.length; i++)
          for (let d = 0; d < dim; d++) v[d]! += data[(b * width + i) * dim + d]! / row.length;
      }
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  }
}
