-- HQ's sales report: any range of business days, each restaurant on its own clock, beside the
-- same number of days just before it, for an analyst who asks "how did we do, and compared to
-- what?". Voided orders are counted apart, never in sales.

create function public.hq_sales_report(p_first date, p_last date)
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
  select r.id, r.name, r.timezone, r.day_starts_at,
         count(o.id) filter (where o.created_at >= w.starts_at and o.status <> 'voided'),
         coalesce(sum(o.total) filter (where o.created_at >= w.starts_at and o.status <> 'voided'), 0)::bigint,
         coalesce(sum(o.tax) filter (where o.created_at >= w.starts_at and o.status <> 'voided'), 0)::bigint,
         coalesce(sum(o.total - o.tax) filter (where o.created_at >= w.starts_at and o.status <> 'voided'), 0)::bigint,
         count(o.id) filter (where o.created_at >= w.starts_at and o.status = 'voided'),
         p_first - v_days, p_first - 1,
         count(o.id) filter (where o.created_at < w.starts_at and o.status <> 'voided'),
         coalesce(sum(o.total) filter (where o.created_at < w.starts_at and o.status <> 'voided'), 0)::bigint
  from restaurants r
  cross join lateral (
    select grow_private.business_day_start(r.timezone, r.day_starts_at, p_first - v_days) as prev_starts_at,
           grow_private.business_day_start(r.timezone, r.day_starts_at, p_first) as starts_at,
           grow_private.business_day_start(r.timezone, r.day_starts_at, p_last + 1) as ends_at
  ) w
  left join orders o on o.restaurant_id = r.id and o.created_at >= w.prev_starts_at and o.created_at < w.ends_at
  group by r.id, r.name, r.timezone, r.day_starts_at
  order by r.name;
end $$;

revoke execute on function public.hq_sales_report(date, date) from public, anon;
grant execute on function public.hq_sales_report(date, date) to authenticated;
