-- A restaurant's hub may be a pair of boxes, a primary and a standby (docs/operations.md, "A
-- standby hub"). Both are the same hub to the cloud (one id, one log); the primary reports with
-- its heartbeat which box it is, its epoch (raised by each takeover) and how its standby stands,
-- and HQ shows it per hub. Older hubs keep calling hub_heartbeat(p_hub_id) and report none.
alter table public.hubs
  add column primary_box text,
  add column epoch integer,
  add column standby_state text,
  add column standby_box text,
  add column pair_reported_at timestamptz;

create function public.hub_heartbeat(p_hub_id uuid, p_pair jsonb)
returns jsonb
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  v_seq bigint := grow_private.hub_seen(p_hub_id); -- checks the credential is this hub's
begin
  if jsonb_typeof(p_pair) is distinct from 'object' then
    raise exception 'p_pair is an object: {box, epoch, standby: {state, box}}' using errcode = '22023';
  end if;
  update hubs
  set primary_box = left(p_pair ->> 'box', 60),
      epoch = (p_pair ->> 'epoch')::integer,
      standby_state = left(p_pair -> 'standby' ->> 'state', 20),
      standby_box = left(p_pair -> 'standby' ->> 'box', 60),
      pair_reported_at = now()
  where id = p_hub_id
    -- a box that was primary at an older epoch does not overwrite the newer one's report
    and (epoch is null or epoch <= (p_pair ->> 'epoch')::integer);
  return jsonb_build_object('synced_seq', v_seq);
end $$;
revoke execute on function public.hub_heartbeat(uuid, jsonb) from public, anon;
grant execute on function public.hub_heartbeat(uuid, jsonb) to authenticated;

drop function public.hq_hubs();
create function public.hq_hubs()
returns table (hub_id uuid, restaurant_id uuid, restaurant_name text, synced_seq bigint,
               last_contact_at timestamptz, silent_seconds bigint, open_now boolean, health text,
               warning_after_seconds integer, alarm_after_seconds integer,
               menu_version integer, menu_applied_at timestamptz, menu_published integer,
               primary_box text, epoch integer, standby_state text, standby_box text)
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
         (select max(m.version) from menu_versions m where m.restaurant_id = r.id),
         h.primary_box, h.epoch, h.standby_state, h.standby_box
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
alter function public.hq_hubs() set jit = off;
