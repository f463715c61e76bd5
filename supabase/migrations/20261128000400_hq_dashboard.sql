-- HQ dashboard aggregates, computed in the database (never by loading rows into a browser).
-- security invoker: row level security limits an HQ user to their organisation's restaurants.

create function public.hq_sales(p_from timestamptz, p_to timestamptz)
returns table (restaurant_id uuid, restaurant_name text, orders bigint, sales bigint, tax bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select r.id, r.name,
         count(o.id) filter (where o.status <> 'voided'),
         coalesce(sum(o.total) filter (where o.status <> 'voided'), 0)::bigint,
         coalesce(sum(o.tax) filter (where o.status <> 'voided'), 0)::bigint
  from restaurants r
  left join orders o on o.restaurant_id = r.id and o.created_at >= p_from and o.created_at < p_to
  group by r.id, r.name
  order by r.name
$$;

create function public.hq_top_items(p_from timestamptz, p_to timestamptz, p_limit integer default 10)
returns table (item_id text, name text, qty bigint, sales bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select l.item_id, min(l.name), sum(l.qty)::bigint, sum(l.line_total)::bigint
  from order_lines l
  join orders o on o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at
  where l.created_at >= p_from and l.created_at < p_to and o.status <> 'voided'
  group by l.item_id
  order by sum(l.qty) desc, l.item_id
  limit greatest(1, least(p_limit, 100))
$$;

create function public.hq_orders_per_hour(p_from timestamptz, p_to timestamptz)
returns table (hour timestamptz, orders bigint)
language sql stable security invoker set search_path = public, pg_temp as $$
  select date_trunc('hour', o.created_at), count(*)
  from orders o
  where o.created_at >= p_from and o.created_at < p_to and o.status <> 'voided'
  group by 1
  order by 1
$$;

-- Each hub's sync health: a warning after an hour without contact, an alarm after a day.
create function public.hq_hubs()
returns table (hub_id uuid, restaurant_id uuid, restaurant_name text, synced_seq bigint, last_contact_at timestamptz,
               silent_seconds bigint, health text)
language sql stable security invoker set search_path = public, pg_temp as $$
  select h.id, r.id, r.name, h.synced_seq, h.last_contact_at,
         extract(epoch from now() - h.last_contact_at)::bigint,
         case
           when h.last_contact_at is null or h.last_contact_at < now() - interval '24 hours' then 'alarm'
           when h.last_contact_at < now() - interval '1 hour' then 'warning'
           else 'ok'
         end
  from hubs h join restaurants r on r.id = h.restaurant_id
  order by r.name, h.id
$$;

revoke execute on function public.hq_sales(timestamptz, timestamptz) from public, anon;
revoke execute on function public.hq_top_items(timestamptz, timestamptz, integer) from public, anon;
revoke execute on function public.hq_orders_per_hour(timestamptz, timestamptz) from public, anon;
revoke execute on function public.hq_hubs() from public, anon;
grant execute on function public.hq_sales(timestamptz, timestamptz) to authenticated;
grant execute on function public.hq_top_items(timestamptz, timestamptz, integer) to authenticated;
grant execute on function public.hq_orders_per_hour(timestamptz, timestamptz) to authenticated;
grant execute on function public.hq_hubs() to authenticated;
