import type { Statement } from 'better-sqlite3';
import type { RowChange } from '../../protocol/standby.ts';
import type { Db } from './db.ts';

/**
 * Change capture for a standby hub (docs/operations.md, "A standby hub"), in SQL.
 *
 * While a standby is paired, triggers on every table of the hub's own data write each row change
 * (its rowid and, for inserts and updates, the whole new row as JSON) to replication_log, in the
 * transaction that makes the change, whichever connection makes it (the hub, or a CLI tool beside
 * it). The primary ships the log in order; the standby applies the same row changes in the same
 * order to its own copy, so both files hold the same rows, the same seq and the same ids. Derived
 * tables (the search index) are left out: a hub rebuilds them when it starts.
 */

const triggerPrefix = 'grow_repl_';

/** Tables a standby must not copy row by row: the log itself, and what a hub derives at start. */
function captured(table: string): boolean {
  return !(
    table.startsWith('sqlite_') ||
    table === 'replication_log' ||
    table === 'replica_state' ||
    table.startsWith('menu_fts') ||
    table === 'item_embeddings'
  );
}

function tables(db: Db): { name: string; columns: { name: string; type: string }[] }[] {
  const names = db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
  return names.filter(captured).map((name) => ({
    name,
    columns: (db.pragma(`table_info("${name}")`) as { name: string; type: string }[]).map((c) => ({
      name: c.name,
      type: c.type.toUpperCase(),
    })),
  }));
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * (Re)makes the capture triggers for the current schema, in one transaction: after a migration
 * added a column, the new triggers carry it.
 */
export function installCapture(db: Db): void {
  db.transaction(() => {
    removeCaptureIn(db);
    for (const t of tables(db)) {
      const row = (ref: 'NEW') =>
        `json_object(${t.columns
          .map(
            (c) =>
              `'${c.name}', ${c.type === 'BLOB' ? `hex(${ref}.${quote(c.name)})` : `${ref}.${quote(c.name)}`}`,
          )
          .join(', ')})`;
      const log = (op: string, rid: string, json: string) =>
        `INSERT INTO replication_log (tbl, op, rid, row) VALUES ('${t.name}', '${op}', ${rid}, ${json});`;
      db.exec(`
        CREATE TRIGGER ${triggerPrefix}${t.name}_i AFTER INSERT ON ${quote(t.name)}
          BEGIN ${log('insert', 'NEW.rowid', row('NEW'))} END;
        CREATE TRIGGER ${triggerPrefix}${t.name}_u AFTER UPDATE ON ${quote(t.name)}
          BEGIN ${log('update', 'OLD.rowid', `json_set(${row('NEW')}, '$.rowid', NEW.rowid)`)} END;
        CREATE TRIGGER ${triggerPrefix}${t.name}_d AFTER DELETE ON ${quote(t.name)}
          BEGIN ${log('delete', 'OLD.rowid', 'NULL')} END;
      `);
    }
  })();
}

function removeCaptureIn(db: Db): void {
  const names = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '${triggerPrefix}%'`)
    .pluck()
    .all() as string[];
  for (const n of names) db.exec(`DROP TRIGGER ${quote(n)}`);
}

/** No standby any more (or this file is a standby's copy): stop capturing, forget the log. */
export function removeCapture(db: Db): void {
  db.transaction(() => {
    removeCaptureIn(db);
    db.exec('DELETE FROM replication_log');
  })();
}

/** The primary's side: read what to ship, forget what the standby has. */
export class ReplicationLog {
  private readonly after: Statement;
  private readonly head: Statement;
  private readonly trimTo: Statement;
  private readonly oldest: Statement;

  constructor(db: Db) {
    this.after = db.prepare(
      'SELECT id, tbl, op, rid, row FROM replication_log WHERE id > ? ORDER BY id LIMIT ?',
    );
    this.head = db
      .prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'replication_log'), 0)")
      .pluck();
    this.trimTo = db.prepare('DELETE FROM replication_log WHERE id <= ?');
    this.oldest = db.prepare('SELECT min(id) FROM replication_log').pluck();
  }

  /** Changes after `id`, at most `limit`, in order. */
  since(id: number, limit: number): RowChange[] {
    return this.after.all(id, limit) as RowChange[];
  }

  /** The last change's id (0 before any): a standby holding it holds everything. */
  headId(): number {
    return this.head.get() as number;
  }

  /** The first change still kept; a standby that needs one before it takes a snapshot instead. */
  oldestId(): number | null {
    return (this.oldest.get() as number | null) ?? null;
  }

  /** Forget changes up to `id` (the standby has them, or they are past the backlog's bound). */
  trim(id: number): void {
    this.trimTo.run(id);
  }
}

/** The standby's side: apply shipped changes to its copy and remember how far it is. */
export class ReplicaApplier {
  private readonly statements = new Map<string, Statement>();
  private readonly blobs = new Map<string, Set<string>>();
  private readonly getState: Statement;
  private readonly setState: Statement;

  constructor(private readonly db: Db) {
    db.pragma('foreign_keys = OFF'); // the primary checked them; the copy takes its rows as they are
    for (const t of tables(db))
      this.blobs.set(t.name, new Set(t.columns.filter((c) => c.type === 'BLOB').map((c) => c.name)));
    this.getState = db.prepare('SELECT value FROM replica_state WHERE key = ?').pluck();
    this.setState = db.prepare(
      'INSERT INTO replica_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  state(key: string): string | null {
    return (this.getState.get(key) as string | undefined) ?? null;
  }

  /** Applies changes and records the position, in one transaction, durable when it returns. */
  apply(changes: readonly RowChange[], position: { stream: string; id: number }): void {
    this.db.transaction(() => {
      for (const c of changes) this.one(c);
      this.setState.run('stream', position.stream);
      this.setState.run('position', String(position.id));
    })();
  }

  private one(c: RowChange): void {
    if (c.op === 'delete') {
      this.statement(`DELETE FROM ${quote(c.tbl)} WHERE rowid = ?`).run(c.rid);
      return;
    }
    const row = JSON.parse(c.row!) as Record<string, unknown>;
    const blobs = this.blobs.get(c.tbl) ?? new Set();
    const cols = Object.keys(row).filter((k) => k !== 'rowid');
    const values = cols.map((k) =>
      blobs.has(k) && typeof row[k] === 'string' ? Buffer.from(row[k] as string, 'hex') : row[k],
    );
    if (c.op === 'insert') {
      this.statement(
        `INSERT INTO ${quote(c.tbl)} (rowid, ${cols.map(quote).join(', ')}) VALUES (?${', ?'.repeat(cols.length)})`,
      ).run(c.rid, ...values);
    } else {
      this.statement(
        `UPDATE ${quote(c.tbl)} SET rowid = ?, ${cols.map((k) => `${quote(k)} = ?`).join(', ')} WHERE rowid = ?`,
      ).run(row.rowid, ...values, c.rid);
    }
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
