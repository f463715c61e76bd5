/**
 * HQ's cloud functions, called as the hub and HQ users call them (supabase-js through the real
 * PostgREST, or psql where Supabase Auth would): silent hubs, the sign-in hook, a hub's first
 * menu, business days. The browser side is test/hq-dashboard.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { signCloudToken } from '../sync/credential.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { hubOnCloud, synced } from './support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

describe('silent hubs in the cloud (hq_hubs)', () => {
  it('warns and alarms by the organisation’s thresholds while open, says closed outside opening hours, in the restaurant’s time zone', async () => {
    const org = randomUUID();
    const a = await cloud.addHub(undefined, org);
    const hq = cloud.client(await cloud.hqToken(org));
    const health = async () => ((await hq.rpc('hq_hubs')).data as { health: string }[])[0]!.health;
    const silentFor = (seconds: number) =>
      cloud.db.query(
        `update hubs set last_contact_at = now() - interval '${seconds} seconds' where id = $1`,
        [a.hubId],
      );
    expect(await health()).toBe('alarm'); // never heard from
    await silentFor(60);
    expect(await health()).toBe('ok');
    await silentFor(301);
    expect(await health()).toBe('warning'); // default: 5 minutes
    await silentFor(1801);
    expect(await health()).toBe('alarm'); // default: 30 minutes
    expect(
      (await hq.rpc('hq_set_silence_thresholds', { p_warning_seconds: 3600, p_alarm_seconds: 7200 })).error,
    ).toBeNull();
    expect(await health()).toBe('ok');
    const refused = await hq.rpc('hq_set_silence_thresholds', {
      p_warning_seconds: 600,
      p_alarm_seconds: 300,
    });
    expect(refused.error?.message).toMatch(/alarm later than the warning/);
    // A hub's own credential may not change them.
    const hub = cloud.client(a.token);
    expect(
      (await hub.rpc('hq_set_silence_thresholds', { p_warning_seconds: 60, p_alarm_seconds: 120 })).error
        ?.message,
    ).toMatch(/only HQ users/);

    // Opening hours, local to the restaurant: Asia/Tokyo (UTC+9) open 17:00–02:00 (past midnight).
    await cloud.db.query("update restaurants set timezone = 'Asia/Tokyo' where id = $1", [a.restaurantId]);
    const openAt = async (utc: string) =>
      (
        await cloud.db.query(
          'select grow_private.open_at(r.timezone, r.opens_at, r.closes_at, $2::timestamptz) as open from restaurants r where r.id = $1',
          [a.restaurantId, utc],
        )
      )[0]!.open;
    expect(
      (
        await hq.rpc('hq_set_opening_hours', {
          p_restaurant_id: a.restaurantId,
          p_opens: '17:00',
          p_closes: '02:00',
        })
      ).error,
    ).toBeNull();
    expect(await openAt('2026-11-29T09:30:00Z')).toBe(true); // 18:30 in Tokyo
    expect(await openAt('2026-11-29T16:30:00Z')).toBe(true); // 01:30 the next day in Tokyo
    expect(await openAt('2026-11-29T17:30:00Z')).toBe(false); // 02:30
    expect(await openAt('2026-11-29T03:00:00Z')).toBe(false); // 12:00
    const wrong = await hq.rpc('hq_set_opening_hours', {
      p_restaurant_id: a.restaurantId,
      p_opens: '17:00',
      p_closes: null,
    });
    expect(wrong.error?.message).toMatch(/both an opening and a closing time/);
    const other = await cloud.addHub(); // another organisation's restaurant
    const theirs = await hq.rpc('hq_set_opening_hours', {
      p_restaurant_id: other.restaurantId,
      p_opens: null,
      p_closes: null,
    });
    expect(theirs.error?.message).toMatch(/not in your organisation/);
  });
});

describe('HQ sign-in: the custom access token hook', () => {
  it('gives an invited user their organisation and role in the token, and anyone else neither; only Supabase Auth may call it', async () => {
    const org = randomUUID();
    await cloud.addHub(undefined, org); // makes the organisation
    const [member, stranger] = [randomUUID(), randomUUID()];
    await cloud.db.query("insert into hq_members (user_id, organisation_id, role) values ($1, $2, 'owner')", [
      member,
      org,
    ]);
    const hook = async (userId: string, claims: Record<string, unknown>) =>
      (
        await cloud.db.query('select public.custom_access_token_hook($1::jsonb) as event', [
          JSON.stringify({ user_id: userId, claims, authentication_method: 'password' }),
        ])
      )[0]!.event as { user_id: string; claims: Record<string, unknown> };
    const base = { sub: member, role: 'authenticated', aud: 'authenticated', email: 'ana@example.org' };
    const signed = await hook(member, base);
    expect(signed.claims).toEqual({ ...base, grow_role: 'hq', organisation_id: org, hq_role: 'owner' });
    // A user nobody invited gets no HQ claims, even ones they try to bring along.
    const other = await hook(stranger, { ...base, sub: stranger, grow_role: 'hq', organisation_id: org });
    expect(other.claims).toEqual({ ...base, sub: stranger });
    // The token it yields works: this member's HQ sees its organisation's restaurants.
    const token = await signCloudToken(signed.claims, cloud.jwtSecret, 3600);
    const { data: hubs } = await cloud.client(token).rpc('hq_hubs');
    expect((hubs as unknown[]).length).toBe(1);
    // Signed-in users cannot call the hook to mint themselves claims.
    const refused = await cloud
      .client(token)
      .rpc('custom_access_token_hook', { event: { user_id: stranger, claims: {} } });
    expect(refused.error?.message).toMatch(/permission denied/);
  });
});

describe("a hub's first menu in the cloud (hub_offer_menu)", () => {
  it('is kept as version 1 where HQ has no menu, never over one, and only by that hub', async () => {
    const a = await cloud.addHub();
    const hub = cloud.client(a.token);
    const menu = demoMenu();
    expect((await hub.rpc('hub_offer_menu', { p_hub_id: a.hubId, p_body: menu })).data).toBe(1);
    expect(
      (await hub.rpc('hub_offer_menu', { p_hub_id: a.hubId, p_body: { ...menu, currency: 'EUR' } })).data,
    ).toBeNull();
    expect(
      await cloud.db.query(
        "select version, body->>'currency' as currency, body->>'version' as body_version from menu_versions where restaurant_id = $1",
        [a.restaurantId],
      ),
    ).toEqual([{ version: 1, currency: 'USD', body_version: '1' }]);
    const other = await cloud.addHub();
    const refused = await cloud
      .client(other.token)
      .rpc('hub_offer_menu', { p_hub_id: a.hubId, p_body: menu });
    expect(refused.error?.message).toMatch(/not for hub/);
  });
});

describe('HQ figures by business day (hq_sales, hq_orders_per_hour)', () => {
  it('counts each restaurant’s own business day in its own time zone, from its day start', async () => {
    const org = randomUUID();
    const tokyo = await cloud.addHub(undefined, org);
    const london = await cloud.addHub(undefined, org);
    await cloud.db.query(
      "update restaurants set timezone = 'Asia/Tokyo', day_starts_at = '04:00' where id = $1",
      [tokyo.restaurantId],
    );
    await cloud.db.query(
      "update restaurants set timezone = 'Europe/London', day_starts_at = '00:00' where id = $1",
      [london.restaurantId],
    );
    const order = (r: { restaurantId: string; hubId: string }, at: string, total: number) =>
      cloud.db.query(
        `insert into orders (restaurant_id, id, hub_id, number, status, currency, menu_version, subtotal, tax, total,
                             created_at, updated_at, last_seq)
         values ($1, $2, $3, 1, 'completed', 'USD', 1, $4, 0, $4, $5, $5, 1)`,
        [r.restaurantId, randomUUID(), r.hubId, total, at],
      );
    // Tokyo (UTC+9), day from 04:00: 02:30 local on the 30th (17:30Z on the 29th) still belongs
    // to the 29th; 05:00 local on the 30th (20:00Z) starts the 30th.
    await order(tokyo, '2026-11-29T17:30:00Z', 1000);
    await order(tokyo, '2026-11-29T20:00:00Z', 2000);
    await order(tokyo, '2026-11-30T02:00:00Z', 4000); // 11:00 local on the 30th
    // London (UTC+0), day from midnight.
    await order(london, '2026-11-29T23:30:00Z', 300);
    await order(london, '2026-11-30T00:30:00Z', 500);
    const hq = cloud.client(await cloud.hqToken(org));
    const at = '2026-11-30T03:00:00Z'; // 12:00 in Tokyo on the 30th, 03:00 in London on the 30th
    const { data: today, error } = await hq.rpc('hq_sales', { p_period: 'today', p_at: at });
    expect(error).toBeNull();
    const of = (r: { restaurantId: string }) =>
      (today as any[]).find((x) => x.restaurant_id === r.restaurantId);
    expect(of(tokyo)).toMatchObject({
      orders: 2,
      sales: 6000,
      first_day: '2026-11-30',
      timezone: 'Asia/Tokyo',
    });
    expect(of(tokyo).day_starts_at).toBe('04:00:00');
    expect(of(london)).toMatchObject({ orders: 1, sales: 500, first_day: '2026-11-30' });
    // The week runs from Monday the 30th in both: the same here; the month from the 1st.
    const { data: month } = await hq.rpc('hq_sales', { p_period: 'month', p_at: at });
    expect((month as any[]).find((x) => x.restaurant_id === tokyo.restaurantId)).toMatchObject({
      orders: 3,
      first_day: '2026-11-01',
      last_day: '2026-11-30',
    });
    // Hours on each restaurant's own clock: Tokyo's orders at 05:00 and 11:00, London's at 00:00.
    const { data: hours } = await hq.rpc('hq_orders_per_hour', { p_period: 'today', p_at: at });
    expect(hours).toEqual([
      { hour: 0, orders: 1 },
      { hour: 5, orders: 1 },
      { hour: 11, orders: 1 },
    ]);
    const wrong = await hq.rpc('hq_sales', { p_period: 'yesterday' });
    expect(wrong.error?.message).toMatch(/period must be today, week or month/);
  });
});

describe('the organisation menu and its overrides (organisation_menus, menu_overrides)', () => {
  it('keep each organisation to its own menu and restaurants, and replace a restaurant’s overrides whole', async () => {
    const org = randomUUID();
    const a = await cloud.addHub(undefined, org);
    const other = await cloud.addHub(); // another organisation
    const hq = cloud.client(await cloud.hqToken(org));
    const theirs = cloud.client(await cloud.hqToken(other.organisationId));
    const { version: _, ...body } = demoMenu();

    // The organisation is the one in the token; another organisation's HQ sees none of it.
    expect((await hq.from('organisation_menus').insert({ version: 1, body })).error).toBeNull();
    const rows = (await cloud.db.query('select organisation_id from organisation_menus')) as {
      organisation_id: string;
    }[];
    expect(rows.map((r) => r.organisation_id)).toContain(org);
    expect((await theirs.from('organisation_menus').select('version')).data).toEqual([]);
    const forged = await theirs.from('organisation_menus').insert({ organisation_id: org, version: 2, body });
    expect(forged.error?.message).toMatch(/row-level security/);

    // Overrides are replaced whole; another organisation can neither set nor read them.
    const set = (client: typeof hq, overrides: unknown) =>
      client.rpc('hq_set_menu_overrides', { p_restaurant_id: a.restaurantId, p_overrides: overrides });
    expect(
      (
        await set(hq, [
          { itemId: 'cola', price: 300 },
          { itemId: 'fries', removed: true },
        ])
      ).data,
    ).toBe(2);
    expect((await set(hq, [{ itemId: 'cola', price: 325 }])).data).toBe(1);
    expect((await hq.from('menu_overrides').select('item_id, price, removed')).data).toEqual([
      { item_id: 'cola', price: 325, removed: false },
    ]);
    expect((await set(theirs, [])).error?.message).toMatch(/is not in your organisation/);
    expect((await theirs.from('menu_overrides').select('item_id')).data).toEqual([]);
    // An added item must carry the id it overrides; a failed replace keeps what was there.
    const mismatched = await set(hq, [{ itemId: 'lemonade', added: { id: 'cola' } }]);
    expect(mismatched.error?.message).toMatch(/menu_overrides_check/);
    expect((await hq.from('menu_overrides').select('item_id')).data).toEqual([{ item_id: 'cola' }]);
  });
});

describe("a restaurant's business day from its hub", () => {
  it('follows the day start the manager sets on the hub, and HQ counts the same days', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      const dayStart = async () =>
        (
          (await cloud.db.query('select day_starts_at::text as at from restaurants where id = $1', [
            cred.restaurantId,
          ])) as [{ at: string }]
        )[0].at;
      expect(await dayStart()).toBe('04:00:00');
      const settings = (await t.api('GET', '/api/v1/service-settings')).body;
      const put = await t.api(
        'PUT',
        '/api/v1/service-settings',
        { ...settings, dayStartsAt: '05:30' },
        t.tokens.manager,
      );
      expect(put.status).toBe(200);
      await synced(t);
      expect(await dayStart()).toBe('05:30:00');
      const hq = cloud.client(await cloud.hqToken(cred.organisationId));
      const { data } = await hq.rpc('hq_sales', { p_period: 'today' });
      expect(data).toEqual([expect.objectContaining({ day_starts_at: '05:30:00' })]);
    } finally {
      await t.stop();
    }
  });
});

describe('a pair of hubs in the cloud (hub_heartbeat with p_pair)', () => {
  it('shows HQ which box is primary, at which epoch, and how its standby stands; an older epoch does not overwrite a newer', async () => {
    const org = randomUUID();
    const a = await cloud.addHub(undefined, org);
    const hub = cloud.client(a.token);
    const hq = cloud.client(await cloud.hqToken(org));
    const row = async () =>
      ((await hq.rpc('hq_hubs')).data as Record<string, unknown>[]).find((h) => h.hub_id === a.hubId)!;
    expect(await row()).toMatchObject({ primary_box: null, epoch: null, standby_state: null });
    const beat = (pair: unknown) => hub.rpc('hub_heartbeat', { p_hub_id: a.hubId, p_pair: pair });
    expect(
      (await beat({ box: 'counter PC', epoch: 1, standby: { state: 'in-sync', box: 'office PC' } })).error,
    ).toBeNull();
    expect(await row()).toMatchObject({
      primary_box: 'counter PC',
      epoch: 1,
      standby_state: 'in-sync',
      standby_box: 'office PC',
    });
    // The office PC took over (epoch 2), its standby away; the counter PC, back at epoch 1, does not overwrite it.
    await beat({ box: 'office PC', epoch: 2, standby: { state: 'away', box: 'counter PC' } });
    await beat({ box: 'counter PC', epoch: 1, standby: { state: 'in-sync', box: 'office PC' } });
    expect(await row()).toMatchObject({ primary_box: 'office PC', epoch: 2, standby_state: 'away' });
    // Another hub's credential may not report for this one.
    const other = await cloud.addHub(undefined, org);
    const forged = await cloud
      .client(other.token)
      .rpc('hub_heartbeat', { p_hub_id: a.hubId, p_pair: { box: 'x', epoch: 9, standby: {} } });
    expect(forged.error?.message).toMatch(/not for hub|credential/);
    // The old call, from hubs before pairs existed, still works.
    expect((await hub.rpc('hub_heartbeat', { p_hub_id: a.hubId })).error).toBeNull();
  });
});
