-- Grow cloud schema: what HQ sees of every restaurant, fed by hubs in batches.
--
-- Sharding: every table carries restaurant_id (organisations aside) and every primary key
-- includes it, so the schema distributes on Citus with restaurant_id as the distribution column
-- without changing the RPC contract. Order-sized tables are range-partitioned by time.
--
-- Writers (invariant 1, docs/architecture.md): hubs write orders, lines, payments and events of their own
-- restaurant (through ingest_batch); HQ writes organisations, restaurants, hubs and menu versions.

create schema if not exists grow_private;
revoke all on schema grow_private from public;

create table public.organisations (
  id uuid primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table public.restaurants (
  id uuid primary key,
  organisation_id uuid not null references public.organisations (id),
  name text not null,
  timezone text not null default 'UTC',
  created_at timestamptz not null default now()
);
create index restaurants_organisation on public.restaurants (organisation_id);

create table public.hubs (
  id uuid primary key,
  restaurant_id uuid not null references public.restaurants (id),
  name text not null default 'hub',
  -- The highest seq this hub's events are applied up to: the cloud side of the sync cursor.
  synced_seq bigint not null default 0,
  last_contact_at timestamptz,
  created_at timestamptz not null default now()
);
create index hubs_restaurant on public.hubs (restaurant_id);

-- Every event every hub has sent, exactly once per (hub, seq): the audit trail and the source
-- the projections below are derived from.
create table public.hub_events (
  restaurant_id uuid not null,
  hub_id uuid not null,
  seq bigint not null,
  type text not null,
  entity_id text not null,
  at timestamptz not null,
  data jsonb not null,
  received_at timestamptz not null default now(),
  primary key (restaurant_id, hub_id, seq, at)
) partition by range (at);
create index hub_events_hub_seq on public.hub_events (hub_id, seq);

create table public.orders (
  restaurant_id uuid not null,
  id uuid not null,
  hub_id uuid not null,
  number integer not null,
  status text not null,
  currency text not null,
  menu_version integer not null,
  subtotal bigint not null,
  tax bigint not null,
  total bigint not null,
  note text,
  table_label text,
  void_reason text,
  device_id uuid,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  -- seq of the last event applied to this row, so a replayed or older event never moves it back.
  last_seq bigint not null,
  primary key (restaurant_id, id, created_at)
) partition by range (created_at);
create index orders_restaurant_time on public.orders (restaurant_id, created_at desc);
create index orders_restaurant_id on public.orders (restaurant_id, id);

create table public.order_lines (
  restaurant_id uuid not null,
  order_id uuid not null,
  line_no integer not null,
  created_at timestamptz not null,
  item_id text not null,
  name text not null,
  qty integer not null check (qty > 0),
  unit_price bigint not null,
  line_total bigint not null,
  station_id text not null,
  tax_class_id text not null,
  modifiers jsonb not null default '[]',
  note text,
  primary key (restaurant_id, order_id, line_no, created_at)
) partition by range (created_at);
create index order_lines_item on public.order_lines (restaurant_id, created_at, item_id);

-- Filled from payment events once hubs take payments (issue 6).
create table public.payments (
  restaurant_id uuid not null,
  id uuid not null,
  order_id uuid not null,
  hub_id uuid not null,
  method text not null,
  status text not null,
  amount bigint not null,
  tip bigint not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  last_seq bigint not null,
  primary key (restaurant_id, id)
);

-- Menus HQ publishes; a hub pulls the newest version for its restaurant (menu_since).
create table public.menu_versions (
  restaurant_id uuid not null references public.restaurants (id),
  version integer not null check (version > 0),
  body jsonb not null,
  published_at timestamptz not null default now(),
  primary key (restaurant_id, version)
);

-- Yearly partitions for the time-partitioned tables, plus a default for anything outside them.
create function grow_private.ensure_year_partitions(p_table text, p_from integer, p_to integer)
returns void language plpgsql as $$
begin
  for y in p_from .. p_to loop
    execute format(
      'create table if not exists public.%I partition of public.%I for values from (%L) to (%L)',
      p_table || '_' || y, p_table, make_date(y, 1, 1), make_date(y + 1, 1, 1));
  end loop;
  execute format('create table if not exists public.%I partition of public.%I default', p_table || '_default', p_table);
end $$;

select grow_private.ensure_year_partitions(t, 2024, 2032)
from unnest(array['hub_events', 'orders', 'order_lines']) as t;

-- Claims of the caller's JWT. A hub's credential carries grow_role=hub, hub_id and restaurant_id;
-- an HQ user's carries grow_role=hq and organisation_id.
create function grow_private.claim(p_name text) returns text
language sql stable as $$ select auth.jwt() ->> p_name $$;

create function grow_private.hub_restaurant() returns uuid
language sql stable as $$
  select case when grow_private.claim('grow_role') = 'hub' then nullif(grow_private.claim('restaurant_id'), '')::uuid end
$$;

-- security definer: reads restaurants without recursing through its own policy.
create function grow_private.hq_restaurants() returns setof uuid
language sql stable security definer set search_path = public, pg_temp as $$
  select r.id from public.restaurants r
  where grow_private.claim('grow_role') = 'hq'
    and r.organisation_id = nullif(grow_private.claim('organisation_id'), '')::uuid
$$;

grant usage on schema grow_private to authenticated;
grant execute on all functions in schema grow_private to authenticated;

alter table public.organisations enable row level security;
alter table public.restaurants enable row level security;
alter table public.hubs enable row level security;
alter table public.hub_events enable row level security;
alter table public.orders enable row level security;
alter table public.order_lines enable row level security;
alter table public.payments enable row level security;
alter table public.menu_versions enable row level security;

create policy hq_reads_own_organisation on public.organisations for select to authenticated
  using (grow_private.claim('grow_role') = 'hq' and id = nullif(grow_private.claim('organisation_id'), '')::uuid);

create policy read_restaurants on public.restaurants for select to authenticated
  using (id = (select grow_private.hub_restaurant()) or id in (select grow_private.hq_restaurants()));

create policy read_hubs on public.hubs for select to authenticated
  using (id = nullif(grow_private.claim('hub_id'), '')::uuid or restaurant_id in (select grow_private.hq_restaurants()));
create policy hub_updates_itself on public.hubs for update to authenticated
  using (grow_private.claim('grow_role') = 'hub' and id = nullif(grow_private.claim('hub_id'), '')::uuid)
  with check (grow_private.claim('grow_role') = 'hub' and id = nullif(grow_private.claim('hub_id'), '')::uuid);

-- Hub-written tables: a hub reads and writes only its own restaurant's rows; HQ reads its org's.
create policy hub_writes_events on public.hub_events for insert to authenticated
  with check (restaurant_id = (select grow_private.hub_restaurant()) and hub_id = nullif(grow_private.claim('hub_id'), '')::uuid);
create policy read_events on public.hub_events for select to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()));

create policy hub_writes_orders on public.orders for insert to authenticated
  with check (restaurant_id = (select grow_private.hub_restaurant()));
create policy hub_updates_orders on public.orders for update to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()))
  with check (restaurant_id = (select grow_private.hub_restaurant()));
create policy read_orders on public.orders for select to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()));

create policy hub_writes_lines on public.order_lines for insert to authenticated
  with check (restaurant_id = (select grow_private.hub_restaurant()));
create policy read_lines on public.order_lines for select to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()));

create policy hub_writes_payments on public.payments for insert to authenticated
  with check (restaurant_id = (select grow_private.hub_restaurant()));
create policy hub_updates_payments on public.payments for update to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()))
  with check (restaurant_id = (select grow_private.hub_restaurant()));
create policy read_payments on public.payments for select to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()));

create policy read_menus on public.menu_versions for select to authenticated
  using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()));
create policy hq_publishes_menus on public.menu_versions for insert to authenticated
  with check (restaurant_id in (select grow_private.hq_restaurants()));

grant usage on schema public to anon, authenticated, service_role;
grant select on public.organisations, public.restaurants to authenticated;
grant select, update on public.hubs to authenticated;
grant select, insert on public.hub_events, public.order_lines to authenticated;
grant select, insert, update on public.orders, public.payments to authenticated;
grant select, insert on public.menu_versions to authenticated;
grant all on all tables in schema public to service_role;
