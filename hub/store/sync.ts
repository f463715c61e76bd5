import type { Statement } from 'better-sqlite3';
import type { EventBatch, SyncEvent } from '../../protocol/sync.ts';
import type { Db } from './db.ts';

interface SyncRow {
  seq: number;
  type: string;
  entityId: string;
  at: string;
  data: string;
  quarantineReason: string | null;
}

export interface QuarantinedEvent {
  seq: number;
  type: string;
  reason: string;
  quarantinedAt: string;
}

/** The sync cursor, the outgoing batches and the quarantine: the SQL side of sync/. */
export class SyncStore {
  private readonly rows: Statement;
  private readonly setCursor: Statement;
  private readonly cursorRow: Statement;
  private readonly insertQuarantine: Statement;
  private readonly listQuarantine: Statement;
  private readonly countQuarantine: Statement;

  constructor(db: Db) {
    this.rows = db.prepare(
      `SELECT e.seq, e.type, e.entity_id AS entityId, e.at, e.data, q.reason AS quarantineReason
       FROM events e LEFT JOIN sync_quarantine q ON q.seq = e.seq
       WHERE e.seq > ? ORDER BY e.seq LIMIT ?`,
    );
    this.cursorRow = db.prepare(
      'SELECT synced_seq AS syncedSeq, last_success_at AS lastSuccessAt FROM sync_cursor',
    );
    this.setCursor = db.prepare(
      'UPDATE sync_cursor SET synced_seq = ?, last_success_at = COALESCE(?, last_success_at)',
    );
    this.insertQuarantine = db.prepare(
      'INSERT OR IGNORE INTO sync_quarantine (seq, type, reason, quarantined_at) SELECT seq, type, ?, ? FROM events WHERE seq = ?',
    );
    this.listQuarantine = db.prepare(
      'SELECT seq, type, reason, quarantined_at AS quarantinedAt FROM sync_quarantine ORDER BY seq DESC LIMIT ?',
    );
    this.countQuarantine = db.prepare('SELECT COUNT(*) FROM sync_quarantine').pluck();
  }

  cursor(): { syncedSeq: number; lastSuccessAt: string | null } {
    return this.cursorRow.get() as { syncedSeq: number; lastSuccessAt: string | null };
  }

  /** Move the cursor on the cloud's ack (forward), or back to what the cloud holds (a gap). */
  moveCursor(seq: number, successAt: string | null): void {
    this.setCursor.run(seq, successAt);
  }

  /**
   * Events after `after`, oldest first, bounded by rows and bytes (at least one event, so a
   * single huge event still moves). Read straight from SQLite: nothing pending lives in memory.
   */
  batchAfter(after: number, maxEvents: number, maxBytes: number): EventBatch | null {
    const rows = this.rows.all(after, maxEvents) as SyncRow[];
    if (rows.length === 0) return null;
    const events: SyncEvent[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = row.data.length + 120;
      if (events.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      events.push(
        row.quarantineReason === null
          ? { seq: row.seq, type: row.type, entityId: row.entityId, at: row.at, data: JSON.parse(row.data) }
          : {
              seq: row.seq,
              type: 'sync.quarantined',
              entityId: row.entityId,
              at: row.at,
              data: { originalType: row.type, reason: row.quarantineReason },
            },
      );
    }
    return { fromSeq: events[0]!.seq, toSeq: events.at(-1)!.seq, events, bytes };
  }

  quarantine(seq: number, reason: string, at: string): void {
    this.insertQuarantine.run(reason.slice(0, 1_000), at, seq);
  }

  quarantined(limit = 50): QuarantinedEvent[] {
    return this.listQuarantine.all(limit) as QuarantinedEvent[];
  }

  quarantinedCount(): number {
    return this.countQuarantine.get() as number;
  }
}
