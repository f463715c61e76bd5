-- An organisation's menu, and what each restaurant changes of it (issue 23, item 5).
--
-- HQ edits one menu for the organisation and, per restaurant, overrides: a price of its own, an
-- item it does not sell, an item only it sells. Publishing combines the two for each restaurant
-- (rules/menu-overrides.ts) into that restaurant's next menu_versions row, which its hub pulls as
-- before; hubs never read these tables.

create table public.organisation_menus (
  -- HQ's inserts name no organisation: it is the one in their token.
  organisation_id uuid not null default grow_private.hq_organisation() references public.organisations (id),
  version integer not null check (version >= 1),
  -- A MenuSnapshot (protocol/menu.ts) without its version: the organisation's items at their
  -- organisation prices.
  body jsonb not null,
  published_at timestamptz not null default now(),
  primary key (organisation_id, version)
);
comment on table public.organisation_menus is
  'distribution: reference. One menu per organisation and version, kilobytes, read by HQ only.';

create table public.menu_overrides (
  restaurant_id uuid not null references public.restaurants (id),
  item_id text not null,
  -- Its own price (minor units), or null for the organisation's.
  price bigint check (price >= 0),
  -- Not sold at this restaurant.
  removed boolean not null default false,
  -- A whole item (MenuItem) only this restaurant sells; its id is item_id.
  added jsonb,
  updated_at timestamptz not null default now(),
  primary key (restaurant_id, item_id),
  check (added is null or added ->> 'id' = item_id)
);
comment on table public.menu_overrides is 'distribution: restaurant_id. What a restaurant changes of its organisation''s menu.';

alter table public.organisation_menus enable row level security;
alter table public.menu_overrides enable row level security;

create policy hq_reads_organisation_menus on public.organisation_menus for select to authenticated
  using (organisation_id = (select grow_private.hq_organisation()));
create policy hq_writes_organisation_menus on public.organisation_menus for insert to authenticated
  with check (organisation_id = (select grow_private.hq_organisation()));

create policy hq_keeps_overrides on public.menu_overrides for all to authenticated
  using (restaurant_id in (select grow_private.hq_restaurants()))
  with check (restaurant_id in (select grow_private.hq_restaurants()));

grant select, insert on public.organisation_menus to authenticated;
grant select, insert, update, delete on public.menu_overrides to authenticated;
grant all on public.organisation_menus, public.menu_overrides to service_role;

-- A restaurant's overrides, replaced whole in one transaction (HQ's "Save overrides"): never half
-- of an edit. Runs as the caller, so the policy above decides which restaurants.
create function public.hq_set_menu_overrides(p_restaurant_id uuid, p_overrides jsonb)
returns integer
language plpgsql security invoker set search_path = public, pg_temp as $$
declare
  v_count integer;
begin
  if p_restaurant_id is null or p_restaurant_id not in (select grow_private.hq_restaurants()) then
    raise exception 'restaurant % is not in your organisation', p_restaurant_id using errcode = '42501';
  end if;
  if jsonb_typeof(p_overrides) is distinct from 'array' then
    raise exception 'overrides are a list' using errcode = '22023';
  end if;
  delete from menu_overrides where restaurant_id = p_restaurant_id;
  insert into menu_overrides (restaurant_id, item_id, price, removed, added)
  select p_restaurant_id, o ->> 'itemId', (o ->> 'price')::bigint, coalesce((o ->> 'removed')::boolean, false),
         nullif(o -> 'added', 'null'::jsonb)
  from jsonb_array_elements(p_overrides) o;
  get diagnostics v_count = row_count;
  return v_count;
end $$;
revoke execute on function public.hq_set_menu_overrides(uuid, jsonb) from public, anon;
grant execute on function public.hq_set_menu_overrides(uuid, jsonb) to authenticated;
