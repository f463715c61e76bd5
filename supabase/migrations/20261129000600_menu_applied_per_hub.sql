-- Menus as an operator manages them, first steps: each hub's applied menu version is known to the
-- cloud, and publishing the same menu twice makes no new version.
--
-- A hub logs `menu.applied` (with the version) whenever it applies a menu, and that event reaches
-- the cloud through ingest_batch like any other, exactly once and in order. A trigger on the event
-- table keeps `hubs.menu_version` (added with hq_hubs in 20261129000400) at the newest version the
-- hub says it applied, so HQ can show, per hub, whether a published menu has arrived.

create function grow_private.note_menu_applied() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  update hubs
  set menu_version = (new.data ->> 'version')::integer, menu_applied_at = new.at
  where id = new.hub_id
    and (menu_applied_at is null or menu_applied_at <= new.at);
  return null;
end $$;

create trigger hub_events_menu_applied
  after insert on public.hub_events
  for each row when (new.type = 'menu.applied')
  execute function grow_private.note_menu_applied();

-- Publishing a menu identical to the restaurant's latest version (the version number aside) is
-- refused in words, so "Publish" twice does not make two versions of one menu.
create function grow_private.refuse_unchanged_menu() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
declare
  v_latest integer;
begin
  select version into v_latest from menu_versions
  where restaurant_id = new.restaurant_id and body - 'version' = new.body - 'version'
    and version = (select max(version) from menu_versions where restaurant_id = new.restaurant_id);
  if v_latest is not null then
    raise exception 'nothing changed since version %: not published again', v_latest using errcode = '23505';
  end if;
  return new;
end $$;

create trigger menu_versions_refuse_unchanged
  before insert on public.menu_versions
  for each row execute function grow_private.refuse_unchanged_menu();

revoke execute on function grow_private.note_menu_applied() from public, anon;
revoke execute on function grow_private.refuse_unchanged_menu() from public, anon;
