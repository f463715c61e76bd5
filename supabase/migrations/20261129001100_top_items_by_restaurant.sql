-- Top items for one restaurant or all, by quantity or by sales (an analyst asks both).

drop function public.hq_top_items(text, integer, timestamptz);

create function public.hq_top_items(p_period text, p_limit integer default 10, p_at timestamptz default now(),
                                    p_restaurant_id uuid default null, p_by text default 'qty')
returns table (item_id text, name text, qty bigint, sales bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_by not in ('qty', 'sales') then
    raise exception 'rank top items by qty or sales (got %)', p_by using errcode = '22023';
  end if;
  return query
  select l.item_id, min(l.name), sum(l.qty)::bigint, sum(l.line_total)::bigint
  from hq_periods(p_period, p_at) p
  join order_lines l on l.restaurant_id = p.restaurant_id and l.created_at >= p.starts_at and l.created_at < p.ends_at
  join orders o on o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at
  where o.status <> 'voided' and (p_restaurant_id is null or p.restaurant_id = p_restaurant_id)
  group by l.item_id
  order by case when p_by = 'sales' then sum(l.line_total) else sum(l.qty) end desc, l.item_id
  limit greatest(1, least(p_limit, 100));
end $$;

revoke execute on function public.hq_top_items(text, integer, timestamptz, uuid, text) from public, anon;
grant execute on function public.hq_top_items(text, integer, timestamptz, uuid, text) to authenticated;
