/**
 * The cloud at scale (docs/cloud-scale.md): the distribution rules over the migrations, rollups
 * that always equal a recount from the raw rows, and partitions the cloud keeps itself. Real
 * PostgreSQL, PostgREST and hubs.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { burgerOrder, newOrderId, runCli, signIn, startHub } from './support/hub.ts';
import { rollupsAndRecounts } from './support/rollups.ts';
import { hubOnCloud, synced } from './support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

async function expectRollupsEqualRecount(when: string) {
  const { rollups, recounts } = await rollupsAndRecounts(cloud.db.query);
  for (const table of Object.keys(rollups) as Array<keyof typeof rollups>) {
    expect(rollups[table], `${table} ${when}`).toEqual(recounts[table]);
  }
  return rollups;
}

describe('the cloud at scale', () => {
  it('says how every table is distributed, and every key of a distributed table holds restaurant_id', async () => {
    const tables = await cloud.db.query<{ name: string; comment: string | null }>(
      `select c.relname as name, obj_description(c.oid, 'pg_class') as comment
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`,
    );
    const keys = await cloud.db.query<{
      name: string;
      kind: string;
      cols: string[];
      target: string | null;
      target_cols: string[] | null;
    }>(
      `select c.conrelid::regclass::text as name, c.contype::text as kind,
              array(select a.attname::text from pg_attribute a where a.attrelid = c.conrelid and a.attnum = any (c.conkey)) as cols,
              c.confrelid::regclass::text as target,
              array(select a.attname::text from pg_attribute a where a.attrelid = c.confrelid and a.attnum = any (c.confkey)) as target_cols
         from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where n.nspname = 'public' and c.contype in ('p', 'u', 'f') and c.conparentid = 0
       union all
       select i.indrelid::regclass::text, 'i',
              array(select a.attname::text from pg_attribute a where a.attrelid = i.indrelid and a.attnum = any (i.indkey)), null, null
         from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and i.indisunique and not c.relispartition`,
    );
    expect(tables.length).toBeGreaterThan(15);
    const distribution = new Map<string, string>();
    const problems: string[] = [];
    for (const t of tables) {
      const declared = /^distribution: (reference|restaurant_id)\./.exec(t.comment ?? '')?.[1];
      if (!declared)
        problems.push(`${t.name}: no "distribution: reference." or "distribution: restaurant_id." comment`);
      else distribution.set(t.name, declared);
    }
    const target = (name: string | null) => distribution.get((name ?? '').replace(/^public\./, ''));
    for (const k of keys) {
      const table = k.name.replace(/^public\./, '');
      const kind = { p: 'primary key', u: 'unique key', i: 'unique index', f: 'foreign key' }[k.kind];
      if (distribution.get(table) === 'restaurant_id') {
        if (!k.cols.includes('restaurant_id'))
          problems.push(`${table}: ${kind} (${k.cols}) lacks restaurant_id`);
        if (k.kind === 'f' && target(k.target) !== 'reference' && !k.target_cols?.includes('restaurant_id'))
          problems.push(
            `${table}: foreign key to ${k.target} (${k.target_cols}) does not join on restaurant_id`,
          );
      } else if (k.kind === 'f' && target(k.target) !== 'reference') {
        problems.push(`${table}: a reference table refers to distributed ${k.target}`);
      }
    }
    expect(problems).toEqual([]);
    // The rule bites: a key without restaurant_id is found.
    expect(
      keys.some((k) => k.name.endsWith('hubs') && k.kind === 'p' && k.cols.includes('restaurant_id')),
    ).toBe(true);
  });

  it('keeps rollups equal to a recount from the raw rows through replays, overlaps, a hub restore and a clock change', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    let restarted: Awaited<ReturnType<typeof startHub>> | null = null;
    let stopped = false;
    try {
      t.api = (await signIn(t, 'Sam', 'server', '1111')).api;
      const post = async (api: typeof t.api, path: string, body: unknown, token?: string) => {
        const res = await api('POST', path, body, token);
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
        return res.body;
      };
      // A service: checks with guests, a round, a void after firing, a comp, a discount, a whole
      // check voided, payments with a tip and a refund.
      const meal = async (api: typeof t.api, manager: string) => {
        const check = await post(api, '/api/v1/orders', {
          id: newOrderId(),
          tableId: 't3',
          guests: 3,
          lines: [
            { itemId: 'lager', qty: 2 },
            { itemId: 'wings', qty: 1 },
            { itemId: 'veg-curry', qty: 1 },
          ],
        });
        const more = await post(api, `/api/v1/orders/${check.id}/rounds`, {
          commandId: newOrderId(),
          lines: [{ itemId: 'brownie', qty: 2 }],
        });
        const [, wings, curry, brownie] = more.lines;
        await post(
          api,
          `/api/v1/orders/${check.id}/void-lines`,
          { commandId: newOrderId(), lineIds: [curry.id], reason: 'burnt' },
          manager,
        );
        await post(
          api,
          `/api/v1/orders/${check.id}/comp`,
          { commandId: newOrderId(), lineIds: [brownie.id], reason: 'birthday' },
          manager,
        );
        const now = await post(api, `/api/v1/orders/${check.id}/discounts`, {
          commandId: newOrderId(),
          discountId: 'ten-percent',
          lineIds: [wings.id],
        });
        const paid = await post(api, `/api/v1/orders/${check.id}/payments`, {
          id: newOrderId(),
          method: 'cash',
          amount: now.total,
          tip: 150,
        });
        await post(
          api,
          `/api/v1/payments/${paid.id}/refunds`,
          { id: newOrderId(), amount: 200, reason: 'cold' },
          manager,
        );
        const gone = await post(api, '/api/v1/orders', burgerOrder());
        await post(api, `/api/v1/orders/${gone.id}/void`, { reason: 'walked out' }, manager);
        return check.id as string;
      };
      await meal(t.api, t.tokens.manager);
      const open = await post(t.api, '/api/v1/orders', { ...burgerOrder(), guests: 2 });
      await synced(t);
      const first = await expectRollupsEqualRecount('after a service');
      expect(first.sales_by_day.length).toBeGreaterThan(0);
      expect(first.tenders_by_day.length).toBeGreaterThan(0);

      // Replays and overlaps: the hub's own batches sent again through PostgREST, whole and half.
      const events = await cloud.db.query<{
        seq: string;
        type: string;
        entity_id: string;
        at: Date;
        data: unknown;
      }>('select seq, type, entity_id, at, data from hub_events where hub_id = $1 order by seq', [
        cred.hubId,
      ]);
      const asSent = events.map((e) => ({
        seq: Number(e.seq),
        type: e.type,
        entityId: e.entity_id,
        at: e.at.toISOString(),
        data: e.data,
      }));
      const hub = cloud.client(cred.token);
      for (const batch of [asSent, asSent.slice(Math.floor(asSent.length / 2))]) {
        const sent = await hub.rpc('ingest_batch', {
          p_hub_id: cred.hubId,
          p_from_seq: batch[0]!.seq,
          p_to_seq: batch.at(-1)!.seq,
          p_events: batch,
        });
        expect(sent.error).toBeNull();
        expect(sent.data).toMatchObject({ applied: 0, skipped: batch.length });
      }
      expect(await expectRollupsEqualRecount('after replays and overlaps')).toEqual(first);

      // A hub restore: back up, void the open check and sync, then restore the backup. The restored
      // hub holds the check open again and changes it, so the cloud takes the older story on.
      const backup = await post(t.api, '/api/v1/backups', {}, t.tokens.manager);
      await post(t.api, `/api/v1/orders/${open.id}/void`, { reason: 'mistake' }, t.tokens.manager);
      await synced(t);
      await expectRollupsEqualRecount('after the void the restore will undo');
      const dir = t.dir;
      await t.hub.stop();
      stopped = true;
      const restored = await runCli(['restore', backup.file, '--data-dir', dir]);
      expect(restored.code, restored.stderr).toBe(0);
      restarted = await startHub(
        {
          cloudUrl: cloud.url,
          cloudAnonKey: cloud.anonKey,
          cloudHubToken: cred.token,
          syncLingerMs: 20,
          syncMenuPollMs: 200,
        },
        dir,
      );
      const api = (await signIn(restarted, 'Ana', 'server', '2222')).api;
      await post(api, `/api/v1/orders/${open.id}/rounds`, {
        commandId: newOrderId(),
        lines: [{ itemId: 'cola', qty: 3 }],
      });
      await meal(api, restarted.tokens.manager);
      await synced(restarted);
      const [reopened] = await cloud.db.query<{ status: string }>('select status from orders where id = $1', [
        open.id,
      ]);
      expect(reopened!.status).not.toBe('voided');
      await expectRollupsEqualRecount('after a hub restore');

      // The restaurant moves its clock: its days are counted again on the new one.
      await cloud.db.query(
        `update restaurants set timezone = 'Pacific/Kiritimati', day_starts_at = '06:30' where id = $1`,
        [cred.restaurantId],
      );
      await expectRollupsEqualRecount('after a clock change');
    } finally {
      await restarted?.stop();
      if (stopped) rmSync(t.dir, { recursive: true, force: true });
      else await t.stop();
    }
  });

  it('makes months ahead, archives months past the policy with their figures kept, and moves rows the default partition caught', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    let stopped = false;
    try {
      await post3(t);
      await synced(t);
      const month = new Date().toISOString().slice(0, 7).replace('-', '_');
      // The restaurant's business day (UTC, starting 04:00): before 04:00 it is still yesterday's.
      const today = new Date(Date.now() - 4 * 3_600_000).toISOString().slice(0, 10);
      const hq = cloud.client(await cloud.hqToken(cred.organisationId));
      const report = async () =>
        (
          (await hq.rpc('hq_sales_report', { p_first: today, p_last: today })).data as Array<{
            sales: number;
          }>
        )[0]!.sales;
      const before = await report();
      expect(Number(before)).toBeGreaterThan(0);
      const partitions = async () =>
        (
          await cloud.db.query<{ name: string }>(
            `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
              where i.inhparent = 'public.orders'::regclass order by 1`,
          )
        ).map((r) => r.name);
      expect(await partitions()).toContain(`orders_${month}`);

      // An order from a clock far ahead lands in the default partition; making its month moves it.
      const far = new Date(Date.UTC(2031, 4, 9, 12)).toISOString();
      const id = crypto.randomUUID();
      const [{ synced_seq }] = (await cloud.db.query<{ synced_seq: string }>(
        'select synced_seq from hubs where id = $1',
        [cred.hubId],
      )) as [{ synced_seq: string }];
      const seq = Number(synced_seq) + 1;
      const order = {
        id,
        number: 999,
        status: 'sent',
        currency: 'USD',
        menuVersion: 1,
        subtotal: 500,
        tax: 0,
        total: 500,
        note: null,
        tableLabel: null,
        voidReason: null,
        deviceId: null,
        createdAt: far,
        updatedAt: far,
        lines: [
          {
            lineNo: 1,
            itemId: 'cola',
            name: 'Cola',
            qty: 1,
            unitPrice: 500,
            lineTotal: 500,
            stationId: 'bar',
            taxClassId: 'food',
            modifiers: [],
            note: null,
          },
        ],
      };
      await t.stop();
      stopped = true;
      const sent = await cloud.client(cred.token).rpc('ingest_batch', {
        p_hub_id: cred.hubId,
        p_from_seq: seq,
        p_to_seq: seq,
        p_events: [{ seq, type: 'order.created', entityId: id, at: far, data: { order } }],
      });
      expect(sent.error).toBeNull();
      const caught = await cloud.db.query('select 1 from orders_default where id = $1', [id]);
      expect(caught).toHaveLength(1);

      // The daily job, run as if it were May 2031 with 13 months kept.
      await cloud.db.query('update grow_private.partition_policy set months_kept = 13');
      const [{ maintain_partitions: done }] = (await cloud.db.query(
        `select grow_private.maintain_partitions('2031-05-20T03:17:00Z')`,
      )) as [{ maintain_partitions: { made: number; archived: string[]; kept_from: string } }];
      expect(done.kept_from).toBe('2030-05-01');
      expect(done.archived).toContain(`orders_${month}`);
      expect(done.archived).toContain(`order_lines_${month}`);
      expect(done.archived).toContain(`hub_events_${month}`);
      const now = await partitions();
      expect(now).toEqual(expect.arrayContaining(['orders_2031_05', 'orders_2031_08']));
      expect(now).not.toContain(`orders_${month}`);
      expect(await cloud.db.query('select 1 from orders_default where id = $1', [id])).toHaveLength(0);
      expect(await cloud.db.query('select 1 from orders_2031_05 where id = $1', [id])).toHaveLength(1);
      const [archived] = await cloud.db.query<{ n: string }>(
        `select count(*) as n from grow_archive.orders_${month}`,
      );
      expect(Number(archived!.n)).toBeGreaterThan(0);
      // HQ's figures come from rollups: the archived month still counts; its checks leave drill-down.
      expect(await report()).toBe(before);
      expect((await hq.rpc('hq_checks', { p_restaurant_id: cred.restaurantId, p_day: today })).data).toEqual(
        [],
      );
      // Run again: nothing more to do.
      const [{ maintain_partitions: again }] = (await cloud.db.query(
        `select grow_private.maintain_partitions('2031-05-20T03:17:00Z')`,
      )) as [{ maintain_partitions: { made: number; archived: string[] } }];
      expect(again).toMatchObject({ made: 0, archived: [] });
    } finally {
      if (!stopped) await t.stop();
    }
  });
});

async function post3(t: Awaited<ReturnType<typeof startHub>>) {
  for (let i = 0; i < 3; i++) {
    const res = await t.api('POST', '/api/v1/orders', burgerOrder());
    expect(res.status).toBe(201);
  }
}
