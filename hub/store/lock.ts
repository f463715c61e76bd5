import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { privateFile } from './files.ts';

export class DataDirInUse extends Error {}

/**
 * One hub per data dir: two writers on one SQLite file would both take orders, each thinking it
 * is the only one. The hub holds an exclusive lock on <dataDir>/hub.lock (SQLite's own file
 * locking, so the operating system drops it the moment the process dies, even by kill -9) for as
 * long as it runs; a second hub, or a restore, finds it taken and refuses.
 */
export class DataDirLock {
  private constructor(private readonly db: Database.Database) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, 'hub.lock');
    privateFile(file);
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      return new DataDirLock(db);
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      const pid = runningPid(dataDir);
      throw new DataDirInUse(
        `another hub${pid ? ` (pid ${pid})` : ''} is running on ${dataDir}: stop it first, or give this one its own --data-dir`,
      );
    }
  }

  /** Is a hub running on this data dir? (Takes the lock for a moment to find out.) */
  static held(dataDir: string): boolean {
    try {
      DataDirLock.acquire(dataDir).release();
      return false;
    } catch (err) {
      if (err instanceof DataDirInUse) return true;
      throw err;
    }
  }

  release(): void {
    if (this.db.open) this.db.close();
  }
}

/** The pid the running hub wrote beside its lock, for the message (the lock itself decides). */
function runningPid(dataDir: string): number | null {
  try {
    return Number(readFileSync(join(dataDir, 'hub.pid'), 'utf8')) || null;
  } catch {
    return null; // no pid file yet (the other hub is still starting)
  }
}
