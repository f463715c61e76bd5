-- HQ figures by each restaurant's business day, in its own time zone.
--
-- Until now HQ asked for "today" as the viewer's browser midnight to now: an analyst in London
-- saw a Tokyo restaurant's "today" start at 09:00 Tokyo time, and a bar's sales after midnight
-- counted towards the next day. Now every restaurant has a business day that starts at
-- `day_starts_at` (04:00 unless set; the day-close work may set it) in `restaurants.timezone`, and
-- the dashboard's functions take a period ('today', 'week': Monday to today, 'month') that each
-- restaurant resolves for itself, and say which days and hours that was.

alter table public.restaurants
  add column day_starts_at time not null default '04:00';

-- The business date a moment falls on, for a restaurant.
create function grow_private.business_date(p_timezone text, p_day_starts time, p_at timestamptz)
returns date
language sql stable set search_path = public, pg_temp as $$
  select ((p_at at time zone p_timezone) - p_day_starts)::date
$$;

-- When a business date begins, as an instant.
create function grow_private.business_day_start(p_timezone text, p_day_starts time, p_day date)
returns timestamptz
language sql stable set search_path = public, pg_temp as $$
  select (p_day + p_day_starts) at time zone p_timezone
$$;

-- Each of the caller's restaurants' business days for a period, and the instants they span.
create function public.hq_periods(p_period text, p_at timestamptz default now())
returns table (restaurant_id uuid, first_day date, last_day date, starts_at timestamptz, ends_at timestamptz,
               timezone text, day_starts_at time)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_period not in ('today', 'week', 'month') then
    raise exception 'period must be today, week or month (got %)', p_period using errcode = '22023';
  end if;
  return query
  select r.id, d.first_day, t.today,
         grow_private.business_day_start(r.timezone, r.day_starts_at, d.first_day),
         grow_private.business_day_start(r.timezone, r.day_starts_at, t.today + 1),
         r.timezone, r.day_starts_at
  from restaurants r
  cross join lateral (select grow_private.business_date(r.timezone, r.day_starts_at, p_at) as today) t
  cross join lateral (
    select case p_period
             when 'today' then t.today
             when 'week' then t.today - (extract(isodow from t.today)::integer - 1)
             else date_trunc('month', t.today)::date
           end as first_day
  ) d;
end $$;

drop function public.hq_sales(timestamptz, timestamptz);
drop function public.hq_top_items(timestamptz, timestamptz, integer);
drop function public.hq_orders_per_hour(timestamptz, timestamptz);

create function public.hq_sales(p_period text, p_at timestamptz default now())
returns table (restaurant_id uuid, restaurant_name text, orders bigint, sales bigint, tax bigint,
               first_day date, last_day date, timezone text, day_starts_at time)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name,
         count(o.id) filter (where o.status <> 'voided'),
         coalesce(sum(o.total) filter (where o.status <> 'voided'), 0)::bigint,
         coalesce(sum(o.tax) filter (where o.status <> 'voided'), 0)::bigint,
         p.first_day, p.last_day, p.timezone, p.day_starts_at
  from hq_periods(p_period, p_at) p
  join restaurants r on r.id = p.restaurant_id
  left join orders o on o.restaurant_id = r.id and o.created_at >= p.starts_at and o.created_at < p.ends_at
  group by r.id, r.name, p.first_day, p.last_day, p.timezone, p.day_starts_at
  order by r.name
$$;

create function public.hq_top_items(p_period text, p_limit integer default 10, p_at timestamptz default now())
returns table (item_id text, name text, qty bigint, sales bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select l.item_id, min(l.name), sum(l.qty)::bigint, sum(l.line_total)::bigint
  from hq_periods(p_period, p_at) p
  join order_lines l on l.restaurant_id = p.restaurant_id and l.created_at >= p.starts_at and l.created_at < p.ends_at
  join orders o on o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at
  where o.status <> 'voided'
  group by l.item_id
  order by sum(l.qty) desc, l.item_id
  limit greatest(1, least(p_limit, 100))
$$;

-- Orders by the hour of the day on each restaurant's own clock (0-23), summed over restaurants.
create function public.hq_orders_per_hour(p_period text, p_at timestamptz default now())
returns table (hour integer, orders bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select extract(hour from o.created_at at time zone p.timezone)::integer, count(*)
  from hq_periods(p_period, p_at) p
  join orders o on o.restaurant_id = p.restaurant_id and o.created_at >= p.starts_at and o.created_at < p.ends_at
  where o.status <> 'voided'
  group by 1
  order by 1
$$;

revoke execute on function grow_private.business_date(text, time, timestamptz) from public, anon;
revoke execute on function grow_private.business_day_start(text, time, date) from public, anon;
revoke execute on function public.hq_periods(text, timestamptz) from public, anon;
revoke execute on function public.hq_sales(text, timestamptz) from public, anon;
revoke execute on function public.hq_top_items(text, integer, timestamptz) from public, anon;
revoke execute on function public.hq_orders_per_hour(text, timestamptz) from public, anon;
grant execute on function grow_private.business_date(text, time, timestamptz) to authenticated;
grant execute on function grow_private.business_day_start(text, time, date) to authenticated;
grant execute on function public.hq_periods(text, timestamptz) to authenticated;
grant execute on function public.hq_sales(text, timestamptz) to authenticated;
grant execute on function public.hq_top_items(text, integer, timestamptz) to authenticated;
grant execute on function public.hq_orders_per_hour(text, timestamptz) to authenticated;
