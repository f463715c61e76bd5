import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './breaker.ts';

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
