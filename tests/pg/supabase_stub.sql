-- A minimal stand-in for what Supabase provides before any project migration runs: the API roles
-- and auth.uid() reading the caller's JWT claims (PostgREST sets request.jwt.claims per request).
do $$
begin
  -- Roles are cluster-wide: several test databases share them, and test files start in
  -- parallel, so check-then-create is serialized and a lost race is harmless.
  perform pg_advisory_xact_lock(7413001);
  begin
    if not exists (select 1 from pg_roles where rolname = 'anon') then create role anon nologin noinherit; end if;
    if not exists (select 1 from pg_roles where rolname = 'authenticated') then create role authenticated nologin noinherit; end if;
    if not exists (select 1 from pg_roles where rolname = 'service_role') then create role service_role nologin noinherit bypassrls; end if;
    -- the role PostgREST connects as; its pgrst.db_pre_request setting names the function every
    -- request runs first (the migration sets it; tests/scenarios/drivers/pg.mjs calls it as
    -- PostgREST does)
    if not exists (select 1 from pg_roles where rolname = 'authenticator') then create role authenticator nologin noinherit; end if;
  exception when unique_violation or duplicate_object then null;
  end;
end
$$;
create schema auth;
create function auth.uid() returns uuid language sql stable as $$
  select (nullif(current_setting('request.jwt.claims', true), '')::json ->> 'sub')::uuid
$$;
grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid() to anon, authenticated, service_role;
