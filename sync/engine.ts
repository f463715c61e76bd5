/**
 * The hub's side of cloud sync: batches of events up (exactly once, in seq order, through
 * outages), menus down, the hub's menu offered and its heartbeat. One file on purpose, past 350
 * lines: every call goes through one circuit breaker and one state, which is what keeps a dead
 * cloud from being hammered by separate loops that each think it is up.
 */
import { type BackoffPolicy, backoffDelay } from '../protocol/backoff.ts';
import type { Logger } from '../protocol/logger.ts';
import { type EventBatch, quarantineAlarm, type SyncStatus, type SyncStorage } from '../protocol/sync.ts';
import { CircuitBreaker } from '../rules/breaker.ts';
import { type CloudFailure, classifyFailure, gapSyncedSeq } from './classify.ts';
import type { CloudClient, PairReport } from './cloud.ts';

export interface SyncOptions {
  hubId: string;
  batchMaxEvents: number;
  batchMaxBytes: number;
  /** After a new event, wait this long for company before sending (fewer, fuller batches). */
  lingerMs: number;
  backoff: BackoffPolicy;
  breakerFailures: number;
  breakerCooldownMs: number;
  menuPollMs: number;
}

export interface SyncDeps {
  storage: SyncStorage;
  cloud: CloudClient;
  options: SyncOptions;
  log: Logger;
  menuVersion: () => number;
  /** The menu the hub runs now, offered to the cloud once per run (HQ's editor starts from it). */
  currentMenu: () => unknown;
  applyMenu: (body: unknown) => Promise<unknown>;
  /** This box of a pair of hubs, reported with each heartbeat; null for a single hub. */
  pair?: () => PairReport | null;
  now?: () => number;
  random?: () => number;
}

const progressEveryMs = 5_000;
/** How long after sending a batch the next one is read (see drain). */
const PREFETCH_AFTER_MS = 20;

/**
 * The sync loop (invariant 6, docs/architecture.md) reads as the protocol: read the next batch after the
 * cursor from SQLite → send it to ingest_batch → advance the cursor on the cloud's ack. Nothing
 * pending is held in memory, so an outage of days costs disk, not RAM. Retries are driven by a
 * timer with full-jitter backoff and a circuit breaker, never only by new writes.
 */
export class SyncEngine {
  private readonly breaker: CircuitBreaker;
  private readonly now: () => number;
  private state: SyncStatus['state'] = 'idle';
  private attempt = 0;
  private pushTimer: NodeJS.Timeout | null = null;
  private pushDueAt = Number.POSITIVE_INFINITY;
  private menuTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private nextRetryAt: number | null = null;
  private offlineSince: number | null = null;
  private lastError: string | null = null;
  /** Whether this run has offered its menu to the cloud (once is enough: the cloud keeps the first). */
  private menuOffered = false;
  /** Lowered while bisecting a batch the cloud refused, to find the one bad event. */
  private batchLimit: number;
  private lastProgressLog = 0;

  constructor(private readonly deps: SyncDeps) {
    this.now = deps.now ?? Date.now;
    this.breaker = new CircuitBreaker({
      failureThreshold: deps.options.breakerFailures,
      cooldownMs: deps.options.breakerCooldownMs,
    });
    this.batchLimit = deps.options.batchMaxEvents;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedulePush(0);
    this.scheduleMenuPoll(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of [this.pushTimer, this.menuTimer]) if (t) clearTimeout(t);
    this.pushTimer = this.menuTimer = null;
    await this.running;
  }

  /** New events were committed: send them after the linger, unless a retry is already waiting. */
  notify(): void {
    if (this.stopped || this.state === 'backing_off' || this.state === 'offline') return;
    const pending = this.deps.storage.headSeq() - this.deps.storage.cursor().syncedSeq;
    this.schedulePush(pending >= this.deps.options.batchMaxEvents ? 0 : this.deps.options.lingerMs);
  }

  status(): SyncStatus {
    const cursor = this.deps.storage.cursor();
    const headSeq = this.deps.storage.headSeq();
    const pendingEvents = Math.max(0, headSeq - cursor.syncedSeq);
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    const quarantined = this.deps.storage.quarantinedCount();
    return {
      state: this.state,
      offlineSince: iso(this.offlineSince),
      quarantinedEvents: quarantined,
      alarm: quarantineAlarm(quarantined),
      pendingEvents,
      lastSyncedSeq: cursor.syncedSeq,
      headSeq,
      lastSuccessAt: cursor.lastSuccessAt,
      nextRetryAt: iso(this.nextRetryAt),
      lastError: this.lastError,
      detail: this.describe(pendingEvents),
    };
  }

  /** Push until the backlog is empty or the cloud fails; one loop at a time. */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.deps.log.error({ err }, 'sync loop failed; retrying later');
        this.fail({ status: 0, message: (err as Error).message });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async drain(): Promise<void> {
    const { storage, cloud, options } = this.deps;
    /** The batch after the one in flight, read while the cloud worked on that one. */
    let prefetched: EventBatch | null = null;
    while (!this.stopped) {
      if (!this.breaker.allow(this.now())) {
        this.state = 'offline';
        this.nextRetryAt = this.breaker.retryAt();
        this.schedulePush(Math.max(0, (this.nextRetryAt ?? this.now()) - this.now()));
        return;
      }
      const cursor = storage.cursor().syncedSeq;
      const batch =
        prefetched?.fromSeq === cursor + 1
          ? prefetched
          : storage.batchAfter(cursor, this.batchLimit, options.batchMaxBytes);
      prefetched = null;
      if (!batch) {
        this.breaker.success();
        this.state = 'idle';
        this.nextRetryAt = null;
        return;
      }
      this.state = 'syncing';
      const sending = cloud.ingest(options.hubId, batch);
      if (batch.haveMore) {
        // Read the next batch while the cloud applies this one (most of a batch's time, 230 ms of
        // 280 for 4 MB on loopback): after the request is on its way, since reading holds the
        // event loop (30-50 ms for 4 MB) and would hold the upload back. A 4 MB request leaves in
        // about 15 ms on a LAN; on a slower uplink the read only pauses it briefly.
        await new Promise((r) => setTimeout(r, PREFETCH_AFTER_MS));
        prefetched = storage.batchAfter(batch.toSeq, this.batchLimit, options.batchMaxBytes);
      }
      const result = await sending;
      if (this.stopped) return;
      if (result.ok) {
        this.succeeded();
        batch.complete(result.value.synced_seq, new Date(this.now()).toISOString());
        this.batchLimit = options.batchMaxEvents;
        this.logProgress(batch);
        continue;
      }
      prefetched = null;
      const kind = classifyFailure(result.failure);
      if (kind === 'gap') {
        const cloudSeq = gapSyncedSeq(result.failure);
        if (cloudSeq !== null && cloudSeq < cursor) {
          this.deps.log.warn(
            { cursor, cloudSeq },
            'cloud holds fewer events than the cursor says; rewinding',
          );
          storage.rewind(cloudSeq);
          continue;
        }
        this.fail(result.failure);
        return;
      }
      if (kind === 'permanent') {
        this.succeeded(); // the cloud answered; it is the data it refused
        if (batch.events.length > 1) {
          this.batchLimit = Math.ceil(batch.events.length / 2);
          continue;
        }
        const bad = batch.events[0]!;
        if (bad.type === 'sync.quarantined') {
          // Even the tombstone is refused: not this event's fault. Stop and tell the operator.
          this.fail(result.failure);
          return;
        }
        storage.quarantine(bad.seq, result.failure.message, new Date(this.now()).toISOString());
        this.deps.log.error(
          { seq: bad.seq, type: bad.type, entityId: bad.entityId, reason: result.failure.message },
          'cloud refused an event; quarantined it and sent a tombstone in its place',
        );
        continue;
      }
      this.fail(result.failure, kind === 'auth');
      return;
    }
  }

  private succeeded(): void {
    this.breaker.success();
    this.attempt = 0;
    this.offlineSince = null;
    this.lastError = null;
    this.nextRetryAt = null;
  }

  private fail(failure: CloudFailure, slowest = false): void {
    const now = this.now();
    this.breaker.failure(now);
    const delay = slowest
      ? this.deps.options.backoff.capMs
      : backoffDelay(this.attempt, this.deps.options.backoff, this.deps.random);
    this.attempt++;
    this.offlineSince ??= now;
    this.lastError = slowest
      ? `the cloud refused this hub's credential: ${failure.message}`
      : failure.message;
    this.state = this.breaker.state(now) === 'closed' ? 'backing_off' : 'offline';
    this.nextRetryAt = Math.max(now + delay, this.breaker.retryAt() ?? 0);
    this.deps.log.warn(
      { attempt: this.attempt, retryInMs: this.nextRetryAt - now, err: failure.message },
      'cloud sync failed',
    );
    this.schedulePush(this.nextRetryAt - now);
  }

  private logProgress(batch: EventBatch): void {
    const pending = this.deps.storage.headSeq() - batch.toSeq;
    if (pending > this.deps.options.batchMaxEvents && this.now() - this.lastProgressLog >= progressEveryMs) {
      this.lastProgressLog = this.now();
      this.deps.log.info(
        { syncedSeq: batch.toSeq, pendingEvents: pending },
        `draining backlog: ${pending} events to go`,
      );
    }
  }

  private describe(pending: number): string {
    switch (this.state) {
      case 'idle':
        return pending === 0 ? 'All events are in the cloud.' : `${pending} events wait for the next batch.`;
      case 'syncing':
        return `Sending ${pending} events to the cloud.`;
      case 'backing_off':
        return `The cloud did not answer; ${pending} events are kept on disk and will be retried.`;
      case 'offline':
        return `The cloud is unreachable; the hub works normally and keeps ${pending} events until it is back.`;
      default:
        return '';
    }
  }

  /** Push at most `ms` from now; an earlier push already scheduled stands (a steady trickle of
   * events must not postpone the batch forever). */
  private schedulePush(ms: number): void {
    if (this.stopped) return;
    const due = this.now() + ms;
    if (this.pushTimer && this.pushDueAt <= due) return;
    if (this.pushTimer) clearTimeout(this.pushTimer);
    this.pushDueAt = due;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = null;
      this.pushDueAt = Number.POSITIVE_INFINITY;
      void this.syncNow();
    }, ms);
    this.pushTimer.unref();
  }

  private scheduleMenuPoll(ms: number): void {
    if (this.stopped) return;
    this.menuTimer = setTimeout(async () => {
      await this.pullMenu();
      this.scheduleMenuPoll(this.deps.options.menuPollMs);
    }, ms);
    this.menuTimer.unref();
  }

  /** Pull the newest menu HQ published; also tells the cloud this hub is alive. */
  async pullMenu(): Promise<void> {
    if (!this.breaker.allow(this.now())) return;
    const result = await this.deps.cloud.menuSince(this.deps.menuVersion());
    if (!result.ok) {
      if (classifyFailure(result.failure) !== 'permanent') this.breaker.failure(this.now());
      this.deps.log.warn({ err: result.failure.message }, 'menu pull failed');
      return;
    }
    this.breaker.success();
    if (result.value) {
      try {
        await this.deps.applyMenu(result.value.body);
        this.deps.log.info({ version: result.value.version }, 'applied the menu HQ published');
      } catch (err) {
        this.lastError = `menu version ${result.value.version} from HQ was refused: ${(err as Error).message}`;
        this.deps.log.error({ version: result.value.version, err }, 'menu from HQ refused');
      }
    }
    if (!this.menuOffered) {
      const menu = this.deps.currentMenu();
      if (menu) {
        const offered = await this.deps.cloud.offerMenu(this.deps.options.hubId, menu);
        if (offered.ok) {
          this.menuOffered = true;
          if (offered.value !== null)
            this.deps.log.info(
              { version: offered.value },
              "the cloud had no menu for this restaurant: HQ now starts from this hub's",
            );
        }
      }
    }
    if (this.state === 'idle')
      await this.deps.cloud.heartbeat(this.deps.options.hubId, this.deps.pair?.() ?? null);
  }
}

/** Status when no cloud is configured: the hub runs standalone and keeps every event. */
export function standaloneStatus(storage: SyncStorage): SyncStatus {
  const cursor = storage.cursor();
  const headSeq = storage.headSeq();
  const quarantined = storage.quarantinedCount();
  return {
    state: 'not_configured',
    offlineSince: null,
    quarantinedEvents: quarantined,
    alarm: quarantineAlarm(quarantined),
    pendingEvents: Math.max(0, headSeq - cursor.syncedSeq),
    lastSyncedSeq: cursor.syncedSeq,
    headSeq,
    lastSuccessAt: cursor.lastSuccessAt,
    nextRetryAt: null,
    lastError: null,
    detail: 'Cloud sync is not configured: the hub runs standalone and keeps every event for when it is.',
  };
}
