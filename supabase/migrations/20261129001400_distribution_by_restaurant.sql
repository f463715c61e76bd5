-- The cloud at 10,000 restaurants (issue 20), 1 of 4: every table says how it would be
-- distributed, in its comment (`distribution: restaurant_id.` or `distribution: reference.`), and
-- every distributed table's keys include restaurant_id, so the schema moves to Citus unchanged.
-- test/cloud-scale.test.ts checks both over all the migrations. docs/cloud-scale.md.

-- A hub is found by its id (its credential names it) but belongs to a restaurant: the key says so.
alter table public.hubs drop constraint hubs_pkey, add primary key (restaurant_id, id);
create index hubs_by_id on public.hubs (id);

comment on table public.organisations is 'distribution: reference. One row per organisation.';
comment on table public.restaurants is 'distribution: reference. One row per restaurant (10,000 rows is small).';
comment on table public.hq_members is 'distribution: reference. HQ users, per organisation.';
do $$
declare
  t text;
begin
  foreach t in array array['hubs', 'hub_events', 'orders', 'order_lines', 'payments', 'menu_versions', 'staff_members',
                           'punches', 'drawer_sessions', 'server_checkouts', 'z_reports', 'audit_trail'] loop
    execute format('comment on table public.%I is %L', t, 'distribution: restaurant_id.');
  end loop;
end $$;
