import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { privateDir, privateFile } from './files.ts';
import { type Migration, migrations } from './migrations.ts';

export type Db = Database.Database;

export class SchemaTooNewError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
    file: string,
  ) {
    super(
      `${file} has schema version ${found}, but this hub only knows up to ${known}. ` +
        'It was written by a newer Grow Hub: upgrade this hub, or restore a backup made by this version.',
    );
  }
}

export interface OpenOptions {
  busyTimeoutMs?: number;
  readonly?: boolean;
}

/**
 * Open (creating if needed) the hub's SQLite file: WAL so readers never block the writer,
 * synchronous=FULL so each COMMIT is on disk (the hub's writer trades that for a flush off the
 * event loop: writer.ts), foreign keys on, and a busy timeout so the CLI and the hub can share it.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') {
    privateDir(dirname(file));
    privateFile(file);
  }
  const db = new Database(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5_000)}`);
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  // Each command in a group commit runs in its own SAVEPOINT, and SQLite journals every page a
  // savepoint first touches so it can roll back. Past 64 kB that sub-journal went to a temp
  // file: strace under `npm run bench` showed ~1,000 4 kB pwrite calls per commit into files
  // opened and unlinked per transaction. In memory it is bounded by one batch's pages.
  db.pragma('temp_store = MEMORY');
  migrate(db, migrations, file);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, list: Migration[], file: string): void {
  const known = list.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > known) throw new SchemaTooNewError(current, known, file);
  for (const m of list) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
