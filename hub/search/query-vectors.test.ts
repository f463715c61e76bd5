import { describe, expect, it } from 'vitest';
import type { Embedder } from './embedder.ts';
import { MenuEmbedModel } from './embedder.ts';
import { QueryVectors } from './query-vectors.ts';
import { best } from './top.ts';

describe('recent query embeddings', () => {
  it('asks the model only for texts it has not seen lately, and keeps at most its capacity', async () => {
    const model = await MenuEmbedModel.load();
    const asked: string[][] = [];
    const counting: Embedder = {
      modelId: model.modelId,
      dimension: model.dimension,
      embed: (texts) => {
        asked.push([...texts]);
        return model.embed(texts);
      },
    };
    const cache = new QueryVectors(3);
    const [burger] = await cache.embed(counting, ['burger']);
    expect(await cache.embed(counting, ['burger', 'fries'])).toEqual([
      burger,
      (await model.embed(['fries']))[0],
    ]);
    expect(asked).toEqual([['burger'], ['fries']]);
    await cache.embed(counting, ['cola', 'burger', 'tea']); // fries is now the least recently used
    expect(cache.size).toBe(3);
    await cache.embed(counting, ['burger', 'fries']);
    expect(asked.at(-1)).toEqual(['fries']);
  });
});

describe('the best rows', () => {
  it('keeps the top scores (ties at the bar included) above the floor', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const scores = Float32Array.from([0.1, 0.9, 0.5, 0.5, -0.2]);
    const scratch = new Float32Array(5);
    expect(best(ids, scores, 2, scratch)).toEqual(
      new Map([
        ['b', scores[1]],
        ['c', scores[2]],
        ['d', scores[3]],
      ]),
    );
    expect([...best(ids, scores, 10, scratch, 0).keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(scores[0]).toBeCloseTo(0.1); // the scores are not reordered
  });
});
