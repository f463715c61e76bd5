/**
 * A history that looks like a chain, written straight into the cloud database: organisations of
 * restaurants in several time zones, each with a hub, staff and a menu, and every business day
 * their checks (lines, rounds' worth of items, voids, comps, discounts, whole checks voided),
 * payments with tips and refunds, the audit lines of their voids, comps and discounts, punches
 * and a Z. Generated inside PostgreSQL, one statement per
 * table per day (no rows cross the wire), through the same triggers as live ingest, so the
 * rollups are built as they would be. The hubs' raw event log is not written: at 3.8 kB an order
 * it would be most of the disk and none of HQ's reads; the live-ingest load writes it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { startCloud, type TestCloud } from '../../test/support/cloud.ts';

export interface ChainSize {
  restaurants: number;
  organisations: number;
  orders: number;
  /** Business days of history, ending today. */
  days: number;
}

export interface ChainLoad {
  seconds: number;
  orders: number;
  lines: number;
  payments: number;
  /** Bytes of orders, lines and payments with their indexes, per order. */
  bytesPerOrder: number;
  /** The biggest organisation's id and its restaurants (the dashboard's org of ~500). */
  organisationId: string;
  organisationRestaurants: number;
}

const zones = [
  'America/New_York',
  'America/Chicago',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
];

type Query = TestCloud['db']['query'];

/** The reference rows: organisations, restaurants (sizes vary 0.5–1.5×), hubs, staff, menus. */
async function seedChain(query: Query, size: ChainSize): Promise<void> {
  await query('select setseed(0.42)');
  await query('create sequence if not exists grow_private.bench_audit_seq');
  await query(
    `create table if not exists grow_private.bench_menu (item_no int primary key, item_id text, name text, price bigint, station text)`,
  );
  await query(`insert into grow_private.bench_menu
    select n, 'item-' || n, (array['Burger','Fries','Salad','Soup','Steak','Pasta','Pizza','Lager','Cola','Wine'])[1 + n % 10] || ' ' || n,
           (300 + (n * 137) % 2200)::bigint, (array['grill','fry','cold','bar'])[1 + n % 4]
    from generate_series(0, 39) n on conflict do nothing`);
  await query(
    `insert into organisations (id, name)
     select gen_random_uuid(), 'Chain ' || n from generate_series(1, $1) n`,
    [size.organisations],
  );
  // The first organisation gets a tenth of the restaurants (at 5,000: 500, HQ's big chain); the rest share the others.
  await query(
    `with orgs as (select id, row_number() over (order by name) - 1 as k from organisations where name like 'Chain %'),
          made as (
            select gen_random_uuid() as id, n,
                   case when n <= greatest(1, $1 / 10) then 0 else 1 + n % greatest(1, $2 - 1) end as k
            from generate_series(1, $1) n)
     insert into restaurants (id, organisation_id, name, timezone)
     select m.id, o.id, 'Restaurant ' || m.n, ($3::text[])[1 + m.n % array_length($3::text[], 1)]
     from made m join orgs o on o.k = least(m.k, $2 - 1)`,
    [size.restaurants, size.organisations, zones],
  );
  await query(`create table grow_private.bench_restaurants as
    select r.id, r.timezone, r.day_starts_at, gen_random_uuid() as hub_id, 0.5 + random() as scale
    from restaurants r join organisations o on o.id = r.organisation_id where o.name like 'Chain %'`);
  await query(`insert into hubs (id, restaurant_id, name, synced_seq, last_contact_at)
    select hub_id, id, 'hub', 0, now() - make_interval(secs => random() * 120) from grow_private.bench_restaurants`);
  await query(`insert into staff_members (restaurant_id, id, name, role_id, wage, last_seq)
    select r.id, gen_random_uuid(), 'Staff ' || n, (array['server','server','server','bartender','cashier','manager','server','server'])[n], 1500 + n * 100, 1
    from grow_private.bench_restaurants r, generate_series(1, 8) n`);
  await query(`insert into menu_versions (restaurant_id, version, body)
    select r.id, 1, jsonb_build_object('items', (select jsonb_agg(jsonb_build_object('id', item_id, 'name', name, 'price', price)) from grow_private.bench_menu))
    from grow_private.bench_restaurants r`);
}

/**
 * One business day of every restaurant: checks mostly at lunch and dinner on the restaurant's own
 * clock, 1–5 lines each from a menu where a few items sell most, 2 % of lines voided, 1 % comped,
 * 3 % discounted 10 %, 1 % of checks voided whole, each audited; a payment per check (70 % card
 * with a tip, 1 % partly refunded), six punches and a Z.
 */
async function writeDay(query: Query, day: string, perRestaurantDay: number): Promise<void> {
  await query(
    `create temp table day_orders on commit drop as
     select r.id as restaurant_id, r.hub_id, gen_random_uuid() as id, n as number,
            -- Lunch (11–13) or dinner (17–22) on the restaurant's clock: drawn per check, in the
            -- select list (a lateral subquery naming no outer column is drawn once for all).
            ((($1::date + r.day_starts_at)
              + make_interval(hours => case when random() < 0.35 then 7 + floor(random() * 3)::int else 13 + floor(random() * 6)::int end,
                              mins => floor(random() * 60)::int))
              at time zone r.timezone) as created_at,
            random() < 0.01 as voided, 1 + floor(random() * 5)::int as nlines, 1 + floor(random() * 5)::int as guests,
            random() < 0.7 as card, random() < 0.01 as refund
     from grow_private.bench_restaurants r
     cross join lateral generate_series(1, greatest(1, round($2 * r.scale * (case when extract(isodow from $1::date) >= 5 then 1.3 else 0.85 end)))::int) n`,
    [day, perRestaurantDay],
  );
  await query(
    `create temp table day_lines on commit drop as
     select o.restaurant_id, o.id as order_id, o.created_at, l.line_no, m.item_id, m.name, l.qty, m.price,
            m.price * l.qty as line_total, m.station, l.voided, not l.voided and l.comped as comped,
            case when not l.voided and not l.comped and l.discounted then m.price * l.qty / 10 else 0 end as discount,
            o.voided as order_voided
     from day_orders o
     cross join lateral (select g as line_no, floor(40 * power(random(), 2))::int as item_no, 1 + (random() < 0.2)::int as qty,
                                random() < 0.02 as voided, random() < 0.01 as comped, random() < 0.03 as discounted
                         from generate_series(1, o.nlines) g) l
     join grow_private.bench_menu m on m.item_no = l.item_no`,
  );
  await query(
    `insert into orders (restaurant_id, id, hub_id, number, status, currency, menu_version, subtotal, tax, total, note,
                         table_label, void_reason, device_id, created_at, updated_at, last_seq, order_type, table_id,
                         guests, gross, voids, comps, discounts)
     select o.restaurant_id, o.id, o.hub_id, o.number, case when o.voided then 'voided' else 'completed' end, 'USD', 1,
            f.gross - f.comps - f.discounts, round((f.gross - f.comps - f.discounts) * 0.08)::bigint,
            f.gross - f.comps - f.discounts + round((f.gross - f.comps - f.discounts) * 0.08)::bigint, null,
            'T' || (1 + o.number % 30), case when o.voided then 'walked out' end, null, o.created_at,
            o.created_at + interval '50 minutes', 1, 'dine_in', 't' || (1 + o.number % 30), o.guests,
            f.gross, f.voids, f.comps, f.discounts
     from day_orders o
     join (select order_id, coalesce(sum(line_total) filter (where not voided), 0) as gross, coalesce(sum(line_total) filter (where voided), 0) as voids,
                  coalesce(sum(line_total) filter (where comped), 0) as comps, sum(discount) as discounts
           from day_lines group by order_id) f on f.order_id = o.id
     order by o.created_at`,
  );
  await query(
    `insert into order_lines (restaurant_id, order_id, line_no, created_at, item_id, name, qty, unit_price, line_total,
                              station_id, tax_class_id, discount, voided, comped, order_voided)
     select restaurant_id, order_id, line_no, created_at, item_id, name, qty, price, line_total, station, 'food',
            discount, voided, comped, order_voided
     from day_lines`,
  );
  await query(
    `insert into payments (restaurant_id, id, order_id, hub_id, method, status, amount, tip, refunded, created_at, updated_at, last_seq)
     select o.restaurant_id, gen_random_uuid(), o.id, d.hub_id, case when d.card then 'card_present' else 'cash' end,
            case when d.refund then 'partially_refunded' else 'captured' end, o.total,
            case when d.card then round(o.subtotal * (0.15 + random() * 0.07))::bigint else 0 end,
            case when d.refund then least(o.total, 500) else 0 end, o.updated_at, o.updated_at, 1
     from day_orders d join orders o on o.restaurant_id = d.restaurant_id and o.id = d.id and o.created_at = d.created_at
     where not d.voided`,
  );
  await query(
    `insert into audit_trail (restaurant_id, hub_id, seq, at, action, staff_name, approver_name, order_id, reason, detail, amount)
     select l.restaurant_id, r.hub_id, nextval('grow_private.bench_audit_seq'), l.created_at + interval '20 minutes', a.action,
            'Staff ' || (1 + l.line_no % 5), case when a.action <> 'discount' then 'Staff 6' end, l.order_id, a.action || ' reason',
            a.action || ' ' || l.name, a.amount
     from day_lines l
     join grow_private.bench_restaurants r on r.id = l.restaurant_id
     cross join lateral (values ('void', l.line_total, l.voided), ('comp', l.line_total, l.comped), ('discount', l.discount, l.discount > 0)) a(action, amount, happened)
     where a.happened`,
  );
  await query(
    `insert into punches (restaurant_id, id, staff_id, staff_name, job, business_date, in_at, out_at, breaks, last_seq)
     select s.restaurant_id, gen_random_uuid(), s.id, s.name, s.role_id, $1::date,
            (($1::date + time '10:00' + make_interval(hours => (n % 3 * 3)::int)) at time zone r.timezone),
            (($1::date + time '16:00' + make_interval(hours => (n % 3 * 3)::int)) at time zone r.timezone), '[]'::jsonb, 1
     from grow_private.bench_restaurants r
     cross join lateral (select *, row_number() over () as n from staff_members where restaurant_id = r.id limit 6) s`,
    [day],
  );
  await query(
    `insert into z_reports (restaurant_id, number, business_date, closed_at, forced, checks, net, tax, over_short, figures)
     select d.restaurant_id, ($1::date - date '2020-01-01'), $1::date, now(), false, d.orders, d.total - d.tax, d.tax, 0,
            jsonb_build_object('businessDate', $1::date, 'checks', d.orders)
     from sales_by_day d join grow_private.bench_restaurants r on r.id = d.restaurant_id
     where d.business_date = $1::date`,
    [day],
  );
}

/**
 * Loads `size` (reference rows, then each day oldest first), printing progress. Each day commits
 * on its own, so a stopped load leaves whole days behind.
 */
export async function loadChain(
  cloud: TestCloud,
  size: ChainSize,
  progress: (line: string) => void,
): Promise<ChainLoad> {
  const query = cloud.db.query;
  const t0 = performance.now();
  await seedChain(query, size);
  const perRestaurantDay = size.orders / size.restaurants / size.days;
  await query(`select grow_private.ensure_month_partitions(current_date - $1::integer, current_date)`, [
    size.days,
  ]);
  const [{ today }] = (await query<{ today: string }>(
    `select to_char(current_date, 'YYYY-MM-DD') as today`,
  )) as [{ today: string }];
  for (let d = size.days - 1; d >= 0; d--) {
    const day = new Date(Date.parse(today) - d * 86_400_000).toISOString().slice(0, 10);
    await query('begin');
    await writeDay(query, day, perRestaurantDay);
    await query('commit');
    if (d % 10 === 0 || d === size.days - 1)
      progress(
        `    ${day}: ${size.days - d}/${size.days} days, ${((performance.now() - t0) / 1_000).toFixed(0)} s`,
      );
  }
  // Settled as a cloud that has run for a while is: nothing left for autovacuum to catch up on.
  await query('vacuum analyze');
  const [counts] = (await query<{ orders: string; lines: string; payments: string; bytes: string }>(
    `select (select count(*) from orders) as orders, (select count(*) from order_lines) as lines,
            (select count(*) from payments) as payments,
            (select sum(pg_total_relation_size(c.oid)) from pg_class c
              where c.relkind = 'r' and (c.relname like 'orders_%' or c.relname like 'order_lines_%' or c.relname = 'payments')) as bytes`,
  )) as [{ orders: string; lines: string; payments: string; bytes: string }];
  const [org] = (await query<{ id: string; n: string }>(
    `select r.organisation_id as id, count(*) as n from restaurants r group by 1 order by 2 desc limit 1`,
  )) as [{ id: string; n: string }];
  return {
    seconds: (performance.now() - t0) / 1_000,
    orders: Number(counts.orders),
    lines: Number(counts.lines),
    payments: Number(counts.payments),
    bytesPerOrder: Math.round(Number(counts.bytes) / Number(counts.orders)),
    organisationId: org.id,
    organisationRestaurants: Number(org.n),
  };
}

const root = join(import.meta.dirname, '../..');
/** What a loaded chain depends on: the migrations and the generator. A change reloads it. */
function chainFingerprint(): string {
  const hash = createHash('sha256');
  const dir = join(root, 'supabase/migrations');
  for (const f of readdirSync(dir).sort()) hash.update(readFileSync(join(dir, f)));
  hash.update(readFileSync(join(root, 'bench/lib/chain.ts')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The cloud on a database that holds the chain, loaded once and kept between runs (it takes
 * minutes to hours): grow_bench_chain_<sizes>, dropped and loaded again when the migrations or
 * the generator change.
 */
export async function chainCloud(
  size: ChainSize,
  log: (s: string) => void,
): Promise<{ cloud: TestCloud; load: ChainLoad }> {
  const name = `grow_bench_chain_${size.restaurants}_${size.organisations}_${size.orders}_${size.days}`;
  const fingerprint = chainFingerprint();
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (exists) {
      const c = new pg.Client({
        connectionString: Object.assign(new URL(server), { pathname: `/${name}` }).toString(),
      });
      await c.connect();
      const kept = await c
        .query('select load from grow_private.bench_chain where fingerprint = $1', [fingerprint])
        .catch(() => ({ rows: [] as Array<{ load: ChainLoad }> }));
      await c.end();
      if (kept.rows[0]) {
        log(`    reusing ${name} (${kept.rows[0].load.orders.toLocaleString('en')} orders)`);
        const cloud = await startCloud({ keepDatabase: name });
        return { cloud, load: kept.rows[0].load };
      }
      log(`    ${name} is from other migrations or half loaded: loading again`);
      await admin.query(`drop database ${name} with (force)`);
    }
  } finally {
    await admin.end();
  }
  log(
    `    loading ${size.orders.toLocaleString('en')} orders over ${size.restaurants} restaurants and ${size.days} days into ${name}`,
  );
  const cloud = await startCloud({ keepDatabase: name });
  const load = await loadChain(cloud, size, log);
  log(
    `    history: ${load.orders} orders, ${load.lines} lines, ${load.payments} payments in ${load.seconds.toFixed(0)} s; ${load.bytesPerOrder} bytes an order`,
  );
  await cloud.db.query(
    'create table grow_private.bench_chain (fingerprint text primary key, load jsonb not null)',
  );
  await cloud.db.query('insert into grow_private.bench_chain values ($1, $2)', [
    fingerprint,
    JSON.stringify(load),
  ]);
  return { cloud, load };
}
