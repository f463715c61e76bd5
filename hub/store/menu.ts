import type { Statement } from 'better-sqlite3';
import { MenuSnapshot } from '../../protocol/menu.ts';
import type { Db } from './db.ts';

export class MenuStore {
  private readonly latest: Statement;
  private readonly insertVersion: Statement;
  private readonly unavailable: Statement;
  private readonly upsertAvailability: Statement;

  constructor(db: Db) {
    this.latest = db.prepare('SELECT body FROM menu_versions ORDER BY version DESC LIMIT 1');
    this.insertVersion = db.prepare('INSERT INTO menu_versions (version, body, applied_at) VALUES (?, ?, ?)');
    this.unavailable = db.prepare(
      'SELECT item_id FROM item_availability WHERE available = 0 ORDER BY item_id',
    );
    this.upsertAvailability = db.prepare(
      `INSERT INTO item_availability (item_id, available, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (item_id) DO UPDATE SET available = excluded.available, updated_at = excluded.updated_at`,
    );
  }

  /**
   * The newest snapshot, read through its schema: one stored by an older hub gets the defaults of
   * fields added since (a menu from before courses has none), instead of breaking the new code.
   */
  latestSnapshot(): MenuSnapshot | null {
    const row = this.latest.get() as { body: string } | undefined;
    return row ? MenuSnapshot.parse(JSON.parse(row.body)) : null;
  }

  saveSnapshot(snapshot: MenuSnapshot, at: string): void {
    this.insertVersion.run(snapshot.version, JSON.stringify(snapshot), at);
  }

  unavailableItemIds(): string[] {
    return (this.unavailable.all() as { item_id: string }[]).map((r) => r.item_id);
  }

  setAvailability(itemId: string, available: boolean, at: string): void {
    this.upsertAvailability.run(itemId, available ? 1 : 0, at);
  }
}
