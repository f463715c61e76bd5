-- The cloud at 10,000 restaurants (issue 20), 3 of 4: rollups per restaurant and business day
-- (sales also by hour, items sold also by week; tenders; voids, comps, discounts and refunds by
-- who), kept by statement triggers on the raw rows in the ingest's own transaction. Each statement
-- adds what its new rows count and takes off what its old rows counted, so a replayed or
-- overlapping batch, which changes no row, changes no rollup. docs/cloud-scale.md.
--
-- One file, longer than most: the rollup tables, the functions that count into them, the
-- triggers that call those and the recount are one mechanism, read together.

-- A line counts in items sold unless it, or its whole check, is voided. The check's state is
-- copied onto its lines so that what a line counts follows from the line alone, whatever order a
-- statement's triggers run in.
alter table public.order_lines add column order_voided boolean not null default false;

-- Per restaurant, business day (its own clock and day start) and hour of its clock. Voided
-- checks count apart, in voided_orders and voided_total, never in sales.
create table public.sales_by_hour (
  restaurant_id uuid not null,
  business_date date not null,
  hour smallint not null check (hour between 0 and 23),
  orders bigint not null,
  voided_orders bigint not null,
  voided_total bigint not null,
  gross bigint not null,
  voids bigint not null,
  comps bigint not null,
  discounts bigint not null,
  subtotal bigint not null,
  tax bigint not null,
  total bigint not null,
  covers bigint not null,
  primary key (restaurant_id, business_date, hour)
);

create table public.sales_by_day (
  restaurant_id uuid not null,
  business_date date not null,
  orders bigint not null,
  voided_orders bigint not null,
  voided_total bigint not null,
  gross bigint not null,
  voids bigint not null,
  comps bigint not null,
  discounts bigint not null,
  subtotal bigint not null,
  tax bigint not null,
  total bigint not null,
  covers bigint not null,
  primary key (restaurant_id, business_date)
);

-- Items sold: comped lines at no value, discounts off, voided lines and checks not at all.
create table public.items_by_day (
  restaurant_id uuid not null,
  business_date date not null,
  item_id text not null,
  name text not null,
  qty bigint not null,
  sales bigint not null,
  primary key (restaurant_id, business_date, item_id)
);

-- The same by business week (from Monday): HQ's "top items this week" for 500 restaurants reads
-- 40 rows a restaurant rather than 280.
create table public.items_by_week (
  restaurant_id uuid not null,
  week date not null,
  item_id text not null,
  name text not null,
  qty bigint not null,
  sales bigint not null,
  primary key (restaurant_id, week, item_id)
);

-- Payments by the business day they were taken, method and where they stand now.
create table public.tenders_by_day (
  restaurant_id uuid not null,
  business_date date not null,
  method text not null,
  status text not null,
  payments bigint not null,
  amount bigint not null,
  tip bigint not null,
  refunded bigint not null,
  primary key (restaurant_id, business_date, method, status)
);

-- Voids, comps, discounts and refunds by who did them and who approved them (approver '' when
-- none: a key column cannot be null).
create table public.adjustments_by_day (
  restaurant_id uuid not null,
  business_date date not null,
  action text not null,
  staff_name text not null,
  approver_name text not null,
  count bigint not null,
  amount bigint not null,
  primary key (restaurant_id, business_date, action, staff_name, approver_name)
);

do $$
declare
  t text;
begin
  foreach t in array array['sales_by_hour', 'sales_by_day', 'items_by_day', 'items_by_week', 'tenders_by_day', 'adjustments_by_day'] loop
    execute format('comment on table public.%I is %L', t, 'distribution: restaurant_id. A rollup kept by triggers on the raw rows.');
    execute format('alter table public.%I enable row level security', t);
    execute format(
      'create policy read_%1$s on public.%1$I for select to authenticated using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()))',
      t);
    execute format('grant select on public.%I to authenticated', t);
  end loop;
end $$;

-- The Monday a business date's week starts on.
create function grow_private.week_of(p_day date) returns date
language sql immutable as $$ select p_day - (extract(isodow from p_day)::integer - 1) $$;

-- A moment's business date, as 20261129000500 has it, without the search_path setting that kept
-- the planner from inlining it: rollups call it for every row.
create or replace function grow_private.business_date(p_timezone text, p_day_starts time, p_at timestamptz)
returns date
language sql immutable as $$
  select ((p_at at time zone p_timezone) - p_day_starts)::date
$$;

-- What orders count (p_sign 1) or stop counting (-1), per restaurant, business day and hour.
-- This and the three like it below name their tables in full and set no search_path, so the
-- planner inlines them into the statement that calls them.
create function grow_private.order_sales(p_orders public.orders[], p_sign integer)
returns setof public.sales_by_hour
language sql stable as $$
  select o.restaurant_id, grow_private.business_date(r.timezone, r.day_starts_at, o.created_at),
         extract(hour from o.created_at at time zone r.timezone)::smallint,
         k.sold, k.voided, k.voided * o.total, k.sold * o.gross, k.sold * o.voids, k.sold * o.comps,
         k.sold * o.discounts, k.sold * o.subtotal, k.sold * o.tax, k.sold * o.total, k.sold * coalesce(o.guests, 0)
  from unnest(p_orders) o
  join public.restaurants r on r.id = o.restaurant_id
  cross join lateral (select p_sign * (o.status <> 'voided')::integer as sold,
                             p_sign * (o.status = 'voided')::integer as voided) k
$$;

create function grow_private.line_items(p_lines public.order_lines[], p_sign integer)
returns setof public.items_by_day
language sql stable as $$
  select l.restaurant_id, grow_private.business_date(r.timezone, r.day_starts_at, l.created_at), l.item_id, l.name,
         k.sold * l.qty, k.sold * case when l.comped then 0 else l.line_total - l.discount end
  from unnest(p_lines) l
  join public.restaurants r on r.id = l.restaurant_id
  cross join lateral (select p_sign * (not l.voided and not l.order_voided)::integer as sold) k
$$;

create function grow_private.payment_tenders(p_payments public.payments[], p_sign integer)
returns setof public.tenders_by_day
language sql stable as $$
  select p.restaurant_id, grow_private.business_date(r.timezone, r.day_starts_at, p.created_at), p.method, p.status,
         p_sign, p_sign * p.amount, p_sign * p.tip, p_sign * p.refunded
  from unnest(p_payments) p
  join public.restaurants r on r.id = p.restaurant_id
$$;

create function grow_private.audit_adjustments(p_lines public.audit_trail[])
returns setof public.adjustments_by_day
language sql stable as $$
  select a.restaurant_id, grow_private.business_date(r.timezone, r.day_starts_at, a.at), a.action,
         coalesce(a.staff_name, 'nobody signed in'), coalesce(a.approver_name, ''), 1::bigint, coalesce(a.amount, 0)
  from unnest(p_lines) a
  join public.restaurants r on r.id = a.restaurant_id
  where a.action in ('void', 'comp', 'discount', 'refund')
$$;

-- Adds the new rows' counts and takes off the old rows'. Keys are written in order, so two
-- transactions touching the same days lock them in the same order; rows that cancel out are not
-- written at all (most order updates move no figure). PL/pgSQL rather than SQL functions: its
-- plans are kept for the session (PostgREST's pooled connection), where a SQL function's body is
-- planned again at each call, which tripled the cost of a small batch.
create function grow_private.roll_up_orders(p_new public.orders[], p_old public.orders[]) returns void
language plpgsql set search_path = public, pg_temp as $$
begin
  with delta as (
    select c.restaurant_id, c.business_date, c.hour, sum(c.orders) as orders, sum(c.voided_orders) as voided_orders,
           sum(c.voided_total) as voided_total, sum(c.gross) as gross, sum(c.voids) as voids, sum(c.comps) as comps,
           sum(c.discounts) as discounts, sum(c.subtotal) as subtotal, sum(c.tax) as tax, sum(c.total) as total,
           sum(c.covers) as covers
    from (select * from grow_private.order_sales(p_new, 1) union all select * from grow_private.order_sales(p_old, -1)) c
    group by c.restaurant_id, c.business_date, c.hour
    having sum(c.orders) <> 0 or sum(c.voided_orders) <> 0 or sum(c.voided_total) <> 0 or sum(c.gross) <> 0
        or sum(c.voids) <> 0 or sum(c.comps) <> 0 or sum(c.discounts) <> 0 or sum(c.subtotal) <> 0
        or sum(c.tax) <> 0 or sum(c.total) <> 0 or sum(c.covers) <> 0
  ),
  hours as (
    insert into sales_by_hour as t
    select * from delta order by restaurant_id, business_date, hour
    on conflict (restaurant_id, business_date, hour) do update
      set orders = t.orders + excluded.orders, voided_orders = t.voided_orders + excluded.voided_orders,
          voided_total = t.voided_total + excluded.voided_total, gross = t.gross + excluded.gross,
          voids = t.voids + excluded.voids, comps = t.comps + excluded.comps, discounts = t.discounts + excluded.discounts,
          subtotal = t.subtotal + excluded.subtotal, tax = t.tax + excluded.tax, total = t.total + excluded.total,
          covers = t.covers + excluded.covers
  )
  insert into sales_by_day as t
  select d.restaurant_id, d.business_date, sum(d.orders), sum(d.voided_orders), sum(d.voided_total), sum(d.gross),
         sum(d.voids), sum(d.comps), sum(d.discounts), sum(d.subtotal), sum(d.tax), sum(d.total), sum(d.covers)
  from delta d
  group by d.restaurant_id, d.business_date
  order by d.restaurant_id, d.business_date
  on conflict (restaurant_id, business_date) do update
    set orders = t.orders + excluded.orders, voided_orders = t.voided_orders + excluded.voided_orders,
        voided_total = t.voided_total + excluded.voided_total, gross = t.gross + excluded.gross,
        voids = t.voids + excluded.voids, comps = t.comps + excluded.comps, discounts = t.discounts + excluded.discounts,
        subtotal = t.subtotal + excluded.subtotal, tax = t.tax + excluded.tax, total = t.total + excluded.total,
        covers = t.covers + excluded.covers;
end $$;

create function grow_private.roll_up_lines(p_new public.order_lines[], p_old public.order_lines[]) returns void
language plpgsql set search_path = public, pg_temp as $$
begin
  with delta as (
    select c.restaurant_id, c.business_date, c.item_id, max(c.name) as name, sum(c.qty) as qty, sum(c.sales) as sales
    from (select * from grow_private.line_items(p_new, 1) union all select * from grow_private.line_items(p_old, -1)) c
    group by c.restaurant_id, c.business_date, c.item_id
    having sum(c.qty) <> 0 or sum(c.sales) <> 0
  ),
  days as (
    insert into items_by_day as t
    select * from delta order by restaurant_id, business_date, item_id
    on conflict (restaurant_id, business_date, item_id) do update
      set name = excluded.name, qty = t.qty + excluded.qty, sales = t.sales + excluded.sales
  )
  insert into items_by_week as t
  select d.restaurant_id, grow_private.week_of(d.business_date), d.item_id, max(d.name), sum(d.qty), sum(d.sales)
  from delta d
  group by 1, 2, 3
  order by 1, 2, 3
  on conflict (restaurant_id, week, item_id) do update
    set name = excluded.name, qty = t.qty + excluded.qty, sales = t.sales + excluded.sales;
end $$;

create function grow_private.roll_up_payments(p_new public.payments[], p_old public.payments[]) returns void
language plpgsql set search_path = public, pg_temp as $$
begin
  insert into tenders_by_day as t
  select c.restaurant_id, c.business_date, c.method, c.status, sum(c.payments), sum(c.amount), sum(c.tip), sum(c.refunded)
  from (select * from grow_private.payment_tenders(p_new, 1) union all select * from grow_private.payment_tenders(p_old, -1)) c
  group by c.restaurant_id, c.business_date, c.method, c.status
  having sum(c.payments) <> 0 or sum(c.amount) <> 0 or sum(c.tip) <> 0 or sum(c.refunded) <> 0
  order by c.restaurant_id, c.business_date, c.method, c.status
  on conflict (restaurant_id, business_date, method, status) do update
    set payments = t.payments + excluded.payments, amount = t.amount + excluded.amount, tip = t.tip + excluded.tip,
        refunded = t.refunded + excluded.refunded;
end $$;

-- Audit lines are only ever added.
create function grow_private.roll_up_audit(p_new public.audit_trail[]) returns void
language plpgsql set search_path = public, pg_temp as $$
begin
  insert into adjustments_by_day as t
  select c.restaurant_id, c.business_date, c.action, c.staff_name, c.approver_name, sum(c.count), sum(c.amount)
  from grow_private.audit_adjustments(p_new) c
  group by c.restaurant_id, c.business_date, c.action, c.staff_name, c.approver_name
  order by c.restaurant_id, c.business_date, c.action, c.staff_name, c.approver_name
  on conflict (restaurant_id, business_date, action, staff_name, approver_name) do update
    set count = t.count + excluded.count, amount = t.amount + excluded.amount;
end $$;

-- The statement triggers. Each sees its statement's rows through transition tables (`added`,
-- `removed`); a table whose statement added or removed nothing passes an empty array.
-- One function a table, alike by design: each casts to its own table's row type, and PostgreSQL
-- allows transition tables only on a trigger for one event, hence three triggers a table.
create function grow_private.orders_roll_up() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    perform grow_private.roll_up_orders(array(select a::orders from added a), '{}');
  elsif tg_op = 'DELETE' then
    perform grow_private.roll_up_orders('{}', array(select r::orders from removed r));
  else
    perform grow_private.roll_up_orders(array(select a::orders from added a), array(select r::orders from removed r));
    -- A check voided or un-voided carries its lines with it (their trigger moves items sold).
    update order_lines l set order_voided = (a.status = 'voided')
      from added a join removed r on r.restaurant_id = a.restaurant_id and r.id = a.id and r.created_at = a.created_at
     where (a.status = 'voided') <> (r.status = 'voided')
       and l.restaurant_id = a.restaurant_id and l.order_id = a.id and l.created_at = a.created_at;
  end if;
  return null;
end $$;

create function grow_private.lines_roll_up() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    perform grow_private.roll_up_lines(array(select a::order_lines from added a), '{}');
  elsif tg_op = 'DELETE' then
    perform grow_private.roll_up_lines('{}', array(select r::order_lines from removed r));
  else
    perform grow_private.roll_up_lines(array(select a::order_lines from added a), array(select r::order_lines from removed r));
  end if;
  return null;
end $$;

create function grow_private.payments_roll_up() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if tg_op = 'INSERT' then
    perform grow_private.roll_up_payments(array(select a::payments from added a), '{}');
  elsif tg_op = 'DELETE' then
    perform grow_private.roll_up_payments('{}', array(select r::payments from removed r));
  else
    perform grow_private.roll_up_payments(array(select a::payments from added a), array(select r::payments from removed r));
  end if;
  return null;
end $$;

create function grow_private.audit_roll_up() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  perform grow_private.roll_up_audit(array(select a::audit_trail from added a));
  return null;
end $$;

create trigger audit_roll_up_inserted after insert on public.audit_trail
  referencing new table as added for each statement execute function grow_private.audit_roll_up();
create trigger orders_roll_up_inserted after insert on public.orders
  referencing new table as added for each statement execute function grow_private.orders_roll_up();
create trigger orders_roll_up_updated after update on public.orders
  referencing old table as removed new table as added for each statement execute function grow_private.orders_roll_up();
create trigger orders_roll_up_deleted after delete on public.orders
  referencing old table as removed for each statement execute function grow_private.orders_roll_up();
create trigger lines_roll_up_inserted after insert on public.order_lines
  referencing new table as added for each statement execute function grow_private.lines_roll_up();
create trigger lines_roll_up_updated after update on public.order_lines
  referencing old table as removed new table as added for each statement execute function grow_private.lines_roll_up();
create trigger lines_roll_up_deleted after delete on public.order_lines
  referencing old table as removed for each statement execute function grow_private.lines_roll_up();
create trigger payments_roll_up_inserted after insert on public.payments
  referencing new table as added for each statement execute function grow_private.payments_roll_up();
create trigger payments_roll_up_updated after update on public.payments
  referencing old table as removed new table as added for each statement execute function grow_private.payments_roll_up();
create trigger payments_roll_up_deleted after delete on public.payments
  referencing old table as removed for each statement execute function grow_private.payments_roll_up();

-- One restaurant's rollups counted again from its raw rows, from p_from_day on (null: nothing was
-- counted yet). Archived rows are not recounted, so days before the first attached row keep what
-- they had.
create function grow_private.rebuild_rollups(p_restaurant_id uuid, p_from_day date) returns void
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  delete from sales_by_hour where restaurant_id = p_restaurant_id and business_date >= p_from_day;
  delete from sales_by_day where restaurant_id = p_restaurant_id and business_date >= p_from_day;
  delete from items_by_day where restaurant_id = p_restaurant_id and business_date >= p_from_day;
  delete from items_by_week where restaurant_id = p_restaurant_id and week >= grow_private.week_of(p_from_day);
  delete from tenders_by_day where restaurant_id = p_restaurant_id and p_from_day is not null;
  delete from adjustments_by_day where restaurant_id = p_restaurant_id and p_from_day is not null;
  perform grow_private.roll_up_orders(array(select o from orders o where o.restaurant_id = p_restaurant_id), '{}');
  perform grow_private.roll_up_lines(array(select l from order_lines l where l.restaurant_id = p_restaurant_id), '{}');
  -- The week p_from_day falls in went whole; the days of it before p_from_day (archived rows) come back from their days.
  insert into items_by_week as t
  select i.restaurant_id, grow_private.week_of(i.business_date), i.item_id, max(i.name), sum(i.qty), sum(i.sales)
  from items_by_day i
  where i.restaurant_id = p_restaurant_id and i.business_date >= grow_private.week_of(p_from_day) and i.business_date < p_from_day
  group by 1, 2, 3
  on conflict (restaurant_id, week, item_id) do update
    set name = excluded.name, qty = t.qty + excluded.qty, sales = t.sales + excluded.sales;
  perform grow_private.roll_up_payments(array(select p from payments p where p.restaurant_id = p_restaurant_id), '{}');
  perform grow_private.roll_up_audit(array(select a from audit_trail a where a.restaurant_id = p_restaurant_id));
end $$;

-- A restaurant's clock (time zone or day start) changed: its days are counted again, from the
-- earliest day its first attached order fell on by either clock.
create function grow_private.restaurant_clock_changed() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_first timestamptz := (select min(o.created_at) from orders o where o.restaurant_id = new.id);
begin
  perform grow_private.rebuild_rollups(new.id, coalesce(
    least(grow_private.business_date(old.timezone, old.day_starts_at, v_first),
          grow_private.business_date(new.timezone, new.day_starts_at, v_first)),
    'infinity'));
  return null;
end $$;

create trigger restaurants_clock_changed after update of timezone, day_starts_at on public.restaurants
  for each row when (old.timezone is distinct from new.timezone or old.day_starts_at is distinct from new.day_starts_at)
  execute function grow_private.restaurant_clock_changed();

-- What came before the rollups.
update public.order_lines l set order_voided = true
  from public.orders o
 where o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at and o.status = 'voided';
select grow_private.rebuild_rollups(id, null) from public.restaurants;

-- A changed check's lines come back carrying whether the check is voided (restated whole for that,
-- as CREATE OR REPLACE requires; otherwise as in 20261129001200).
create or replace function grow_private.apply_check_events()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  v_changed jsonb;
begin
  -- The newest state of each check the batch carries (created or updated), from the transition
  -- table `added`: what this insert added, nothing else. Orders take it when it is newer than
  -- what they hold; an updated check's old lines go, and its lines now are kept for below.
  with checks_now as (
    select distinct on (a.entity_id) a.restaurant_id, a.seq, a.type, a.data -> 'order' as o
    from added a where a.type in ('order.created', 'order.updated')
    order by a.entity_id, a.seq desc
  ),
  updated as (
    update orders o
       set status = c.o ->> 'status',
           order_type = coalesce(c.o ->> 'orderType', o.order_type),
           table_id = c.o ->> 'tableId',
           guests = (c.o ->> 'guests')::integer,
           gross = coalesce((c.o ->> 'gross')::bigint, (c.o ->> 'subtotal')::bigint),
           voids = coalesce((c.o ->> 'voids')::bigint, 0),
           comps = coalesce((c.o ->> 'comps')::bigint, 0),
           discounts = coalesce((c.o ->> 'discounts')::bigint, 0),
           subtotal = (c.o ->> 'subtotal')::bigint,
           tax = (c.o ->> 'tax')::bigint,
           total = (c.o ->> 'total')::bigint,
           table_label = c.o ->> 'tableLabel',
           void_reason = c.o ->> 'voidReason',
           updated_at = (c.o ->> 'updatedAt')::timestamptz,
           last_seq = c.seq
      from checks_now c
     where o.restaurant_id = c.restaurant_id and o.id = (c.o ->> 'id')::uuid and o.last_seq <= c.seq
    returning o.restaurant_id, o.id, o.created_at, o.status, c.type, c.o -> 'lines' as lines
  ),
  changed as (select * from updated where type = 'order.updated'),
  -- A changed check's lines are replaced whole: lines move between checks and are renumbered.
  gone as (
    delete from order_lines l using changed u
     where l.restaurant_id = u.restaurant_id and l.order_id = u.id and l.created_at = u.created_at
  )
  select jsonb_agg(jsonb_build_object('restaurant_id', restaurant_id, 'id', id, 'created_at', created_at, 'voided', status = 'voided',
                           'lines', lines))
    into v_changed from changed;

  -- A statement of its own: an insert beside the delete of the same keys would collide with it.
  insert into order_lines (restaurant_id, order_id, line_no, created_at, item_id, name, qty, unit_price,
                           line_total, station_id, tax_class_id, modifiers, note, discount, voided, comped, order_voided)
  select (ch ->> 'restaurant_id')::uuid, (ch ->> 'id')::uuid, (l ->> 'lineNo')::integer,
         (ch ->> 'created_at')::timestamptz, l ->> 'itemId', l ->> 'name', (l ->> 'qty')::integer,
         (l ->> 'unitPrice')::bigint, (l ->> 'lineTotal')::bigint, l ->> 'stationId', l ->> 'taxClassId',
         coalesce(l -> 'modifiers', '[]'::jsonb), l ->> 'note', coalesce((l ->> 'discount')::bigint, 0), jsonb_typeof(l -> 'void') = 'object',
         jsonb_typeof(l -> 'comp') = 'object', (ch ->> 'voided')::boolean
  from jsonb_array_elements(coalesce(v_changed, '[]'::jsonb)) ch
  cross join jsonb_array_elements(ch -> 'lines') l;
  return null;
end $$;


-- ingest_batch's statements (and the triggers they fire) take the same plan every time: a custom
-- plan per call re-plans every partition of orders and hub_events, which cost more than running
-- the statement (1 to 3 ms of a 3-event batch's 8, measured with auto_explain).
alter function public.ingest_batch(uuid, bigint, bigint, jsonb) set plan_cache_mode = force_generic_plan;

-- Only the owner recounts rollups.
revoke execute on function grow_private.rebuild_rollups(uuid, date) from public, anon, authenticated;
