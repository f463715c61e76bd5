-- A hub changes its own row in `hubs` only through the RPCs, never by writing it.
--
-- Until now a hub's credential could PATCH its row through PostgREST: move itself to another
-- restaurant (it appeared in that restaurant's HQ and vanished from its own), set synced_seq to
-- 1e12 (the cloud would skip its future events) or last_contact_at to 2099 (a dead hub looks
-- alive). Now no role but the service role may update `hubs`; the two things a hub may do to its
-- row, advance its synced seq after a batch and say it is alive, are security definer functions
-- that check the credential is that hub's and touch nothing else.

drop policy hub_updates_itself on public.hubs;
revoke update on public.hubs from authenticated;

-- The caller must be the hub itself (grow_role=hub and its own hub_id).
create function grow_private.require_own_hub(p_hub_id uuid) returns void
language plpgsql
stable
set search_path = public, pg_temp
as $$
begin
  if grow_private.claim('grow_role') is distinct from 'hub'
     or nullif(grow_private.claim('hub_id'), '')::uuid is distinct from p_hub_id then
    raise exception 'this credential is not for hub %', p_hub_id using errcode = '42501';
  end if;
end $$;

-- Locks the caller's hub row for the rest of its transaction and returns where it stands.
create function grow_private.lock_own_hub(p_hub_id uuid)
returns table (restaurant_id uuid, synced_seq bigint)
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  perform grow_private.require_own_hub(p_hub_id);
  return query select h.restaurant_id, h.synced_seq from hubs h where h.id = p_hub_id for update;
  if not found then
    raise exception 'hub % is not registered', p_hub_id using errcode = '42501';
  end if;
end $$;

-- After a batch: the cloud holds up to p_seq (never moves back) and heard from the hub now.
create function grow_private.hub_synced(p_hub_id uuid, p_seq bigint) returns void
language plpgsql
security definer
set search_path = public, pg_temp
as $$
begin
  perform grow_private.require_own_hub(p_hub_id);
  update hubs set synced_seq = greatest(synced_seq, p_seq), last_contact_at = now() where id = p_hub_id;
end $$;

-- The hub is alive (it reports even when it has nothing to send); returns its synced seq.
create function grow_private.hub_seen(p_hub_id uuid) returns bigint
language plpgsql
security definer
set search_path = public, pg_temp
as $$
declare
  v_seq bigint;
begin
  perform grow_private.require_own_hub(p_hub_id);
  update hubs set last_contact_at = now() where id = p_hub_id returning synced_seq into v_seq;
  return v_seq;
end $$;

revoke execute on function grow_private.require_own_hub(uuid) from public, anon;
revoke execute on function grow_private.lock_own_hub(uuid) from public, anon;
revoke execute on function grow_private.hub_synced(uuid, bigint) from public, anon;
revoke execute on function grow_private.hub_seen(uuid) from public, anon;
grant execute on function grow_private.require_own_hub(uuid) to authenticated;
grant execute on function grow_private.lock_own_hub(uuid) to authenticated;
grant execute on function grow_private.hub_synced(uuid, bigint) to authenticated;
grant execute on function grow_private.hub_seen(uuid) to authenticated;

create or replace function public.ingest_batch(p_hub_id uuid, p_from_seq bigint, p_to_seq bigint, p_events jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = public, pg_temp
as $$
declare
  v_restaurant uuid;
  v_synced bigint;
  v_count integer := coalesce(jsonb_array_length(p_events), 0);
  v_min bigint;
  v_max bigint;
  v_distinct integer;
  v_new integer;
begin
  if nullif(auth.jwt() ->> 'hub_id', '')::uuid is distinct from p_hub_id then
    raise exception 'this credential is not for hub %', p_hub_id using errcode = '42501';
  end if;
  if p_to_seq < p_from_seq or v_count <> p_to_seq - p_from_seq + 1 then
    raise exception 'batch % .. % must hold % events; it holds %', p_from_seq, p_to_seq, p_to_seq - p_from_seq + 1, v_count
      using errcode = '22023';
  end if;
  select count(distinct (e ->> 'seq')::bigint), min((e ->> 'seq')::bigint), max((e ->> 'seq')::bigint)
    into v_distinct, v_min, v_max
    from jsonb_array_elements(p_events) e;
  if v_distinct <> v_count or v_min <> p_from_seq or v_max <> p_to_seq then
    raise exception 'event seqs do not match the batch range % .. %', p_from_seq, p_to_seq using errcode = '22023';
  end if;

  -- Locks the hub row (batches of one hub apply one at a time, in order) through the one function
  -- that may touch it for a hub.
  select h.restaurant_id, h.synced_seq into v_restaurant, v_synced from grow_private.lock_own_hub(p_hub_id) h;
  if p_from_seq > v_synced + 1 then
    raise exception 'SYNC_BATCH_GAP: batch starts at % but the cloud holds up to %', p_from_seq, v_synced
      using errcode = 'GR409', detail = json_build_object('synced_seq', v_synced)::text,
            hint = 'resend from synced_seq + 1';
  end if;

  insert into hub_events (restaurant_id, hub_id, seq, type, entity_id, at, data)
  select v_restaurant, p_hub_id, e.seq, e.type, e."entityId", e.at, e.data
  from jsonb_to_recordset(p_events) as e(seq bigint, type text, "entityId" text, at timestamptz, data jsonb)
  where e.seq > v_synced;
  get diagnostics v_new = row_count;

  if v_new > 0 then
    insert into orders (restaurant_id, id, hub_id, number, status, currency, menu_version, subtotal, tax, total,
                        note, table_label, void_reason, device_id, created_at, updated_at, last_seq)
    select v_restaurant, (o ->> 'id')::uuid, p_hub_id, (o ->> 'number')::integer, o ->> 'status', o ->> 'currency',
           (o ->> 'menuVersion')::integer, (o ->> 'subtotal')::bigint, (o ->> 'tax')::bigint, (o ->> 'total')::bigint,
           o ->> 'note', o ->> 'tableLabel', o ->> 'voidReason', (o ->> 'deviceId')::uuid,
           (o ->> 'createdAt')::timestamptz, (o ->> 'updatedAt')::timestamptz, ev.seq
    from hub_events ev, lateral (select ev.data -> 'order' as o) x
    where ev.hub_id = p_hub_id and ev.seq > v_synced and ev.seq <= p_to_seq and ev.type = 'order.created'
    on conflict do nothing;

    insert into order_lines (restaurant_id, order_id, line_no, created_at, item_id, name, qty, unit_price, line_total,
                             station_id, tax_class_id, modifiers, note)
    select v_restaurant, (ev.data -> 'order' ->> 'id')::uuid, (l ->> 'lineNo')::integer,
           (ev.data -> 'order' ->> 'createdAt')::timestamptz, l ->> 'itemId', l ->> 'name', (l ->> 'qty')::integer,
           (l ->> 'unitPrice')::bigint, (l ->> 'lineTotal')::bigint, l ->> 'stationId', l ->> 'taxClassId',
           coalesce(l -> 'modifiers', '[]'::jsonb), l ->> 'note'
    from hub_events ev, jsonb_array_elements(ev.data -> 'order' -> 'lines') l
    where ev.hub_id = p_hub_id and ev.seq > v_synced and ev.seq <= p_to_seq and ev.type = 'order.created'
    on conflict do nothing;

    update orders o
       set status = s.to_status,
           void_reason = case when s.to_status = 'voided' then s.reason else o.void_reason end,
           updated_at = s.at,
           last_seq = s.seq
      from (select distinct on (ev.data ->> 'orderId')
                   (ev.data ->> 'orderId')::uuid as order_id, ev.data ->> 'to' as to_status,
                   ev.data ->> 'reason' as reason, ev.at, ev.seq
              from hub_events ev
             where ev.hub_id = p_hub_id and ev.seq > v_synced and ev.seq <= p_to_seq
               and ev.type = 'order.status_changed'
             order by ev.data ->> 'orderId', ev.seq desc) s
     where o.restaurant_id = v_restaurant and o.id = s.order_id and o.last_seq < s.seq;
  end if;

  perform grow_private.hub_synced(p_hub_id, p_to_seq);
  return jsonb_build_object('synced_seq', greatest(v_synced, p_to_seq), 'applied', v_new, 'skipped', v_count - v_new);
end $$;

create or replace function public.hub_heartbeat(p_hub_id uuid)
returns jsonb
language sql
security invoker
set search_path = public, pg_temp
as $$
  select jsonb_build_object('synced_seq', grow_private.hub_seen(p_hub_id))
$$;
