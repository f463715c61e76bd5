-- The cloud at 10,000 restaurants (issue 20), 2 of 4: raw tables are partitioned by month (they
-- were by year), made ahead and archived after a policy by grow_private.maintain_partitions(),
-- which pg_cron runs daily where it is enabled and the operator's `grow-hub cloud maintain` where
-- it is not. docs/cloud-scale.md says why a month.

create schema if not exists grow_archive;
revoke all on schema grow_archive from public;

-- How far ahead months are made and how many months of raw rows stay attached (rollups stay
-- whole: an archived month still counts in every HQ figure; only its checks leave drill-down).
create table grow_private.partition_policy (
  only_row boolean primary key default true check (only_row),
  months_ahead integer not null default 3 check (months_ahead between 1 and 24),
  months_kept integer not null default 13 check (months_kept >= 2)
);
insert into grow_private.partition_policy default values;

create function grow_private.partition_column(p_table text) returns text
language sql immutable as $$ select case p_table when 'hub_events' then 'at' else 'created_at' end $$;

-- The month's partition of a raw table (UTC months), made if missing. Rows the default partition
-- caught for that month move into it first, so a month already written to can still be made.
create function grow_private.ensure_month_partition(p_table text, p_month date) returns boolean
language plpgsql set search_path = public, pg_temp as $$
declare
  v_col text := grow_private.partition_column(p_table);
  v_name text := format('%s_%s', p_table, to_char(p_month, 'YYYY_MM'));
  v_from timestamptz := date_trunc('month', p_month)::timestamp at time zone 'UTC';
  v_to timestamptz := (date_trunc('month', p_month) + interval '1 month')::timestamp at time zone 'UTC';
  v_caught boolean;
begin
  if to_regclass(format('public.%I', v_name)) is not null then
    return false;
  end if;
  execute format('select exists (select from public.%I where %I >= $1 and %I < $2)', p_table || '_default', v_col, v_col)
    into v_caught using v_from, v_to;
  if v_caught then
    -- Moved by hand rather than by the parent, so no trigger sees the rows leave and come back.
    execute format('create table public.%I (like public.%I including all)', v_name, p_table);
    execute format('with moved as (delete from public.%I where %I >= $1 and %I < $2 returning *) insert into public.%I select * from moved',
                   p_table || '_default', v_col, v_col, v_name) using v_from, v_to;
    execute format('alter table public.%I attach partition public.%I for values from (%L) to (%L)', p_table, v_name, v_from, v_to);
  else
    execute format('create table public.%I partition of public.%I for values from (%L) to (%L)', v_name, p_table, v_from, v_to);
  end if;
  return true;
end $$;

create function grow_private.ensure_month_partitions(p_from date, p_to date) returns integer
language plpgsql set search_path = public, pg_temp as $$
declare
  v_made integer := 0;
  t text;
  m date;
begin
  foreach t in array array['hub_events', 'orders', 'order_lines'] loop
    for m in select generate_series(date_trunc('month', p_from), date_trunc('month', p_to), interval '1 month')::date loop
      v_made := v_made + grow_private.ensure_month_partition(t, m)::integer;
    end loop;
  end loop;
  return v_made;
end $$;

-- The daily job: months ahead made, months past the policy detached into the grow_archive schema
-- (kept, not dropped: an operator dumps or drops them). Says what it did.
create function grow_private.maintain_partitions(p_now timestamptz default now()) returns jsonb
language plpgsql set search_path = public, pg_temp as $$
declare
  v_policy grow_private.partition_policy;
  v_this_month date := date_trunc('month', p_now at time zone 'UTC')::date;
  v_cutoff date;
  v_archived text[] := '{}';
  v_made integer;
  p record;
begin
  select * into v_policy from grow_private.partition_policy;
  v_made := grow_private.ensure_month_partitions(v_this_month, (v_this_month + make_interval(months => v_policy.months_ahead))::date);
  v_cutoff := (v_this_month - make_interval(months => v_policy.months_kept - 1))::date;
  for p in
    select parent.relname as parent, child.relname as child
    from pg_inherits i
    join pg_class parent on parent.oid = i.inhparent
    join pg_class child on child.oid = i.inhrelid
    join pg_namespace n on n.oid = parent.relnamespace
    where n.nspname = 'public' and parent.relname in ('hub_events', 'orders', 'order_lines')
      and child.relname ~ '_\d{4}_\d{2}$'
      and to_date(right(child.relname, 7), 'YYYY_MM') < v_cutoff
    order by child.relname
  loop
    execute format('alter table public.%I detach partition public.%I', p.parent, p.child);
    execute format('alter table public.%I set schema grow_archive', p.child);
    v_archived := v_archived || p.child;
  end loop;
  return jsonb_build_object('made', v_made, 'archived', to_jsonb(v_archived), 'kept_from', v_cutoff);
end $$;

-- The operator's way in where pg_cron is not enabled: service_role only.
create function public.maintain_partitions() returns jsonb
language sql security definer set search_path = public, pg_temp as $$ select grow_private.maintain_partitions() $$;
revoke execute on function public.maintain_partitions() from public, anon, authenticated;
grant execute on function public.maintain_partitions() to service_role;

-- Yearly partitions become monthly ones: each year's rows go back in through the parent, with the
-- parent's triggers off (they were applied when the rows first came).
create function grow_private.repartition_monthly(p_table text) returns void
language plpgsql set search_path = public, pg_temp as $$
declare
  v_col text := grow_private.partition_column(p_table);
  v_old text[] := '{}';
  v_months date[];
  c text;
begin
  for c in
    select child.relname from pg_inherits i
    join pg_class child on child.oid = i.inhrelid
    where i.inhparent = format('public.%I', p_table)::regclass
  loop
    execute format('alter table public.%I detach partition public.%I', p_table, c);
    execute format('alter table public.%I rename to %I', c, c || '_yearly');
    v_old := v_old || (c || '_yearly');
  end loop;
  execute format('create table public.%I partition of public.%I default', p_table || '_default', p_table);
  foreach c in array v_old loop
    execute format('select array_agg(distinct date_trunc(''month'', %I at time zone ''UTC'')::date) from public.%I', v_col, c)
      into v_months;
    perform grow_private.ensure_month_partition(p_table, m) from unnest(coalesce(v_months, '{}')) m;
  end loop;
  execute format('alter table public.%I disable trigger user', p_table);
  foreach c in array v_old loop
    execute format('insert into public.%I select * from public.%I', p_table, c);
    execute format('drop table public.%I', c);
  end loop;
  execute format('alter table public.%I enable trigger user', p_table);
end $$;

select grow_private.repartition_monthly(t) from unnest(array['hub_events', 'orders', 'order_lines']) t;
-- Months ahead only: nothing is archived before the next migration has counted the old months
-- into their rollups; the first daily run archives.
select grow_private.ensure_month_partitions(current_date, (current_date + interval '3 months')::date);
drop function grow_private.repartition_monthly(text);
drop function grow_private.ensure_year_partitions(text, integer, integer);

-- Daily, where pg_cron is enabled (Supabase: Database → Extensions); elsewhere a notice, and the
-- operator schedules `grow-hub cloud maintain` (docs/cloud-scale.md).
do $$
begin
  if exists (select from pg_extension where extname = 'pg_cron') then
    execute $cron$select cron.schedule('grow-partitions', '17 3 * * *', 'select grow_private.maintain_partitions()')$cron$;
  else
    raise notice 'pg_cron is not enabled: schedule `grow-hub cloud maintain` daily (docs/cloud-scale.md)';
  end if;
end $$;

-- Only the owner (and the daily job) keeps the cloud's partitions.
revoke execute on function grow_private.ensure_month_partition(text, date), grow_private.ensure_month_partitions(date, date),
  grow_private.maintain_partitions(timestamptz) from public, anon, authenticated;
