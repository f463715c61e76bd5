-- A silent hub noticed in minutes, not in an hour.
--
-- Hubs report alive every 30 s while open (syncMenuPollMs) and with every batch. Until now HQ
-- warned after an hour of silence and alarmed after a day, whatever the time: a hub killed at
-- noon looked healthy through lunch. Now each organisation sets both thresholds (5 and 30
-- minutes unless changed), and a restaurant may set its opening hours, in its own time zone:
-- outside them silence is expected ('closed'), and a hub that stayed silent through the night is
-- an alarm the minute the restaurant opens.

alter table public.organisations
  add column silence_warning_seconds integer not null default 300
    check (silence_warning_seconds between 30 and 86400),
  add column silence_alarm_seconds integer not null default 1800
    check (silence_alarm_seconds between 60 and 604800),
  add constraint silence_alarm_after_warning check (silence_alarm_seconds > silence_warning_seconds);

-- Local times in restaurants.timezone; both null: always open. closes_at before opens_at: the
-- restaurant closes after midnight (17:00 to 02:00).
alter table public.restaurants
  add column opens_at time,
  add column closes_at time,
  add constraint opening_hours_both_or_neither check ((opens_at is null) = (closes_at is null)),
  add constraint opening_hours_not_empty check (opens_at is distinct from closes_at or opens_at is null);

create function grow_private.open_at(p_timezone text, p_opens time, p_closes time, p_at timestamptz)
returns boolean
language sql stable set search_path = public, pg_temp as $$
  select case
    when p_opens is null then true
    when p_opens < p_closes then (p_at at time zone p_timezone)::time >= p_opens
                             and (p_at at time zone p_timezone)::time < p_closes
    else (p_at at time zone p_timezone)::time >= p_opens
      or (p_at at time zone p_timezone)::time < p_closes
  end
$$;

-- The menu version each hub last said it applied, and when (kept by the trigger in
-- 20261129000600 from the hubs' menu.applied events).
alter table public.hubs
  add column menu_version integer,
  add column menu_applied_at timestamptz;

-- Each hub's health: 'ok'; 'warning' and 'alarm' after the organisation's thresholds of silence
-- while the restaurant is open; 'closed' while it is not; 'alarm' for a hub never heard from. With
-- the menu it runs beside the newest one published for its restaurant.
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

-- HQ sets its organisation's thresholds (seconds). Errors say what is wrong in the HQ user's words.
create function public.hq_set_silence_thresholds(p_warning_seconds integer, p_alarm_seconds integer)
returns void
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if grow_private.claim('grow_role') is distinct from 'hq' then
    raise exception 'only HQ users set silence thresholds' using errcode = '42501';
  end if;
  if p_warning_seconds is null or p_alarm_seconds is null or p_warning_seconds < 30
     or p_alarm_seconds <= p_warning_seconds or p_alarm_seconds > 604800 then
    raise exception 'warn after at least 30 seconds, and alarm later than the warning (at most 7 days)'
      using errcode = '22023';
  end if;
  update organisations set silence_warning_seconds = p_warning_seconds, silence_alarm_seconds = p_alarm_seconds
  where id = nullif(grow_private.claim('organisation_id'), '')::uuid;
end $$;

-- HQ sets a restaurant's opening hours (local times; both null: always open).
create function public.hq_set_opening_hours(p_restaurant_id uuid, p_opens time, p_closes time)
returns void
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  if p_restaurant_id not in (select grow_private.hq_restaurants()) then
    raise exception 'restaurant % is not in your organisation', p_restaurant_id using errcode = '42501';
  end if;
  if (p_opens is null) <> (p_closes is null) or (p_opens is not null and p_opens = p_closes) then
    raise exception 'give both an opening and a closing time, and not the same one (or neither: always open)'
      using errcode = '22023';
  end if;
  update restaurants set opens_at = p_opens, closes_at = p_closes where id = p_restaurant_id;
end $$;

revoke execute on function public.hq_hubs() from public, anon;
revoke execute on function public.hq_set_silence_thresholds(integer, integer) from public, anon;
revoke execute on function public.hq_set_opening_hours(uuid, time, time) from public, anon;
revoke execute on function grow_private.open_at(text, time, time, timestamptz) from public, anon;
grant execute on function public.hq_hubs() to authenticated;
grant execute on function public.hq_set_silence_thresholds(integer, integer) to authenticated;
grant execute on function public.hq_set_opening_hours(uuid, time, time) to authenticated;
grant execute on function grow_private.open_at(text, time, time, timestamptz) to authenticated;
