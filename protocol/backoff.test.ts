import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay (full jitter)', () => {
  const policy = { baseMs: 100, capMs: 5_000 };

  it('grows the ceiling exponentially and caps it', () => {
    const top = (attempt: number) => backoffDelay(attempt, policy, () => 0.999999);
    expect(top(0)).toBe(99);
    expect(top(1)).toBe(199);
    expect(top(3)).toBe(799);
    expect(top(10)).toBe(4_999);
    expect(top(1_000)).toBe(4_999);
  });

  it('draws anywhere from zero to the ceiling, so a crowd spreads out', () => {
    expect(backoffDelay(5, policy, () => 0)).toBe(0);
    const draws = new Set(Array.from({ length: 200 }, () => backoffDelay(6, policy)));
    expect(draws.size).toBeGreaterThan(100);
    for (const d of draws) expect(d).toBeLessThan(5_000);
  });
});
