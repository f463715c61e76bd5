import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { SentenceTransformerEmbedder } from '../hub/search/sentence-transformer.ts';
import { startHub, tempDir } from './support/hub.ts';

const { onnx } = onnxProto;

/**
 * A tiny model shaped like a sentence-transformers export (input_ids, attention_mask →
 * last_hidden_state [batch, tokens, 8]) with a WordLevel tokenizer.json: enough to prove that an
 * operator's model is tokenised, run, pooled and recorded the way a real one (MiniLM) would be.
 */
function writeTinyModel(dir: string): void {
  const groups: Record<string, number> = { food: 0, drink: 1, sweet: 2, hot: 3 };
  const words: [string, string[]][] = [
    ['[PAD]', []],
    ['[UNK]', []],
    ['burger', ['food']],
    ['beef', ['food']],
    ['fries', ['food']],
    ['pizza', ['food']],
    ['cola', ['drink']],
    ['soda', ['drink']],
    ['lemonade', ['drink']],
    ['drink', ['drink']],
    ['soft', ['drink']],
    ['coffee', ['drink', 'hot']],
    ['tea', ['drink', 'hot']],
    ['cake', ['sweet']],
    ['chocolate', ['sweet']],
    ['dessert', ['sweet']],
  ];
  const dim = 8;
  const table = new Float32Array(words.length * dim);
  words.forEach(([, tags], row) => {
    for (const t of tags) table[row * dim + groups[t]!] = 1;
    table[row * dim + 7] = 0.05 * row; // a little identity per word
  });
  const T = onnx.TensorProto.DataType;
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: onnx.GraphProto.create({
      name: 'tiny-sentence-model',
      initializer: [
        onnx.TensorProto.create({
          name: 'embeddings',
          dataType: T.FLOAT,
          dims: [words.length, dim],
          rawData: new Uint8Array(table.buffer),
        }),
      ],
      node: [
        onnx.NodeProto.create({
          opType: 'Gather',
          input: ['embeddings', 'input_ids'],
          output: ['last_hidden_state'],
          name: 'lookup',
        }),
      ],
      input: ['input_ids', 'attention_mask'].map((name) =>
        onnx.ValueInfoProto.create({
          name,
          type: {
            tensorType: {
              elemType: T.INT64,
              shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'tokens' }] },
            },
          },
        }),
      ),
      output: [
        onnx.ValueInfoProto.create({
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: T.FLOAT,
              shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'tokens' }, { dimValue: dim }] },
            },
          },
        }),
      ],
    }),
  });
  writeFileSync(join(dir, 'model.onnx'), onnx.ModelProto.encode(model).finish());
  const vocab = Object.fromEntries(words.map(([w], i) => [w, i]));
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [],
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '[UNK]' },
    }),
  );
}

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe("an operator's sentence-transformers model", () => {
  it('is tokenised, run, mean-pooled and normalised, with its own id and dimension', async () => {
    const { dir, remove } = tempDir('grow-st-');
    try {
      writeTinyModel(dir);
      const model = await SentenceTransformerEmbedder.load(dir);
      expect(model.dimension).toBe(8);
      expect(model.modelId).toMatch(/^st:grow-st-\w+:[0-9a-f]{12}$/);
      const [cola, soda, burger, unknown] = await model.embed(['Cola', 'a soda', 'BURGER', 'zzz qqq']);
      expect(Math.hypot(...cola!)).toBeCloseTo(1, 5);
      expect(cos(cola!, soda!)).toBeGreaterThan(cos(cola!, burger!));
      expect(unknown!.every((x) => Number.isFinite(x))).toBe(true);
    } finally {
      remove();
    }
  });

  it('replaces the shipped model when embeddingModelDir is set, and every vector records it', async () => {
    const { dir, remove } = tempDir('grow-st-');
    writeTinyModel(dir);
    const t = await startHub({ embeddingModelDir: dir });
    try {
      const res = await t.api('GET', '/api/v1/menu/search?q=soda&limit=3');
      expect(res.body.model).toMatch(/^st:/);
      expect(res.body.results.map((r: { itemId: string }) => r.itemId)).toContain('lemon-lime');
      const dims = t.hub.store.db.prepare('SELECT DISTINCT model_id, dimension FROM item_embeddings').all();
      expect(dims).toEqual([{ model_id: res.body.model, dimension: 8 }]);
    } finally {
      await t.stop();
      remove();
    }
  });
});
