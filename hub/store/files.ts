import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** What a database file holds, read without the hub: for backups, restores and `grow-hub status`. */
export interface FileFacts {
  integrity: string;
  schemaVersion: number;
  headSeq: number;
}

const headSeqSql = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)";

/** integrity_check, schema version and event-log head of a database file, opened read-only. */
export function inspectFile(file: string): FileFacts {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      headSeq: (db.prepare(headSeqSql).pluck().get() as number) ?? 0,
    };
  } finally {
    db.close();
  }
}

/**
 * A fresh copy (a backup) made self-contained: rollback journal instead of WAL, so it is one file
 * that opens anywhere and leaves no -wal or -shm beside it.
 */
export function makeStandalone(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * After a restore: new events continue above `floor` (the replaced database's head), so no seq
 * the cloud or a device already holds is ever reused.
 */
export function raiseSeqFloor(file: string, floor: number): void {
  const db = new Database(file);
  try {
    db.prepare("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'events'").run(floor);
  } finally {
    db.close();
  }
}

/**
 * The data dir holds orders, token and PIN hashes and (in config.json) the cloud credential: it
 * is made readable by the hub's user only. SQLite gives the -wal and -shm files the mode of the
 * database file, so creating that file 600 covers them.
 */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function privateFile(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
}

/** Files and folders of the data dir other users could read, each with the command that fixes it. */
export function exposedFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) return [];
  const wide = (path: string) => (statSync(path).mode & 0o077) !== 0;
  const found: string[] = [];
  if (wide(dataDir)) found.push(`chmod 700 ${dataDir}`);
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    const isDir = statSync(path).isDirectory();
    if (isDir && name !== 'backups' && name !== 'tls') continue;
    if (isDir) {
      if (wide(path)) found.push(`chmod 700 ${path}`);
      for (const inner of readdirSync(path))
        if (wide(join(path, inner))) found.push(`chmod 600 ${join(path, inner)}`);
    } else if (wide(path)) found.push(`chmod 600 ${path}`);
  }
  return found;
}
