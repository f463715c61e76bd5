-- HQ's sales report grows the figures an analyst asks for, all from the rollups: covers, gross,
-- voids, comps and discounts (before tax), net, tax, tips and refunds; and a tenders report (how
-- the money came in). A return type cannot change in place, so the report is dropped and made again.

-- Payments that took money: a pending card is still on the reader, a failed or voided one took none.
create function grow_private.tender_counts(p_status text)
returns boolean
language sql immutable as $$
  select p_status in ('unverified', 'captured', 'partially_refunded', 'refunded')
$$;

drop function public.hq_sales_report(date, date);

-- sales = total the guests paid for (tax included); net = sales less tax = gross − voids − comps −
-- discounts. Voided checks count apart (voided, voided_total), never in sales.
create function public.hq_sales_report(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, timezone text, day_starts_at time,
               orders bigint, covers bigint, gross bigint, voids bigint, comps bigint, discounts bigint,
               net bigint, tax bigint, sales bigint, tips bigint, refunded bigint, voided bigint, voided_total bigint,
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
  select r.id, r.name, r.timezone, r.day_starts_at, d.orders, d.covers, d.gross, d.voids, d.comps, d.discounts,
         d.sales - d.tax, d.tax, d.sales, t.tips, t.refunded, d.voided, d.voided_total,
         p_first - v_days, p_first - 1, d.prev_orders, d.prev_sales
  from restaurants r
  cross join lateral (
    select coalesce(sum(s.orders) filter (where s.business_date >= p_first), 0)::bigint as orders,
           coalesce(sum(s.covers) filter (where s.business_date >= p_first), 0)::bigint as covers,
           coalesce(sum(s.gross) filter (where s.business_date >= p_first), 0)::bigint as gross,
           coalesce(sum(s.voids) filter (where s.business_date >= p_first), 0)::bigint as voids,
           coalesce(sum(s.comps) filter (where s.business_date >= p_first), 0)::bigint as comps,
           coalesce(sum(s.discounts) filter (where s.business_date >= p_first), 0)::bigint as discounts,
           coalesce(sum(s.total) filter (where s.business_date >= p_first), 0)::bigint as sales,
           coalesce(sum(s.tax) filter (where s.business_date >= p_first), 0)::bigint as tax,
           coalesce(sum(s.voided_orders) filter (where s.business_date >= p_first), 0)::bigint as voided,
           coalesce(sum(s.voided_total) filter (where s.business_date >= p_first), 0)::bigint as voided_total,
           coalesce(sum(s.orders) filter (where s.business_date < p_first), 0)::bigint as prev_orders,
           coalesce(sum(s.total) filter (where s.business_date < p_first), 0)::bigint as prev_sales
    from sales_by_day s where s.restaurant_id = r.id and s.business_date between p_first - v_days and p_last offset 0
  ) d
  cross join lateral (
    select coalesce(sum(x.tip), 0)::bigint as tips, coalesce(sum(x.refunded), 0)::bigint as refunded
    from tenders_by_day x
    where x.restaurant_id = r.id and x.business_date between p_first and p_last
      and grow_private.tender_counts(x.status) offset 0
  ) t
  order by r.name;
end $$;

-- How the money came in over a range of business days, per restaurant and method: payments that
-- took money, their amount (tips apart), tips and what was refunded since.
create function public.hq_tenders(p_first date, p_last date)
returns table (restaurant_id uuid, restaurant_name text, method text, payments bigint, amount bigint,
               tips bigint, refunded bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_first is null or p_last is null or p_last < p_first or p_last - p_first > 365 then
    raise exception 'give a first day on or before the last, at most 366 days apart' using errcode = '22023';
  end if;
  return query
  select r.id, r.name, t.method, t.payments, t.amount, t.tips, t.refunded
  from restaurants r
  cross join lateral (
    select x.method, sum(x.payments)::bigint as payments, sum(x.amount)::bigint as amount,
           sum(x.tip)::bigint as tips, sum(x.refunded)::bigint as refunded
    from tenders_by_day x
    where x.restaurant_id = r.id and x.business_date between p_first and p_last
      and grow_private.tender_counts(x.status)
    group by x.method offset 0
  ) t
  order by r.name, t.amount desc;
end $$;

revoke execute on function public.hq_sales_report(date, date) from public, anon;
grant execute on function public.hq_sales_report(date, date) to authenticated;
revoke execute on function public.hq_tenders(date, date) from public, anon;
grant execute on function public.hq_tenders(date, date) to authenticated;
alter function public.hq_sales_report(date, date) set jit = off;
alter function public.hq_tenders(date, date) set jit = off;
