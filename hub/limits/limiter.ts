import type { Logger } from '../../protocol/logger.ts';
import type { Store } from '../store/index.ts';
import type { LockoutRow } from '../store/limits.ts';
import { type LockoutPolicy, lockoutMs, take, type WindowState } from './policy.ts';

export type Verdict = { ok: true } | { ok: false; retryAfterMs: number };

export interface LimiterOptions {
  /** Most keys held in memory; the least recently used are dropped (after being flushed). */
  maxKeys: number;
  flushMs: number;
  now: () => number;
  /** Runs the write in the hub's group commit, so counters share the orders' fsync. */
  write: (fn: () => void) => Promise<unknown>;
  log: Logger;
}

/**
 * Rate limits whose state survives a restart (the cloud-only system lost them at every deploy).
 * Counters live in a bounded in-memory map, are written to SQLite every `flushMs` and at shutdown,
 * and are read back at start; so a crash forgets at most one flush interval of counts, while a
 * deploy forgets nothing. Lockouts are rarer and matter more: each is written in the next group
 * commit, and mirrored in memory so checking one costs no I/O.
 */
export class Limiter {
  private readonly windows = new Map<string, WindowState>();
  private readonly dirty = new Set<string>();
  /**
   * Lockouts, mirrored from SQLite (loaded at start, written through on every change). The table
   * is the truth: when the mirror is full, entries that lock nothing go first, and if live locks
   * must go too, `spilled` says so and a miss is looked up in SQLite. A lock is never forgotten.
   */
  private readonly locks = new Map<string, LockoutRow>();
  private spilled = false;
  private readonly timer: NodeJS.Timeout;
  private readonly longestWindowMs = 3_600_000;

  constructor(
    private readonly store: Store,
    private readonly options: LimiterOptions,
  ) {
    for (const [key, s] of store.limits.windowsSince(options.now() - 2 * this.longestWindowMs))
      this.windows.set(key, s);
    for (const [key, row] of store.limits.lockoutsSince(options.now() - this.longestWindowMs))
      this.locks.set(key, row);
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  /** Count a request of `cost` for `key` against `limit` per `windowMs`. */
  take(key: string, limit: number, windowMs: number, cost = 1): Verdict {
    const result = take(this.windows.get(key), this.options.now(), windowMs, limit, cost);
    this.windows.delete(key); // re-insert: Map order doubles as least-recently-used order
    this.windows.set(key, result.state);
    this.dirty.add(key);
    if (this.windows.size > this.options.maxKeys) this.evict();
    return result.ok ? { ok: true } : { ok: false, retryAfterMs: result.retryAfterMs };
  }

  /**
   * ms until `key` may try again, 0 if it is not locked out. Answered from memory (it runs on every
   * unauthenticated request), from SQLite only for a key the full mirror had to let go.
   */
  lockedFor(key: string): number {
    const row = this.lockout(key);
    return row ? Math.max(0, row.lockedUntil - this.options.now()) : 0;
  }

  /**
   * One attempt at a secret (a PIN), counted before it is checked: the lock test and the count are
   * one synchronous step, so any number of attempts in flight at once cannot all slip under the
   * lock. A right answer then calls `succeed`, which clears the count.
   */
  attempt(key: string, policy: LockoutPolicy): Verdict {
    const locked = this.lockedFor(key);
    if (locked > 0) return { ok: false, retryAfterMs: locked };
    this.fail(key, policy);
    return { ok: true };
  }

  /** A failed attempt (bad PIN, bad token, bad pairing secret): maybe start or extend a lockout. */
  fail(key: string, policy: LockoutPolicy): number {
    const now = this.options.now();
    const prev = this.lockout(key);
    const failures = prev && now - prev.updatedAt < policy.forgetAfterMs ? prev.failures + 1 : 1;
    const lockMs = lockoutMs(failures, policy);
    const row = { failures, lockedUntil: now + lockMs, updatedAt: now };
    // The mirror decides at once; the row reaches the disk with the next group commit (ms).
    this.persist(() => this.store.limits.setLockout(key, row), key);
    this.locks.delete(key);
    this.locks.set(key, row);
    if (this.locks.size > this.options.maxKeys) this.shrinkLocks(now);
    return lockMs;
  }

  succeed(key: string): void {
    if (!this.locks.delete(key)) return;
    this.persist(() => this.store.limits.removeLockout(key), key);
  }

  private lockout(key: string): LockoutRow | undefined {
    return this.locks.get(key) ?? (this.spilled ? (this.store.limits.lockout(key) ?? undefined) : undefined);
  }

  /** Make room: first entries that lock nothing (oldest first), then, only if need be, live locks. */
  private shrinkLocks(now: number): void {
    for (const [k, row] of this.locks) {
      if (this.locks.size <= this.options.maxKeys) return;
      if (row.lockedUntil <= now) this.locks.delete(k);
    }
    for (const k of this.locks.keys()) {
      if (this.locks.size <= this.options.maxKeys) return;
      this.locks.delete(k);
      this.spilled = true; // still in SQLite, where lockout() will find it
    }
  }

  private persist(write: () => void, key: string): void {
    this.options.write(write).catch((err) => this.options.log.error({ key, err }, 'lockout not saved'));
  }

  /** Write changed counters in the hub's group commit (they share its fsync). */
  flush(): Promise<unknown> {
    if (this.dirty.size === 0) return Promise.resolve();
    const rows = [...this.dirty]
      .filter((k) => this.windows.has(k))
      .map((k) => [k, this.windows.get(k)!] as [string, WindowState]);
    this.dirty.clear();
    const pruneBefore = this.options.now() - 2 * this.longestWindowMs;
    return this.options
      .write(() => this.store.limits.saveWindows(rows, pruneBefore))
      .catch((err) => {
        this.options.log.warn({ err, keys: rows.length }, 'rate-limit counters not saved; retrying');
        for (const [k] of rows) this.dirty.add(k);
      });
  }

  /** Write the last counters; call before the committer drains. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private evict(): void {
    void this.flush();
    for (const key of this.windows.keys()) {
      if (this.windows.size <= this.options.maxKeys) break;
      this.windows.delete(key);
    }
  }
}
