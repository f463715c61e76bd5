-- A restaurant's business day starts when its hub says (issue 23, item 4): the manager sets the
-- day's start in the hub's service settings (docs/staff.md), the hub logs `settings.changed` with
-- `dayStartsAt`, and that event reaches the cloud through ingest_batch like any other, in order.
-- This keeps restaurants.day_starts_at at it, so HQ's "today", reports and Z history count the
-- same days as the restaurant's own X and Z. A change recounts that restaurant's rollups (the
-- clock-change trigger of 20261129001600).
create function grow_private.note_day_start() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
  update restaurants
  set day_starts_at = (new.data ->> 'dayStartsAt')::time
  where id = new.restaurant_id
    and day_starts_at is distinct from (new.data ->> 'dayStartsAt')::time;
  return null;
end $$;

create trigger hub_events_day_start
  after insert on public.hub_events
  for each row when (new.type = 'settings.changed' and new.data ? 'dayStartsAt')
  execute function grow_private.note_day_start();
