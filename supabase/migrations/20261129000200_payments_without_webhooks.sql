-- Card outcomes reach the hub by polling Stripe (the reader's action and the PaymentIntent), not by
-- webhooks: the hub needs them within a second, behind the restaurant's NAT, while the internet is
-- up, and reconciles by listing PaymentIntents after an outage (docs/payments.md). Nothing ever
-- received or read Stripe events, so the table and its function go.
drop function if exists public.record_stripe_event(jsonb);
drop table if exists public.stripe_events;

-- "Awaiting forwarding" is gone with offline-forwarded cards: a standalone terminal's card is a
-- payment with status 'unverified' until a manager verifies it.
create or replace function grow_private.project_payment() returns trigger
language plpgsql
set search_path = public, pg_temp
as $$
declare
  p jsonb := new.data -> 'payment';
begin
  insert into payments as cur (restaurant_id, id, order_id, hub_id, method, status, amount, tip, refunded,
                               created_at, updated_at, last_seq)
  values (new.restaurant_id, (p ->> 'id')::uuid, (p ->> 'orderId')::uuid, new.hub_id, p ->> 'method', p ->> 'status',
          (p ->> 'amount')::bigint, (p ->> 'tip')::bigint, coalesce((p ->> 'refunded')::bigint, 0),
          (p ->> 'createdAt')::timestamptz, (p ->> 'updatedAt')::timestamptz, new.seq)
  on conflict (restaurant_id, id) do update
     set method = excluded.method, status = excluded.status, refunded = excluded.refunded,
         updated_at = excluded.updated_at, last_seq = excluded.last_seq
   where cur.last_seq < excluded.last_seq;
  return null;
end $$;

update public.payments set method = 'card_standalone',
       status = case when status = 'authorised' then 'unverified' else status end
 where method = 'card_offline_forwarded';
alter table public.payments drop column pending_forward;
