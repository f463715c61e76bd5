-- Menus as an operator manages them, first steps: each hub's applied menu version is known to the
-- cloud, and publishing the same menu twice makes no new version.
--
-- A hub logs `menu.applied` (with the version) whenever it applies a menu, and that event reaches
-- the cloud through ingest_batch like any other, exactly once and in order. A trigger on the event
-- table keeps `hubs.menu_version` at the newest version the hub says it applied, so HQ can show,
-- per hub, whether a published menu has arrived.

alter table public.hubs
  add column menu_version integer,
  add column menu_applied_at timestamptz;

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

drop function public.hq_hubs();
create function public.hq_hubs()
returns table (hub_id uuid, restaurant_id uuid, restaurant_name text, synced_seq bigint,
               last_contact_at timestamptz, silent_seconds bigint, open_now boolean, health text,
               warning_after_seconds integer, alarm_after_seconds integer,
               menu_version integer, menu_applied_at timestamptz, menu_published integer)
language sql stable security invoker set search_path = public, pg_temp as $$
  select h.id, r.id, r.name, h.synced_seq, h.last_contact_at, s.silent, s.open,
         case
           when h.last_contact_at is null then 'alarm'
           when not s.open then 'closed'
           when s.silent >= o.silence_alarm_seconds then 'alarm'
           when s.silent >= o.silence_warning_seconds then 'warning'
           else 'ok'
         end,
         o.silence_warning_seconds, o.silence_alarm_seconds,
         h.menu_version, h.menu_applied_at,
         (select max(m.version) from menu_versions m where m.restaurant_id = r.id)
  from hubs h
  join restaurants r on r.id = h.restaurant_id
  join organisations o on o.id = r.organisation_id
  cross join lateral (
    select extract(epoch from now() - h.last_contact_at)::bigint as silent,
           grow_private.open_at(r.timezone, r.opens_at, r.closes_at, now()) as open
  ) s
  order by r.name, h.id
$$;

revoke execute on function public.hq_hubs() from public, anon;
grant execute on function public.hq_hubs() to authenticated;
revoke execute on function grow_private.note_menu_applied() from public, anon;
revoke execute on function grow_private.refuse_unchanged_menu() from public, anon;
