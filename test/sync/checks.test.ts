import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type TestCloud } from '../support/cloud.ts';
import { newOrderId, signIn } from '../support/hub.ts';
import { hubOnCloud, synced } from '../support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

const figures = ['status', 'gross', 'voids', 'comps', 'discounts', 'subtotal', 'tax', 'total'] as const;

describe('checks in the cloud', () => {
  it('receives every change to a check; HQ sales match the hub net of voids, comps and discounts', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      // The till's calls come from a server signed in on it (docs/staff.md).
      t.api = (await signIn(t, 'Sam', 'server', '1111')).api;
      const cmd = () => ({ commandId: newOrderId() });
      const post = async (path: string, body: unknown, token?: string) => {
        const res = await t.api('POST', path, body, token);
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
        return res.body;
      };
      // A table's meal: a round, a void after firing, a comp, a discount, a split, a transfer, a merge.
      let check = await post('/api/v1/orders', {
        id: newOrderId(),
        tableId: 't2',
        guests: 2,
        lines: [
          { itemId: 'lager', qty: 2, seat: 1 },
          { itemId: 'wings', qty: 1, seat: 1 },
          { itemId: 'veg-curry', qty: 1, seat: 2 },
        ],
      });
      check = await post(`/api/v1/orders/${check.id}/rounds`, {
        ...cmd(),
        lines: [{ itemId: 'brownie', qty: 1, seat: 2 }],
      });
      const [lager, wings, curry, brownie] = check.lines;
      check = await post(
        `/api/v1/orders/${check.id}/void-lines`,
        { ...cmd(), lineIds: [curry.id], reason: 'burnt' },
        t.tokens.manager,
      );
      check = await post(
        `/api/v1/orders/${check.id}/comp`,
        { ...cmd(), lineIds: [brownie.id], reason: 'birthday' },
        t.tokens.manager,
      );
      check = await post(`/api/v1/orders/${check.id}/discounts`, {
        ...cmd(),
        discountId: 'ten-percent',
        lineIds: [wings.id],
      });
      const split = await post(`/api/v1/orders/${check.id}/split`, {
        ...cmd(),
        by: 'items',
        groups: [[lager.id]],
      });
      const other = await post('/api/v1/orders', {
        id: newOrderId(),
        lines: [{ itemId: 'cola', qty: 1 }],
        orderType: 'takeout',
      });
      await post(`/api/v1/orders/${split.checks[1].id}/merge`, { ...cmd(), fromOrderId: other.id });
      const voided = await post('/api/v1/orders', { id: newOrderId(), lines: [{ itemId: 'ipa', qty: 1 }] });
      await post(`/api/v1/orders/${voided.id}/void`, { reason: 'walked out' }, t.tokens.manager);
      await synced(t);

      const hubChecks = (await t.api('GET', '/api/v1/checks?state=all&limit=100')).body.checks;
      const cloudRows = await cloud.db.query<Record<string, unknown>>(
        `select id, status, gross, voids, comps, discounts, subtotal, tax, total, order_type, table_id
           from orders where restaurant_id = $1`,
        [cred.restaurantId],
      );
      expect(cloudRows).toHaveLength(hubChecks.length);
      for (const summary of hubChecks) {
        const hub = (await t.api('GET', `/api/v1/orders/${summary.id}`)).body;
        const row = cloudRows.find((r) => r.id === hub.id)!;
        const cloudFigures = Object.fromEntries(
          figures.map((k) => [k, k === 'status' ? row[k] : Number(row[k])]),
        );
        expect(cloudFigures, `check #${hub.number}`).toEqual(
          Object.fromEntries(figures.map((k) => [k, hub[k]])),
        );
        expect(row).toMatchObject({ order_type: hub.orderType, table_id: hub.tableId });
        const lines = await cloud.db.query<{
          item_id: string;
          voided: boolean;
          comped: boolean;
          discount: string;
        }>(
          'select item_id, voided, comped, discount from order_lines where restaurant_id = $1 and order_id = $2 order by line_no',
          [cred.restaurantId, hub.id],
        );
        expect(lines.map((l) => [l.item_id, l.voided, l.comped, Number(l.discount)])).toEqual(
          hub.lines.map((l: any) => [l.itemId, l.void !== null, l.comp !== null, l.discount]),
        );
      }

      // HQ's report: sales and tax equal the hub's checks (voided ones apart), to the cent.
      const hq = cloud.client(await cloud.hqToken(cred.organisationId));
      // Today as the restaurant counts it: its business day (from 04:00), not the UTC date.
      const [{ today }] = (await cloud.db.query(
        'select grow_private.business_date(timezone, day_starts_at, now())::text as today from restaurants where id = $1',
        [cred.restaurantId],
      )) as [{ today: string }];
      const report = await hq.rpc('hq_sales_report', { p_first: today, p_last: today });
      expect(report.error).toBeNull();
      const live = hubChecks.filter((c: any) => c.status !== 'voided');
      const mine = (report.data as any[]).find((r) => r.restaurant_id === cred.restaurantId);
      expect(Number(mine.sales)).toBe(live.reduce((s: number, c: any) => s + c.total, 0));
      expect(Number(mine.voided)).toBe(hubChecks.length - live.length);
      const top = await hq.rpc('hq_top_items', {
        p_period: 'today',
        p_restaurant_id: cred.restaurantId,
        p_by: 'sales',
      });
      const items = Object.fromEntries((top.data as any[]).map((r) => [r.item_id, Number(r.sales)]));
      expect(items['veg-curry']).toBeUndefined(); // voided
      expect(items.brownie).toBe(0); // comped
      expect(items.wings).toBe(wings.lineTotal - Math.floor((wings.lineTotal * 1_000 * 2 + 10_000) / 20_000));
    } finally {
      await t.stop();
    }
  });
});
