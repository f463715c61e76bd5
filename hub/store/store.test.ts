import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/hub.ts';
import { GroupCommitter } from './committer.ts';
import { migrate, openDatabase, SchemaTooNewError } from './db.ts';
import { Store } from './index.ts';
import { latestSchemaVersion, migrations } from './migrations.ts';
import { PaymentStore } from './payments.ts';

const withStore = async (fn: (store: Store) => Promise<void> | void) => {
  const { dir, remove } = tempDir();
  const store = Store.open(`${dir}/hub.db`);
  try {
    await fn(store);
  } finally {
    store.close();
    remove();
  }
};

describe('openDatabase', () => {
  it('sets the pragmas that acked-means-durable depends on', () =>
    withStore((store) => {
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL (the hub lowers it: WalSync)
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5_000);
      expect(store.schemaVersion()).toBe(latestSchemaVersion);
    }));

  it('runs new migrations once and refuses a schema newer than it knows', () => {
    const { dir, remove } = tempDir();
    try {
      const db = openDatabase(`${dir}/a.db`);
      const extra = {
        version: latestSchemaVersion + 1,
        name: 'test',
        sql: 'CREATE TABLE later (x INTEGER) STRICT;',
      };
      migrate(db, [extra], 'a.db');
      migrate(db, [extra], 'a.db'); // a second run applies nothing
      expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion + 1);
      db.close();
      expect(() => openDatabase(`${dir}/a.db`)).toThrow(SchemaTooNewError);
    } finally {
      remove();
    }
  });
});

describe('migration 7 (asynchronous card attempts)', () => {
  it('turns offline-forwarded cards into standalone ones to verify, and puts interrupted card payments up for a check', () => {
    const { dir, remove } = tempDir();
    const db = new Database(`${dir}/old.db`);
    try {
      migrate(
        db,
        migrations.filter((m) => m.version <= 6),
        'old.db',
      );
      db.pragma('foreign_keys = OFF'); // payment rows without their orders, for brevity
      const insert = db.prepare(
        `INSERT INTO payments (id, order_id, method, status, amount, tip, change_due, pending_forward, reader_id, card,
           last_error, fingerprint, created_at, updated_at) VALUES (?, 'o', ?, ?, 1000, 0, 0, ?, ?, ?, ?, 'f', 't', 't')`,
      );
      insert.run(
        'forwarded',
        'card_offline_forwarded',
        'authorised',
        1,
        null,
        '{"brand":"visa","last4":"4242"}',
        null,
      );
      insert.run('unknown', 'card_present', 'pending', 0, 'tmr_front', null, 'Stripe unreachable: timeout');
      insert.run('done', 'card_present', 'captured', 0, 'tmr_front', null, null);
      migrate(db, migrations, 'old.db');
      const payments = new PaymentStore(db);
      expect(payments.get('forwarded')).toMatchObject({
        method: 'card_standalone',
        status: 'unverified',
        card: { last4: '4242' },
      });
      expect(payments.get('unknown')).toMatchObject({
        status: 'pending',
        reader: { id: 'tmr_front', attempt: 1, stage: 'checking' },
        failure: { code: 'earlier_note', message: 'Stripe unreachable: timeout' },
      });
      expect(payments.get('done')).toMatchObject({
        status: 'captured',
        reader: { attempt: 1, stage: null },
        failure: null,
      });
      expect(payments.unverifiedTotal()).toEqual({ count: 1, amount: 1000 });
    } finally {
      db.close();
      remove();
    }
  });
});

describe('migration 10 (checks through the meal)', () => {
  it('gives existing orders the check model, their tickets their lines by id, and an old menu no courses', () => {
    const { dir, remove } = tempDir();
    const db = new Database(`${dir}/old.db`);
    try {
      migrate(
        db,
        migrations.filter((m) => m.version <= 9),
        'old.db',
      );
      const line = (lineNo: number, itemId: string, stationId: string) => ({
        lineNo,
        itemId,
        name: itemId,
        qty: 1,
        unitPrice: 500,
        modifiers: [],
        note: null,
        stationId,
        taxClassId: 'food',
        lineTotal: 500,
      });
      const order = db.prepare(
        `INSERT INTO orders (id, number, business_date, status, fingerprint, currency, menu_version, lines, taxes,
           subtotal, tax, total, created_at, updated_at) VALUES (?, ?, '2026-11-28', ?, 'f', 'USD', 1, ?, '[]', 1000, 0, 1000, 't', 't')`,
      );
      const sent = '01a22837-ba18-7000-837c-b9ee1370d870';
      const open = '01a22837-ba0c-7000-9626-caa1e68322e5';
      order.run(sent, 1, 'in_progress', JSON.stringify([line(1, 'burger', 'grill'), line(2, 'cola', 'bar')]));
      order.run(open, 2, 'open', JSON.stringify([line(1, 'cola', 'bar')]));
      const ticket = db.prepare(
        `INSERT INTO tickets (id, order_id, station_id, status, line_nos, created_at) VALUES (?, ?, ?, ?, ?, 't')`,
      );
      ticket.run('01a22837-ba18-7001-8000-000000000001', sent, 'grill', 'bumped', '[1]');
      ticket.run('01a22837-ba18-7001-8000-000000000002', sent, 'bar', 'open', '[2]');
      const menu = {
        version: 1,
        currency: 'USD',
        taxClasses: [{ id: 'food', name: 'Tax', rateBasisPoints: 0, inclusive: false }],
        stations: [{ id: 'bar', name: 'Bar' }],
        categories: [{ id: 'drinks', name: 'Drinks', sort: 0 }],
        modifierGroups: [],
        items: [
          {
            id: 'cola',
            categoryId: 'drinks',
            name: 'Cola',
            description: '',
            price: 500,
            taxClassId: 'food',
            stationId: 'bar',
            modifierGroupIds: [],
            sort: 0,
          },
        ],
      };
      db.prepare("INSERT INTO menu_versions (version, body, applied_at) VALUES (1, ?, 't')").run(
        JSON.stringify(menu),
      );

      migrate(db, migrations, 'old.db');
      const store = new Store(db, `${dir}/old.db`);
      const check = store.orders.get(sent)!;
      expect(check).toMatchObject({
        version: 1,
        orderType: 'dine_in',
        gross: 1000,
        discounts: 0,
        takenAt: null,
      });
      expect(check.lines.map((l) => [l.id, l.round, l.kitchen, l.ticketId, l.void])).toEqual([
        ['01a22837-ba18-7000-837c-b9ee1370d001', 1, 'fired', '01a22837-ba18-7001-8000-000000000001', null],
        ['01a22837-ba18-7000-837c-b9ee1370d002', 1, 'fired', '01a22837-ba18-7001-8000-000000000002', null],
      ]);
      expect(
        check.tickets.map((t) => [t.stationId, t.status, t.lines.map((l) => l.itemId), t.firedAt]),
      ).toEqual([
        ['bar', 'open', ['cola'], 't'],
        ['grill', 'bumped', ['burger'], 't'],
      ]);
      expect(store.orders.get(open)!.lines[0]).toMatchObject({ kitchen: 'unsent', ticketId: null });
      expect(store.menu.latestSnapshot()!.courses).toEqual([]);
    } finally {
      db.close();
      remove();
    }
  });
});

describe('GroupCommitter', () => {
  const committer = (store: Store, published: number[][] = [], maxQueue = 1_000) =>
    new GroupCommitter(
      store.db,
      store.events,
      { maxBatch: 64, maxQueue, now: () => Date.UTC(2026, 0, 1) },
      (events) => published.push(events.map((e) => e.seq)),
    );
  const emit = (id: string) => ({
    type: 'item.availability_changed' as const,
    topic: 'menu' as const,
    entityId: id,
    data: { itemId: id, available: false },
  });

  it('commits a burst of commands in one transaction and publishes their events in seq order', () =>
    withStore(async (store) => {
      const published: number[][] = [];
      const c = committer(store, published);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => c.run((ctx) => ctx.emit(emit(`i${i}`)).seq)),
      );
      expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(c.stats.commits).toBe(2); // 100 commands, batches of at most 64
      expect(published.flat()).toEqual(results);
    }));

  it('rolls back only the failing command, events included', () =>
    withStore(async (store) => {
      const published: number[][] = [];
      const c = committer(store, published);
      const outcomes = await Promise.allSettled([
        c.run((ctx) => ctx.emit(emit('a'))),
        c.run((ctx) => {
          ctx.emit(emit('b'));
          throw new Error('boom');
        }),
        c.run((ctx) => ctx.emit(emit('c'))),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(c.stats.commits).toBe(1);
      const stored = store.events.after(0, 10).map((e) => JSON.parse(e.data).itemId);
      expect(stored).toEqual(['a', 'c']);
      expect(published.flat()).toEqual(store.events.after(0, 10).map((e) => e.seq));
    }));

  it('answers and publishes only after the WAL flush (durable), and drains only once it is done', () =>
    withStore(async (store) => {
      const published: number[][] = [];
      const flushes: Array<() => void> = [];
      const c = new GroupCommitter(
        store.db,
        store.events,
        {
          maxBatch: 64,
          maxQueue: 1_000,
          now: () => 0,
          durable: () => new Promise<void>((resolve) => flushes.push(resolve)),
        },
        (events) => published.push(events.map((e) => e.seq)),
      );
      let answered = false;
      const run = c
        .run((ctx) => ctx.emit(emit('a')).seq)
        .then((seq) => {
          answered = true;
          return seq;
        });
      let drained = false;
      const draining = c.drain().then(() => (drained = true));
      await expect.poll(() => flushes.length).toBe(1);
      // Committed (another connection would see it) but neither answered nor published yet.
      expect(store.events.headSeq()).toBe(1);
      // Give it every chance to answer early: several turns of the event loop, and still nothing.
      for (let turn = 0; turn < 5; turn++) await new Promise(setImmediate);
      expect(answered).toBe(false);
      expect(published).toEqual([]);
      expect(drained).toBe(false);
      flushes[0]!();
      expect(await run).toBe(1);
      await draining;
      expect(published).toEqual([[1]]);
    }));

  it('sheds load when the disk stops answering, instead of holding committed batches without bound', () =>
    withStore(async (store) => {
      let flushes = 0;
      const c = new GroupCommitter(
        store.db,
        store.events,
        {
          maxBatch: 64,
          maxQueue: 3,
          now: () => 0,
          durable: () => {
            flushes++;
            return new Promise<void>(() => {}); // a disk that never answers
          },
        },
        () => {},
      );
      const waiting = [1, 2, 3].map(() => c.run(() => 1));
      await expect.poll(() => flushes).toBe(1);
      expect(c.pending).toBe(3); // committed, all three waiting for the disk
      await expect(c.run(() => 1)).rejects.toMatchObject({ code: 'OVERLOADED' });
      void waiting;
    }));

  it('sheds load with OVERLOADED when its queue is full, and refuses work once draining', () =>
    withStore(async (store) => {
      const c = committer(store, [], 2);
      const runs = [1, 2, 3].map(() => c.run(() => 1));
      const settled = await Promise.allSettled(runs);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect((settled[2] as PromiseRejectedResult).reason.code).toBe('OVERLOADED');
      await c.drain();
      await expect(c.run(() => 1)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    }));
});

describe('ticket lists', () => {
  it('read open tickets, or tickets in one state, through an index, never by scanning every ticket', () =>
    withStore((store) => {
      const plans = Object.fromEntries(
        Object.entries(store.orders.selectTickets).map(([name, st]) => [
          name,
          (
            store.db
              .prepare(`EXPLAIN QUERY PLAN ${st.source}`)
              .all({ station: 'grill', status: 'bumped', limit: 10 }) as { detail: string }[]
          )
            .map((p) => p.detail)
            .join(' | '),
        ]),
      );
      for (const plan of Object.values(plans)) {
        expect(plan).toMatch(/USING (COVERING )?INDEX tickets_/);
        expect(plan).not.toMatch(/^SCAN tickets$|SCAN tickets \||SCAN t\b/);
      }
      // The kitchen's open tickets come in index order and stop at the limit: no sort at all.
      expect(plans.open).toBe('SCAN tickets USING INDEX tickets_open');
    }));
});
