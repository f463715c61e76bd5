-- Supabase Auth runs the sign-in hook as supabase_auth_admin. A Supabase project has that role; a
-- self-hosted cloud gets it here, without a login (the operator gives it one for their Supabase
-- Auth server: docs/cloud-operator.md), so the hook is granted to it everywhere, not only where
-- the role happened to exist when the hook's migration ran.
do $$
begin
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin nologin noinherit;
  end if;
end $$;

grant usage on schema public to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
