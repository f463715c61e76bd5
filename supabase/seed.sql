-- A demo organisation with one restaurant, for a first look at a new cloud (`supabase db push
-- --include-seed`, or `supabase db reset` locally). Its hub is registered by the operator with
-- `grow-hub cloud add-hub --restaurant-id 00000000-0000-4000-8000-000000000002`, so the demo hub
-- (`npm start`) can sync into it. Running it twice changes nothing.
insert into public.organisations (id, name)
values ('00000000-0000-4000-8000-000000000001', 'Demo Restaurant Group')
on conflict (id) do nothing;

insert into public.restaurants (id, organisation_id, name, timezone)
values ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'Demo Bistro', 'UTC')
on conflict (id) do nothing;
