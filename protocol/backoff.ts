/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * delay = random(0, min(cap, base * 2^attempt)). Full jitter spreads a crowd of reconnecting
 * devices evenly instead of letting them retry in lock-step, which is what turned the old
 * system's restarts into reconnect storms.
 */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const deviceReconnectBackoff: BackoffPolicy = { baseMs: 250, capMs: 15_000 };

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
