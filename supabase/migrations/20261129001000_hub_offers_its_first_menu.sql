-- HQ's menu editor starts from the menu the restaurant actually has.
--
-- A hub that reaches the cloud offers its current menu (the demo, or one an operator applied on
-- the hub); the cloud keeps it as the restaurant's version 1 only if HQ has never published one
-- there, so HQ edits from what the tills show instead of an empty editor. Otherwise nothing
-- happens: HQ's menus are never overwritten by a hub.

create function public.hub_offer_menu(p_hub_id uuid, p_body jsonb)
returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_restaurant uuid;
begin
  select restaurant_id into v_restaurant from grow_private.lock_own_hub(p_hub_id);
  if exists (select from menu_versions where restaurant_id = v_restaurant) then
    return null;
  end if;
  insert into menu_versions (restaurant_id, version, body)
  values (v_restaurant, 1, jsonb_set(p_body, '{version}', '1'));
  return 1;
end $$;

revoke execute on function public.hub_offer_menu(uuid, jsonb) from public, anon;
grant execute on function public.hub_offer_menu(uuid, jsonb) to authenticated;
