-- Drill-down for HQ's sales report: a restaurant's business days in a range, then one day's checks.

create function public.hq_days(p_restaurant_id uuid, p_first date, p_last date)
returns table (day date, orders bigint, sales bigint, voided bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_first is null or p_last is null or p_last < p_first or p_last - p_first > 366 then
    raise exception 'give a first day on or before the last, at most 366 days apart' using errcode = '22023';
  end if;
  return query
  select d.day::date,
         count(o.id) filter (where o.status <> 'voided'),
         coalesce(sum(o.total) filter (where o.status <> 'voided'), 0)::bigint,
         count(o.id) filter (where o.status = 'voided')
  from restaurants r
  cross join generate_series(p_first, p_last, interval '1 day') d(day)
  left join orders o on o.restaurant_id = r.id
    and o.created_at >= grow_private.business_day_start(r.timezone, r.day_starts_at, d.day::date)
    and o.created_at < grow_private.business_day_start(r.timezone, r.day_starts_at, d.day::date + 1)
  where r.id = p_restaurant_id
  group by d.day
  order by d.day;
end $$;

-- One business day's checks, oldest first, with the local time each was opened.
create function public.hq_checks(p_restaurant_id uuid, p_day date)
returns table (order_id uuid, number integer, opened_at timestamptz, local_time text, table_label text,
               status text, lines bigint, total bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select o.id, o.number, o.created_at, to_char(o.created_at at time zone r.timezone, 'HH24:MI'), o.table_label,
         o.status, (select count(*) from order_lines l
                    where l.restaurant_id = o.restaurant_id and l.order_id = o.id and l.created_at = o.created_at),
         o.total
  from restaurants r
  join orders o on o.restaurant_id = r.id
    and o.created_at >= grow_private.business_day_start(r.timezone, r.day_starts_at, p_day)
    and o.created_at < grow_private.business_day_start(r.timezone, r.day_starts_at, p_day + 1)
  where r.id = p_restaurant_id
  order by o.created_at, o.number
$$;

revoke execute on function public.hq_days(uuid, date, date) from public, anon;
revoke execute on function public.hq_checks(uuid, date) from public, anon;
grant execute on function public.hq_days(uuid, date, date) to authenticated;
grant execute on function public.hq_checks(uuid, date) to authenticated;
