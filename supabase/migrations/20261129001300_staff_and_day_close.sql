-- Staff, the time clock, cash drawers, server checkouts, Z reports and the audit trail (issue 16).
-- The hub owns all of it and sends each change as an event; the cloud keeps the newest state of
-- each (by seq) and every audit line and Z once. Staff arrive without PIN hashes: those never
-- leave the hub. Applied by a statement trigger on hub_events, like checks, so replays and
-- overlapping batches stay no-ops.

create table public.staff_members (
  restaurant_id uuid not null,
  id uuid not null,
  name text not null,
  role_id text not null,
  -- Minor units per hour, for labour cost.
  wage bigint,
  disabled_at timestamptz,
  last_seq bigint not null,
  primary key (restaurant_id, id)
);

create table public.punches (
  restaurant_id uuid not null,
  id uuid not null,
  staff_id uuid not null,
  staff_name text not null,
  job text not null,
  business_date date not null,
  in_at timestamptz not null,
  out_at timestamptz,
  breaks jsonb not null,
  edited jsonb,
  last_seq bigint not null,
  primary key (restaurant_id, id)
);
create index punches_by_day on public.punches (restaurant_id, business_date);

create table public.drawer_sessions (
  restaurant_id uuid not null,
  id uuid not null,
  business_date date not null,
  device_id text,
  owner_name text,
  opened_at timestamptz not null,
  closed_at timestamptz,
  float bigint not null,
  expected bigint,
  counted bigint,
  over_short bigint,
  moves jsonb not null,
  last_seq bigint not null,
  primary key (restaurant_id, id)
);
create index drawer_sessions_by_day on public.drawer_sessions (restaurant_id, business_date);

create table public.server_checkouts (
  restaurant_id uuid not null,
  staff_id uuid not null,
  business_date date not null,
  data jsonb not null,
  last_seq bigint not null,
  primary key (restaurant_id, staff_id, business_date)
);

-- A Z is written once and never changed, on the hub and here.
create table public.z_reports (
  restaurant_id uuid not null,
  number integer not null,
  business_date date not null,
  closed_at timestamptz not null,
  forced boolean not null,
  checks integer not null,
  net bigint not null,
  tax bigint not null,
  over_short bigint not null,
  figures jsonb not null,
  primary key (restaurant_id, number)
);

create table public.audit_trail (
  restaurant_id uuid not null,
  hub_id uuid not null,
  seq bigint not null,
  at timestamptz not null,
  action text not null,
  staff_id uuid,
  staff_name text,
  approver_id uuid,
  approver_name text,
  device_id text,
  order_id uuid,
  reason text,
  detail text not null,
  amount bigint,
  primary key (restaurant_id, hub_id, seq)
);
create index audit_trail_by_time on public.audit_trail (restaurant_id, at);

create function grow_private.apply_staff_events()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  insert into staff_members as t (restaurant_id, id, name, role_id, wage, disabled_at, last_seq)
  select distinct on (a.restaurant_id, a.entity_id)
         a.restaurant_id, (a.data #>> '{staff,id}')::uuid, a.data #>> '{staff,name}', a.data #>> '{staff,roleId}',
         (a.data #>> '{staff,wage}')::bigint, (a.data #>> '{staff,disabledAt}')::timestamptz, a.seq
  from added a where a.type = 'staff.updated'
  order by a.restaurant_id, a.entity_id, a.seq desc
  on conflict (restaurant_id, id) do update
    set name = excluded.name, role_id = excluded.role_id, wage = excluded.wage,
        disabled_at = excluded.disabled_at, last_seq = excluded.last_seq
    where t.last_seq < excluded.last_seq;

  insert into punches as t (restaurant_id, id, staff_id, staff_name, job, business_date, in_at, out_at, breaks, edited, last_seq)
  select distinct on (a.restaurant_id, a.entity_id)
         a.restaurant_id, (a.data #>> '{punch,id}')::uuid, (a.data #>> '{punch,staff,staffId}')::uuid,
         a.data #>> '{punch,staff,name}', a.data #>> '{punch,job}', (a.data ->> 'businessDate')::date,
         (a.data #>> '{punch,inAt}')::timestamptz, (a.data #>> '{punch,outAt}')::timestamptz,
         a.data #> '{punch,breaks}', a.data #> '{punch,edited}', a.seq
  from added a where a.type = 'punch.recorded'
  order by a.restaurant_id, a.entity_id, a.seq desc
  on conflict (restaurant_id, id) do update
    set in_at = excluded.in_at, out_at = excluded.out_at, breaks = excluded.breaks, edited = excluded.edited,
        business_date = excluded.business_date, last_seq = excluded.last_seq
    where t.last_seq < excluded.last_seq;

  insert into drawer_sessions as t (restaurant_id, id, business_date, device_id, owner_name, opened_at, closed_at,
                                    float, expected, counted, over_short, moves, last_seq)
  select distinct on (a.restaurant_id, a.entity_id)
         a.restaurant_id, (a.data #>> '{drawer,id}')::uuid, (a.data #>> '{drawer,businessDate}')::date,
         a.data #>> '{drawer,deviceId}', a.data #>> '{drawer,owner,name}', (a.data #>> '{drawer,openedAt}')::timestamptz,
         (a.data #>> '{drawer,closedAt}')::timestamptz, (a.data #>> '{drawer,float}')::bigint,
         (a.data #>> '{drawer,expected}')::bigint, (a.data #>> '{drawer,countedTotal}')::bigint,
         (a.data #>> '{drawer,overShort}')::bigint, a.data #> '{drawer,moves}', a.seq
  from added a where a.type = 'drawer.updated'
  order by a.restaurant_id, a.entity_id, a.seq desc
  on conflict (restaurant_id, id) do update
    set closed_at = excluded.closed_at, expected = excluded.expected, counted = excluded.counted,
        over_short = excluded.over_short, moves = excluded.moves, last_seq = excluded.last_seq
    where t.last_seq < excluded.last_seq;

  insert into server_checkouts as t (restaurant_id, staff_id, business_date, data, last_seq)
  select distinct on (a.restaurant_id, a.entity_id)
         a.restaurant_id, (a.data #>> '{checkout,staff,staffId}')::uuid, (a.data #>> '{checkout,businessDate}')::date,
         a.data -> 'checkout', a.seq
  from added a where a.type = 'checkout.recorded'
  order by a.restaurant_id, a.entity_id, a.seq desc
  on conflict (restaurant_id, staff_id, business_date) do update
    set data = excluded.data, last_seq = excluded.last_seq
    where t.last_seq < excluded.last_seq;

  insert into z_reports (restaurant_id, number, business_date, closed_at, forced, checks, net, tax, over_short, figures)
  select a.restaurant_id, (a.data #>> '{z,number}')::integer, (a.data #>> '{z,figures,businessDate}')::date,
         (a.data #>> '{z,closedAt}')::timestamptz, (a.data #>> '{z,forced}')::boolean,
         (a.data #>> '{z,figures,checks}')::integer, (a.data #>> '{z,figures,net}')::bigint,
         (a.data #>> '{z,figures,tax}')::bigint, (a.data #>> '{z,figures,overShort}')::bigint, a.data #> '{z,figures}'
  from added a where a.type = 'day.closed'
  on conflict (restaurant_id, number) do nothing;

  insert into audit_trail (restaurant_id, hub_id, seq, at, action, staff_id, staff_name, approver_id, approver_name,
                           device_id, order_id, reason, detail, amount)
  select a.restaurant_id, a.hub_id, a.seq, (a.data #>> '{audit,at}')::timestamptz, a.data #>> '{audit,action}',
         (a.data #>> '{audit,staff,staffId}')::uuid, a.data #>> '{audit,staff,name}',
         (a.data #>> '{audit,approver,staffId}')::uuid, a.data #>> '{audit,approver,name}',
         a.data #>> '{audit,deviceId}', (a.data #>> '{audit,orderId}')::uuid, a.data #>> '{audit,reason}',
         a.data #>> '{audit,detail}', (a.data #>> '{audit,amount}')::bigint
  from added a where a.type = 'audit.recorded'
  on conflict (restaurant_id, hub_id, seq) do nothing;
  return null;
end $$;

create trigger hub_events_apply_staff
after insert on public.hub_events
referencing new table as added
for each statement execute function grow_private.apply_staff_events();

-- Read by the restaurant's own hub and by its organisation's HQ; written only by the trigger.
do $$
declare
  t text;
begin
  foreach t in array array['staff_members', 'punches', 'drawer_sessions', 'server_checkouts', 'z_reports', 'audit_trail'] loop
    execute format('alter table public.%I enable row level security', t);
    execute format(
      'create policy read_%1$s on public.%1$I for select to authenticated using (restaurant_id = (select grow_private.hub_restaurant()) or restaurant_id in (select grow_private.hq_restaurants()))',
      t);
    execute format('grant select on public.%I to authenticated', t);
  end loop;
end $$;

-- Hours and their cost per person and job over business days (open shifts count until now).
create function public.hq_labour(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, staff_name text, job text, shifts bigint, minutes bigint, cost bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  with worked as (
    select p.restaurant_id, p.staff_id, p.staff_name, p.job,
           greatest(0, extract(epoch from coalesce(p.out_at, now()) - p.in_at) / 60
             - coalesce((select sum(extract(epoch from coalesce((b ->> 'endAt')::timestamptz, p.out_at, now())
                                                  - (b ->> 'startAt')::timestamptz) / 60)
                         from jsonb_array_elements(p.breaks) b where not (b ->> 'paid')::boolean), 0)) as minutes
    from punches p
    where p.business_date between p_first and p_last
  )
  select r.id, r.name, w.staff_name, w.job, count(*), round(sum(w.minutes))::bigint,
         case when s.wage is null then null else round(sum(w.minutes) * s.wage / 60)::bigint end
  from worked w
  join restaurants r on r.id = w.restaurant_id
  left join staff_members s on s.restaurant_id = w.restaurant_id and s.id = w.staff_id
  group by r.id, r.name, w.staff_id, w.staff_name, w.job, s.wage
  order by r.name, w.staff_name, w.job
$$;

-- Voids, comps, discounts and refunds by who did them and who approved them.
create function public.hq_adjustments(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, action text, staff_name text, approver_name text, count bigint, amount bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, a.action, coalesce(a.staff_name, 'nobody signed in'), a.approver_name, count(*), coalesce(sum(a.amount), 0)::bigint
  from audit_trail a
  join restaurants r on r.id = a.restaurant_id
  where a.action in ('void', 'comp', 'discount', 'refund')
    and grow_private.business_date(r.timezone, r.day_starts_at, a.at) between p_first and p_last
  group by r.id, r.name, a.action, a.staff_name, a.approver_name
  order by r.name, a.action, sum(a.amount) desc nulls last
$$;

-- Each drawer counted over the days: expected, counted, over or short.
create function public.hq_drawers(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, business_date date, drawer text, expected bigint, counted bigint, over_short bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, d.business_date, coalesce(d.owner_name || '''s bank', 'Till ' || left(d.device_id, 8)),
         d.expected, d.counted, d.over_short
  from drawer_sessions d join restaurants r on r.id = d.restaurant_id
  where d.business_date between p_first and p_last
  order by r.name, d.business_date, d.opened_at
$$;

-- Each restaurant's Z history, newest first.
create function public.hq_z_reports(p_restaurant_id uuid default null, p_limit integer default 60)
returns table (restaurant_id uuid, restaurant_name text, number integer, business_date date, closed_at timestamptz,
               forced boolean, checks integer, net bigint, tax bigint, over_short bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, z.number, z.business_date, z.closed_at, z.forced, z.checks, z.net, z.tax, z.over_short
  from z_reports z join restaurants r on r.id = z.restaurant_id
  where p_restaurant_id is null or z.restaurant_id = p_restaurant_id
  order by r.name, z.number desc
  limit greatest(1, least(p_limit, 1000))
$$;

revoke execute on function public.hq_labour(date, date) from public, anon;
revoke execute on function public.hq_adjustments(date, date) from public, anon;
revoke execute on function public.hq_drawers(date, date) from public, anon;
revoke execute on function public.hq_z_reports(uuid, integer) from public, anon;
grant execute on function public.hq_labour(date, date) to authenticated;
grant execute on function public.hq_adjustments(date, date) to authenticated;
grant execute on function public.hq_drawers(date, date) to authenticated;
grant execute on function public.hq_z_reports(uuid, integer) to authenticated;
