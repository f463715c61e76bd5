import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../protocol/events.ts';
import type { Logger } from '../protocol/logger.ts';
import type { EventBatch, IngestAck, SyncCursor, SyncStorage } from '../protocol/sync.ts';
import type { CloudClient, CloudResult } from './cloud.ts';
import { SyncEngine } from './engine.ts';

/** The hub's store as the engine sees it, in memory. */
class MemoryStorage implements SyncStorage {
  events: StoredEvent[] = [];
  cursorRow: SyncCursor = { syncedSeq: 0, lastSuccessAt: null };
  readonly quarantined = new Map<number, string>();

  append(n: number): void {
    for (let i = 0; i < n; i++) {
      const seq = this.events.length + 1;
      this.events.push({
        seq,
        type: 'order.created',
        topic: 'orders',
        entityId: `o${seq}`,
        at: 't',
        data: JSON.stringify({ n: seq }),
      });
    }
  }
  headSeq = () => this.events.length;
  cursor = () => ({ ...this.cursorRow });
  rewind = (seq: number) => {
    this.cursorRow.syncedSeq = seq;
  };
  quarantine = (seq: number, reason: string) => {
    this.quarantined.set(seq, reason);
  };
  quarantinedCount = () => this.quarantined.size;
  /** What happened, in order: each read (`read after N`), for the prefetch test. */
  readonly log: string[] = [];
  batchAfter(after: number, maxEvents: number): EventBatch | null {
    this.log.push(`read after ${after}`);
    const rows = this.events.filter((e) => e.seq > after).slice(0, maxEvents);
    if (rows.length === 0) return null;
    const events = rows.map((e) =>
      this.quarantined.has(e.seq)
        ? { ...e, type: 'sync.quarantined', data: JSON.stringify({ originalType: e.type }) }
        : e,
    );
    const toSeq = events.at(-1)!.seq;
    return {
      fromSeq: events[0]!.seq,
      toSeq,
      events,
      bytes: 0,
      haveMore: toSeq < this.headSeq(),
      complete: (syncedSeq, at) => {
        this.cursorRow = { syncedSeq: Math.min(syncedSeq, toSeq), lastSuccessAt: at };
      },
    };
  }
}

/** The cloud's ingest_batch as a map of seq → event, with the faults the real one can show. */
class MemoryCloud implements CloudClient {
  readonly held = new Map<number, StoredEvent>();
  requests = 0;
  mode: 'up' | 'down' = 'up';
  /** Seqs whose events the cloud refuses as bad data (a 4xx for the batch holding one). */
  readonly refuses = new Set<number>();

  /** How long the cloud takes to apply a batch, and where it notes each answer. */
  delayMs = 0;
  log: string[] | null = null;

  async ingest(_hubId: string, batch: EventBatch): Promise<CloudResult<IngestAck>> {
    this.requests++;
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    this.log?.push(`applied ${batch.fromSeq}..${batch.toSeq}`);
    if (this.mode === 'down') return { ok: false, failure: { status: 0, message: 'fetch failed' } };
    const synced = this.syncedSeq();
    if (batch.fromSeq > synced + 1) {
      return {
        ok: false,
        failure: {
          status: 400,
          code: 'GR409',
          message: 'gap',
          details: JSON.stringify({ synced_seq: synced }),
        },
      };
    }
    if (batch.events.some((e) => this.refuses.has(e.seq) && e.type !== 'sync.quarantined'))
      return { ok: false, failure: { status: 400, code: '22P02', message: 'invalid input syntax' } };
    let applied = 0;
    for (const e of batch.events) {
      if (this.held.has(e.seq)) continue;
      this.held.set(e.seq, e);
      applied++;
    }
    return {
      ok: true,
      value: { synced_seq: this.syncedSeq(), applied, skipped: batch.events.length - applied },
    };
  }
  async menuSince(): Promise<CloudResult<null>> {
    return { ok: true, value: null };
  }
  async heartbeat(): Promise<CloudResult<unknown>> {
    return { ok: true, value: null };
  }
  async offerMenu(): Promise<CloudResult<number | null>> {
    return { ok: true, value: null };
  }
  private syncedSeq(): number {
    let seq = 0;
    while (this.held.has(seq + 1)) seq++;
    return seq;
  }
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

const engines: SyncEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop();
});

function engineOver(storage: MemoryStorage, cloud: MemoryCloud, clock: { t: number }) {
  const engine = new SyncEngine({
    storage,
    cloud,
    now: () => clock.t,
    random: () => 0.5,
    log: quiet,
    menuVersion: () => 0,
    currentMenu: () => null,
    applyMenu: async () => {},
    options: {
      hubId: 'hub',
      batchMaxEvents: 100,
      batchMaxBytes: 1 << 20,
      lingerMs: 0,
      backoff: { baseMs: 100, capMs: 1_000 },
      breakerFailures: 3,
      breakerCooldownMs: 5_000,
      menuPollMs: 60_000,
    },
  });
  engine.start();
  engines.push(engine);
  return engine;
}

describe('SyncEngine', () => {
  it('drains a backlog in bounded batches and moves the cursor only on the cloud ack', async () => {
    const storage = new MemoryStorage();
    const cloud = new MemoryCloud();
    storage.append(950);
    const engine = engineOver(storage, cloud, { t: 0 });
    await engine.syncNow();
    expect(cloud.requests).toBe(10);
    expect([...cloud.held.keys()]).toEqual(storage.events.map((e) => e.seq));
    expect(engine.status()).toMatchObject({ state: 'idle', pendingEvents: 0, lastSyncedSeq: 950 });
  });

  it('reads the next batch while the cloud applies the one in flight', async () => {
    const storage = new MemoryStorage();
    const cloud = new MemoryCloud();
    cloud.delayMs = 60;
    cloud.log = storage.log;
    storage.append(250);
    const engine = engineOver(storage, cloud, { t: 0 });
    await engine.syncNow();
    // (syncNow may run one more pass, which finds nothing: a final read after 250.)
    expect(storage.log.slice(0, 7)).toEqual([
      'read after 0',
      'read after 100', // while 1..100 is in flight
      'applied 1..100',
      'read after 200',
      'applied 101..200',
      'applied 201..250', // the last: nothing after it to read ahead
      'read after 250',
    ]);
    expect([...cloud.held.keys()]).toEqual(storage.events.map((e) => e.seq));
  });

  it('keeps every event through an outage, backs off, and then delivers each once', async () => {
    const storage = new MemoryStorage();
    const cloud = new MemoryCloud();
    const clock = { t: 0 };
    const engine = engineOver(storage, cloud, clock);
    storage.append(120);
    cloud.mode = 'down';
    for (let i = 0; i < 3; i++) await engine.syncNow();
    expect(engine.status()).toMatchObject({ state: 'offline', pendingEvents: 120, lastSyncedSeq: 0 });
    expect(engine.status().lastError).toMatch(/fetch failed/);
    const refusedRequests = cloud.requests;
    await engine.syncNow(); // the breaker is open: no call goes out before its cooldown
    expect(cloud.requests).toBe(refusedRequests);

    cloud.mode = 'up';
    clock.t += 5_000;
    await engine.syncNow();
    expect(engine.status()).toMatchObject({
      state: 'idle',
      pendingEvents: 0,
      lastError: null,
      offlineSince: null,
    });
    expect(cloud.held.size).toBe(120);
  });

  it('finds the one event the cloud refuses by halving the batch, and sends a tombstone in its place', async () => {
    const storage = new MemoryStorage();
    const cloud = new MemoryCloud();
    storage.append(64);
    cloud.refuses.add(37);
    const engine = engineOver(storage, cloud, { t: 0 });
    await engine.syncNow();
    expect([...storage.quarantined.keys()]).toEqual([37]);
    expect(cloud.held.size).toBe(64);
    expect(cloud.held.get(37)!.type).toBe('sync.quarantined');
    expect(cloud.held.get(38)!.type).toBe('order.created');
    expect(engine.status()).toMatchObject({ quarantinedEvents: 1, pendingEvents: 0 });
  });

  it('rewinds to what the cloud holds when the cloud has less than the cursor says', async () => {
    const storage = new MemoryStorage();
    const cloud = new MemoryCloud();
    storage.append(50);
    const engine = engineOver(storage, cloud, { t: 0 });
    await engine.syncNow();
    for (let seq = 21; seq <= 50; seq++) cloud.held.delete(seq); // the cloud was restored from a backup
    storage.append(10);
    await engine.syncNow();
    expect(cloud.held.size).toBe(60);
    expect(engine.status().lastSyncedSeq).toBe(60);
  });
});
