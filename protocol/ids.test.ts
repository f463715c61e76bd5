import { describe, expect, it } from 'vitest';
import { Uuid, uuidv7Source } from './ids.ts';

describe('uuidv7Source', () => {
  it('makes valid UUIDv7s that sort in creation order, even within one millisecond', () => {
    const next = uuidv7Source(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5_000 }, next);
    for (const id of ids.slice(0, 50)) {
      expect(Uuid.safeParse(id).success).toBe(true);
      expect(id[14]).toBe('7');
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
