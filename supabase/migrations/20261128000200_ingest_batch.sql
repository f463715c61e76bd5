-- ingest_batch: one request per batch per hub (invariant 6, docs/architecture.md).
--
-- Applies events (p_from_seq .. p_to_seq, contiguous, oldest first) of the calling hub in one
-- transaction and returns the highest seq the cloud now holds for it. Explicit about repeats:
--   * events at or below hubs.synced_seq were applied before: skipped, counted in "skipped";
--   * a batch that starts after synced_seq + 1 would leave a hole: refused with SQLSTATE GR409
--     and the cloud's synced_seq in the detail, so the hub rewinds its cursor and resends;
--   * a batch whose events do not match its declared range is refused (22023), nothing applied.
-- Runs as the caller (security invoker), so row level security applies to every write it makes.
create function public.ingest_batch(p_hub_id uuid, p_from_seq bigint, p_to_seq bigint, p_events jsonb)
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

  -- Locks the hub row: batches of one hub apply one at a time, in order.
  select restaurant_id, synced_seq into v_restaurant, v_synced from hubs where id = p_hub_id for update;
  if not found then
    raise exception 'hub % is not registered or not visible to this credential', p_hub_id using errcode = '42501';
  end if;
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

  update hubs set synced_seq = greatest(synced_seq, p_to_seq), last_contact_at = now() where id = p_hub_id;
  return jsonb_build_object('synced_seq', greatest(v_synced, p_to_seq), 'applied', v_new, 'skipped', v_count - v_new);
end $$;

-- The newest menu HQ published for the caller's restaurant, if newer than p_version. Menus are
-- whole snapshots, so a hub that missed several versions needs only the last.
create function public.menu_since(p_version integer)
returns table (version integer, body jsonb, published_at timestamptz)
language sql
stable
security invoker
set search_path = public, pg_temp
as $$
  select m.version, m.body, m.published_at
  from menu_versions m
  where m.restaurant_id = grow_private.hub_restaurant() and m.version > p_version
  order by m.version desc
  limit 1
$$;

-- A hub reports it is alive even when it has nothing to send (HQ's "last contact").
create function public.hub_heartbeat(p_hub_id uuid)
returns jsonb
language sql
security invoker
set search_path = public, pg_temp
as $$
  update hubs set last_contact_at = now() where id = p_hub_id
  returning jsonb_build_object('synced_seq', synced_seq)
$$;

revoke execute on function public.ingest_batch(uuid, bigint, bigint, jsonb) from public, anon;
revoke execute on function public.menu_since(integer) from public, anon;
revoke execute on function public.hub_heartbeat(uuid) from public, anon;
grant execute on function public.ingest_batch(uuid, bigint, bigint, jsonb) to authenticated;
grant execute on function public.menu_since(integer) to authenticated;
grant execute on function public.hub_heartbeat(uuid) to authenticated;
