/**
 * A circuit breaker for one remote peer. Closed: calls go through. After `failureThreshold`
 * consecutive failures it opens: calls are refused until `cooldownMs` passes, then one probe is
 * let through (half-open); its success closes the breaker, its failure opens it again.
 * Pure: time comes from the caller.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(private readonly options: BreakerOptions) {}

  state(now: number): BreakerState {
    if (this.openedAt === null) return 'closed';
    return now - this.openedAt >= this.options.cooldownMs ? 'half_open' : 'open';
  }

  /** May a call go out now? In half-open state only one probe at a time. */
  allow(now: number): boolean {
    const state = this.state(now);
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** When the breaker will next let a probe through (null when closed). */
  retryAt(): number | null {
    return this.openedAt === null ? null : this.openedAt + this.options.cooldownMs;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failure(now: number): void {
    this.failures++;
    if (this.probing || this.failures >= this.options.failureThreshold) this.openedAt = now;
    this.probing = false;
  }
}
