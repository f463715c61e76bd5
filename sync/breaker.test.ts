import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker.ts';
import { classifyFailure, gapSyncedSeq } from './classify.ts';

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after the cooldown, closes on success', () => {
    const b = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000 });
    b.failure(0);
    b.failure(10);
    expect(b.allow(20)).toBe(true);
    b.failure(20);
    expect(b.state(30)).toBe('open');
    expect(b.allow(500)).toBe(false);
    expect(b.retryAt()).toBe(1_020);
    expect(b.allow(1_100)).toBe(true); // the probe
    expect(b.allow(1_100)).toBe(false); // only one
    b.failure(1_200);
    expect(b.state(1_300)).toBe('open');
    expect(b.allow(2_300)).toBe(true);
    b.success();
    expect(b.state(2_300)).toBe('closed');
    expect(b.allow(2_300)).toBe(true);
  });
});

describe('classifyFailure', () => {
  it('separates retryable, auth, gap and permanent failures', () => {
    expect(classifyFailure({ status: 0, message: 'fetch failed' })).toBe('retryable');
    expect(classifyFailure({ status: 503, message: '' })).toBe('retryable');
    expect(classifyFailure({ status: 429, message: '' })).toBe('retryable');
    expect(classifyFailure({ status: 401, code: 'PGRST301', message: '' })).toBe('auth');
    expect(classifyFailure({ status: 403, code: '42501', message: '' })).toBe('auth');
    expect(classifyFailure({ status: 400, code: 'GR409', message: '' })).toBe('gap');
    expect(
      classifyFailure({ status: 400, code: '22P02', message: 'invalid input syntax for type uuid' }),
    ).toBe('permanent');
    expect(gapSyncedSeq({ status: 400, message: '', details: '{"synced_seq" : 41}' })).toBe(41);
    expect(gapSyncedSeq({ status: 400, message: '', details: 'nonsense' })).toBeNull();
  });
});
