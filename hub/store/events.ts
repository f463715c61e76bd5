import type { Statement } from 'better-sqlite3';
import type { NewEvent, StoredEvent } from '../../protocol/events.ts';
import type { Db } from './db.ts';

export class EventLog {
  private readonly insert: Statement;
  private readonly afterAll: Statement;
  private readonly afterTopics: Statement;
  private readonly head: Statement;
  private readonly countAfter: Statement;
  private readonly dataBySeq: Statement;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO events (type, topic, entity_id, at, data) VALUES (?, ?, ?, ?, ?) RETURNING seq',
    );
    this.afterAll = db.prepare(
      'SELECT seq, type, topic, entity_id AS entityId, at, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    // Topic filter as a JSON array parameter: one prepared statement for any set of stations.
    this.afterTopics = db.prepare(
      `SELECT seq, type, topic, entity_id AS entityId, at, data FROM events
       WHERE seq > ? AND topic IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
    );
    this.head = db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0) AS seq",
    );
    this.countAfter = db.prepare('SELECT COUNT(*) AS n FROM events WHERE seq > ?');
    this.dataBySeq = db.prepare('SELECT data FROM events WHERE seq = ?').pluck();
  }

  /** Call only inside a transaction (the GroupCommitter's): the event commits with its change. */
  append(event: NewEvent, at: string): StoredEvent {
    const data = JSON.stringify(event.data);
    const { seq } = this.insert.get(event.type, event.topic, event.entityId, at, data) as { seq: number };
    return { seq, type: event.type, topic: event.topic, entityId: event.entityId, at, data };
  }

  /** Events after `since`, oldest first; `topics` null means every topic. */
  after(since: number, limit: number, topics: readonly string[] | null = null): StoredEvent[] {
    if (topics === null) return this.afterAll.all(since, limit) as StoredEvent[];
    return this.afterTopics.all(since, JSON.stringify(topics), limit) as StoredEvent[];
  }

  /** One event's data, as the JSON text it was stored as. */
  dataOf(seq: number): string {
    return this.dataBySeq.get(seq) as string;
  }

  headSeq(): number {
    return (this.head.get() as { seq: number }).seq;
  }

  countAfterSeq(since: number): number {
    return (this.countAfter.get(since) as { n: number }).n;
  }
}
