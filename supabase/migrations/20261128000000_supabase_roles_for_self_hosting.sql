-- What a Supabase project provides before our migrations run, for a cloud on plain PostgreSQL
-- (self-hosted behind PostgREST, and the tests): the API roles and auth.jwt().
--
-- On a Supabase project all of it exists already and this migration changes nothing: each step
-- is guarded by "if it is not there yet". Roles are cluster-wide, so a second database on the
-- same server finds them too.
do $$
begin
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    -- PostgREST logs in as authenticator and switches to the role a request's JWT names. Give it
    -- a password yourself (alter role authenticator password '…') on a self-hosted cloud.
    create role authenticator login noinherit;
  end if;
  if not pg_has_role('authenticator', 'anon', 'member') then grant anon to authenticator; end if;
  if not pg_has_role('authenticator', 'authenticated', 'member') then grant authenticated to authenticator; end if;
  if not pg_has_role('authenticator', 'service_role', 'member') then grant service_role to authenticator; end if;
end $$;

create schema if not exists auth;

-- auth.jwt(): the claims of the request's JWT, as PostgREST sets them. Supabase defines its own;
-- this one is created only where there is none.
do $$
begin
  if not exists (
    select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'auth' and p.proname = 'jwt'
  ) then
    create function auth.jwt() returns jsonb language sql stable as $f$
      select coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                      nullif(current_setting('request.jwt.claims', true), ''))::jsonb
    $f$;
    grant usage on schema auth to anon, authenticated, service_role;
  end if;
end $$;
