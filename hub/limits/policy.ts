/**
 * Sliding-window rate limits and lockout backoff, as pure functions of (state, time).
 *
 * The window is approximated from two fixed windows (the current one and the one before it,
 * weighted by how much of it still overlaps the sliding window), as Cloudflare describes: O(1)
 * state per key, and no burst of twice the limit at a window boundary.
 */
export interface WindowState {
  windowStart: number;
  count: number;
  prevCount: number;
}

function roll(s: WindowState | undefined, now: number, windowMs: number): WindowState {
  const start = now - (now % windowMs);
  if (!s) return { windowStart: start, count: 0, prevCount: 0 };
  if (s.windowStart === start) return s;
  if (s.windowStart === start - windowMs) return { windowStart: start, count: 0, prevCount: s.count };
  return { windowStart: start, count: 0, prevCount: 0 };
}

/** Requests counted in the sliding window ending now. */
export function slidingCount(s: WindowState | undefined, now: number, windowMs: number): number {
  const r = roll(s, now, windowMs);
  const overlap = 1 - (now - r.windowStart) / windowMs;
  return r.count + r.prevCount * overlap;
}

export type TakeResult =
  | { ok: true; state: WindowState }
  | { ok: false; state: WindowState; retryAfterMs: number };

/** Count a request of `cost` if it fits under `limit`; otherwise say how long until it would. */
export function take(
  s: WindowState | undefined,
  now: number,
  windowMs: number,
  limit: number,
  cost = 1,
): TakeResult {
  const r = roll(s, now, windowMs);
  if (slidingCount(r, now, windowMs) + cost <= limit)
    return { ok: true, state: { ...r, count: r.count + cost } };
  // The previous window's share falls linearly; failing that, wait for the next window.
  const excess = slidingCount(r, now, windowMs) + cost - limit;
  const waitMs =
    r.prevCount > 0 && excess <= r.prevCount
      ? (excess / r.prevCount) * windowMs
      : r.windowStart + windowMs - now;
  return { ok: false, state: r, retryAfterMs: Math.max(1, Math.ceil(waitMs)) };
}

export interface LockoutPolicy {
  /** Failures allowed before the first lockout. */
  threshold: number;
  baseMs: number;
  capMs: number;
  /** A quiet period after which past failures are forgotten. */
  forgetAfterMs: number;
}

/** Lockout after the n-th consecutive failure: none below the threshold, then doubling, capped. */
export function lockoutMs(failures: number, policy: LockoutPolicy): number {
  if (failures < policy.threshold) return 0;
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(30, failures - policy.threshold));
}

/**
 * Staff PINs are 4 to 8 digits: few enough to guess. Five tries, then 30 s doubling up to a day,
 * and failures are remembered for a day, so a guesser gets about 16 tries a day, not 144. A
 * manager can clear a lockout for a staff member who simply forgot (POST /api/v1/staff/:id/unlock).
 */
export const pinLockout: LockoutPolicy = {
  threshold: 5,
  baseMs: 30_000,
  capMs: 86_400_000,
  forgetAfterMs: 86_400_000,
};
/** One bad token sent again and again (a revoked tablet in a loop): its own lock, not its address's. */
export const repeatedTokenLockout: LockoutPolicy = {
  threshold: 5,
  baseMs: 60_000,
  capMs: 3_600_000,
  forgetAfterMs: 3_600_000,
};
export const tokenLockout: LockoutPolicy = {
  threshold: 20,
  baseMs: 1_000,
  capMs: 900_000,
  forgetAfterMs: 900_000,
};
export const pairingClaimLockout: LockoutPolicy = {
  threshold: 10,
  baseMs: 5_000,
  capMs: 900_000,
  forgetAfterMs: 900_000,
};
