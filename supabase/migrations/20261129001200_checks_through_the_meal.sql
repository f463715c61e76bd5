-- Checks that live through the meal (issue 15): a check changes after it is created (rounds,
-- voids, comps, discounts, splits, moves), and the hub sends each change as an `order.updated`
-- event carrying the check as it now is. The cloud keeps the latest: orders gain the check's
-- figures (gross − comps − discounts = subtotal, voids apart) and lines their fate, and HQ's sales
-- (sums of total and tax) are net of voids, comps and discounts as the hub's are.
--
-- Applied by a statement trigger on hub_events rather than a fourth restatement of ingest_batch:
-- it runs once per batch, after ingest_batch's insert (and the orders that insert created), over
-- the events that insert added and nothing else, so replays and overlaps stay no-ops.

alter table public.orders
  add column order_type text not null default 'dine_in',
  add column table_id text,
  add column guests integer,
  add column gross bigint not null default 0,
  add column voids bigint not null default 0,
  add column comps bigint not null default 0,
  add column discounts bigint not null default 0;
update public.orders set gross = subtotal where gross = 0 and subtotal <> 0;

-- What HQ reports on: each line's discount and fate. (Seats, courses and rounds stay on the hub:
-- no report reads them yet, and a created check's lines would need a second write to carry them.)
alter table public.order_lines
  add column discount bigint not null default 0,
  add column voided boolean not null default false,
  add column comped boolean not null default false;

create function grow_private.apply_check_events()
returns trigger
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  v_changed jsonb;
begin
  -- The newest state of each check the batch carries (created or updated), from the transition
  -- table `added`: what this insert added, nothing else. Orders take it when it is newer than
  -- what they hold; an updated check's old lines go, and its lines now are kept for below.
  with checks_now as (
    select distinct on (a.entity_id) a.restaurant_id, a.seq, a.type, a.data -> 'order' as o
    from added a where a.type in ('order.created', 'order.updated')
    order by a.entity_id, a.seq desc
  ),
  updated as (
    update orders o
       set status = c.o ->> 'status',
           order_type = coalesce(c.o ->> 'orderType', o.order_type),
           table_id = c.o ->> 'tableId',
           guests = (c.o ->> 'guests')::integer,
           gross = coalesce((c.o ->> 'gross')::bigint, (c.o ->> 'subtotal')::bigint),
           voids = coalesce((c.o ->> 'voids')::bigint, 0),
           comps = coalesce((c.o ->> 'comps')::bigint, 0),
           discounts = coalesce((c.o ->> 'discounts')::bigint, 0),
           subtotal = (c.o ->> 'subtotal')::bigint,
           tax = (c.o ->> 'tax')::bigint,
           total = (c.o ->> 'total')::bigint,
           table_label = c.o ->> 'tableLabel',
           void_reason = c.o ->> 'voidReason',
           updated_at = (c.o ->> 'updatedAt')::timestamptz,
           last_seq = c.seq
      from checks_now c
     where o.restaurant_id = c.restaurant_id and o.id = (c.o ->> 'id')::uuid and o.last_seq <= c.seq
    returning o.restaurant_id, o.id, o.created_at, c.type, c.o -> 'lines' as lines
  ),
  changed as (select * from updated where type = 'order.updated'),
  -- A changed check's lines are replaced whole: lines move between checks and are renumbered.
  gone as (
    delete from order_lines l using changed u
     where l.restaurant_id = u.restaurant_id and l.order_id = u.id and l.created_at = u.created_at
  )
  select jsonb_agg(jsonb_build_object('restaurant_id', restaurant_id, 'id', id, 'created_at', created_at, 'lines', lines))
    into v_changed from changed;

  -- A statement of its own: an insert beside the delete of the same keys would collide with it.
  insert into order_lines (restaurant_id, order_id, line_no, created_at, item_id, name, qty, unit_price,
                           line_total, station_id, tax_class_id, modifiers, note, discount, voided, comped)
  select (ch ->> 'restaurant_id')::uuid, (ch ->> 'id')::uuid, (l ->> 'lineNo')::integer,
         (ch ->> 'created_at')::timestamptz, l ->> 'itemId', l ->> 'name', (l ->> 'qty')::integer,
         (l ->> 'unitPrice')::bigint, (l ->> 'lineTotal')::bigint, l ->> 'stationId', l ->> 'taxClassId',
         coalesce(l -> 'modifiers', '[]'::jsonb), l ->> 'note', coalesce((l ->> 'discount')::bigint, 0), jsonb_typeof(l -> 'void') = 'object',
         jsonb_typeof(l -> 'comp') = 'object'
  from jsonb_array_elements(coalesce(v_changed, '[]'::jsonb)) ch
  cross join jsonb_array_elements(ch -> 'lines') l;
  return null;
end $$;

create trigger hub_events_apply_checks
after insert on public.hub_events
referencing new table as added
for each statement execute function grow_private.apply_check_events();

-- Top items count what was sold: voided lines not at all, comped ones at no value, discounts off.
create or replace function public.hq_top_items(p_period text, p_limit integer default 10, p_at timestamptz default now(),
                                               p_restaurant_id uuid default null, p_by text default 'qty')
returns table (item_id text, name text, qty bigint, sales bigint)
language plpgsql stable security invoker set search_path = public, pg_temp as $$
begin
  if p_by not in ('qty', 'sales') then
    raise exception 'rank top items by qty or sales (got %)', p_by using errcode = '22023';
  end if;
  return query
  with sold as (
    select l.item_id, l.name, l.qty, case when l.comped then 0 else l.line_total - l.discount end as net
    from hq_periods(p_period, p_at) p
    join order_lines l on l.restaurant_id = p.restaurant_id and l.created_at >= p.starts_at and l.created_at < p.ends_at
    join orders o on o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at
    where o.status <> 'voided' and not l.voided and (p_restaurant_id is null or p.restaurant_id = p_restaurant_id)
  )
  select s.item_id, min(s.name), sum(s.qty)::bigint, sum(s.net)::bigint
  from sold s
  group by s.item_id
  order by case when p_by = 'sales' then sum(s.net) else sum(s.qty) end desc, s.item_id
  limit greatest(1, least(p_limit, 100));
end $$;
