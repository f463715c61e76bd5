import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

/** A manager's configuration documents (floor plan, discount list, service settings), by key. */
export class SettingsStore {
  private readonly selectValue: Statement;
  private readonly upsertValue: Statement;

  constructor(db: Db) {
    this.selectValue = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsertValue = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  /** The stored document, parsed; null when a manager never set it. */
  get(key: string): unknown {
    const row = this.selectValue.get(key) as { value: string } | undefined;
    return row ? JSON.parse(row.value) : null;
  }

  put(key: string, value: unknown, at: string): void {
    this.upsertValue.run(key, JSON.stringify(value), at);
  }
}
