import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

/** A rate-limit counter: this window's count and the previous window's (hub/limits/policy.ts). */
export interface RateWindowRow {
  windowStart: number;
  count: number;
  prevCount: number;
}

export interface LockoutRow {
  failures: number;
  lockedUntil: number;
  updatedAt: number;
}

/** Rate-limit windows and lockouts: the SQL side of hub/limits. */
export class LimitsStore {
  private readonly loadWindows: Statement;
  private readonly upsertWindow: Statement;
  private readonly pruneWindows: Statement;
  private readonly putLockout: Statement;
  private readonly clearLockout: Statement;
  private readonly recentLockouts: Statement;
  private readonly oneLockout: Statement;
  private readonly saveMany: (rows: [string, RateWindowRow][]) => void;

  constructor(db: Db) {
    this.loadWindows = db.prepare(
      'SELECT key, window_start AS windowStart, count, prev_count AS prevCount FROM rate_windows WHERE window_start >= ?',
    );
    this.upsertWindow = db.prepare(
      `INSERT INTO rate_windows (key, window_start, count, prev_count) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count, prev_count = excluded.prev_count`,
    );
    this.pruneWindows = db.prepare('DELETE FROM rate_windows WHERE window_start < ?');
    this.putLockout = db.prepare(
      `INSERT INTO lockouts (key, failures, locked_until, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
    );
    this.clearLockout = db.prepare('DELETE FROM lockouts WHERE key = ?');
    this.oneLockout = db.prepare(
      'SELECT failures, locked_until AS lockedUntil, updated_at AS updatedAt FROM lockouts WHERE key = ?',
    );
    this.recentLockouts = db.prepare(
      'SELECT key, failures, locked_until AS lockedUntil, updated_at AS updatedAt FROM lockouts WHERE updated_at >= ?',
    );
    this.saveMany = db.transaction((rows: [string, RateWindowRow][]) => {
      for (const [key, s] of rows) this.upsertWindow.run(key, s.windowStart, s.count, s.prevCount);
    });
  }

  windowsSince(since: number): [string, RateWindowRow][] {
    return (this.loadWindows.all(since) as (RateWindowRow & { key: string })[]).map(({ key, ...s }) => [
      key,
      s,
    ]);
  }

  saveWindows(rows: [string, RateWindowRow][], pruneBefore: number): void {
    this.saveMany(rows);
    this.pruneWindows.run(pruneBefore);
  }

  /** Lockouts touched since `since` (older ones are forgotten by every policy). */
  lockoutsSince(since: number): [string, LockoutRow][] {
    return (this.recentLockouts.all(since) as (LockoutRow & { key: string })[]).map(({ key, ...row }) => [
      key,
      row,
    ]);
  }

  lockout(key: string): LockoutRow | null {
    return (this.oneLockout.get(key) as LockoutRow | undefined) ?? null;
  }

  setLockout(key: string, row: LockoutRow): void {
    this.putLockout.run(key, row.failures, row.lockedUntil, row.updatedAt);
  }

  removeLockout(key: string): void {
    this.clearLockout.run(key);
  }
}
