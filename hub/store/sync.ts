import type { Statement } from 'better-sqlite3';
import type { StoredEvent } from '../../protocol/events.ts';
import type { EventBatch, QuarantinedEvent, SyncCursor, SyncStorage } from '../../protocol/sync.ts';
import type { Db } from './db.ts';
import type { EventLog } from './events.ts';

interface SyncRow {
  seq: number;
  type: string;
  topic: string;
  entityId: string;
  at: string;
  data: string;
  quarantineReason: string | null;
}

/**
 * The sync engine's storage: the cursor, the outgoing batches read straight from the event log,
 * and the quarantine. Nothing pending lives in memory, so an outage of days costs disk, not RAM.
 *
 * The cursor is written outside the group commit (hub/store/writer.ts lists why that is safe).
 */
export class SyncStore implements SyncStorage {
  private readonly rows: Statement;
  private readonly setCursor: Statement;
  private readonly cursorRow: Statement;
  private readonly insertQuarantine: Statement;
  private readonly listQuarantine: Statement;
  private readonly countQuarantine: Statement;

  constructor(
    db: Db,
    private readonly events: EventLog,
  ) {
    this.rows = db.prepare(
      `SELECT e.seq, e.type, e.topic, e.entity_id AS entityId, e.at, e.data, q.reason AS quarantineReason
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
      `SELECT q.seq, q.type, e.entity_id AS entityId, q.reason, q.quarantined_at AS quarantinedAt, e.data
       FROM sync_quarantine q JOIN events e ON e.seq = q.seq ORDER BY q.seq DESC LIMIT ?`,
    );
    this.countQuarantine = db.prepare('SELECT COUNT(*) FROM sync_quarantine').pluck();
  }

  headSeq(): number {
    return this.events.headSeq();
  }

  cursor(): SyncCursor {
    return this.cursorRow.get() as SyncCursor;
  }

  rewind(seq: number): void {
    this.setCursor.run(seq, null);
  }

  /** Events after `after`, oldest first, bounded by rows and bytes (at least one, so a single huge event still moves). */
  batchAfter(after: number, maxEvents: number, maxBytes: number): EventBatch | null {
    const rows = this.rows.all(after, maxEvents) as SyncRow[];
    if (rows.length === 0) return null;
    const events: StoredEvent[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = row.data.length + 120;
      if (events.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      const { quarantineReason, ...event } = row;
      events.push(
        quarantineReason === null
          ? event
          : {
              ...event,
              type: 'sync.quarantined',
              data: JSON.stringify({ originalType: row.type, reason: quarantineReason }),
            },
      );
    }
    const toSeq = events.at(-1)!.seq;
    return {
      fromSeq: events[0]!.seq,
      toSeq,
      events,
      bytes,
      haveMore: events.length < rows.length || rows.length === maxEvents,
      complete: (syncedSeq, at) => this.setCursor.run(Math.min(syncedSeq, toSeq), at),
    };
  }

  quarantine(seq: number, reason: string, at: string): void {
    this.insertQuarantine.run(reason.slice(0, 1_000), at, seq);
  }

  quarantined(limit = 50): QuarantinedEvent[] {
    return (this.listQuarantine.all(limit) as (QuarantinedEvent & { data: string })[]).map((r) => ({
      ...r,
      data: JSON.parse(r.data),
    }));
  }

  quarantinedCount(): number {
    return this.countQuarantine.get() as number;
  }
}
