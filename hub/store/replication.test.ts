import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/hub.ts';
import { Store } from './index.ts';
import { installCapture, ReplicaApplier, ReplicationLog, removeCapture } from './replication.ts';

/** Every row of every table a standby copies, as comparable text. */
function contents(store: Store): Record<string, unknown[]> {
  const names = store.db
    .prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'menu_fts%' AND name NOT IN ('replication_log', 'replica_state', 'item_embeddings')",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    names.map((n) => [n, store.db.prepare(`SELECT rowid AS _rowid, * FROM "${n}" ORDER BY rowid`).all()]),
  );
}

describe('change capture for a standby', () => {
  it('gives a copy the same rows, rowids, seqs and BLOBs as the primary, through inserts, updates and deletes', () => {
    const tmp = tempDir('grow-repl-');
    try {
      const primary = Store.open(join(tmp.dir, 'primary.db'));
      installCapture(primary.db);
      const log = new ReplicationLog(primary.db);
      const write = (sql: string, ...params: unknown[]) => primary.db.prepare(sql).run(...params);
      write("INSERT INTO hub_meta (key, value) VALUES ('hub_id', 'h-1')");
      // The copy starts from a snapshot taken here, with the log's position at that moment.
      writeFileSync(join(tmp.dir, 'standby.db'), primary.db.serialize());
      const from = log.headId();
      primary.events.append(
        { type: 'settings.changed', topic: 'orders', entityId: 'a', data: { key: 'a' } },
        '2026-12-07T10:00:00.000Z',
      );
      primary.events.append(
        { type: 'settings.changed', topic: 'orders', entityId: 'b', data: { key: 'b' } },
        '2026-12-07T10:00:01.000Z',
      );
      write("INSERT INTO hub_meta (key, value) VALUES ('x', 'one')");
      write("UPDATE hub_meta SET value = 'two' WHERE key = 'x'");
      write("DELETE FROM hub_meta WHERE key = 'hub_id'");
      const token = Buffer.from([0, 1, 2, 250, 255]);
      write(
        "INSERT INTO devices (id, name, role, token_hash, created_at) VALUES ('d-1', 'Till 1', 'pos', ?, '2026-12-07T10:00:00.000Z')",
        token,
      );
      const changes = log.since(from, 1_000);
      expect(changes.map((c) => `${c.tbl}:${c.op}`)).toEqual([
        'events:insert',
        'events:insert',
        'hub_meta:insert',
        'hub_meta:update',
        'hub_meta:delete',
        'devices:insert',
      ]);

      const standby = Store.open(join(tmp.dir, 'standby.db'));
      removeCapture(standby.db);
      const applier = new ReplicaApplier(standby.db);
      applier.apply(changes.slice(0, 3), { stream: 's', id: changes[2]!.id });
      applier.apply(changes.slice(3), { stream: 's', id: changes.at(-1)!.id });
      expect(contents(standby)).toEqual(contents(primary));
      expect(standby.events.headSeq()).toBe(primary.events.headSeq());
      expect(applier.state('position')).toBe(String(log.headId()));
      // The next seq is the primary's next too (AUTOINCREMENT's counter came along).
      const next = (s: Store) =>
        s.events.append(
          { type: 'settings.changed', topic: 'orders', entityId: 'c', data: { key: 'c' } },
          '2026-12-07T10:00:02.000Z',
        ).seq;
      expect(next(standby)).toBe(next(primary));
      // The standby's copy writes no log of its own; the primary forgets what was shipped.
      expect(standby.db.prepare('SELECT count(*) FROM replication_log').pluck().get()).toBe(0);
      log.trim(log.headId());
      expect(log.oldestId()).toBeNull();
      expect(log.headId()).toBeGreaterThan(from);
      primary.db.close();
      standby.db.close();
    } finally {
      tmp.remove();
    }
  });
});
