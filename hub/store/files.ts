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
