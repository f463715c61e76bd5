import type { Transaction } from 'better-sqlite3';
import type { NewEvent, StoredEvent } from '../../protocol/events.ts';
import { HubError } from '../errors.ts';
import type { Db } from './db.ts';
import type { EventLog } from './events.ts';

/** What a command gets while it runs inside the shared transaction. */
export interface CommandContext {
  /** ISO time of this batch (from the injected clock), stamped on events and rows. */
  readonly at: string;
  /** Append to the event log in this transaction (invariant 3). */
  emit(event: NewEvent): StoredEvent;
}

export type Command<T> = (ctx: CommandContext) => T;

/**
 * Work that must happen in the same transaction as an event (a print job for a ticket): it runs
 * inside the command's savepoint, so it commits, or rolls back, with the event that caused it.
 * A reactor writes rows; it never emits events of its own.
 */
export type Reactor = (event: NewEvent, ctx: CommandContext) => void;

interface Pending {
  command: Command<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface CommitterOptions {
  maxBatch: number;
  maxQueue: number;
  now: () => number;
  /** Seconds each transaction held the event loop (for the metrics). */
  observeCommit?: (seconds: number) => void;
  /**
   * Resolves once everything committed so far is on disk (WalSync, with the connection at
   * synchronous=NORMAL). Absent, COMMIT itself must be durable (synchronous=FULL).
   */
  durable?: () => Promise<void>;
}

/**
 * Group commit (invariant 4): commands that arrive while the event loop is busy queue up and run
 * together in one SQLite transaction, so a burst of orders costs one fsync rather than one each.
 * Each command runs in its own savepoint, so a failing one rolls back alone; every promise settles
 * only after the shared COMMIT returned and (with `durable`) its WAL frames were flushed, so
 * "answered" always means "on disk".
 */
export class GroupCommitter {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Commands committed and waiting for their WAL flush. */
  private awaitingFlush = 0;
  private readonly batch: Transaction<(items: Pending[], at: string, events: StoredEvent[]) => Outcome[]>;
  /** Commits so far and commands in them: the grouping ratio, for status and benchmarks. */
  readonly stats = { commits: 0, commands: 0 };
  private readonly reactors: Reactor[] = [];

  constructor(
    db: Db,
    private readonly log: EventLog,
    private readonly options: CommitterOptions,
    private readonly onCommitted: (events: StoredEvent[]) => void,
  ) {
    const savepoint = db.transaction((p: Pending, ctx: CommandContext) => p.command(ctx));
    this.batch = db.transaction((items: Pending[], at: string, events: StoredEvent[]) => {
      const ctx: CommandContext = {
        at,
        emit: (event) => {
          const stored = this.log.append(event, at);
          events.push(stored);
          for (const react of this.reactors) react(event, ctx);
          return stored;
        },
      };
      return items.map((p): Outcome => {
        const mark = events.length;
        try {
          return { ok: true, value: savepoint(p, ctx) };
        } catch (error) {
          events.length = mark; // the savepoint rolled these back
          return { ok: false, error };
        }
      });
    });
  }

  /** Run `reactor` for every event, inside the transaction that appends it. */
  react(reactor: Reactor): void {
    this.reactors.push(reactor);
  }

  /** Commands queued or committed and waiting for the disk. */
  get pending(): number {
    return this.queue.length + this.awaitingFlush;
  }

  run<T>(command: Command<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(
        new HubError('SHUTTING_DOWN', 'The hub is shutting down; retry in a few seconds.', undefined, 2),
      );
    // Commands waiting for a flush count too: a disk that stops answering must shed load, not
    // pile up committed batches in memory.
    if (this.queue.length + this.awaitingFlush >= this.options.maxQueue) {
      return Promise.reject(
        new HubError(
          'OVERLOADED',
          `${this.queue.length + this.awaitingFlush} commands are already waiting to commit; retry in a moment.`,
          undefined,
          1,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ command, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves when nothing is queued or waiting for the disk (new commands may still come). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIdle();
    });
  }

  /** Refuse new commands, commit what is queued, resolve when the queue is empty. */
  drain(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.notifyIdle();
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const items = this.queue.splice(0, this.options.maxBatch);
      const events: StoredEvent[] = [];
      let outcomes: Outcome[];
      try {
        // IMMEDIATE: take the write lock at BEGIN (waiting up to the busy timeout). A deferred
        // transaction that reads first and writes later fails at once with SQLITE_BUSY when the
        // checkpoint worker has restarted the WAL in between (found by `npm run bench`).
        const started = performance.now();
        outcomes = this.batch.immediate(items, new Date(this.options.now()).toISOString(), events);
        this.options.observeCommit?.((performance.now() - started) / 1_000);
      } catch (error) {
        // COMMIT itself failed (disk full, I/O error): nothing in the batch happened.
        for (const p of items) p.reject(error);
        continue;
      }
      this.stats.commits++;
      this.stats.commands += items.length;
      // Answers and events wait for the WAL flush when there is one: devices hear of a change
      // only once it is durable, like the device that made it.
      const settle = (flushFailed: { error: unknown } | null) => {
        for (const [i, o] of outcomes.entries()) {
          // Committed but not known to be on disk: the caller retries with the same id and gets
          // the stored result (idempotent commands), flushed by a later sync.
          if (flushFailed) items[i]!.reject(flushFailed.error);
          else if (o.ok) items[i]!.resolve(o.value);
          else items[i]!.reject(o.error);
        }
        // Published even when the flush failed: the rows are committed, and withholding their
        // events would leave a gap in every device's seq.
        if (events.length > 0) this.onCommitted(events);
      };
      if (this.options.durable) {
        this.awaitingFlush += items.length;
        this.options
          .durable()
          .then(
            () => settle(null),
            (error) => settle({ error }),
          )
          .finally(() => {
            this.awaitingFlush -= items.length;
            this.notifyIdle();
          });
      } else settle(null);
      // Yield between batches so replies go out and new requests are read.
      if (this.queue.length > 0) {
        this.scheduled = true;
        setImmediate(() => this.flush());
        return;
      }
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.scheduled || this.awaitingFlush > 0) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
