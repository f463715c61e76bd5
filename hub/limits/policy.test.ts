import { describe, expect, it } from 'vitest';
import { lockoutMs, pinLockout, slidingCount, take, type WindowState } from './policy.ts';

describe('sliding window', () => {
  it('allows up to the limit, then says how long to wait', () => {
    let s: WindowState | undefined;
    const t0 = 60_000 * 100;
    for (let i = 0; i < 5; i++) {
      const r = take(s, t0 + i, 60_000, 5);
      expect(r.ok).toBe(true);
      s = r.state;
    }
    const refused = take(s, t0 + 10, 60_000, 5);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('carries the previous window over, so a boundary is no reset', () => {
    let s: WindowState | undefined;
    const end = 60_000 * 101 - 1;
    for (let i = 0; i < 10; i++) s = take(s, end, 60_000, 10).state;
    // Just after the boundary almost all ten still count.
    expect(slidingCount(s, end + 2, 60_000)).toBeGreaterThan(9.9);
    expect(take(s, end + 2, 60_000, 10).ok).toBe(false);
    // Halfway through the next window half of them have slid out.
    expect(slidingCount(s, end + 30_001, 60_000)).toBeCloseTo(5, 1);
    expect(take(s, end + 30_001, 60_000, 10).ok).toBe(true);
    // Two windows later nothing is left.
    expect(slidingCount(s, end + 120_001, 60_000)).toBe(0);
  });
});

describe('lockout backoff', () => {
  it('starts at the threshold, doubles, and caps', () => {
    expect(lockoutMs(4, pinLockout)).toBe(0);
    expect(lockoutMs(5, pinLockout)).toBe(30_000);
    expect(lockoutMs(6, pinLockout)).toBe(60_000);
    expect(lockoutMs(8, pinLockout)).toBe(240_000);
    expect(lockoutMs(50, pinLockout)).toBe(86_400_000);
  });

  it('lets a PIN guesser try about 16 times a day, not 144 (the old one-hour cap and memory)', () => {
    // A patient guesser tries again the moment each lockout ends, for 24 hours.
    let failures = 0;
    let tries = 0;
    let now = 0;
    let lastFailure = Number.NEGATIVE_INFINITY;
    while (now < 86_400_000) {
      tries++;
      failures = now - lastFailure < pinLockout.forgetAfterMs ? failures + 1 : 1;
      lastFailure = now;
      now += Math.max(1_000, lockoutMs(failures, pinLockout));
    }
    expect(tries).toBeLessThanOrEqual(20);
    const oldPolicy = { ...pinLockout, capMs: 3_600_000, forgetAfterMs: 3_600_000 };
    let oldTries = 0;
    for (let t = 0, f = 0, last = Number.NEGATIVE_INFINITY; t < 86_400_000; ) {
      oldTries++;
      f = t - last < oldPolicy.forgetAfterMs ? f + 1 : 1;
      last = t;
      t += Math.max(1_000, lockoutMs(f, oldPolicy));
    }
    expect(oldTries).toBeGreaterThan(30);
  });
});
