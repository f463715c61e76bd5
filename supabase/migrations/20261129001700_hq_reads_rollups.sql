-- The cloud at 10,000 restaurants (issue 20), 4 of 4: HQ reads rollups only.
-- Same signatures and answers as before (20261129000500, 000800, 000900, 001200, 001300); only the
-- source changes, and each reads from the caller's restaurants outward (a lateral index range per
-- restaurant), so an organisation of 500 costs 500 small reads whatever the size of the cloud.
-- (`offset 0` keeps each lateral read a read per restaurant: flattened, the planner preferred
-- hashing a whole rollup table, 72 ms against 10 at 5,000 restaurants.)

-- HQ's restaurants by the organisation in its token, so the organisation index finds them (the
-- same rows as hq_restaurants(), which the planner could only test row by row).
create function grow_private.hq_organisation() returns uuid
language sql stable as $$
  select case when grow_private.claim('grow_role') = 'hq' then nullif(grow_private.claim('organisation_id'), '')::uuid end
$$;
grant execute on function grow_private.hq_organisation() to authenticated;
alter policy read_restaurants on public.restaurants
  using (id = (select grow_private.hub_restaurant()) or organisation_id = (select grow_private.hq_organisation()));
-- hq_checks, one restaurant's one day, still reads raw orders: that is drill-down.

create or replace function public.hq_sales(p_period text, p_at timestamptz default now())
returns table (restaurant_id uuid, restaurant_name text, orders bigint, sales bigint, tax bigint,
               first_day date, last_day date, timezone text, day_starts_at time)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, d.orders, d.sales, d.tax, p.first_day, p.last_day, p.timezone, p.day_starts_at
  from hq_periods(p_period, p_at) p
  join restaurants r on r.id = p.restaurant_id
  cross join lateral (
    select coalesce(sum(s.orders), 0)::bigint as orders, coalesce(sum(s.total), 0)::bigint as sales,
           coalesce(sum(s.tax), 0)::bigint as tax
    from sales_by_day s where s.restaurant_id = r.id and s.business_date between p.first_day and p.last_day offset 0
  ) d
  order by r.name
$$;

create or replace function public.hq_top_items(p_period text, p_limit integer default 10, p_at timestamptz default now(),
                                               p_restaurant_id uuid default null, p_by text default 'qty')
returns table (item_id text, name text, qty bigint, sales bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_by not in ('qty', 'sales') then
    raise exception 'rank top items by qty or sales (got %)', p_by using errcode = '22023';
  end if;
  -- A week (Monday to today) is one row an item in items_by_week; today and the month sum days.
  return query
  with sold as (
    select w.item_id, w.name, w.qty, w.sales
    from hq_periods(p_period, p_at) p
    cross join lateral (
      select x.* from items_by_week x where x.restaurant_id = p.restaurant_id and x.week = p.first_day offset 0
    ) w
    where p_period = 'week' and (p_restaurant_id is null or p.restaurant_id = p_restaurant_id)
    union all
    select d.item_id, d.name, d.qty, d.sales
    from hq_periods(p_period, p_at) p
    cross join lateral (
      select x.* from items_by_day x
      where x.restaurant_id = p.restaurant_id and x.business_date between p.first_day and p.last_day offset 0
    ) d
    where p_period <> 'week' and (p_restaurant_id is null or p.restaurant_id = p_restaurant_id)
  )
  select i.item_id, min(i.name), sum(i.qty)::bigint, sum(i.sales)::bigint
  from sold i
  group by i.item_id
  having sum(i.qty) > 0
  order by case when p_by = 'sales' then sum(i.sales) else sum(i.qty) end desc, i.item_id
  limit greatest(1, least(p_limit, 100));
end $$;

create or replace function public.hq_orders_per_hour(p_period text, p_at timestamptz default now())
returns table (hour integer, orders bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select h.hour::integer, sum(h.orders)::bigint
  from hq_periods(p_period, p_at) p
  cross join lateral (
    select s.hour, s.orders from sales_by_hour s
    where s.restaurant_id = p.restaurant_id and s.business_date between p.first_day and p.last_day offset 0
  ) h
  group by h.hour
  having sum(h.orders) > 0
  order by h.hour
$$;

create or replace function public.hq_sales_report(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, timezone text, day_starts_at time,
               orders bigint, sales bigint, tax bigint, net bigint, voided bigint,
               prev_first date, prev_last date, prev_orders bigint, prev_sales bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
declare
  v_days integer := p_last - p_first + 1;
begin
  if p_first is null or p_last is null or v_days < 1 then
    raise exception 'the report needs a first day on or before its last day' using errcode = '22023';
  end if;
  if v_days > 366 then
    raise exception 'a report covers at most 366 days (this one: %)', v_days using errcode = '22023';
  end if;
  return query
  select r.id, r.name, r.timezone, r.day_starts_at, d.orders, d.sales, d.tax, d.net, d.voided,
         p_first - v_days, p_first - 1, d.prev_orders, d.prev_sales
  from restaurants r
  cross join lateral (
    select coalesce(sum(s.orders) filter (where s.business_date >= p_first), 0)::bigint as orders,
           coalesce(sum(s.total) filter (where s.business_date >= p_first), 0)::bigint as sales,
           coalesce(sum(s.tax) filter (where s.business_date >= p_first), 0)::bigint as tax,
           coalesce(sum(s.total - s.tax) filter (where s.business_date >= p_first), 0)::bigint as net,
           coalesce(sum(s.voided_orders) filter (where s.business_date >= p_first), 0)::bigint as voided,
           coalesce(sum(s.orders) filter (where s.business_date < p_first), 0)::bigint as prev_orders,
           coalesce(sum(s.total) filter (where s.business_date < p_first), 0)::bigint as prev_sales
    from sales_by_day s where s.restaurant_id = r.id and s.business_date between p_first - v_days and p_last offset 0
  ) d
  order by r.name;
end $$;

create or replace function public.hq_days(p_restaurant_id uuid, p_first date, p_last date)
returns table (day date, orders bigint, sales bigint, voided bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_first is null or p_last is null or p_last < p_first or p_last - p_first > 366 then
    raise exception 'give a first day on or before the last, at most 366 days apart' using errcode = '22023';
  end if;
  return query
  select g.day::date, coalesce(d.orders, 0)::bigint, coalesce(d.total, 0)::bigint, coalesce(d.voided_orders, 0)::bigint
  from restaurants r
  cross join generate_series(p_first, p_last, interval '1 day') g(day)
  left join sales_by_day d on d.restaurant_id = r.id and d.business_date = g.day::date
  where r.id = p_restaurant_id
  order by g.day;
end $$;

create or replace function public.hq_adjustments(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, action text, staff_name text, approver_name text, count bigint, amount bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, a.action, a.staff_name, nullif(a.approver_name, ''), a.count, a.amount
  from restaurants r
  cross join lateral (
    select x.action, x.staff_name, x.approver_name, sum(x.count)::bigint as count, sum(x.amount)::bigint as amount
    from adjustments_by_day x where x.restaurant_id = r.id and x.business_date between p_first and p_last
    group by x.action, x.staff_name, x.approver_name offset 0
  ) a
  order by r.name, a.action, a.amount desc
$$;

-- Punches and drawers are a few rows a restaurant a day (day-sized already): read as they are,
-- from the caller's restaurants outward.
create or replace function public.hq_labour(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, staff_name text, job text, shifts bigint, minutes bigint, cost bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, w.staff_name, w.job, w.shifts, round(w.minutes)::bigint,
         case when s.wage is null then null else round(w.minutes * s.wage / 60)::bigint end
  from restaurants r
  cross join lateral (
    select p.staff_id, p.staff_name, p.job, count(*) as shifts,
           sum(greatest(0, extract(epoch from coalesce(p.out_at, now()) - p.in_at) / 60
             - case when p.breaks = '[]'::jsonb then 0 else coalesce(
                 (select sum(extract(epoch from coalesce((b ->> 'endAt')::timestamptz, p.out_at, now())
                                      - (b ->> 'startAt')::timestamptz) / 60)
                  from jsonb_array_elements(p.breaks) b where not (b ->> 'paid')::boolean), 0) end)) as minutes
    from punches p where p.restaurant_id = r.id and p.business_date between p_first and p_last
    group by p.staff_id, p.staff_name, p.job offset 0
  ) w
  left join staff_members s on s.restaurant_id = r.id and s.id = w.staff_id
  order by r.name, w.staff_name, w.job
$$;

create or replace function public.hq_drawers(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, business_date date, drawer text, expected bigint, counted bigint, over_short bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name, d.business_date, coalesce(d.owner_name || '''s bank', 'Till ' || left(d.device_id, 8)),
         d.expected, d.counted, d.over_short
  from restaurants r
  cross join lateral (
    select * from drawer_sessions x where x.restaurant_id = r.id and x.business_date between p_first and p_last offset 0
  ) d
  order by r.name, d.business_date, d.opened_at
$$;

-- HQ's reads are many small index reads; the planner's cost for them can pass jit_above_cost, and
-- compiling them took 230 ms of a 270 ms call (top items at 500 restaurants). Never worth it here.
do $$
declare
  f text;
begin
  foreach f in array array['hq_sales(text, timestamptz)', 'hq_top_items(text, integer, timestamptz, uuid, text)',
                           'hq_orders_per_hour(text, timestamptz)', 'hq_sales_report(date, date)', 'hq_days(uuid, date, date)',
                           'hq_adjustments(date, date)', 'hq_labour(date, date)', 'hq_drawers(date, date)',
                           'hq_checks(uuid, date)', 'hq_hubs()', 'hq_z_reports(uuid, integer)', 'hq_periods(text, timestamptz)'] loop
    execute format('alter function public.%s set jit = off', f);
  end loop;
end $$;
