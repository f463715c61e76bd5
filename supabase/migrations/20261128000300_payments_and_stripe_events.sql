-- Payments reach the cloud as events, like everything else the hub owns. A trigger on hub_events
-- keeps the payments projection current, so ingest_batch itself needs no change. It runs as the
-- caller, so row level security applies to its writes as to the batch's.
alter table public.payments add column refunded bigint not null default 0;
alter table public.payments add column pending_forward boolean not null default false;

create function grow_private.project_payment() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  p jsonb := new.data -> 'payment';
begin
  insert into payments as cur (restaurant_id, id, order_id, hub_id, method, status, amount, tip, refunded, pending_forward,
                               created_at, updated_at, last_seq)
  values (new.restaurant_id, (p ->> 'id')::uuid, (p ->> 'orderId')::uuid, new.hub_id, p ->> 'method', p ->> 'status',
          (p ->> 'amount')::bigint, (p ->> 'tip')::bigint, coalesce((p ->> 'refunded')::bigint, 0),
          coalesce((p ->> 'pendingForward')::boolean, false), (p ->> 'createdAt')::timestamptz, (p ->> 'updatedAt')::timestamptz, new.seq)
  on conflict (restaurant_id, id) do update
     set status = excluded.status, refunded = excluded.refunded, pending_forward = excluded.pending_forward,
         updated_at = excluded.updated_at, last_seq = excluded.last_seq
   where cur.last_seq < excluded.last_seq;
  return null;
end $$;

create trigger hub_events_project_payments
  after insert on public.hub_events
  for each row when (new.type in ('payment.recorded', 'payment.updated'))
  execute function grow_private.project_payment();

grant execute on function grow_private.project_payment() to authenticated;

-- Stripe webhooks land in the cloud, not on the hub (which sits behind the restaurant's NAT).
-- The receiver (an Edge Function) verifies the signature with the stripe library's
-- webhooks.constructEvent, then records the event once by its id: Stripe retries deliveries.
create table public.stripe_events (
  id text primary key,
  type text not null,
  account text,
  livemode boolean not null,
  payload jsonb not null,
  received_at timestamptz not null default now()
);
alter table public.stripe_events enable row level security; -- no policies: only service_role (bypassrls)

create function public.record_stripe_event(p_event jsonb) returns boolean
language plpgsql
security invoker
set search_path = public, pg_temp
as $$
begin
  insert into stripe_events (id, type, account, livemode, payload)
  values (p_event ->> 'id', p_event ->> 'type', p_event ->> 'account', coalesce((p_event ->> 'livemode')::boolean, false), p_event)
  on conflict (id) do nothing;
  return found;
end $$;

revoke execute on function public.record_stripe_event(jsonb) from public, anon, authenticated;
grant execute on function public.record_stripe_event(jsonb) to service_role;
grant all on public.stripe_events to service_role;
