-- HQ users sign in through Supabase Auth; a custom access token hook puts their organisation in
-- the JWT.
--
-- Until now an HQ user's token had to be minted by hand with grow_role=hq and organisation_id.
-- Now an operator invites a Supabase Auth user into an organisation (a row in hq_members, written
-- with the service role), and Supabase Auth calls public.custom_access_token_hook before issuing
-- each access token: a member gets grow_role=hq, organisation_id and hq_role; anyone else gets
-- neither (and so sees nothing: every policy asks for them). Enable it in the project under
-- Authentication → Hooks → Custom Access Token, or in supabase/config.toml for the CLI.

create table public.hq_members (
  -- auth.users.id of the person (no foreign key: a self-hosted cloud may keep users elsewhere).
  user_id uuid primary key,
  organisation_id uuid not null references public.organisations (id),
  role text not null default 'analyst' check (role in ('owner', 'analyst')),
  invited_at timestamptz not null default now()
);
create index hq_members_organisation on public.hq_members (organisation_id);
alter table public.hq_members enable row level security;

-- An HQ user sees who else is in their organisation; nobody but the service role writes.
create policy hq_reads_own_members on public.hq_members for select to authenticated
  using (grow_private.claim('grow_role') = 'hq'
         and organisation_id = nullif(grow_private.claim('organisation_id'), '')::uuid);
grant select on public.hq_members to authenticated;
grant all on public.hq_members to service_role;

-- Supabase Auth's contract: takes {user_id, claims, authentication_method}, returns it with the
-- claims it should sign. security definer: reads hq_members whatever role Auth runs it as.
create function public.custom_access_token_hook(event jsonb) returns jsonb
language plpgsql stable security definer set search_path = public, pg_temp as $$
declare
  v_claims jsonb := coalesce(event -> 'claims', '{}'::jsonb) - 'grow_role' - 'organisation_id' - 'hq_role';
  v_member record;
begin
  select organisation_id, role into v_member
  from hq_members where user_id = nullif(event ->> 'user_id', '')::uuid;
  if found then
    v_claims := v_claims || jsonb_build_object(
      'grow_role', 'hq', 'organisation_id', v_member.organisation_id, 'hq_role', v_member.role);
  end if;
  return jsonb_set(event, '{claims}', v_claims);
end $$;

-- Only Supabase Auth may call it (the role exists on Supabase, not on a bare Postgres).
revoke execute on function public.custom_access_token_hook(jsonb) from public, anon, authenticated;
do $$
begin
  if exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    grant usage on schema public to supabase_auth_admin;
    grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
  end if;
end $$;
