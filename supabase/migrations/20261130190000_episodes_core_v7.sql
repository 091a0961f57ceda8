-- episodes-core schema v6 -> v7 (PostgreSQL / Supabase): Indexes for the dashboard's reads (docs/adr/0038-read-indexes.md): a project's live episodes by status (the overview's counts, the episode list's count) and its token usage by time (the usage list), which replaces the usage index on (organization, project).
-- Generated from core/schema/history.hpp by `episodes-core schema --dialect postgres --upgrade-from 6`; never edited
-- and never rewritten once committed (supabase/migrations.sha256). One transaction, refused
-- unchanged unless the database is at v6. Tables change by ALTER only; the derived objects (functions,
-- triggers, policies, column defaults) are re-created from the declarations, so the result equals a
-- fresh install (tests/pg/upgrade.test.mjs compares the catalogs).
begin;
set local check_function_bodies = off;
set local search_path = '';

do $$
begin
  if to_regclass('private.schema_info') is null
     or (select max(version) from private.schema_info) is distinct from 6 then
    raise exception 'episodes-core upgrade v6 -> v7 needs a database at v6: nothing was changed'
      using errcode = 'EC001';
  end if;
end
$$;

-- The derived objects are dropped first: policies, our triggers, every function of the schemas
-- private and public (not extension members; cascades to column defaults that call them).
do $$
declare
  r record;
begin
  for r in select policyname, tablename from pg_policies where schemaname = 'public' loop
    execute format('drop policy %I on public.%I', r.policyname, r.tablename);
  end loop;
  for r in select t.tgname, c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid
            where c.relnamespace = 'public'::regnamespace and not t.tgisinternal loop
    execute format('drop trigger %I on public.%I', r.tgname, r.relname);
  end loop;
  for r in select p.oid::regprocedure as f from pg_proc p
            where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
              and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e') loop
    execute format('drop function %s cascade', r.f);
  end loop;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The changes of v7 (core/schema/history.hpp).
-- ---------------------------------------------------------------------------------------------
-- Episode: a new index
create index ix_episodes_organization_id_project_id_deleted_at_status on public.episodes (organization_id, project_id, deleted_at, status);
-- TokenUsage: an index no longer declared
drop index if exists public.ix_token_usage_organization_id_project_id;
-- TokenUsage: a new index
create index ix_token_usage_organization_id_project_id_occurred_at_id on public.token_usage (organization_id, project_id, occurred_at, id);

-- The derived objects, re-created from the declarations.
-- ---------------------------------------------------------------------------------------------
-- Membership. Supabase auth users map 1:1 to public.users rows: users.id = auth.uid(). A user
-- belongs to exactly one organization; these helpers are security definer (they read users
-- without recursing into its own policies) and live in the non-exposed schema `private`.
-- ---------------------------------------------------------------------------------------------
create schema if not exists private;
revoke all on schema private from public;

create table if not exists private.schema_info (
  version integer primary key,
  applied_at timestamptz not null default now(),
  generator text not null
);

create function private.current_organization_id() returns uuid
  language sql stable security definer set search_path = '' as $$
  select u.organization_id from public.users u where u.id = (select auth.uid()) and u.deleted_at is null
$$;

-- PostgREST's db-pre-request (set on the authenticator role; docs/adr
-- principal-membership): a signed-in request whose user is not a current member of an
-- organization (soft-deleted, unknown), or not of the organization its claims name
-- (app_metadata.organization_id), is refused before any statement, as the core refuses such a
-- principal: forbidden, path ["as"]. Without it RLS would answer such a user with empty reads.
create function private.check_request() returns void
  language plpgsql stable set search_path = '' as $$
declare
  v_org text := nullif(current_setting('request.jwt.claims', true), '')::jsonb -> 'app_metadata' ->> 'organization_id';
  v_member uuid;
begin
  if current_user <> 'authenticated' then
    return;
  end if;
  v_member := (select private.current_organization_id());
  if v_member is null or (v_org is not null and v_org is distinct from v_member::text) then
    raise exception 'forbidden: no such user in that organization'
      using errcode = '42501', detail = '{"path": ["as"]}';
  end if;
end
$$;

create function private.current_user_role() returns public.user_role
  language sql stable security definer set search_path = '' as $$
  select u.role from public.users u where u.id = (select auth.uid()) and u.deleted_at is null
$$;

create function private.is_org_admin() returns boolean
  language sql stable security definer set search_path = '' as $$
  select coalesce((select u.role in ('owner', 'admin') from public.users u
                   where u.id = (select auth.uid()) and u.deleted_at is null), false)
$$;

-- The end of the instant range both engines hold (core/time.hpp kMaxInstant): lease ends,
-- reservation expiries and retry times computed from now are capped at it.
create function private.max_instant() returns timestamptz
  language sql immutable set search_path = '' as $$
  select to_timestamp(253402300799999 / 1000) + (253402300799999 % 1000) * interval '1 millisecond'
$$;

-- Serializes the rules that count rows of one organization (the plan limit, the last owner) per
-- organization (advisory, transaction-scoped): the count after it sees every committed change.
create function private.lock_organization(p_org uuid) returns void
  language sql volatile set search_path = '' as $$
  select pg_advisory_xact_lock(hashtextextended(p_org::text, 5))
$$;

-- ---------------------------------------------------------------------------------------------
-- Append-only tables: any UPDATE, DELETE or TRUNCATE raises.
-- ---------------------------------------------------------------------------------------------
create function private.refuse_change() returns trigger
  language plpgsql set search_path = '' as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op) using errcode = 'EC403';
end
$$;

-- Column defaults, as declared.
alter table public.organizations alter column id drop default;
alter table public.organizations alter column name drop default;
alter table public.organizations alter column slug drop default;
alter table public.organizations alter column plan set default 'free';
alter table public.organizations alter column daily_cost_limit_micros set default 50000000;
alter table public.organizations alter column created_at set default now();
alter table public.organizations alter column updated_at set default now();
alter table public.users alter column id drop default;
alter table public.users alter column organization_id set default private.current_organization_id();
alter table public.users alter column email drop default;
alter table public.users alter column name drop default;
alter table public.users alter column role set default 'member';
alter table public.users alter column timezone set default 'UTC';
alter table public.users alter column created_at set default now();
alter table public.users alter column updated_at set default now();
alter table public.users alter column deleted_at drop default;
alter table public.users alter column deleted_by drop default;
alter table public.projects alter column id drop default;
alter table public.projects alter column organization_id set default private.current_organization_id();
alter table public.projects alter column owner_id set default auth.uid();
alter table public.projects alter column name drop default;
alter table public.projects alter column description set default '';
alter table public.projects alter column status set default 'active';
alter table public.projects alter column cadence_config drop default;
alter table public.projects alter column memories set default '[]'::jsonb;
alter table public.projects alter column created_at set default now();
alter table public.projects alter column updated_at set default now();
alter table public.projects alter column deleted_at drop default;
alter table public.projects alter column deleted_by drop default;
alter table public.projects alter column tagline drop default;
alter table public.episodes alter column id drop default;
alter table public.episodes alter column organization_id set default private.current_organization_id();
alter table public.episodes alter column project_id drop default;
alter table public.episodes alter column number drop default;
alter table public.episodes alter column title drop default;
alter table public.episodes alter column status set default 'scheduled';
alter table public.episodes alter column scheduled_for drop default;
alter table public.episodes alter column generated_at drop default;
alter table public.episodes alter column published_at drop default;
alter table public.episodes alter column generation_attempts set default 0;
alter table public.episodes alter column generation_errors set default '[]'::jsonb;
alter table public.episodes alter column created_at set default now();
alter table public.episodes alter column updated_at set default now();
alter table public.episodes alter column deleted_at drop default;
alter table public.episodes alter column deleted_by drop default;
alter table public.episode_schedule_queue alter column id drop default;
alter table public.episode_schedule_queue alter column organization_id set default private.current_organization_id();
alter table public.episode_schedule_queue alter column project_id drop default;
alter table public.episode_schedule_queue alter column scheduled_for drop default;
alter table public.episode_schedule_queue alter column status set default 'pending';
alter table public.episode_schedule_queue alter column attempts set default 0;
alter table public.episode_schedule_queue alter column max_attempts set default 3;
alter table public.episode_schedule_queue alter column locked_by drop default;
alter table public.episode_schedule_queue alter column locked_until drop default;
alter table public.episode_schedule_queue alter column run_after drop default;
alter table public.episode_schedule_queue alter column last_error drop default;
alter table public.episode_schedule_queue alter column episode_id drop default;
alter table public.episode_schedule_queue alter column completed_at drop default;
alter table public.episode_schedule_queue alter column created_at set default now();
alter table public.episode_schedule_queue alter column updated_at set default now();
alter table public.chat_sessions alter column id drop default;
alter table public.chat_sessions alter column organization_id set default private.current_organization_id();
alter table public.chat_sessions alter column project_id drop default;
alter table public.chat_sessions alter column episode_id drop default;
alter table public.chat_sessions alter column user_id set default auth.uid();
alter table public.chat_sessions alter column title drop default;
alter table public.chat_sessions alter column created_at set default now();
alter table public.chat_sessions alter column updated_at set default now();
alter table public.chat_sessions alter column deleted_at drop default;
alter table public.chat_sessions alter column deleted_by drop default;
alter table public.chat_messages alter column id drop default;
alter table public.chat_messages alter column organization_id set default private.current_organization_id();
alter table public.chat_messages alter column session_id drop default;
alter table public.chat_messages alter column role drop default;
alter table public.chat_messages alter column content drop default;
alter table public.chat_messages alter column input_tokens set default 0;
alter table public.chat_messages alter column output_tokens set default 0;
alter table public.chat_messages alter column cost_micros set default 0;
alter table public.chat_messages alter column created_at set default now();
alter table public.chat_messages alter column updated_at set default now();
alter table public.token_usage alter column id drop default;
alter table public.token_usage alter column organization_id set default private.current_organization_id();
alter table public.token_usage alter column project_id drop default;
alter table public.token_usage alter column episode_id drop default;
alter table public.token_usage alter column chat_session_id drop default;
alter table public.token_usage alter column model drop default;
alter table public.token_usage alter column input_tokens drop default;
alter table public.token_usage alter column output_tokens drop default;
alter table public.token_usage alter column cost_micros drop default;
alter table public.token_usage alter column occurred_at drop default;
alter table public.token_usage alter column created_at set default now();
alter table public.token_usage alter column updated_at set default now();
alter table public.token_usage_daily alter column id drop default;
alter table public.token_usage_daily alter column organization_id set default private.current_organization_id();
alter table public.token_usage_daily alter column date drop default;
alter table public.token_usage_daily alter column input_tokens set default 0;
alter table public.token_usage_daily alter column output_tokens set default 0;
alter table public.token_usage_daily alter column cost_micros set default 0;
alter table public.token_usage_daily alter column call_count set default 0;
alter table public.token_usage_daily alter column created_at set default now();
alter table public.token_usage_daily alter column updated_at set default now();
alter table public.budget_reservations alter column id drop default;
alter table public.budget_reservations alter column organization_id set default private.current_organization_id();
alter table public.budget_reservations alter column queue_item_id drop default;
alter table public.budget_reservations alter column estimate_micros drop default;
alter table public.budget_reservations alter column status set default 'open';
alter table public.budget_reservations alter column date drop default;
alter table public.budget_reservations alter column expires_at drop default;
alter table public.budget_reservations alter column created_at set default now();
alter table public.budget_reservations alter column updated_at set default now();
alter table public.planning_notes alter column id drop default;
alter table public.planning_notes alter column organization_id set default private.current_organization_id();
alter table public.planning_notes alter column project_id drop default;
alter table public.planning_notes alter column author_id set default auth.uid();
alter table public.planning_notes alter column content drop default;
alter table public.planning_notes alter column status set default 'open';
alter table public.planning_notes alter column applied_episode_id drop default;
alter table public.planning_notes alter column applied_at drop default;
alter table public.planning_notes alter column created_at set default now();
alter table public.planning_notes alter column updated_at set default now();
alter table public.planning_notes alter column deleted_at drop default;
alter table public.planning_notes alter column deleted_by drop default;
alter table public.agent_memories alter column id drop default;
alter table public.agent_memories alter column organization_id set default private.current_organization_id();
alter table public.agent_memories alter column project_id drop default;
alter table public.agent_memories alter column kind set default 'fact';
alter table public.agent_memories alter column content drop default;
alter table public.agent_memories alter column importance set default 3;
alter table public.agent_memories alter column source_episode_id drop default;
alter table public.agent_memories alter column legacy_memory_id drop default;
alter table public.agent_memories alter column created_at set default now();
alter table public.agent_memories alter column updated_at set default now();
alter table public.agent_memories alter column deleted_at drop default;
alter table public.agent_memories alter column deleted_by drop default;
alter table public.user_events alter column id drop default;
alter table public.user_events alter column organization_id set default private.current_organization_id();
alter table public.user_events alter column user_id set default auth.uid();
alter table public.user_events alter column event_type drop default;
alter table public.user_events alter column event_data set default '{}'::jsonb;
alter table public.user_events alter column occurred_at drop default;
alter table public.user_events alter column created_at set default now();
alter table public.user_events alter column updated_at set default now();
alter table public.audit_log alter column id drop default;
alter table public.audit_log alter column organization_id set default private.current_organization_id();
alter table public.audit_log alter column actor_id drop default;
alter table public.audit_log alter column action drop default;
alter table public.audit_log alter column entity_type drop default;
alter table public.audit_log alter column entity_id drop default;
alter table public.audit_log alter column changes set default '{}'::jsonb;
alter table public.audit_log alter column occurred_at drop default;
alter table public.audit_log alter column created_at set default now();
alter table public.audit_log alter column updated_at set default now();
create trigger trg_audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.refuse_change();
create trigger trg_audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.refuse_change();
alter table public.blocks alter column id drop default;
alter table public.blocks alter column organization_id set default private.current_organization_id();
alter table public.blocks alter column episode_id drop default;
alter table public.blocks alter column type set default 'markdown';
alter table public.blocks alter column position set default 0;
alter table public.blocks alter column content drop default;
alter table public.blocks alter column created_at set default now();
alter table public.blocks alter column updated_at set default now();
alter table public.highlights alter column id drop default;
alter table public.highlights alter column organization_id set default private.current_organization_id();
alter table public.highlights alter column episode_id drop default;
alter table public.highlights alter column block_id drop default;
alter table public.highlights alter column user_id set default auth.uid();
alter table public.highlights alter column start_offset drop default;
alter table public.highlights alter column end_offset drop default;
alter table public.highlights alter column quote drop default;
alter table public.highlights alter column note drop default;
alter table public.highlights alter column created_at set default now();
alter table public.highlights alter column updated_at set default now();
alter table public.highlights alter column deleted_at drop default;
alter table public.highlights alter column deleted_by drop default;

-- ---------------------------------------------------------------------------------------------
-- Helpers of the queue/budget functions (same output formats as the core).
-- ---------------------------------------------------------------------------------------------
-- "2025-08-15T09:00:00.000Z", as core/time.cpp format_instant.
create function private.iso(p_at timestamptz) returns text
  language sql immutable set search_path = '' as $$
  select to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A row as the core's JSON: camelCase keys, instants as "…Z" with milliseconds.
create function private.core_json(p_row jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select coalesce(jsonb_object_agg(
           (select string_agg(case when i = 1 then w else initcap(w) end, '' order by i)
              from unnest(string_to_array(key, '_')) with ordinality as t(w, i)),
           case when jsonb_typeof(value) = 'string'
                 and (value #>> '{}') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$'
                then to_jsonb(private.iso((value #>> '{}')::timestamptz))
                else value end), '{}'::jsonb)
  from jsonb_each(p_row)
$$;

-- One AuditLog row {field: {before, after}} for a change, as core/store/audit.cpp (createdAt and
-- updatedAt are not diffed; an update that changes nothing writes nothing).
create function private.audit(p_org uuid, p_actor uuid, p_action text, p_entity text, p_id uuid,
                              p_before jsonb, p_after jsonb, p_at timestamptz) returns void
  language plpgsql security definer set search_path = '' set timezone = 'UTC' as $$
declare
  b jsonb := private.core_json(coalesce(p_before, '{}'::jsonb));
  a jsonb := private.core_json(coalesce(p_after, '{}'::jsonb));
  k text;
  ch jsonb := '{}'::jsonb;
begin
  for k in select key from jsonb_each(a) union select key from jsonb_each(b) loop
    continue when k in ('createdAt', 'updatedAt');
    if (a -> k) is distinct from (b -> k) then
      ch := ch || jsonb_build_object(k, jsonb_build_object('before', coalesce(b -> k, 'null'::jsonb),
                                                           'after', coalesce(a -> k, 'null'::jsonb)));
    end if;
  end loop;
  if ch = '{}'::jsonb and p_before is not null then
    return;
  end if;
  insert into public.audit_log (id, organization_id, actor_id, action, entity_type, entity_id, changes,
                                occurred_at, created_at, updated_at)
  values (gen_random_uuid(), p_org, p_actor, p_action, p_entity, p_id, ch, p_at, p_at, p_at);
end
$$;

-- The longest prefix of at most p_max UTF-8 bytes that does not split a character.
create function private.truncate_bytes(p text, p_max integer) returns text
  language plpgsql immutable set search_path = '' as $$
declare
  r text := left(p, p_max);
begin
  while octet_length(r) > p_max loop
    r := left(r, char_length(r) - greatest(1, (octet_length(r) - p_max) / 4));
  end loop;
  return r;
end
$$;

-- Appends one {at, code, message, attempt} entry, keeping the last 50 (queue.cpp kMaxErrorsKept).
create function private.with_error(p_errors jsonb, p_entry jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select case when jsonb_array_length(x) <= 50 then x
              else (select jsonb_agg(e order by i) from jsonb_array_elements(x) with ordinality as t(e, i)
                    where i > jsonb_array_length(x) - 50) end
  from (select coalesce(p_errors, '[]'::jsonb) || jsonb_build_array(p_entry) as x) s
$$;

-- Retry delay after failed attempt p_attempt, exactly as queue.cpp backoff_ms:
-- min(1 h, 60 s * 2^(attempt-1)) minus a jitter of up to 10 % from FNV-1a 64 of "id:attempt".
create function private.backoff_ms(p_item_id uuid, p_attempt integer) returns bigint
  language plpgsql immutable set search_path = '' as $$
declare
  v_d bigint := least(3600000, 60000::bigint << least(greatest(p_attempt - 1, 0), 20));
  v_bytes bytea := convert_to(p_item_id::text || ':' || p_attempt::text, 'UTF8');
  v_h numeric := 1469598103934665603;
  v_low integer;
begin
  for i in 0 .. length(v_bytes) - 1 loop
    v_low := (v_h % 256)::integer;
    v_h := v_h - v_low + (v_low # get_byte(v_bytes, i));
    v_h := (v_h * 1099511628211) % 18446744073709551616;
  end loop;
  return v_d - (v_h % (v_d / 10 + 1))::bigint;
end
$$;

-- "£1,234.56", "−£0.01" as rules::format_gbp (core/rules.hpp: half away from zero, to the penny).
create function private.gbp(p_micros bigint) returns text
  language sql immutable set search_path = '' as $$
  select case when p_micros < 0 and (abs(p_micros::numeric) + 10000 / 2) / 10000 >= 1
              then '−£' else '£' end
      || to_char(trunc(trunc((abs(p_micros::numeric) + 10000 / 2) / 10000)
                       / (1000000 / 10000)), 'FM999,999,999,999,990')
      || '.'
      || lpad((trunc((abs(p_micros::numeric) + 10000 / 2) / 10000)
               % (1000000 / 10000))::text, 2, '0')
$$;

-- ---------------------------------------------------------------------------------------------
-- TokenUsageDaily: kept equal to the sums of TokenUsage by triggers, exactly as the SQLite
-- triggers (deterministic id: first 24 characters of the organization id || '0000YYYYMMDD').
-- Concurrent usage of one organization and day serializes on that day (advisory lock, then row).
-- ---------------------------------------------------------------------------------------------
create function private.token_usage_daily_add(p_org uuid, p_at timestamptz, p_in bigint, p_out bigint,
                                              p_cost bigint, p_stamp timestamptz) returns void
  language sql security definer set search_path = '' as $$
  -- The first usage of a day creates its row: concurrent sessions would race on the three unique
  -- indexes of that row (id, (organization_id, id), (organization_id, date)), and ON CONFLICT
  -- arbitrates only one of them. An advisory lock per (organization, day) serializes them; the
  -- next statement's snapshot then sees the committed row and takes the DO UPDATE path.
  select pg_advisory_xact_lock(hashtextextended(p_org::text || to_char(p_at at time zone 'UTC', 'YYYYMMDD'), 5));
  insert into public.token_usage_daily as d (id, organization_id, date, input_tokens, output_tokens, cost_micros,
                                             call_count, created_at, updated_at)
  values ((substr(p_org::text, 1, 24) || to_char(p_at at time zone 'UTC', '"0000"YYYYMMDD'))::uuid, p_org,
          (p_at at time zone 'UTC')::date, p_in, p_out, p_cost, 1, p_stamp, p_stamp)
  on conflict (organization_id, date) do update set
    input_tokens = d.input_tokens + excluded.input_tokens,
    output_tokens = d.output_tokens + excluded.output_tokens,
    cost_micros = d.cost_micros + excluded.cost_micros,
    call_count = d.call_count + 1,
    updated_at = greatest(d.updated_at, excluded.updated_at)
$$;

create function private.token_usage_daily_sub(p_org uuid, p_at timestamptz, p_in bigint, p_out bigint,
                                              p_cost bigint) returns void
  language sql security definer set search_path = '' as $$
  update public.token_usage_daily set
    input_tokens = input_tokens - p_in,
    output_tokens = output_tokens - p_out,
    cost_micros = cost_micros - p_cost,
    call_count = call_count - 1
  where organization_id = p_org and date = (p_at at time zone 'UTC')::date
$$;

create function private.trg_token_usage_ai() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  perform private.token_usage_daily_add(new.organization_id, new.occurred_at, new.input_tokens, new.output_tokens,
                                        new.cost_micros, new.created_at);
  return null;
end
$$;

create function private.trg_token_usage_ad() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  perform private.token_usage_daily_sub(old.organization_id, old.occurred_at, old.input_tokens, old.output_tokens,
                                        old.cost_micros);
  return null;
end
$$;

create function private.trg_token_usage_au() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  perform private.token_usage_daily_sub(old.organization_id, old.occurred_at, old.input_tokens, old.output_tokens,
                                        old.cost_micros);
  perform private.token_usage_daily_add(new.organization_id, new.occurred_at, new.input_tokens, new.output_tokens,
                                        new.cost_micros, new.updated_at);
  return null;
end
$$;

-- The plan limit ("limit projects, not frequency", ops_project.cpp check_plan_limit): a project
-- that starts to count (created, un-archived or restored live and not archived) is refused with
-- plan_limit when the organization's other live, non-archived projects already fill its plan.
-- Checked for the API roles (signed-in users, the service role); serialized per organization.
create function private.check_plan_limit() returns trigger
  language plpgsql security definer set search_path = '' as $$
declare
  v_plan text;
  v_limit bigint;
  v_used bigint;
begin
  if coalesce(current_setting('role', true), '') not in ('authenticated', 'service_role') then
    return new;
  end if;
  if new.deleted_at is not null or new.status = 'archived' then
    return new;
  end if;
  if tg_op = 'UPDATE' and old.deleted_at is null and old.status <> 'archived' then
    return new;
  end if;
  perform private.lock_organization(new.organization_id);
  select o.plan::text into v_plan from public.organizations o where o.id = new.organization_id;
  v_limit := case v_plan when 'team' then 100
                         when 'pro' then 25
                         else 3 end;
  select count(*) into v_used from public.projects p
   where p.organization_id = new.organization_id and p.deleted_at is null
     and p.status <> 'archived' and p.id <> new.id;
  if v_used >= v_limit then
    raise exception 'plan_limit: the % plan allows % active projects and all are in use; archive a project or upgrade the plan',
      v_plan, v_limit using errcode = 'EC429';
  end if;
  return new;
end
$$;

create trigger trg_projects_plan_limit before insert or update on public.projects
  for each row execute function private.check_plan_limit();

create trigger trg_token_usage_ai after insert on public.token_usage
  for each row execute function private.trg_token_usage_ai();
create trigger trg_token_usage_ad after delete on public.token_usage
  for each row execute function private.trg_token_usage_ad();
create trigger trg_token_usage_au
  after update of input_tokens, output_tokens, cost_micros, occurred_at, organization_id on public.token_usage
  for each row execute function private.trg_token_usage_au();

-- ---------------------------------------------------------------------------------------------
-- The schedule queue (mirrors core/store/queue.cpp). Callable by the service role only: workers
-- are trusted back-end processes. Errors carry SQLSTATE EC409 (stale_lease), EC402
-- (budget_exceeded), EC410 (conflict), P0002 (not_found), 22023 (invalid parameter); the message
-- starts with the core's error code.
-- ---------------------------------------------------------------------------------------------
create function private.check_lease(p_item public.episode_schedule_queue, p_token bigint) returns void
  language plpgsql stable set search_path = '' as $$
begin
  if p_item.status <> 'processing' then
    raise exception 'stale_lease: the item is %, not processing: this lease is no longer held', p_item.status
      using errcode = 'EC409';
  end if;
  if p_token is distinct from p_item.attempts then
    raise exception 'stale_lease: token % is stale: the item was claimed again (token %)', p_token, p_item.attempts
      using errcode = 'EC409';
  end if;
end
$$;

-- Serializes episode numbering per project (advisory, transaction-scoped).
create function private.lock_project(p_project_id uuid) returns void
  language sql volatile set search_path = '' as $$
  select pg_advisory_xact_lock(hashtextextended(p_project_id::text, 8))
$$;

-- The episode a slot generates: the linked one, else one already scheduled for that slot, else a
-- new one with the project's next number (queue.cpp episode_for).
create function private.episode_for(p_item public.episode_schedule_queue, p_now timestamptz, p_actor uuid)
  returns public.episodes
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_ep public.episodes;
  v_number bigint;
begin
  if p_item.episode_id is not null then
    select * into v_ep from public.episodes e
     where e.id = p_item.episode_id and e.organization_id = p_item.organization_id and e.deleted_at is null;
    if found then
      return v_ep;
    end if;
  end if;
  select * into v_ep from public.episodes e
   where e.organization_id = p_item.organization_id and e.project_id = p_item.project_id
     and e.scheduled_for = p_item.scheduled_for and e.deleted_at is null
   order by e.number limit 1;
  if found then
    return v_ep;
  end if;
  perform private.lock_project(p_item.project_id);
  select coalesce(max(e.number), 0) + 1 into v_number from public.episodes e
   where e.organization_id = p_item.organization_id and e.project_id = p_item.project_id;
  insert into public.episodes (id, organization_id, project_id, number, title, status, scheduled_for,
                               created_at, updated_at)
  values (gen_random_uuid(), p_item.organization_id, p_item.project_id, v_number, 'Episode ' || v_number,
          'scheduled', p_item.scheduled_for, p_now, p_now)
  returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'create', 'Episode', v_ep.id, null, to_jsonb(v_ep), p_now);
  return v_ep;
end
$$;

-- Closes every open reservation of a queue item (budget.cpp close_for_item).
create function private.close_reservations(p_item public.episode_schedule_queue, p_status public.budget_reservation_status,
                                           p_now timestamptz, p_actor uuid) returns integer
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.budget_reservations;
  v_after public.budget_reservations;
  n integer := 0;
begin
  for v_before in
    select * from public.budget_reservations r
     where r.organization_id = p_item.organization_id and r.queue_item_id = p_item.id and r.status = 'open'
     order by r.id for update
  loop
    update public.budget_reservations set status = p_status, updated_at = p_now where id = v_before.id
      returning * into v_after;
    perform private.audit(v_after.organization_id, p_actor, case when p_status = 'settled' then 'settle' else 'release' end,
                          'BudgetReservation', v_after.id, to_jsonb(v_before), to_jsonb(v_after), p_now);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The cap invariant (core/store/budget.hpp, docs/INVARIANTS.md): for every organization and UTC
-- day D, settled spend attributed to D never exceeds the limit of D's last grant while every
-- settled cost is within its reservation. A grant (a reservation, or usage recorded without one)
-- releases the open reservations of D expired at p_now (audit action "expire") and then admits
-- the amount only if spent(D) + open reservations of D + amount <= limit; so a reservation still
-- open was counted by every grant of its day and can always be settled. A reservation of a queue
-- item expires no earlier than the item's lease. A settle is refused above its estimate and its
-- occurred_at is clamped into the reservation's UTC day.
-- ---------------------------------------------------------------------------------------------
-- A grant of p_amount against (p_org, p_date) at p_now (budget.cpp admit). Locks the organization
-- row (FOR NO KEY UPDATE) so grants of one organization are serialized; spent and reserved are
-- read in one statement (one snapshot), after the expired reservations were released.
create function private.budget_admit(p_org uuid, p_date date, p_amount bigint, p_now timestamptz, p_actor uuid,
                                     p_verb text default 'reserving', p_amount_key text default 'estimate')
  returns void
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_limit bigint;
  v_spent bigint;
  v_reserved bigint;
  v_before public.budget_reservations;
  v_after public.budget_reservations;
begin
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = p_org for no key update;
  if not found then
    raise exception 'not_found: no organization %', p_org using errcode = 'P0002';
  end if;
  for v_before in
    select * from public.budget_reservations r
     where r.organization_id = p_org and r.date = p_date and r.status = 'open' and r.expires_at <= p_now
     order by r.id for update
  loop
    update public.budget_reservations set status = 'released', updated_at = p_now where id = v_before.id
      returning * into v_after;
    perform private.audit(p_org, p_actor, 'expire', 'BudgetReservation', v_after.id, to_jsonb(v_before),
                          to_jsonb(v_after), p_now);
  end loop;
  select coalesce((select d.cost_micros from public.token_usage_daily d
                    where d.organization_id = p_org and d.date = p_date), 0),
         coalesce((select sum(r.estimate_micros) from public.budget_reservations r
                    where r.organization_id = p_org and r.date = p_date and r.status = 'open'
                      and r.expires_at > p_now), 0)
    into v_spent, v_reserved;
  if v_spent + v_reserved + p_amount > v_limit then
    raise exception 'budget_exceeded: % % would pass the % daily limit (spent %, reserved %)',
      p_verb, private.gbp(p_amount), private.gbp(v_limit), private.gbp(v_spent), private.gbp(v_reserved)
      using errcode = 'EC402',
            detail = jsonb_build_object('spent', v_spent, 'reserved', v_reserved, 'limit', v_limit,
                                        p_amount_key, p_amount, 'date', p_date)::text;
  end if;
end
$$;

-- Records one LLM call (budget.cpp record_usage). With p_cover_date: refused (EC402, detail
-- {estimateMicros}) above p_cover_estimate, and occurred_at clamped into that UTC day; without:
-- a grant of the cost on the day of occurred_at (default p_now).
create function private.record_usage(p_org uuid, p_project_id uuid, p_episode_id uuid, p_usage jsonb,
                                     p_now timestamptz, p_actor uuid, p_cover_date date default null,
                                     p_cover_estimate bigint default null)
  returns public.token_usage
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_usage public.token_usage;
  v_cost bigint;
  v_at timestamptz;
begin
  -- The usage's numbers first (as the core validates the row before the budget rules).
  if p_usage is null or jsonb_typeof(p_usage) <> 'object' then
    raise exception 'invalid: usage must be an object' using errcode = '22023';
  end if;
  if not p_usage ? 'inputTokens' or (p_usage ? 'inputTokens' and (jsonb_typeof(p_usage -> 'inputTokens') <> 'number' or (p_usage ->> 'inputTokens')::numeric <> trunc((p_usage ->> 'inputTokens')::numeric) or (p_usage ->> 'inputTokens')::numeric < 0 or (p_usage ->> 'inputTokens')::numeric > 100000000)) then
    raise exception 'invalid: usage.inputTokens must be an integer 0..100000000' using errcode = '22023', detail = '{"path": ["usage", "inputTokens"]}';
  end if;
  if not p_usage ? 'outputTokens' or (p_usage ? 'outputTokens' and (jsonb_typeof(p_usage -> 'outputTokens') <> 'number' or (p_usage ->> 'outputTokens')::numeric <> trunc((p_usage ->> 'outputTokens')::numeric) or (p_usage ->> 'outputTokens')::numeric < 0 or (p_usage ->> 'outputTokens')::numeric > 100000000)) then
    raise exception 'invalid: usage.outputTokens must be an integer 0..100000000' using errcode = '22023', detail = '{"path": ["usage", "outputTokens"]}';
  end if;
  if not p_usage ? 'costMicros' or (p_usage ? 'costMicros' and (jsonb_typeof(p_usage -> 'costMicros') <> 'number' or (p_usage ->> 'costMicros')::numeric <> trunc((p_usage ->> 'costMicros')::numeric) or (p_usage ->> 'costMicros')::numeric < 0 or (p_usage ->> 'costMicros')::numeric > 1000000000000)) then
    raise exception 'invalid: usage.costMicros must be an integer 0..1000000000000' using errcode = '22023', detail = '{"path": ["usage", "costMicros"]}';
  end if;
  if jsonb_typeof(p_usage -> 'projectId') = 'string' and not private.is_uuid_text(p_usage ->> 'projectId') then
    raise exception 'invalid: usage.projectId must be a UUID (8-4-4-4-12 lower-case hex)' using errcode = '22023', detail = '{"path": ["usage", "projectId"]}';
  end if;
  if jsonb_typeof(p_usage -> 'episodeId') = 'string' and not private.is_uuid_text(p_usage ->> 'episodeId') then
    raise exception 'invalid: usage.episodeId must be a UUID (8-4-4-4-12 lower-case hex)' using errcode = '22023', detail = '{"path": ["usage", "episodeId"]}';
  end if;
  if jsonb_typeof(p_usage -> 'chatSessionId') = 'string' and not private.is_uuid_text(p_usage ->> 'chatSessionId') then
    raise exception 'invalid: usage.chatSessionId must be a UUID (8-4-4-4-12 lower-case hex)' using errcode = '22023', detail = '{"path": ["usage", "chatSessionId"]}';
  end if;
  if jsonb_typeof(p_usage -> 'occurredAt') = 'string' and not private.parse_instant_text(p_usage ->> 'occurredAt') is not null then
    raise exception 'invalid: usage.occurredAt must be an ISO-8601 instant' using errcode = '22023', detail = '{"path": ["usage", "occurredAt"]}';
  end if;
  v_cost := (p_usage ->> 'costMicros')::bigint;
  v_at := coalesce(private.parse_instant_text(p_usage ->> 'occurredAt'), p_now);
  if p_cover_date is not null then
    if v_cost > p_cover_estimate then
      raise exception 'budget_exceeded: the cost % is above the % reserved for it',
        private.gbp(v_cost), private.gbp(p_cover_estimate)
        using errcode = 'EC402', detail = jsonb_build_object('estimateMicros', p_cover_estimate)::text;
    end if;
    v_at := greatest(p_cover_date::timestamp at time zone 'UTC',
                     least(v_at, (p_cover_date + 1)::timestamp at time zone 'UTC' - interval '1 millisecond'));
  elsif v_cost is not null then
    perform private.budget_admit(p_org, (v_at at time zone 'UTC')::date, v_cost, p_now, p_actor, 'recording', 'cost');
  end if;
  insert into public.token_usage (id, organization_id, project_id, episode_id, model, input_tokens, output_tokens,
                                  cost_micros, occurred_at, created_at, updated_at)
  values (gen_random_uuid(), p_org, p_project_id, p_episode_id, p_usage ->> 'model',
          (p_usage ->> 'inputTokens')::bigint, (p_usage ->> 'outputTokens')::bigint, v_cost, v_at, p_now, p_now)
  returning * into v_usage;
  perform private.audit(v_usage.organization_id, p_actor, 'create', 'TokenUsage', v_usage.id, null,
                        to_jsonb(v_usage), p_now);
  return v_usage;
end
$$;

-- Takes up to p_limit due items (pending with run_after <= now, or processing with an expired
-- lease and attempts left), oldest slot first, of one organization or of all (null); skips
-- inactive or deleted projects and organizations whose spend today (UTC) reached the daily
-- limit. Each claimed item: processing, locked_by, locked_until = now + lease, attempts + 1 (the
-- fencing token), its Episode generating. Rows are taken FOR UPDATE SKIP LOCKED, so concurrent
-- workers never wait for each other and never get the same item. Items whose lease expired on
-- the last attempt are failed first.
create function public.queue_claim(p_worker text, p_limit integer default 1, p_lease_seconds integer default 300,
                                   p_organization_id uuid default null, p_now timestamptz default now(),
                                   p_actor uuid default null)
  returns setof public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_item public.episode_schedule_queue;
  v_before public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_ts text := private.iso(p_now);
  v_msg text;
  v_ids uuid[];
  v_id uuid;
  v_taken integer := 0;
  v_state text;
begin
  if p_worker is null or char_length(p_worker) < 1 or char_length(p_worker) > 200 or p_worker ~ '[\r\n]' or btrim(p_worker, U&'\0009\000a\000b\000c\000d\0020\0085\00a0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200a\2028\2029\202f\205f\3000\200b\2060\feff') = '' then
    raise exception 'invalid: p_worker must be a text of length 1..200 on one line, not blank' using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 100 then
    raise exception 'invalid: p_limit must be 1..100' using errcode = '22023';
  end if;
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 86400 then
    raise exception 'invalid: p_lease_seconds must be 10..86400' using errcode = '22023';
  end if;

  -- An expired lease on the last allowed attempt: the item is dead, not claimable again.
  for v_before in
    select * from public.episode_schedule_queue q
     where (p_organization_id is null or q.organization_id = p_organization_id)
       and q.status = 'processing' and q.locked_until < p_now and q.attempts >= q.max_attempts
     order by q.scheduled_for, q.id
     for update skip locked
  loop
    v_msg := 'the lease of ' || v_before.locked_by || ' expired at ' || private.iso(v_before.locked_until)
             || ' on the last attempt';
    if v_before.episode_id is not null then
      select * into v_ep_before from public.episodes e
       where e.id = v_before.episode_id and e.organization_id = v_before.organization_id and e.deleted_at is null
       for update;
      if found then
        update public.episodes e set status = 'failed',
               generation_errors = private.with_error(e.generation_errors,
                 jsonb_build_object('at', v_ts, 'code', 'lease_expired', 'message', v_msg, 'attempt', v_before.attempts)),
               updated_at = p_now
         where e.id = v_ep_before.id returning * into v_ep;
        perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                              to_jsonb(v_ep), p_now);
      end if;
    end if;
    update public.episode_schedule_queue q set status = 'failed', locked_by = null, locked_until = null,
           last_error = 'lease_expired: ' || v_msg, updated_at = p_now
     where q.id = v_before.id returning * into v_item;
    perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                          to_jsonb(v_before), to_jsonb(v_item), p_now);
    perform private.close_reservations(v_item, 'released', p_now, p_actor);
  end loop;

  while v_taken < p_limit loop
    v_ids := array(
      select q.id from public.episode_schedule_queue q
        join public.projects p on p.id = q.project_id and p.organization_id = q.organization_id
        join public.organizations o on o.id = q.organization_id
       where (p_organization_id is null or q.organization_id = p_organization_id)
         and ((q.status = 'pending' and q.run_after <= p_now)
              or (q.status = 'processing' and q.locked_until < p_now and q.attempts < q.max_attempts))
         and p.status = 'active' and p.deleted_at is null
         and coalesce((select d.cost_micros from public.token_usage_daily d
                        where d.organization_id = q.organization_id and d.date = (p_now at time zone 'UTC')::date), 0)
             < o.daily_cost_limit_micros
       order by q.scheduled_for, q.id
       limit p_limit - v_taken
       for update of q skip locked);
    exit when cardinality(v_ids) = 0;
    -- Episode numbering is serialized per project; the locks are taken in one global order.
    perform private.lock_project(x.project_id)
       from (select distinct q.project_id from public.episode_schedule_queue q where q.id = any(v_ids)
             order by q.project_id) x;
    foreach v_id in array v_ids loop
      select * into v_before from public.episode_schedule_queue q where q.id = v_id;
      -- One item's failure (whatever its rows contain) fails that item alone: its changes roll
      -- back to the block's savepoint and every other item, of every tenant, is still claimed.
      begin
      v_ep := private.episode_for(v_before, p_now, p_actor);
      if v_before.status = 'processing' and v_ep.status not in ('ready', 'published') then
        -- The expired attempt's reservations go with its lease.
        perform private.close_reservations(v_before, 'released', p_now, p_actor);
      end if;
      if v_ep.status in ('ready', 'published') then
        -- The slot's episode already exists: nothing to generate.
        update public.episode_schedule_queue q set status = 'completed', episode_id = v_ep.id, completed_at = p_now,
               locked_by = null, locked_until = null, updated_at = p_now
         where q.id = v_id returning * into v_item;
        perform private.audit(v_item.organization_id, p_actor, 'complete', 'EpisodeScheduleQueue', v_item.id,
                              to_jsonb(v_before), to_jsonb(v_item), p_now);
        continue;
      end if;
      v_ep_before := v_ep;
      update public.episodes e set status = 'generating', scheduled_for = v_before.scheduled_for,
             generation_attempts = least(e.generation_attempts + 1, 1000),
             generation_errors = case when v_before.status = 'processing'
               then private.with_error(e.generation_errors, jsonb_build_object('at', v_ts, 'code', 'lease_expired',
                      'message', 'the lease of ' || v_before.locked_by || ' expired at ' || private.iso(v_before.locked_until),
                      'attempt', v_before.attempts))
               else e.generation_errors end,
             updated_at = p_now
       where e.id = v_ep.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
      update public.episode_schedule_queue q set status = 'processing', locked_by = p_worker,
             locked_until = least(p_now + make_interval(secs => p_lease_seconds), private.max_instant()), attempts = q.attempts + 1,
             episode_id = v_ep.id, updated_at = p_now
       where q.id = v_id returning * into v_item;
      perform private.audit(v_item.organization_id, p_actor, 'claim', 'EpisodeScheduleQueue', v_item.id,
                            to_jsonb(v_before), to_jsonb(v_item), p_now);
      v_taken := v_taken + 1;
      return next v_item;
      exception when others then
        get stacked diagnostics v_msg = message_text, v_state = returned_sqlstate;
        if v_state in ('40001', '40P01', '55P03', '57014') then
          raise;
        end if;
        update public.episode_schedule_queue q set status = 'failed', locked_by = null, locked_until = null,
               last_error = 'claim_failed: ' || case when v_state = '23514' then 'conflict: a value of the item''s episode is outside its declared bounds'
                                                     when v_msg ~ '^[a-z_]+: ' then v_msg
                                                     else 'internal: SQLSTATE ' || v_state end,
               updated_at = p_now
         where q.id = v_id returning * into v_item;
        perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                              to_jsonb(v_before), to_jsonb(v_item), p_now);
        perform private.close_reservations(v_item, 'released', p_now, p_actor);
      end;
    end loop;
  end loop;
  return;
end
$$;

-- Finishes a claimed item: episode ready, item completed; p_usage ({model, inputTokens,
-- outputTokens, costMicros, occurredAt?}) is recorded as TokenUsage and the item's open
-- reservations settled (released without usage). Refused (EC409 stale_lease) unless the item is
-- processing and p_token is its current attempts.
create function public.queue_complete(p_item_id uuid, p_token bigint, p_usage jsonb default null,
                                      p_now timestamptz default now(), p_actor uuid default null,
                                      p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_usage public.token_usage;
  v_r public.budget_reservations;
  v_r_after public.budget_reservations;
  v_date date;
  v_estimate bigint;
  v_usage_episode uuid;
  v_usage_project uuid;
begin
  if p_token is null or p_token < 1 or p_token > 1000 then
    raise exception 'invalid: p_token must be 1..1000' using errcode = '22023';
  end if;
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (p_organization_id is null or q.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  v_ep_before := private.episode_for(v_before, p_now, p_actor);
  update public.episodes e set status = 'ready', generated_at = p_now, updated_at = p_now
   where e.id = v_ep_before.id returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                        to_jsonb(v_ep), p_now);
  if p_usage is not null and jsonb_typeof(p_usage) <> 'null' then
    -- The usage is the item's project's; an episode it names must be one of that project
    -- (budget.cpp record_usage: the item's project and episode are defaults, not overrides).
    if jsonb_typeof(p_usage) = 'object' then
      -- its ids in the core's text form before they are looked up (as the core validates them)
  if jsonb_typeof(p_usage -> 'projectId') = 'string' and not private.is_uuid_text(p_usage ->> 'projectId') then
    raise exception 'invalid: usage.projectId must be a UUID (8-4-4-4-12 lower-case hex)' using errcode = '22023', detail = '{"path": ["usage", "projectId"]}';
  end if;
  if jsonb_typeof(p_usage -> 'episodeId') = 'string' and not private.is_uuid_text(p_usage ->> 'episodeId') then
    raise exception 'invalid: usage.episodeId must be a UUID (8-4-4-4-12 lower-case hex)' using errcode = '22023', detail = '{"path": ["usage", "episodeId"]}';
  end if;
  if jsonb_typeof(p_usage -> 'chatSessionId') = 'string' and not private.is_uuid_text(p_usage ->> 'chatSessionId') then
    raise exception 'invalid: usage.chatSessionId must be a UUID (8-4-4-4-12 lower-case hex)' using errcode = '22023', detail = '{"path": ["usage", "chatSessionId"]}';
  end if;
  if jsonb_typeof(p_usage -> 'occurredAt') = 'string' and not private.parse_instant_text(p_usage ->> 'occurredAt') is not null then
    raise exception 'invalid: usage.occurredAt must be an ISO-8601 instant' using errcode = '22023', detail = '{"path": ["usage", "occurredAt"]}';
  end if;
      if p_usage ? 'projectId' and (p_usage ->> 'projectId') is distinct from v_before.project_id::text then
        raise exception 'invalid: usage belongs to another project' using errcode = '22023';
      end if;
      if jsonb_typeof(p_usage -> 'episodeId') = 'string' then
        v_usage_episode := (p_usage ->> 'episodeId')::uuid;
        select e.project_id into v_usage_project from public.episodes e
         where e.id = v_usage_episode and e.organization_id = v_before.organization_id;
        if not found then
          raise exception 'not_found: no episode %', v_usage_episode using errcode = 'P0002';
        end if;
        if v_usage_project <> v_before.project_id then
          raise exception 'invalid: episodeId belongs to another project' using errcode = '22023';
        end if;
      end if;
    end if;
    -- Covered by the item's open reservations of their latest day (settled; others released),
    -- else a grant (budget.cpp settle_for_item).
    perform 1 from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = 'open'
     order by r.id for update;
    select max(r.date) into v_date from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = 'open';
    select coalesce(sum(r.estimate_micros), 0) into v_estimate from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = 'open'
       and r.date = v_date;
    v_usage := private.record_usage(v_before.organization_id, v_before.project_id, coalesce(v_usage_episode, v_ep.id),
                                    p_usage, p_now, p_actor, v_date, v_estimate);
    for v_r in
      select * from public.budget_reservations r
       where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = 'open'
       order by r.id
    loop
      update public.budget_reservations set status = case when v_r.date = v_date then 'settled'::public.budget_reservation_status
                                                          else 'released'::public.budget_reservation_status end,
             updated_at = p_now
       where id = v_r.id returning * into v_r_after;
      perform private.audit(v_r_after.organization_id, p_actor, case when v_r.date = v_date then 'settle' else 'release' end,
                            'BudgetReservation', v_r_after.id, to_jsonb(v_r), to_jsonb(v_r_after), p_now);
    end loop;
  else
    perform private.close_reservations(v_before, 'released', p_now, p_actor);
  end if;
  update public.episode_schedule_queue q set status = 'completed', completed_at = p_now, episode_id = v_ep.id,
         locked_by = null, locked_until = null, updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'complete', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- Records a failed attempt on the Episode; the item goes back to pending after the backoff, or
-- becomes failed (with its episode) when p_token reached max_attempts. Stale tokens: EC409.
create function public.queue_fail(p_item_id uuid, p_token bigint, p_error_code text, p_message text,
                                  p_now timestamptz default now(), p_actor uuid default null,
                                  p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_dead boolean;
begin
  if p_token is null or p_token < 1 or p_token > 1000 then
    raise exception 'invalid: p_token must be 1..1000' using errcode = '22023';
  end if;
  if p_error_code is null or char_length(p_error_code) < 1 or char_length(p_error_code) > 100 or p_error_code ~ '[\r\n]' or btrim(p_error_code, U&'\0009\000a\000b\000c\000d\0020\0085\00a0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200a\2028\2029\202f\205f\3000\200b\2060\feff') = '' then
    raise exception 'invalid: p_error_code must be a text of length 1..100 on one line, not blank' using errcode = '22023';
  end if;
  if p_message is null or char_length(p_message) < 0 or char_length(p_message) > 4000 then
    raise exception 'invalid: p_message must be a text of length 0..4000' using errcode = '22023';
  end if;
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (p_organization_id is null or q.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  v_dead := p_token >= v_before.max_attempts;
  v_ep_before := private.episode_for(v_before, p_now, p_actor);
  update public.episodes e set
         status = case when v_dead then 'failed'::public.episode_status else 'scheduled'::public.episode_status end,
         generation_errors = private.with_error(e.generation_errors, jsonb_build_object('at', private.iso(p_now),
           'code', p_error_code, 'message', private.truncate_bytes(p_message, 1000), 'attempt', p_token)),
         updated_at = p_now
   where e.id = v_ep_before.id returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                        to_jsonb(v_ep), p_now);
  update public.episode_schedule_queue q set locked_by = null, locked_until = null, episode_id = v_ep.id,
         last_error = private.truncate_bytes(p_error_code || ': ' || p_message, 4000),
         status = case when v_dead then 'failed'::public.episode_schedule_queue_status
                       else 'pending'::public.episode_schedule_queue_status end,
         run_after = case when v_dead then q.run_after
                          else least(p_now + private.backoff_ms(q.id, p_token::integer) * interval '1 millisecond',
                                     private.max_instant()) end,
         updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  perform private.close_reservations(v_item, 'released', p_now, p_actor);
  return v_item;
end
$$;

-- Extends a held lease to now + p_lease_seconds. Stale tokens: EC409.
create function public.queue_extend(p_item_id uuid, p_token bigint, p_lease_seconds integer default 300,
                                    p_now timestamptz default now(), p_actor uuid default null,
                                    p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_until timestamptz;
  v_r public.budget_reservations;
  v_r_after public.budget_reservations;
begin
  if p_token is null or p_token < 1 or p_token > 1000 then
    raise exception 'invalid: p_token must be 1..1000' using errcode = '22023';
  end if;
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 86400 then
    raise exception 'invalid: p_lease_seconds must be 10..86400' using errcode = '22023';
  end if;
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (p_organization_id is null or q.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  v_until := least(p_now + make_interval(secs => p_lease_seconds), private.max_instant());
  -- The budget held for this generation lives as long as its lease.
  for v_r in
    select * from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = 'open'
       and r.expires_at < v_until
     order by r.id for update
  loop
    update public.budget_reservations set expires_at = v_until, updated_at = p_now where id = v_r.id
      returning * into v_r_after;
    perform private.audit(v_r_after.organization_id, p_actor, 'extend', 'BudgetReservation', v_r_after.id,
                          to_jsonb(v_r), to_jsonb(v_r_after), p_now);
  end loop;
  update public.episode_schedule_queue q set locked_until = v_until, updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'extend', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- By hand (queue.retry / queue.cancel: admins, owners and the system, ADR 0010): the caller's
-- organization. A signed-in user must be an admin or owner of it (EC403 forbidden otherwise,
-- also for another organization's id); the service role names it with p_organization_id.
create function private.queue_hand_org(p_organization_id uuid) returns uuid
  language plpgsql stable security definer set search_path = '' as $$
declare
  v_org uuid;
begin
  if (select auth.uid()) is null then
    return p_organization_id;
  end if;
  v_org := private.current_organization_id();
  if v_org is null or not private.is_org_admin() or (p_organization_id is not null and p_organization_id <> v_org) then
    raise exception 'forbidden: only an admin or owner of the organization may do this' using errcode = 'EC403';
  end if;
  return v_org;
end
$$;

-- A failed item goes back to pending, due now; attempts are kept (the fencing token) and
-- max_attempts grows by p_extra_attempts, never past 100 (queue.cpp retry). Its
-- failed episode is scheduled again. EC410 unless failed or when no attempt is left.
create function public.queue_retry(p_item_id uuid, p_extra_attempts integer default 3,
                                   p_now timestamptz default now(), p_actor uuid default null,
                                   p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_org uuid := private.queue_hand_org(p_organization_id);
  v_actor uuid := coalesce(p_actor, (select auth.uid()));
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep_before public.episodes;
  v_ep public.episodes;
  v_max integer;
begin
  if p_extra_attempts is null or p_extra_attempts < 1 or p_extra_attempts > 100 then
    raise exception 'invalid: p_extra_attempts must be 1..100' using errcode = '22023';
  end if;
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (v_org is null or q.organization_id = v_org) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  if v_before.status <> 'failed' then
    raise exception 'conflict: only a failed item can be retried (this one is %)', v_before.status
      using errcode = 'EC410';
  end if;
  v_max := least(100, v_before.attempts::bigint + p_extra_attempts);
  if v_max <= v_before.attempts then
    raise exception 'conflict: the item used all 100 attempts an item may have' using errcode = 'EC410';
  end if;
  if v_before.episode_id is not null then
    select * into v_ep_before from public.episodes e
     where e.id = v_before.episode_id and e.organization_id = v_before.organization_id and e.deleted_at is null
     for update;
    if found and v_ep_before.status = 'failed' then
      update public.episodes e set status = 'scheduled', updated_at = p_now
       where e.id = v_ep_before.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, v_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
    end if;
  end if;
  update public.episode_schedule_queue q set status = 'pending', run_after = p_now,
         max_attempts = v_max, updated_at = p_now
   where q.id = v_before.id returning * into v_item;
  perform private.audit(v_item.organization_id, v_actor, 'retry', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- Cancels a pending, processing or failed item for good (planning does not bring it back; its
-- lease is no longer held, its open reservations are released, its unfinished episode is
-- cancelled: queue.cpp cancel). Already cancelled: returned as is. Completed: EC410.
create function public.queue_cancel(p_item_id uuid, p_now timestamptz default now(), p_actor uuid default null,
                                    p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_org uuid := private.queue_hand_org(p_organization_id);
  v_actor uuid := coalesce(p_actor, (select auth.uid()));
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep_before public.episodes;
  v_ep public.episodes;
begin
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (v_org is null or q.organization_id = v_org) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  if v_before.status = 'completed' then
    raise exception 'conflict: a completed item cannot be cancelled' using errcode = 'EC410';
  end if;
  if v_before.status = 'cancelled' then
    return v_before;
  end if;
  if v_before.episode_id is not null then
    select * into v_ep_before from public.episodes e
     where e.id = v_before.episode_id and e.organization_id = v_before.organization_id and e.deleted_at is null
     for update;
    if found and v_ep_before.status in ('scheduled', 'generating',
                                        'failed') then
      update public.episodes e set status = 'cancelled', updated_at = p_now
       where e.id = v_ep_before.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, v_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
    end if;
  end if;
  perform private.close_reservations(v_before, 'released', p_now, v_actor);
  update public.episode_schedule_queue q set status = 'cancelled', locked_by = null,
         locked_until = null, last_error = 'cancelled_by_user', updated_at = p_now
   where q.id = v_before.id returning * into v_item;
  perform private.audit(v_item.organization_id, v_actor, 'cancel', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The daily budget (mirrors core/store/budget.cpp).
-- ---------------------------------------------------------------------------------------------
-- Holds p_estimate_micros of today's (UTC) budget until now + p_ttl_seconds, or the lease of the
-- processing queue item it is for, if later. A grant (private.budget_admit): concurrent
-- reservations of one organization are serialized on its row. Refused with EC402.
create function public.budget_reserve(p_organization_id uuid, p_estimate_micros bigint,
                                      p_queue_item_id uuid default null, p_ttl_seconds integer default 900,
                                      p_now timestamptz default now(), p_actor uuid default null)
  returns public.budget_reservations
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_date date := (p_now at time zone 'UTC')::date;
  v_item public.episode_schedule_queue;
  v_expires timestamptz := least(p_now + make_interval(secs => p_ttl_seconds), private.max_instant());
  v_row public.budget_reservations;
begin
  if p_estimate_micros is null or p_estimate_micros < 0 or p_estimate_micros > 1000000000000 then
    raise exception 'invalid: p_estimate_micros must be 0..1000000000000' using errcode = '22023';
  end if;
  if p_ttl_seconds is null or p_ttl_seconds < 1 or p_ttl_seconds > 86400 then
    raise exception 'invalid: p_ttl_seconds must be 1..86400' using errcode = '22023';
  end if;
  if not exists (select 1 from public.organizations o where o.id = p_organization_id) then
    raise exception 'not_found: no organization %', p_organization_id using errcode = 'P0002';
  end if;
  if p_queue_item_id is not null then
    -- Shared lock: a concurrent queue_extend of the item waits, so the lease read is current.
    -- Lock order everywhere: queue item, organization, reservations.
    select * into v_item from public.episode_schedule_queue q
     where q.id = p_queue_item_id and q.organization_id = p_organization_id for share;
    if not found then
      raise exception 'not_found: no queue item %', p_queue_item_id using errcode = 'P0002';
    end if;
    if v_item.status = 'processing' and v_item.locked_until > v_expires then
      v_expires := v_item.locked_until;
    end if;
  end if;
  perform private.budget_admit(p_organization_id, v_date, p_estimate_micros, p_now, p_actor);
  insert into public.budget_reservations (id, organization_id, queue_item_id, estimate_micros, status, date,
                                          expires_at, created_at, updated_at)
  values (gen_random_uuid(), p_organization_id, p_queue_item_id, p_estimate_micros, 'open', v_date,
          v_expires, p_now, p_now)
  returning * into v_row;
  perform private.audit(p_organization_id, p_actor, 'reserve', 'BudgetReservation', v_row.id, null, to_jsonb(v_row),
                        p_now);
  return v_row;
end
$$;

-- Records the actual usage of a reserved generation and settles the reservation (budget.cpp
-- settle): refused with EC410 (conflict) unless it is open, with EC402 above its estimate. The
-- project (and episode) come from its queue item, else from p_usage.projectId / episodeId.
-- Returns {reservation, usage} (rows as stored).
create function public.budget_settle(p_reservation_id uuid, p_usage jsonb, p_now timestamptz default now(),
                                     p_actor uuid default null, p_organization_id uuid default null)
  returns jsonb
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_r public.budget_reservations;
  v_after public.budget_reservations;
  v_item public.episode_schedule_queue;
  v_project uuid := (p_usage ->> 'projectId')::uuid;
  v_episode uuid := (p_usage ->> 'episodeId')::uuid;
  v_usage public.token_usage;
begin
  select * into v_r from public.budget_reservations r
   where r.id = p_reservation_id and (p_organization_id is null or r.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no reservation %', p_reservation_id using errcode = 'P0002';
  end if;
  if v_r.status <> 'open' then
    raise exception 'conflict: the reservation is already %', v_r.status using errcode = 'EC410';
  end if;
  if v_r.queue_item_id is not null then
    select * into v_item from public.episode_schedule_queue q
     where q.id = v_r.queue_item_id and q.organization_id = v_r.organization_id;
    if v_project is not null and v_project <> v_item.project_id then
      raise exception 'invalid: usage belongs to another project' using errcode = '22023';
    end if;
    v_project := v_item.project_id;
    v_episode := coalesce(v_episode, v_item.episode_id);
  end if;
  v_usage := private.record_usage(v_r.organization_id, v_project, v_episode, p_usage, p_now, p_actor,
                                  v_r.date, v_r.estimate_micros);
  update public.budget_reservations set status = 'settled', updated_at = p_now where id = v_r.id
    returning * into v_after;
  perform private.audit(v_after.organization_id, p_actor, 'settle', 'BudgetReservation', v_after.id, to_jsonb(v_r),
                        to_jsonb(v_after), p_now);
  return jsonb_build_object('reservation', to_jsonb(v_after), 'usage', to_jsonb(v_usage));
end
$$;

-- Gives back an open reservation (budget.cpp release); EC410 (conflict) unless it is open.
create function public.budget_release(p_reservation_id uuid, p_now timestamptz default now(),
                                      p_actor uuid default null, p_organization_id uuid default null)
  returns public.budget_reservations
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_r public.budget_reservations;
  v_after public.budget_reservations;
begin
  select * into v_r from public.budget_reservations r
   where r.id = p_reservation_id and (p_organization_id is null or r.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no reservation %', p_reservation_id using errcode = 'P0002';
  end if;
  if v_r.status <> 'open' then
    raise exception 'conflict: the reservation is already %', v_r.status using errcode = 'EC410';
  end if;
  update public.budget_reservations set status = 'released', updated_at = p_now where id = v_r.id
    returning * into v_after;
  perform private.audit(v_after.organization_id, p_actor, 'release', 'BudgetReservation', v_after.id, to_jsonb(v_r),
                        to_jsonb(v_after), p_now);
  return v_after;
end
$$;

-- Records one LLM call not covered by a reservation (as queue.complete without one): a grant of
-- its cost on the UTC day of occurredAt (default p_now); refused with EC402 past the limit.
create function public.usage_record(p_organization_id uuid, p_usage jsonb, p_now timestamptz default now(),
                                    p_actor uuid default null)
  returns public.token_usage
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
begin
  return private.record_usage(p_organization_id, (p_usage ->> 'projectId')::uuid, (p_usage ->> 'episodeId')::uuid,
                              p_usage, p_now, p_actor);
end
$$;

-- The budget of an organization for the UTC day of p_now, as budget.cpp status(). A signed-in
-- user always gets their own organization's (another id behaves as one that does not exist).
create function public.budget_status(p_organization_id uuid default null, p_now timestamptz default now())
  returns jsonb
  language plpgsql stable security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_org uuid := p_organization_id;
  v_limit bigint;
  v_date date := (p_now at time zone 'UTC')::date;
  v_daily public.token_usage_daily;
  v_reserved bigint;
  v_spent bigint;
begin
  if (select auth.uid()) is not null then
    v_org := private.current_organization_id();
    if v_org is null or (p_organization_id is not null and p_organization_id <> v_org) then
      raise exception 'not_found: no organization %', coalesce(p_organization_id, v_org) using errcode = 'P0002';
    end if;
  end if;
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = v_org;
  if not found then
    raise exception 'not_found: no organization %', v_org using errcode = 'P0002';
  end if;
  select * into v_daily from public.token_usage_daily d where d.organization_id = v_org and d.date = v_date;
  v_spent := coalesce(v_daily.cost_micros, 0);
  select coalesce(sum(r.estimate_micros), 0) into v_reserved from public.budget_reservations r
   where r.organization_id = v_org and r.date = v_date and r.status = 'open' and r.expires_at > p_now;
  return jsonb_build_object(
    'date', to_char(v_date, 'YYYY-MM-DD'), 'limitMicros', v_limit, 'spentMicros', v_spent,
    'reservedMicros', v_reserved, 'remainingMicros', greatest(0, v_limit - v_spent - v_reserved),
    'callCount', coalesce(v_daily.call_count, 0), 'inputTokens', coalesce(v_daily.input_tokens, 0),
    'outputTokens', coalesce(v_daily.output_tokens, 0), 'blocked', v_spent >= v_limit,
    'reason', case when v_spent >= v_limit
                   then case when v_date = (now() at time zone 'UTC')::date then 'Today''s spend '
                             else 'The spend of ' || to_char(v_date, 'YYYY-MM-DD') || ' ' end
                        || private.gbp(v_spent) || ' reached the ' || private.gbp(v_limit) || ' daily limit'
              end);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Function privileges: nothing is executable by default; the policies' helpers by signed-in
-- users; the queue and budget functions by the service role (workers) only; queue_retry and
-- queue_cancel by admins and owners too (checked inside).
-- ---------------------------------------------------------------------------------------------
revoke all on all functions in schema private from public;
grant usage on schema private to authenticated, service_role;
grant execute on function private.current_organization_id(), private.current_user_role(), private.is_org_admin(),
  private.lock_organization(uuid)
  to authenticated, service_role;
-- Every PostgREST request to this database runs private.check_request() first (Supabase's API
-- role is authenticator; a database without that role, such as a plain PostgreSQL, is left as
-- it is).
grant execute on function private.check_request() to authenticated, service_role, anon;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'authenticator') then
    execute format('alter role authenticator in database %I set pgrst.db_pre_request = %L',
                   current_database(), 'private.check_request');
  end if;
end
$$;
revoke all on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_settle(uuid, jsonb, timestamptz, uuid, uuid),
  public.budget_release(uuid, timestamptz, uuid, uuid),
  public.usage_record(uuid, jsonb, timestamptz, uuid),
  public.queue_retry(uuid, integer, timestamptz, uuid, uuid),
  public.queue_cancel(uuid, timestamptz, uuid, uuid),
  public.budget_status(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_settle(uuid, jsonb, timestamptz, uuid, uuid),
  public.budget_release(uuid, timestamptz, uuid, uuid),
  public.usage_record(uuid, jsonb, timestamptz, uuid),
  public.budget_status(uuid, timestamptz) to service_role;
grant execute on function public.queue_retry(uuid, integer, timestamptz, uuid, uuid),
  public.queue_cancel(uuid, timestamptz, uuid, uuid) to service_role, authenticated;
grant execute on function public.budget_status(uuid, timestamptz) to authenticated;

-- The core's text forms (core/time.cpp, core/validate): what its parsers accept, nothing more.
create function private.is_date_text(p_text text) returns boolean
  language plpgsql immutable set search_path = '' as $$
declare
  m text[] := regexp_match(p_text, '^([0-9]{4})-([0-9]{2})-([0-9]{2})$');
begin
  if m is null or m[1]::integer < 1 or m[2]::integer < 1 or m[2]::integer > 12 or m[3]::integer < 1 then
    return false;
  end if;
  return m[3]::integer <= extract(day from make_date(m[1]::integer, m[2]::integer, 1) + interval '1 month - 1 day');
end
$$;
create function private.parse_instant_text(p_text text) returns timestamptz
  language plpgsql immutable set search_path = '' as $$
declare
  m text[] := regexp_match(p_text, '^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(:([0-9]{2})([.]([0-9]{1,9}))?)?([Zz]|([+-])([0-9]{2}):([0-9]{2}))$');
  v_off integer := 0;
  v_at timestamp;
begin
  if m is null or not private.is_date_text(m[1]) then
    return null;
  end if;
  if m[2]::integer > 23 or m[3]::integer > 59 or coalesce(m[5], '0')::integer > 59 then
    return null;
  end if;
  if m[9] is not null then
    if m[10]::integer > 23 or m[11]::integer > 59 then
      return null;
    end if;
    v_off := (m[10]::integer * 60 + m[11]::integer) * case when m[9] = '-' then -1 else 1 end;
  end if;
  -- digits beyond milliseconds are truncated, as the core does
  v_at := m[1]::date + make_interval(hours => m[2]::integer, mins => m[3]::integer - v_off,
                                     secs => coalesce(m[5], '0')::integer)
          + rpad(coalesce(left(m[7], 3), ''), 3, '0')::integer * interval '1 millisecond';
  if v_at < '0001-01-01 00:00:00'::timestamp or v_at > '9999-12-31 23:59:59.999'::timestamp then
    return null;
  end if;
  return v_at at time zone 'UTC';
end
$$;
create function private.is_hhmm_text(p_text text) returns boolean
  language plpgsql immutable set search_path = '' as $$
declare
  m text[] := regexp_match(p_text, '^([0-9]{2}):([0-9]{2})$');
begin
  return m is not null and m[1]::integer <= 23 and m[2]::integer <= 59;
end
$$;
create function private.is_uuid_text(p_text text) returns boolean
  language sql immutable set search_path = '' as $$
  select p_text ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$$;
-- One issue of the core's validation: {path, code}.
create function private.issue(p_path jsonb, p_code text) returns jsonb
  language sql immutable set search_path = '' as $$
  select jsonb_build_array(jsonb_build_object('path', p_path, 'code', p_code))
$$;
-- The size of a JSON value as the core counts it: its compact serialization in bytes (jsonb's
-- text puts a space after every ',' and ':' between values).
create function private.json_compact_size(p_value jsonb) returns bigint
  language sql immutable set search_path = '' as $$
  select octet_length(p_value::text) - coalesce((select sum(case jsonb_typeof(x)
      when 'array' then greatest(jsonb_array_length(x) - 1, 0)
      when 'object' then (select 2 * count(*) - least(count(*), 1) from jsonb_object_keys(x))
      else 0 end) from jsonb_path_query(p_value, 'strict $.**') x), 0)
$$;
-- Every number inside a JSON value that jsonb keeps but JavaScript changes (core/validate
-- check_json_values): integers beyond +-(2^53 - 1) (too_big), others beyond +-1e300
-- (invalid_format). Stops after 100 + 1 issues, as the core does. jsonb keeps no
-- spelling: an integral value is an integer to the core's parser when it fits its 64 bits
-- (-2^63 .. 2^64 - 1) and a double beyond, as an integer literal or JavaScript's 1e+21 is.
create function private.json_number_issues(p_value jsonb, p_path jsonb) returns jsonb
  language plpgsql immutable set search_path = '' as $$
declare
  v_out jsonb := '[]';
  v_n numeric;
  r record;
begin
  case jsonb_typeof(p_value)
    when 'number' then
      v_n := p_value::text::numeric;
      if scale(v_n) = 0 and v_n between -9223372036854775808 and 18446744073709551615 then
        if abs(v_n) > 9007199254740991 then
          return private.issue(p_path, 'too_big');
        end if;
      elsif abs(v_n) > 1e300 then
        return private.issue(p_path, 'invalid_format');
      end if;
    when 'array' then
      for r in select x, i - 1 as i from jsonb_array_elements(p_value) with ordinality as t(x, i) loop
        v_out := v_out || private.json_number_issues(r.x, p_path || to_jsonb(r.i));
        exit when jsonb_array_length(v_out) > 100;
      end loop;
    when 'object' then
      for r in select key, value from jsonb_each(p_value) loop
        v_out := v_out || private.json_number_issues(r.value, p_path || to_jsonb(r.key));
        exit when jsonb_array_length(v_out) > 100;
      end loop;
    else
      null;
  end case;
  return v_out;
end
$$;
-- A JSON field's value (core/validate field): an object or array, at most p_max_entries
-- top-level entries, its numbers, at most p_max_bytes; the field's rule is checked after
-- (json_<rule>_issues) when these found nothing.
create function private.json_value_issues(p_value jsonb, p_path jsonb, p_nullable boolean,
                                          p_max_entries bigint, p_max_bytes bigint) returns jsonb
  language plpgsql immutable set search_path = '' as $$
begin
  if p_value is null then
    return case when p_nullable then '[]'::jsonb else private.issue(p_path, 'invalid_type') end;
  end if;
  if jsonb_typeof(p_value) not in ('object', 'array') then
    return private.issue(p_path, 'invalid_type');
  end if;
  if p_max_entries is not null and (case jsonb_typeof(p_value) when 'array' then jsonb_array_length(p_value)
      else (select count(*) from jsonb_object_keys(p_value)) end) > p_max_entries then
    return private.issue(p_path, 'too_big');
  end if;
  -- the walk (which knows paths) only when some number is out of bounds: one jsonpath scan
  -- otherwise
  if exists (select 1 from jsonb_path_query(p_value, 'strict $.** ? (@.type() == "number")') x
              where private.json_number_issues(x, '[]') <> '[]') then
    return private.json_number_issues(p_value, p_path);
  end if;
  if p_max_bytes is not null and private.json_compact_size(p_value) > p_max_bytes then
    return private.issue(p_path, 'too_big');
  end if;
  return '[]';
end
$$;
-- Rule::JsonObject: any JSON object.
create function private.json_object_issues(p_value jsonb, p_path jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select case when jsonb_typeof(p_value) = 'object' then '[]'::jsonb else private.issue(p_path, 'invalid_type') end
$$;
-- Rule::JsonChanges: {field: {before, after}}.
create function private.json_changes_issues(p_value jsonb, p_path jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select case when jsonb_typeof(p_value) <> 'object' then private.issue(p_path, 'invalid_type')
    else coalesce((select jsonb_agg(jsonb_build_object('path', p_path || to_jsonb(key), 'code', 'invalid_format'))
                     from jsonb_each(p_value)
                    where not (jsonb_typeof(value) = 'object' and value ? 'before' and value ? 'after'
                               and (select count(*) from jsonb_object_keys(value)) = 2)), '[]'::jsonb) end
$$;

create function private.json_cadence_issues(p_value jsonb, p_path jsonb) returns jsonb
  language plpgsql immutable set search_path = '' as $$
declare
  v_out jsonb := '[]';
  r record;
  d record;
  v_seen text[];
  v_s text;
begin
  if jsonb_typeof(p_value) <> 'object' then
    return private.issue(p_path, 'invalid_type');
  end if;
  for r in select key, value from jsonb_each(p_value) loop
    if r.key = 'days' then
      if jsonb_typeof(r.value) <> 'array' then
        v_out := v_out || private.issue(p_path || '["days"]', 'invalid_type');
      elsif jsonb_array_length(r.value) = 0 then
        v_out := v_out || private.issue(p_path || '["days"]', 'too_small');
      elsif jsonb_array_length(r.value) > 7 then
        v_out := v_out || private.issue(p_path || '["days"]', 'too_big');
      else
        v_seen := '{}';
        for d in select x, i - 1 as i from jsonb_array_elements(r.value) with ordinality as t(x, i) loop
          v_s := d.x #>> '{}';
          if jsonb_typeof(d.x) <> 'string' then
            v_out := v_out || private.issue(p_path || jsonb_build_array('days', d.i), 'invalid_type');
          elsif not (v_s = any ('{mon,tue,wed,thu,fri,sat,sun}'::text[])) then
            v_out := v_out || private.issue(p_path || jsonb_build_array('days', d.i), 'invalid_enum');
          elsif v_s = any (v_seen) then
            v_out := v_out || private.issue(p_path || jsonb_build_array('days', d.i), 'duplicate');
          else
            v_seen := v_seen || v_s;
          end if;
        end loop;
      end if;
    elsif r.key = 'time' then
      if jsonb_typeof(r.value) <> 'string' then
        v_out := v_out || private.issue(p_path || '["time"]', 'invalid_type');
      elsif not private.is_hhmm_text(r.value #>> '{}') then
        v_out := v_out || private.issue(p_path || '["time"]', 'invalid_time');
      end if;
    elsif r.key = 'timezone' then
      if jsonb_typeof(r.value) <> 'string' then
        v_out := v_out || private.issue(p_path || '["timezone"]', 'invalid_type');
      elsif not ((r.value #>> '{}') = any (private.time_zone_names())) then
        v_out := v_out || private.issue(p_path || '["timezone"]', 'invalid_timezone');
      end if;
    elsif r.key = 'pausedUntil' then
      if jsonb_typeof(r.value) = 'null' then
        null;  -- not paused
      elsif jsonb_typeof(r.value) <> 'string' then
        v_out := v_out || private.issue(p_path || '["pausedUntil"]', 'invalid_type');
      elsif not private.is_date_text(r.value #>> '{}') and private.parse_instant_text(r.value #>> '{}') is null then
        v_out := v_out || private.issue(p_path || '["pausedUntil"]', 'invalid_date');
      end if;
    elsif r.key = 'skipDates' then
      if jsonb_typeof(r.value) <> 'array' then
        v_out := v_out || private.issue(p_path || '["skipDates"]', 'invalid_type');
      elsif jsonb_array_length(r.value) > 366 then
        v_out := v_out || private.issue(p_path || '["skipDates"]', 'too_big');
      else
        v_seen := '{}';
        for d in select x, i - 1 as i from jsonb_array_elements(r.value) with ordinality as t(x, i) loop
          v_s := d.x #>> '{}';
          if jsonb_typeof(d.x) <> 'string' then
            v_out := v_out || private.issue(p_path || jsonb_build_array('skipDates', d.i), 'invalid_type');
          elsif not private.is_date_text(v_s) then
            v_out := v_out || private.issue(p_path || jsonb_build_array('skipDates', d.i), 'invalid_date');
          elsif v_s = any (v_seen) then
            v_out := v_out || private.issue(p_path || jsonb_build_array('skipDates', d.i), 'duplicate');
          else
            v_seen := v_seen || v_s;
          end if;
        end loop;
      end if;
    else
      v_out := v_out || private.issue(p_path || to_jsonb(r.key), 'unknown_field');
    end if;
  end loop;
  if not p_value ? 'days' then
    v_out := v_out || private.issue(p_path || '["days"]', 'required');
  end if;
  if not p_value ? 'time' then
    v_out := v_out || private.issue(p_path || '["time"]', 'required');
  end if;
  return v_out;
end
$$;
create function private.json_memories_issues(p_value jsonb, p_path jsonb) returns jsonb
  language plpgsql set search_path = '' as $$
declare
  v_out jsonb := '[]';
  v_cap bigint := 500;
  r record;
  v_p jsonb;
  v_x jsonb;
  v_n numeric;
  v_ids jsonb := '{}';
  k text;
begin
  if jsonb_typeof(p_value) <> 'array' then
    return private.issue(p_path, 'invalid_type');
  end if;
  if v_cap is not null and jsonb_array_length(p_value) > v_cap then
    v_out := private.issue(p_path, 'too_big');
  end if;
  for r in select x, i - 1 as i from jsonb_array_elements(p_value) with ordinality as t(x, i) loop
    exit when (v_cap is not null and r.i >= v_cap) or jsonb_array_length(v_out) > 100;
    v_p := p_path || to_jsonb(r.i);
    if jsonb_typeof(r.x) <> 'object' then
      v_out := v_out || private.issue(v_p, 'invalid_type');
      continue;
    end if;
    for k in select jsonb_object_keys(r.x) loop
      if k not in ('id', 'content', 'createdAt', 'updatedAt') then
        v_out := v_out || private.issue(v_p || to_jsonb(k), 'unknown_field');
      end if;
    end loop;
    v_x := r.x -> 'id';
    if v_x is null or jsonb_typeof(v_x) <> 'string' or not private.is_uuid_text(v_x #>> '{}') then
      v_out := v_out || private.issue(v_p || to_jsonb('id'::text), 'invalid_format');
    else
      for k in select 1 from generate_series(1, coalesce((v_ids ->> (v_x #>> '{}'))::integer, 0)) loop
        v_out := v_out || private.issue(v_p || to_jsonb('id'::text), 'duplicate');
      end loop;
      v_ids := v_ids || jsonb_build_object(v_x #>> '{}', coalesce((v_ids ->> (v_x #>> '{}'))::integer, 0) + 1);
    end if;
    v_x := r.x -> 'content';
    if v_x is null then
      v_out := v_out || private.issue(v_p || to_jsonb('content'::text), 'required');
    elsif jsonb_typeof(v_x) <> 'string' then
      v_out := v_out || private.issue(v_p || to_jsonb('content'::text), 'invalid_type');
    elsif (v_x #>> '{}') = '' then
      v_out := v_out || private.issue(v_p || to_jsonb('content'::text), 'required');
    elsif char_length(v_x #>> '{}') > 4000 then
      v_out := v_out || private.issue(v_p || to_jsonb('content'::text), 'too_long');
    end if;
    v_x := r.x -> 'createdAt';
    if v_x is null then
      v_out := v_out || private.issue(v_p || to_jsonb('createdAt'::text), 'required');
    elsif jsonb_typeof(v_x) <> 'string' or private.parse_instant_text(v_x #>> '{}') is null then
      v_out := v_out || private.issue(v_p || to_jsonb('createdAt'::text), 'invalid_format');
    end if;
    v_x := r.x -> 'updatedAt';
    if v_x is null then
      null;
    elsif jsonb_typeof(v_x) <> 'string' or private.parse_instant_text(v_x #>> '{}') is null then
      v_out := v_out || private.issue(v_p || to_jsonb('updatedAt'::text), 'invalid_format');
    end if;
  end loop;
  return v_out;
end
$$;
create function private.json_generation_errors_issues(p_value jsonb, p_path jsonb) returns jsonb
  language plpgsql set search_path = '' as $$
declare
  v_out jsonb := '[]';
  v_cap bigint := null;
  r record;
  v_p jsonb;
  v_x jsonb;
  v_n numeric;
  v_ids jsonb := '{}';
  k text;
begin
  if jsonb_typeof(p_value) <> 'array' then
    return private.issue(p_path, 'invalid_type');
  end if;
  if v_cap is not null and jsonb_array_length(p_value) > v_cap then
    v_out := private.issue(p_path, 'too_big');
  end if;
  for r in select x, i - 1 as i from jsonb_array_elements(p_value) with ordinality as t(x, i) loop
    exit when (v_cap is not null and r.i >= v_cap) or jsonb_array_length(v_out) > 100;
    v_p := p_path || to_jsonb(r.i);
    if jsonb_typeof(r.x) <> 'object' then
      v_out := v_out || private.issue(v_p, 'invalid_type');
      continue;
    end if;
    for k in select jsonb_object_keys(r.x) loop
      if k not in ('at', 'code', 'message', 'attempt') then
        v_out := v_out || private.issue(v_p || to_jsonb(k), 'unknown_field');
      end if;
    end loop;
    v_x := r.x -> 'at';
    if v_x is null then
      v_out := v_out || private.issue(v_p || to_jsonb('at'::text), 'required');
    elsif jsonb_typeof(v_x) <> 'string' or private.parse_instant_text(v_x #>> '{}') is null then
      v_out := v_out || private.issue(v_p || to_jsonb('at'::text), 'invalid_format');
    end if;
    v_x := r.x -> 'code';
    if v_x is null then
      v_out := v_out || private.issue(v_p || to_jsonb('code'::text), 'required');
    elsif jsonb_typeof(v_x) <> 'string' then
      v_out := v_out || private.issue(v_p || to_jsonb('code'::text), 'invalid_type');
    elsif (v_x #>> '{}') = '' then
      v_out := v_out || private.issue(v_p || to_jsonb('code'::text), 'required');
    elsif char_length(v_x #>> '{}') > 100 then
      v_out := v_out || private.issue(v_p || to_jsonb('code'::text), 'too_long');
    end if;
    v_x := r.x -> 'message';
    if v_x is null then
      v_out := v_out || private.issue(v_p || to_jsonb('message'::text), 'required');
    elsif jsonb_typeof(v_x) <> 'string' then
      v_out := v_out || private.issue(v_p || to_jsonb('message'::text), 'invalid_type');
    elsif (v_x #>> '{}') = '' then
      v_out := v_out || private.issue(v_p || to_jsonb('message'::text), 'required');
    elsif char_length(v_x #>> '{}') > 4000 then
      v_out := v_out || private.issue(v_p || to_jsonb('message'::text), 'too_long');
    end if;
    v_x := r.x -> 'attempt';
    if v_x is not null then
      v_n := case when jsonb_typeof(v_x) = 'number' then (v_x #>> '{}')::numeric end;
      if v_n is null or scale(v_n) > 0 or v_n < 1 or v_n > 1000 then
        v_out := v_out || private.issue(v_p || to_jsonb('attempt'::text), 'invalid_type');
      end if;
    end if;
  end loop;
  return v_out;
end
$$;
create function private.raise_issues(p_issues jsonb) returns void
  language plpgsql set search_path = '' as $$
declare
  v_issues jsonb := (select jsonb_agg(x) from (select x from jsonb_array_elements(p_issues) with ordinality t(x, i) order by i limit 100) s);
begin
  raise exception using errcode = '22023',
    message = 'invalid: ' || case when jsonb_array_length(v_issues) = 1 and v_issues -> 0 ? 'message'
      then v_issues -> 0 ->> 'message' else jsonb_array_length(v_issues) || ' validation issues; first: '
      || coalesce(v_issues -> 0 ->> 'message', (v_issues -> 0 ->> 'code') || ' at ' || (v_issues -> 0 ->> 'path')) end,
    detail = jsonb_build_object('path', case when jsonb_array_length(v_issues) = 1 then v_issues -> 0 -> 'path' else '[]'::jsonb end, 'issues', v_issues)::text;
end
$$;
revoke all on function private.is_date_text(text) from public;
grant execute on function private.is_date_text(text) to authenticated, service_role;
revoke all on function private.parse_instant_text(text) from public;
grant execute on function private.parse_instant_text(text) to authenticated, service_role;
revoke all on function private.is_hhmm_text(text) from public;
grant execute on function private.is_hhmm_text(text) to authenticated, service_role;
revoke all on function private.is_uuid_text(text) from public;
grant execute on function private.is_uuid_text(text) to authenticated, service_role;
revoke all on function private.issue(jsonb, text) from public;
grant execute on function private.issue(jsonb, text) to authenticated, service_role;
revoke all on function private.json_compact_size(jsonb) from public;
grant execute on function private.json_compact_size(jsonb) to authenticated, service_role;
revoke all on function private.json_number_issues(jsonb, jsonb) from public;
grant execute on function private.json_number_issues(jsonb, jsonb) to authenticated, service_role;
revoke all on function private.json_value_issues(jsonb, jsonb, boolean, bigint, bigint) from public;
grant execute on function private.json_value_issues(jsonb, jsonb, boolean, bigint, bigint) to authenticated, service_role;
revoke all on function private.json_object_issues(jsonb, jsonb) from public;
grant execute on function private.json_object_issues(jsonb, jsonb) to authenticated, service_role;
revoke all on function private.json_changes_issues(jsonb, jsonb) from public;
grant execute on function private.json_changes_issues(jsonb, jsonb) to authenticated, service_role;
revoke all on function private.json_cadence_issues(jsonb, jsonb) from public;
grant execute on function private.json_cadence_issues(jsonb, jsonb) to authenticated, service_role;
revoke all on function private.raise_issues(jsonb) from public;
grant execute on function private.raise_issues(jsonb) to authenticated, service_role;
revoke all on function private.json_memories_issues(jsonb, jsonb) from public;
grant execute on function private.json_memories_issues(jsonb, jsonb) to authenticated, service_role;
revoke all on function private.json_generation_errors_issues(jsonb, jsonb) from public;
grant execute on function private.json_generation_errors_issues(jsonb, jsonb) to authenticated, service_role;

-- Row Level Security and the role triggers.

alter table public.organizations enable row level security;
revoke all on table public.organizations from public, anon, authenticated;
grant all on table public.organizations to service_role;
create policy organizations_select on public.organizations for select to authenticated
  using (id = (select private.current_organization_id()));
create policy organizations_update on public.organizations for update to authenticated
  using (id = (select private.current_organization_id()) and (select private.is_org_admin()))
  with check (id = (select private.current_organization_id()) and (select private.is_org_admin()));
grant select, update on table public.organizations to authenticated;
create function private.authz_organizations() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_rank integer := case (select private.current_user_role())::text when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end;
begin
  if current_user <> 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if not (true) then
      raise exception 'your role may not create this Organization' using errcode = '42501';
    end if;
  elsif tg_op = 'DELETE' then
    if not (true) then
      raise exception 'your role may not remove this Organization' using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    if old.name is distinct from new.name and not ((v_rank >= 2) or (v_rank >= 3)) then
      raise exception 'your role may not change name of this Organization' using errcode = '42501';
    end if;
    if old.slug is distinct from new.slug and not ((v_rank >= 2) or (v_rank >= 3)) then
      raise exception 'your role may not change slug of this Organization' using errcode = '42501';
    end if;
    if old.plan is distinct from new.plan and not ((v_rank >= 3)) then
      raise exception 'your role may not change plan of this Organization' using errcode = '42501';
    end if;
    if old.daily_cost_limit_micros is distinct from new.daily_cost_limit_micros and not ((v_rank >= 2) or (v_rank >= 3)) then
      raise exception 'your role may not change dailyCostLimitMicros of this Organization' using errcode = '42501';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.authz_organizations() from public;
create trigger trg_organizations_authz before insert or update or delete on public.organizations
  for each row execute function private.authz_organizations();
create function private.fields_organizations() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if new.slug is not null and (tg_op = 'INSERT' or new.slug is distinct from old.slug) and not (new.slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$') then
    v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["slug"]'::jsonb, 'code', 'invalid_format', 'message', 'slug has not the format the core accepts'));
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_organizations() from public;
create trigger trg_organizations_aa_fields before insert or update on public.organizations
  for each row execute function private.fields_organizations();

alter table public.users enable row level security;
revoke all on table public.users from public, anon, authenticated;
grant all on table public.users to service_role;
create policy users_select on public.users for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy users_insert on public.users for insert to authenticated
  with check (organization_id = (select private.current_organization_id()) and (select private.is_org_admin()));
create policy users_update on public.users for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy users_delete on public.users for delete to authenticated
  using (organization_id = (select private.current_organization_id()) and (select private.is_org_admin()));
grant select, insert, update, delete on table public.users to authenticated;
create function private.authz_users() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_rank integer := case (select private.current_user_role())::text when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end;
begin
  if current_user <> 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if not ((v_rank >= 2 and new.role <> 'owner') or (v_rank >= 3)) then
      raise exception 'your role may not create this User' using errcode = '42501';
    end if;
  elsif tg_op = 'DELETE' or old.deleted_at is distinct from new.deleted_at then
    if not ((v_rank >= 2 and old.role <> 'owner') or (v_rank >= 3)) then
      raise exception 'your role may not remove this User' using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    if old.email is distinct from new.email and not ((v_rank >= 2 and old.role <> 'owner' and new.role <> 'owner') or (v_rank >= 3)) then
      raise exception 'your role may not change email of this User' using errcode = '42501';
    end if;
    if old.name is distinct from new.name and not ((v_rank >= 1 and old.id = v_uid) or (v_rank >= 2 and old.role <> 'owner' and new.role <> 'owner') or (v_rank >= 3)) then
      raise exception 'your role may not change name of this User' using errcode = '42501';
    end if;
    if old.role is distinct from new.role and not ((v_rank >= 2 and old.role <> 'owner' and new.role <> 'owner') or (v_rank >= 3)) then
      raise exception 'your role may not change role of this User' using errcode = '42501';
    end if;
    if old.timezone is distinct from new.timezone and not ((v_rank >= 1 and old.id = v_uid) or (v_rank >= 2 and old.role <> 'owner' and new.role <> 'owner') or (v_rank >= 3)) then
      raise exception 'your role may not change timezone of this User' using errcode = '42501';
    end if;
  end if;
  -- an organization keeps at least 1 owner
  if tg_op <> 'INSERT' and old.role = 'owner' and old.deleted_at is null
     and (tg_op = 'DELETE' or new.role <> 'owner' or new.deleted_at is not null) then
    perform private.lock_organization(old.organization_id);
    if (select count(*) from public.users x where x.organization_id = old.organization_id and x.role = 'owner' and x.deleted_at is null and x.id <> old.id) < 1 then
      raise exception 'an organization keeps at least 1 owner' using errcode = '42501';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.authz_users() from public;
create trigger trg_users_authz before insert or update or delete on public.users
  for each row execute function private.authz_users();
create function private.time_zone_names() returns text[]
  language sql immutable set search_path = '' as $$
  select '{Africa/Abidjan,Africa/Accra,Africa/Addis_Ababa,Africa/Algiers,Africa/Asmara,Africa/Asmera,Africa/Bamako,Africa/Bangui,Africa/Banjul,Africa/Bissau,Africa/Blantyre,Africa/Brazzaville,Africa/Bujumbura,Africa/Cairo,Africa/Casablanca,Africa/Ceuta,Africa/Conakry,Africa/Dakar,Africa/Dar_es_Salaam,Africa/Djibouti,Africa/Douala,Africa/El_Aaiun,Africa/Freetown,Africa/Gaborone,Africa/Harare,Africa/Johannesburg,Africa/Juba,Africa/Kampala,Africa/Khartoum,Africa/Kigali,Africa/Kinshasa,Africa/Lagos,Africa/Libreville,Africa/Lome,Africa/Luanda,Africa/Lubumbashi,Africa/Lusaka,Africa/Malabo,Africa/Maputo,Africa/Maseru,Africa/Mbabane,Africa/Mogadishu,Africa/Monrovia,Africa/Nairobi,Africa/Ndjamena,Africa/Niamey,Africa/Nouakchott,Africa/Ouagadougou,Africa/Porto-Novo,Africa/Sao_Tome,Africa/Timbuktu,Africa/Tripoli,Africa/Tunis,Africa/Windhoek,America/Adak,America/Anchorage,America/Anguilla,America/Antigua,America/Araguaina,America/Argentina/Buenos_Aires,America/Argentina/Catamarca,America/Argentina/ComodRivadavia,America/Argentina/Cordoba,America/Argentina/Jujuy,America/Argentina/La_Rioja,America/Argentina/Mendoza,America/Argentina/Rio_Gallegos,America/Argentina/Salta,America/Argentina/San_Juan,America/Argentina/San_Luis,America/Argentina/Tucuman,America/Argentina/Ushuaia,America/Aruba,America/Asuncion,America/Atikokan,America/Atka,America/Bahia,America/Bahia_Banderas,America/Barbados,America/Belem,America/Belize,America/Blanc-Sablon,America/Boa_Vista,America/Bogota,America/Boise,America/Buenos_Aires,America/Cambridge_Bay,America/Campo_Grande,America/Cancun,America/Caracas,America/Catamarca,America/Cayenne,America/Cayman,America/Chicago,America/Chihuahua,America/Ciudad_Juarez,America/Coral_Harbour,America/Cordoba,America/Costa_Rica,America/Coyhaique,America/Creston,America/Cuiaba,America/Curacao,America/Danmarkshavn,America/Dawson,America/Dawson_Creek,America/Denver,America/Detroit,America/Dominica,America/Edmonton,America/Eirunepe,America/El_Salvador,America/Ensenada,America/Fort_Nelson,America/Fort_Wayne,America/Fortaleza,America/Glace_Bay,America/Godthab,America/Goose_Bay,America/Grand_Turk,America/Grenada,America/Guadeloupe,America/Guatemala,America/Guayaquil,America/Guyana,America/Halifax,America/Havana,America/Hermosillo,America/Indiana/Indianapolis,America/Indiana/Knox,America/Indiana/Marengo,America/Indiana/Petersburg,America/Indiana/Tell_City,America/Indiana/Vevay,America/Indiana/Vincennes,America/Indiana/Winamac,America/Indianapolis,America/Inuvik,America/Iqaluit,America/Jamaica,America/Jujuy,America/Juneau,America/Kentucky/Louisville,America/Kentucky/Monticello,America/Knox_IN,America/Kralendijk,America/La_Paz,America/Lima,America/Los_Angeles,America/Louisville,America/Lower_Princes,America/Maceio,America/Managua,America/Manaus,America/Marigot,America/Martinique,America/Matamoros,America/Mazatlan,America/Mendoza,America/Menominee,America/Merida,America/Metlakatla,America/Mexico_City,America/Miquelon,America/Moncton,America/Monterrey,America/Montevideo,America/Montreal,America/Montserrat,America/Nassau,America/New_York,America/Nipigon,America/Nome,America/Noronha,America/North_Dakota/Beulah,America/North_Dakota/Center,America/North_Dakota/New_Salem,America/Nuuk,America/Ojinaga,America/Panama,America/Pangnirtung,America/Paramaribo,America/Phoenix,America/Port-au-Prince,America/Port_of_Spain,America/Porto_Acre,America/Porto_Velho,America/Puerto_Rico,America/Punta_Arenas,America/Rainy_River,America/Rankin_Inlet,America/Recife,America/Regina,America/Resolute,America/Rio_Branco,America/Rosario,America/Santa_Isabel,America/Santarem,America/Santiago,America/Santo_Domingo,America/Sao_Paulo,America/Scoresbysund,America/Shiprock,America/Sitka,America/St_Barthelemy,America/St_Johns,America/St_Kitts,America/St_Lucia,America/St_Thomas,America/St_Vincent,America/Swift_Current,America/Tegucigalpa,America/Thule,America/Thunder_Bay,America/Tijuana,America/Toronto,America/Tortola,America/Vancouver,America/Virgin,America/Whitehorse,America/Winnipeg,America/Yakutat,America/Yellowknife,Antarctica/Casey,Antarctica/Davis,Antarctica/DumontDUrville,Antarctica/Macquarie,Antarctica/Mawson,Antarctica/McMurdo,Antarctica/Palmer,Antarctica/Rothera,Antarctica/South_Pole,Antarctica/Syowa,Antarctica/Troll,Antarctica/Vostok,Arctic/Longyearbyen,Asia/Aden,Asia/Almaty,Asia/Amman,Asia/Anadyr,Asia/Aqtau,Asia/Aqtobe,Asia/Ashgabat,Asia/Ashkhabad,Asia/Atyrau,Asia/Baghdad,Asia/Bahrain,Asia/Baku,Asia/Bangkok,Asia/Barnaul,Asia/Beirut,Asia/Bishkek,Asia/Brunei,Asia/Calcutta,Asia/Chita,Asia/Choibalsan,Asia/Chongqing,Asia/Chungking,Asia/Colombo,Asia/Dacca,Asia/Damascus,Asia/Dhaka,Asia/Dili,Asia/Dubai,Asia/Dushanbe,Asia/Famagusta,Asia/Gaza,Asia/Harbin,Asia/Hebron,Asia/Ho_Chi_Minh,Asia/Hong_Kong,Asia/Hovd,Asia/Irkutsk,Asia/Istanbul,Asia/Jakarta,Asia/Jayapura,Asia/Jerusalem,Asia/Kabul,Asia/Kamchatka,Asia/Karachi,Asia/Kashgar,Asia/Kathmandu,Asia/Katmandu,Asia/Khandyga,Asia/Kolkata,Asia/Krasnoyarsk,Asia/Kuala_Lumpur,Asia/Kuching,Asia/Kuwait,Asia/Macao,Asia/Macau,Asia/Magadan,Asia/Makassar,Asia/Manila,Asia/Muscat,Asia/Nicosia,Asia/Novokuznetsk,Asia/Novosibirsk,Asia/Omsk,Asia/Oral,Asia/Phnom_Penh,Asia/Pontianak,Asia/Pyongyang,Asia/Qatar,Asia/Qostanay,Asia/Qyzylorda,Asia/Rangoon,Asia/Riyadh,Asia/Saigon,Asia/Sakhalin,Asia/Samarkand,Asia/Seoul,Asia/Shanghai,Asia/Singapore,Asia/Srednekolymsk,Asia/Taipei,Asia/Tashkent,Asia/Tbilisi,Asia/Tehran,Asia/Tel_Aviv,Asia/Thimbu,Asia/Thimphu,Asia/Tokyo,Asia/Tomsk,Asia/Ujung_Pandang,Asia/Ulaanbaatar,Asia/Ulan_Bator,Asia/Urumqi,Asia/Ust-Nera,Asia/Vientiane,Asia/Vladivostok,Asia/Yakutsk,Asia/Yangon,Asia/Yekaterinburg,Asia/Yerevan,Atlantic/Azores,Atlantic/Bermuda,Atlantic/Canary,Atlantic/Cape_Verde,Atlantic/Faeroe,Atlantic/Faroe,Atlantic/Jan_Mayen,Atlantic/Madeira,Atlantic/Reykjavik,Atlantic/South_Georgia,Atlantic/St_Helena,Atlantic/Stanley,Australia/ACT,Australia/Adelaide,Australia/Brisbane,Australia/Broken_Hill,Australia/Canberra,Australia/Currie,Australia/Darwin,Australia/Eucla,Australia/Hobart,Australia/LHI,Australia/Lindeman,Australia/Lord_Howe,Australia/Melbourne,Australia/NSW,Australia/North,Australia/Perth,Australia/Queensland,Australia/South,Australia/Sydney,Australia/Tasmania,Australia/Victoria,Australia/West,Australia/Yancowinna,Brazil/Acre,Brazil/DeNoronha,Brazil/East,Brazil/West,CET,CST6CDT,Canada/Atlantic,Canada/Central,Canada/Eastern,Canada/Mountain,Canada/Newfoundland,Canada/Pacific,Canada/Saskatchewan,Canada/Yukon,Chile/Continental,Chile/EasterIsland,Cuba,EET,EST,EST5EDT,Egypt,Eire,Etc/GMT,Etc/GMT+0,Etc/GMT+1,Etc/GMT+10,Etc/GMT+11,Etc/GMT+12,Etc/GMT+2,Etc/GMT+3,Etc/GMT+4,Etc/GMT+5,Etc/GMT+6,Etc/GMT+7,Etc/GMT+8,Etc/GMT+9,Etc/GMT-0,Etc/GMT-1,Etc/GMT-10,Etc/GMT-11,Etc/GMT-12,Etc/GMT-13,Etc/GMT-14,Etc/GMT-2,Etc/GMT-3,Etc/GMT-4,Etc/GMT-5,Etc/GMT-6,Etc/GMT-7,Etc/GMT-8,Etc/GMT-9,Etc/GMT0,Etc/Greenwich,Etc/UCT,Etc/UTC,Etc/Universal,Etc/Zulu,Europe/Amsterdam,Europe/Andorra,Europe/Astrakhan,Europe/Athens,Europe/Belfast,Europe/Belgrade,Europe/Berlin,Europe/Bratislava,Europe/Brussels,Europe/Bucharest,Europe/Budapest,Europe/Busingen,Europe/Chisinau,Europe/Copenhagen,Europe/Dublin,Europe/Gibraltar,Europe/Guernsey,Europe/Helsinki,Europe/Isle_of_Man,Europe/Istanbul,Europe/Jersey,Europe/Kaliningrad,Europe/Kiev,Europe/Kirov,Europe/Kyiv,Europe/Lisbon,Europe/Ljubljana,Europe/London,Europe/Luxembourg,Europe/Madrid,Europe/Malta,Europe/Mariehamn,Europe/Minsk,Europe/Monaco,Europe/Moscow,Europe/Nicosia,Europe/Oslo,Europe/Paris,Europe/Podgorica,Europe/Prague,Europe/Riga,Europe/Rome,Europe/Samara,Europe/San_Marino,Europe/Sarajevo,Europe/Saratov,Europe/Simferopol,Europe/Skopje,Europe/Sofia,Europe/Stockholm,Europe/Tallinn,Europe/Tirane,Europe/Tiraspol,Europe/Ulyanovsk,Europe/Uzhgorod,Europe/Vaduz,Europe/Vatican,Europe/Vienna,Europe/Vilnius,Europe/Volgograd,Europe/Warsaw,Europe/Zagreb,Europe/Zaporozhye,Europe/Zurich,GB,GB-Eire,GMT,GMT+0,GMT-0,GMT0,Greenwich,HST,Hongkong,Iceland,Indian/Antananarivo,Indian/Chagos,Indian/Christmas,Indian/Cocos,Indian/Comoro,Indian/Kerguelen,Indian/Mahe,Indian/Maldives,Indian/Mauritius,Indian/Mayotte,Indian/Reunion,Iran,Israel,Jamaica,Japan,Kwajalein,Libya,MET,MST,MST7MDT,Mexico/BajaNorte,Mexico/BajaSur,Mexico/General,NZ,NZ-CHAT,Navajo,PRC,PST8PDT,Pacific/Apia,Pacific/Auckland,Pacific/Bougainville,Pacific/Chatham,Pacific/Chuuk,Pacific/Easter,Pacific/Efate,Pacific/Enderbury,Pacific/Fakaofo,Pacific/Fiji,Pacific/Funafuti,Pacific/Galapagos,Pacific/Gambier,Pacific/Guadalcanal,Pacific/Guam,Pacific/Honolulu,Pacific/Johnston,Pacific/Kanton,Pacific/Kiritimati,Pacific/Kosrae,Pacific/Kwajalein,Pacific/Majuro,Pacific/Marquesas,Pacific/Midway,Pacific/Nauru,Pacific/Niue,Pacific/Norfolk,Pacific/Noumea,Pacific/Pago_Pago,Pacific/Palau,Pacific/Pitcairn,Pacific/Pohnpei,Pacific/Ponape,Pacific/Port_Moresby,Pacific/Rarotonga,Pacific/Saipan,Pacific/Samoa,Pacific/Tahiti,Pacific/Tarawa,Pacific/Tongatapu,Pacific/Truk,Pacific/Wake,Pacific/Wallis,Pacific/Yap,Poland,Portugal,ROC,ROK,Singapore,Turkey,UCT,US/Alaska,US/Aleutian,US/Arizona,US/Central,US/East-Indiana,US/Eastern,US/Hawaii,US/Indiana-Starke,US/Michigan,US/Mountain,US/Pacific,US/Samoa,UTC,Universal,W-SU,WET,Zulu}'::text[]
$$;
create function private.fields_users() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if new.email is not null and (tg_op = 'INSERT' or new.email is distinct from old.email) and not (new.email ~ '^(?=[^@]{1,64}@)[!#-''*+/-9=?A-Z^-~-]+([.][!#-''*+/-9=?A-Z^-~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?[.])+(?![0-9]+$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$') then
    v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["email"]'::jsonb, 'code', 'invalid_format', 'message', 'email has not the format the core accepts'));
  end if;
  if new.timezone is not null and (tg_op = 'INSERT' or new.timezone is distinct from old.timezone) and not (new.timezone = any (private.time_zone_names())) then
    v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["timezone"]'::jsonb, 'code', 'invalid_timezone', 'message', 'timezone has not the format the core accepts'));
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_users() from public;
create trigger trg_users_aa_fields before insert or update on public.users
  for each row execute function private.fields_users();

alter table public.projects enable row level security;
revoke all on table public.projects from public, anon, authenticated;
grant all on table public.projects to service_role;
create policy projects_select on public.projects for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy projects_insert on public.projects for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy projects_update on public.projects for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy projects_delete on public.projects for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.projects to authenticated;
create function private.fields_projects() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
  v_found jsonb;
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if tg_op = 'INSERT' or new.cadence_config is distinct from old.cadence_config then
    v_found := private.json_value_issues(new.cadence_config, '["cadenceConfig"]', false, 8, 16384);
    if v_found = '[]' and new.cadence_config is not null then
      v_found := private.json_cadence_issues(new.cadence_config, '["cadenceConfig"]');
    end if;
    v_issues := v_issues || v_found;
  end if;
  if tg_op = 'INSERT' or new.memories is distinct from old.memories then
    v_found := private.json_value_issues(new.memories, '["memories"]', false, 500, 262144);
    if v_found = '[]' and new.memories is not null then
      v_found := private.json_memories_issues(new.memories, '["memories"]');
    end if;
    v_issues := v_issues || v_found;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_projects() from public;
create trigger trg_projects_aa_fields before insert or update on public.projects
  for each row execute function private.fields_projects();

alter table public.episodes enable row level security;
revoke all on table public.episodes from public, anon, authenticated;
grant all on table public.episodes to service_role;
create policy episodes_select on public.episodes for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy episodes_insert on public.episodes for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy episodes_update on public.episodes for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy episodes_delete on public.episodes for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.episodes to authenticated;
create function private.fields_episodes() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
  v_found jsonb;
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.project_id is distinct from old.project_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["projectId"]'::jsonb, 'code', 'read_only', 'message', 'projectId cannot be changed'));
    end if;
    if new.number is distinct from old.number then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["number"]'::jsonb, 'code', 'read_only', 'message', 'number cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if tg_op = 'INSERT' or new.generation_errors is distinct from old.generation_errors then
    v_found := private.json_value_issues(new.generation_errors, '["generationErrors"]', false, 100, 65536);
    if v_found = '[]' and new.generation_errors is not null then
      v_found := private.json_generation_errors_issues(new.generation_errors, '["generationErrors"]');
    end if;
    v_issues := v_issues || v_found;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_episodes() from public;
create trigger trg_episodes_aa_fields before insert or update on public.episodes
  for each row execute function private.fields_episodes();

alter table public.episode_schedule_queue enable row level security;
revoke all on table public.episode_schedule_queue from public, anon, authenticated;
grant all on table public.episode_schedule_queue to service_role;
create policy episode_schedule_queue_select on public.episode_schedule_queue for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.episode_schedule_queue to authenticated;
create function private.fields_episode_schedule_queue() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.attempts is distinct from 0 then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["attempts"]'::jsonb, 'code', 'read_only', 'message', 'attempts is set by the system'));
    end if;
    if v_user and new.locked_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["lockedBy"]'::jsonb, 'code', 'read_only', 'message', 'lockedBy is set by the system'));
    end if;
    if v_user and new.locked_until is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["lockedUntil"]'::jsonb, 'code', 'read_only', 'message', 'lockedUntil is set by the system'));
    end if;
    if v_user and new.last_error is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["lastError"]'::jsonb, 'code', 'read_only', 'message', 'lastError is set by the system'));
    end if;
    if v_user and new.episode_id is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["episodeId"]'::jsonb, 'code', 'read_only', 'message', 'episodeId is set by the system'));
    end if;
    if v_user and new.completed_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["completedAt"]'::jsonb, 'code', 'read_only', 'message', 'completedAt is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.project_id is distinct from old.project_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["projectId"]'::jsonb, 'code', 'read_only', 'message', 'projectId cannot be changed'));
    end if;
    if new.scheduled_for is distinct from old.scheduled_for then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["scheduledFor"]'::jsonb, 'code', 'read_only', 'message', 'scheduledFor cannot be changed'));
    end if;
    if new.attempts is distinct from old.attempts then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["attempts"]'::jsonb, 'code', 'read_only', 'message', 'attempts cannot be changed'));
    end if;
    if new.locked_by is distinct from old.locked_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["lockedBy"]'::jsonb, 'code', 'read_only', 'message', 'lockedBy cannot be changed'));
    end if;
    if new.locked_until is distinct from old.locked_until then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["lockedUntil"]'::jsonb, 'code', 'read_only', 'message', 'lockedUntil cannot be changed'));
    end if;
    if new.last_error is distinct from old.last_error then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["lastError"]'::jsonb, 'code', 'read_only', 'message', 'lastError cannot be changed'));
    end if;
    if new.episode_id is distinct from old.episode_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["episodeId"]'::jsonb, 'code', 'read_only', 'message', 'episodeId cannot be changed'));
    end if;
    if new.completed_at is distinct from old.completed_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["completedAt"]'::jsonb, 'code', 'read_only', 'message', 'completedAt cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_episode_schedule_queue() from public;
create trigger trg_episode_schedule_queue_aa_fields before insert or update on public.episode_schedule_queue
  for each row execute function private.fields_episode_schedule_queue();

alter table public.chat_sessions enable row level security;
revoke all on table public.chat_sessions from public, anon, authenticated;
grant all on table public.chat_sessions to service_role;
create policy chat_sessions_select on public.chat_sessions for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy chat_sessions_insert on public.chat_sessions for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy chat_sessions_update on public.chat_sessions for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy chat_sessions_delete on public.chat_sessions for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.chat_sessions to authenticated;
create function private.authz_chat_sessions() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_rank integer := case (select private.current_user_role())::text when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end;
begin
  if current_user <> 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if not ((v_rank >= 1 and new.user_id = v_uid)) then
      raise exception 'your role may not create this ChatSession' using errcode = '42501';
    end if;
  elsif tg_op = 'DELETE' or old.deleted_at is distinct from new.deleted_at then
    if not (true) then
      raise exception 'your role may not remove this ChatSession' using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    if old.project_id is distinct from new.project_id and not (true) then
      raise exception 'your role may not change projectId of this ChatSession' using errcode = '42501';
    end if;
    if old.episode_id is distinct from new.episode_id and not (true) then
      raise exception 'your role may not change episodeId of this ChatSession' using errcode = '42501';
    end if;
    if old.user_id is distinct from new.user_id and not (true) then
      raise exception 'your role may not change userId of this ChatSession' using errcode = '42501';
    end if;
    if old.title is distinct from new.title and not (true) then
      raise exception 'your role may not change title of this ChatSession' using errcode = '42501';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.authz_chat_sessions() from public;
create trigger trg_chat_sessions_authz before insert or update or delete on public.chat_sessions
  for each row execute function private.authz_chat_sessions();
create function private.fields_chat_sessions() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.project_id is distinct from old.project_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["projectId"]'::jsonb, 'code', 'read_only', 'message', 'projectId cannot be changed'));
    end if;
    if new.user_id is distinct from old.user_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["userId"]'::jsonb, 'code', 'read_only', 'message', 'userId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  if new.episode_id is not null and (tg_op = 'INSERT' or new.episode_id is distinct from old.episode_id or new.project_id is distinct from old.project_id)
     and exists (select 1 from public.episodes p where p.id = new.episode_id and p.project_id is distinct from new.project_id) then
    raise exception 'invalid: episodeId belongs to another project' using errcode = '22023', detail = '{"path": ["episodeId"]}';
  end if;
  return new;
end
$$;
revoke all on function private.fields_chat_sessions() from public;
create trigger trg_chat_sessions_aa_fields before insert or update on public.chat_sessions
  for each row execute function private.fields_chat_sessions();

alter table public.chat_messages enable row level security;
revoke all on table public.chat_messages from public, anon, authenticated;
grant all on table public.chat_messages to service_role;
create policy chat_messages_select on public.chat_messages for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy chat_messages_insert on public.chat_messages for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy chat_messages_delete on public.chat_messages for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, delete on table public.chat_messages to authenticated;
create function private.fields_chat_messages() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.session_id is distinct from old.session_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["sessionId"]'::jsonb, 'code', 'read_only', 'message', 'sessionId cannot be changed'));
    end if;
    if new.role is distinct from old.role then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["role"]'::jsonb, 'code', 'read_only', 'message', 'role cannot be changed'));
    end if;
    if new.content is distinct from old.content then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["content"]'::jsonb, 'code', 'read_only', 'message', 'content cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_chat_messages() from public;
create trigger trg_chat_messages_aa_fields before insert or update on public.chat_messages
  for each row execute function private.fields_chat_messages();

alter table public.token_usage enable row level security;
revoke all on table public.token_usage from public, anon, authenticated;
grant all on table public.token_usage to service_role;
create policy token_usage_select on public.token_usage for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.token_usage to authenticated;
create function private.fields_token_usage() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.project_id is distinct from old.project_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["projectId"]'::jsonb, 'code', 'read_only', 'message', 'projectId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  if new.episode_id is not null and (tg_op = 'INSERT' or new.episode_id is distinct from old.episode_id or new.project_id is distinct from old.project_id)
     and exists (select 1 from public.episodes p where p.id = new.episode_id and p.project_id is distinct from new.project_id) then
    raise exception 'invalid: episodeId belongs to another project' using errcode = '22023', detail = '{"path": ["episodeId"]}';
  end if;
  if new.chat_session_id is not null and (tg_op = 'INSERT' or new.chat_session_id is distinct from old.chat_session_id or new.project_id is distinct from old.project_id)
     and exists (select 1 from public.chat_sessions p where p.id = new.chat_session_id and p.project_id is distinct from new.project_id) then
    raise exception 'invalid: chatSessionId belongs to another project' using errcode = '22023', detail = '{"path": ["chatSessionId"]}';
  end if;
  return new;
end
$$;
revoke all on function private.fields_token_usage() from public;
create trigger trg_token_usage_aa_fields before insert or update on public.token_usage
  for each row execute function private.fields_token_usage();

alter table public.token_usage_daily enable row level security;
revoke all on table public.token_usage_daily from public, anon, authenticated;
grant all on table public.token_usage_daily to service_role;
create policy token_usage_daily_select on public.token_usage_daily for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.token_usage_daily to authenticated;
create function private.fields_token_usage_daily() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.date is distinct from old.date then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["date"]'::jsonb, 'code', 'read_only', 'message', 'date cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_token_usage_daily() from public;
create trigger trg_token_usage_daily_aa_fields before insert or update on public.token_usage_daily
  for each row execute function private.fields_token_usage_daily();

alter table public.budget_reservations enable row level security;
revoke all on table public.budget_reservations from public, anon, authenticated;
grant all on table public.budget_reservations to service_role;
create policy budget_reservations_select on public.budget_reservations for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.budget_reservations to authenticated;
create function private.fields_budget_reservations() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_budget_reservations() from public;
create trigger trg_budget_reservations_aa_fields before insert or update on public.budget_reservations
  for each row execute function private.fields_budget_reservations();

alter table public.planning_notes enable row level security;
revoke all on table public.planning_notes from public, anon, authenticated;
grant all on table public.planning_notes to service_role;
create policy planning_notes_select on public.planning_notes for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy planning_notes_insert on public.planning_notes for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy planning_notes_update on public.planning_notes for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy planning_notes_delete on public.planning_notes for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.planning_notes to authenticated;
create function private.authz_planning_notes() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_rank integer := case (select private.current_user_role())::text when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end;
begin
  if current_user <> 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if not ((v_rank >= 1 and new.author_id = v_uid)) then
      raise exception 'your role may not create this PlanningNote' using errcode = '42501';
    end if;
  elsif tg_op = 'DELETE' or old.deleted_at is distinct from new.deleted_at then
    if not (true) then
      raise exception 'your role may not remove this PlanningNote' using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    if old.project_id is distinct from new.project_id and not (true) then
      raise exception 'your role may not change projectId of this PlanningNote' using errcode = '42501';
    end if;
    if old.author_id is distinct from new.author_id and not (true) then
      raise exception 'your role may not change authorId of this PlanningNote' using errcode = '42501';
    end if;
    if old.content is distinct from new.content and not (true) then
      raise exception 'your role may not change content of this PlanningNote' using errcode = '42501';
    end if;
    if old.status is distinct from new.status and not (true) then
      raise exception 'your role may not change status of this PlanningNote' using errcode = '42501';
    end if;
    if old.applied_episode_id is distinct from new.applied_episode_id and not (true) then
      raise exception 'your role may not change appliedEpisodeId of this PlanningNote' using errcode = '42501';
    end if;
    if old.applied_at is distinct from new.applied_at and not (true) then
      raise exception 'your role may not change appliedAt of this PlanningNote' using errcode = '42501';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.authz_planning_notes() from public;
create trigger trg_planning_notes_authz before insert or update or delete on public.planning_notes
  for each row execute function private.authz_planning_notes();
create function private.fields_planning_notes() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.project_id is distinct from old.project_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["projectId"]'::jsonb, 'code', 'read_only', 'message', 'projectId cannot be changed'));
    end if;
    if new.author_id is distinct from old.author_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["authorId"]'::jsonb, 'code', 'read_only', 'message', 'authorId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  if new.applied_episode_id is not null and (tg_op = 'INSERT' or new.applied_episode_id is distinct from old.applied_episode_id or new.project_id is distinct from old.project_id)
     and exists (select 1 from public.episodes p where p.id = new.applied_episode_id and p.project_id is distinct from new.project_id) then
    raise exception 'invalid: appliedEpisodeId belongs to another project' using errcode = '22023', detail = '{"path": ["appliedEpisodeId"]}';
  end if;
  return new;
end
$$;
revoke all on function private.fields_planning_notes() from public;
create trigger trg_planning_notes_aa_fields before insert or update on public.planning_notes
  for each row execute function private.fields_planning_notes();

alter table public.agent_memories enable row level security;
revoke all on table public.agent_memories from public, anon, authenticated;
grant all on table public.agent_memories to service_role;
create policy agent_memories_select on public.agent_memories for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy agent_memories_insert on public.agent_memories for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy agent_memories_update on public.agent_memories for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy agent_memories_delete on public.agent_memories for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.agent_memories to authenticated;
create function private.fields_agent_memories() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.project_id is distinct from old.project_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["projectId"]'::jsonb, 'code', 'read_only', 'message', 'projectId cannot be changed'));
    end if;
    if new.legacy_memory_id is distinct from old.legacy_memory_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["legacyMemoryId"]'::jsonb, 'code', 'read_only', 'message', 'legacyMemoryId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  if new.source_episode_id is not null and (tg_op = 'INSERT' or new.source_episode_id is distinct from old.source_episode_id or new.project_id is distinct from old.project_id)
     and exists (select 1 from public.episodes p where p.id = new.source_episode_id and p.project_id is distinct from new.project_id) then
    raise exception 'invalid: sourceEpisodeId belongs to another project' using errcode = '22023', detail = '{"path": ["sourceEpisodeId"]}';
  end if;
  return new;
end
$$;
revoke all on function private.fields_agent_memories() from public;
create trigger trg_agent_memories_aa_fields before insert or update on public.agent_memories
  for each row execute function private.fields_agent_memories();

alter table public.user_events enable row level security;
revoke all on table public.user_events from public, anon, authenticated;
grant all on table public.user_events to service_role;
create policy user_events_select on public.user_events for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy user_events_insert on public.user_events for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy user_events_delete on public.user_events for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, delete on table public.user_events to authenticated;
create function private.authz_user_events() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_rank integer := case (select private.current_user_role())::text when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end;
begin
  if current_user <> 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if not ((v_rank >= 1 and new.user_id = v_uid) or (v_rank >= 2)) then
      raise exception 'your role may not create this UserEvent' using errcode = '42501';
    end if;
  elsif tg_op = 'DELETE' then
    if not ((v_rank >= 1 and old.user_id = v_uid) or (v_rank >= 2)) then
      raise exception 'your role may not remove this UserEvent' using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    if old.user_id is distinct from new.user_id and not (true) then
      raise exception 'your role may not change userId of this UserEvent' using errcode = '42501';
    end if;
    if old.event_type is distinct from new.event_type and not (true) then
      raise exception 'your role may not change eventType of this UserEvent' using errcode = '42501';
    end if;
    if old.event_data is distinct from new.event_data and not (true) then
      raise exception 'your role may not change eventData of this UserEvent' using errcode = '42501';
    end if;
    if old.occurred_at is distinct from new.occurred_at and not (true) then
      raise exception 'your role may not change occurredAt of this UserEvent' using errcode = '42501';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.authz_user_events() from public;
create trigger trg_user_events_authz before insert or update or delete on public.user_events
  for each row execute function private.authz_user_events();
create function private.fields_user_events() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
  v_found jsonb;
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.user_id is distinct from old.user_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["userId"]'::jsonb, 'code', 'read_only', 'message', 'userId cannot be changed'));
    end if;
    if new.event_type is distinct from old.event_type then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["eventType"]'::jsonb, 'code', 'read_only', 'message', 'eventType cannot be changed'));
    end if;
    if new.event_data is distinct from old.event_data then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["eventData"]'::jsonb, 'code', 'read_only', 'message', 'eventData cannot be changed'));
    end if;
    if new.occurred_at is distinct from old.occurred_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["occurredAt"]'::jsonb, 'code', 'read_only', 'message', 'occurredAt cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if new.event_type is not null and (tg_op = 'INSERT' or new.event_type is distinct from old.event_type) and not (new.event_type ~ '^[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+$') then
    v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["eventType"]'::jsonb, 'code', 'invalid_format', 'message', 'eventType has not the format the core accepts'));
  end if;
  if tg_op = 'INSERT' or new.event_data is distinct from old.event_data then
    v_found := private.json_value_issues(new.event_data, '["eventData"]', false, 100, 8192);
    if v_found = '[]' and new.event_data is not null then
      v_found := private.json_object_issues(new.event_data, '["eventData"]');
    end if;
    v_issues := v_issues || v_found;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_user_events() from public;
create trigger trg_user_events_aa_fields before insert or update on public.user_events
  for each row execute function private.fields_user_events();

alter table public.audit_log enable row level security;
revoke all on table public.audit_log from public, anon, authenticated;
grant all on table public.audit_log to service_role;
create policy audit_log_select on public.audit_log for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.audit_log to authenticated;
create function private.fields_audit_log() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.actor_id is distinct from old.actor_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["actorId"]'::jsonb, 'code', 'read_only', 'message', 'actorId cannot be changed'));
    end if;
    if new.action is distinct from old.action then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["action"]'::jsonb, 'code', 'read_only', 'message', 'action cannot be changed'));
    end if;
    if new.entity_type is distinct from old.entity_type then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["entityType"]'::jsonb, 'code', 'read_only', 'message', 'entityType cannot be changed'));
    end if;
    if new.entity_id is distinct from old.entity_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["entityId"]'::jsonb, 'code', 'read_only', 'message', 'entityId cannot be changed'));
    end if;
    if new.changes is distinct from old.changes then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["changes"]'::jsonb, 'code', 'read_only', 'message', 'changes cannot be changed'));
    end if;
    if new.occurred_at is distinct from old.occurred_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["occurredAt"]'::jsonb, 'code', 'read_only', 'message', 'occurredAt cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_audit_log() from public;
create trigger trg_audit_log_aa_fields before insert or update on public.audit_log
  for each row execute function private.fields_audit_log();

alter table public.blocks enable row level security;
revoke all on table public.blocks from public, anon, authenticated;
grant all on table public.blocks to service_role;
create policy blocks_select on public.blocks for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy blocks_insert on public.blocks for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy blocks_update on public.blocks for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy blocks_delete on public.blocks for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.blocks to authenticated;
create function private.fields_blocks() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.episode_id is distinct from old.episode_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["episodeId"]'::jsonb, 'code', 'read_only', 'message', 'episodeId cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  return new;
end
$$;
revoke all on function private.fields_blocks() from public;
create trigger trg_blocks_aa_fields before insert or update on public.blocks
  for each row execute function private.fields_blocks();

alter table public.highlights enable row level security;
revoke all on table public.highlights from public, anon, authenticated;
grant all on table public.highlights to service_role;
create policy highlights_select on public.highlights for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy highlights_insert on public.highlights for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy highlights_update on public.highlights for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy highlights_delete on public.highlights for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.highlights to authenticated;
create function private.authz_highlights() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_uid uuid := (select auth.uid());
  v_rank integer := case (select private.current_user_role())::text when 'owner' then 3 when 'admin' then 2 when 'member' then 1 else 0 end;
begin
  if current_user <> 'authenticated' then
    return coalesce(new, old);
  end if;
  if tg_op = 'INSERT' then
    if not ((v_rank >= 1 and new.user_id = v_uid)) then
      raise exception 'your role may not create this Highlight' using errcode = '42501';
    end if;
  elsif tg_op = 'DELETE' or old.deleted_at is distinct from new.deleted_at then
    if not (true) then
      raise exception 'your role may not remove this Highlight' using errcode = '42501';
    end if;
  end if;
  if tg_op = 'UPDATE' then
    if old.episode_id is distinct from new.episode_id and not (true) then
      raise exception 'your role may not change episodeId of this Highlight' using errcode = '42501';
    end if;
    if old.block_id is distinct from new.block_id and not (true) then
      raise exception 'your role may not change blockId of this Highlight' using errcode = '42501';
    end if;
    if old.user_id is distinct from new.user_id and not (true) then
      raise exception 'your role may not change userId of this Highlight' using errcode = '42501';
    end if;
    if old.start_offset is distinct from new.start_offset and not (true) then
      raise exception 'your role may not change startOffset of this Highlight' using errcode = '42501';
    end if;
    if old.end_offset is distinct from new.end_offset and not (true) then
      raise exception 'your role may not change endOffset of this Highlight' using errcode = '42501';
    end if;
    if old.quote is distinct from new.quote and not (true) then
      raise exception 'your role may not change quote of this Highlight' using errcode = '42501';
    end if;
    if old.note is distinct from new.note and not (true) then
      raise exception 'your role may not change note of this Highlight' using errcode = '42501';
    end if;
  end if;
  return coalesce(new, old);
end
$$;
revoke all on function private.authz_highlights() from public;
create trigger trg_highlights_authz before insert or update or delete on public.highlights
  for each row execute function private.authz_highlights();
create function private.utf16_length(p_text text) returns bigint
  language sql immutable set search_path = '' as $$
  select char_length(p_text) + char_length(regexp_replace(p_text, '[^\U00010000-\U0010FFFF]', '', 'g'))
$$;
create function private.utf16_index(p_text text, p_offset bigint) returns integer
  language plpgsql immutable set search_path = '' as $$
declare
  lo integer := 0;
  hi integer := least(p_offset, char_length(p_text));
  mid integer;
begin
  if p_offset < 0 then
    return null;
  end if;
  while lo < hi loop
    mid := (lo + hi + 1) / 2;
    if private.utf16_length(left(p_text, mid)) <= p_offset then
      lo := mid;
    else
      hi := mid - 1;
    end if;
  end loop;
  return case when private.utf16_length(left(p_text, lo)) = p_offset then lo end;
end
$$;
create function private.utf16_slice(p_text text, p_start bigint, p_end bigint) returns text
  language plpgsql immutable set search_path = '' as $$
declare
  b integer := private.utf16_index(p_text, p_start);
  e integer := private.utf16_index(p_text, p_end);
begin
  return case when b is not null and e is not null and e >= b then substr(p_text, b + 1, e - b) end;
end
$$;
create function private.fields_highlights() returns trigger
  language plpgsql set search_path = '' as $$
declare
  v_user boolean := current_user = 'authenticated';
  v_issues jsonb := '[]';
begin
  if tg_op = 'INSERT' then
    if new.id is null then
      new.id := gen_random_uuid();
    elsif v_user then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id is set by the system'));
    end if;
    if v_user and new.created_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt is set by the system'));
    end if;
    if v_user and new.updated_at is distinct from now() then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["updatedAt"]'::jsonb, 'code', 'read_only', 'message', 'updatedAt is set by the system'));
    end if;
    if v_user and new.deleted_at is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedAt"]'::jsonb, 'code', 'read_only', 'message', 'deletedAt is set by the system'));
    end if;
    if v_user and new.deleted_by is not null then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  elsif v_user then
    if new.id is distinct from old.id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["id"]'::jsonb, 'code', 'read_only', 'message', 'id cannot be changed'));
    end if;
    if new.organization_id is distinct from old.organization_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["organizationId"]'::jsonb, 'code', 'read_only', 'message', 'organizationId cannot be changed'));
    end if;
    if new.episode_id is distinct from old.episode_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["episodeId"]'::jsonb, 'code', 'read_only', 'message', 'episodeId cannot be changed'));
    end if;
    if new.block_id is distinct from old.block_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["blockId"]'::jsonb, 'code', 'read_only', 'message', 'blockId cannot be changed'));
    end if;
    if new.user_id is distinct from old.user_id then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["userId"]'::jsonb, 'code', 'read_only', 'message', 'userId cannot be changed'));
    end if;
    if new.start_offset is distinct from old.start_offset then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["startOffset"]'::jsonb, 'code', 'read_only', 'message', 'startOffset cannot be changed'));
    end if;
    if new.end_offset is distinct from old.end_offset then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["endOffset"]'::jsonb, 'code', 'read_only', 'message', 'endOffset cannot be changed'));
    end if;
    if new.quote is distinct from old.quote then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["quote"]'::jsonb, 'code', 'read_only', 'message', 'quote cannot be changed'));
    end if;
    if new.created_at is distinct from old.created_at then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["createdAt"]'::jsonb, 'code', 'read_only', 'message', 'createdAt cannot be changed'));
    end if;
    new.updated_at := now();
    if new.deleted_at is distinct from old.deleted_at then
      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct from
          (case when new.deleted_at is null then null else (select auth.uid()) end) then
        v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
      end if;
      new.deleted_at := case when new.deleted_at is null then null else now() end;
      new.deleted_by := case when new.deleted_at is null then null else (select auth.uid()) end;
    elsif new.deleted_by is distinct from old.deleted_by then
      v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', '["deletedBy"]'::jsonb, 'code', 'read_only', 'message', 'deletedBy is set by the system'));
    end if;
  end if;
  if jsonb_array_length(v_issues) > 0 then
    perform private.raise_issues(v_issues);
  end if;
  if new.block_id is not null and (tg_op = 'INSERT' or new.block_id is distinct from old.block_id or new.episode_id is distinct from old.episode_id)
     and exists (select 1 from public.blocks p where p.id = new.block_id and p.episode_id is distinct from new.episode_id) then
    raise exception 'invalid: blockId belongs to another episode' using errcode = '22023', detail = '{"path": ["blockId"]}';
  end if;
  if tg_op = 'INSERT' then
    if new.end_offset <= new.start_offset then
      raise exception 'invalid: endOffset must be greater than startOffset' using errcode = '22023', detail = '{"path": ["endOffset"]}';
    end if;
    if private.utf16_length(new.quote) <> new.end_offset - new.start_offset then
      raise exception 'invalid: quote does not cover the range' using errcode = '22023', detail = '{"path": ["quote"]}';
    end if;
    if new.quote is distinct from private.utf16_slice((select b.content from public.blocks b
        where b.id = new.block_id), new.start_offset, new.end_offset) then
      raise exception 'invalid: quote does not match the block''s text at these offsets' using errcode = '22023', detail = '{"path": ["quote"]}';
    end if;
  end if;
  return new;
end
$$;
revoke all on function private.fields_highlights() from public;
create trigger trg_highlights_aa_fields before insert or update on public.highlights
  for each row execute function private.fields_highlights();

insert into private.schema_info (version, generator) values (7, 'episodes-core schema --dialect postgres --upgrade-from 6');
commit;
