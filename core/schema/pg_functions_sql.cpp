// The fixed part of the PostgreSQL migration: RLS helpers, the append-only and roll-up
// triggers, and the signatures of the queue/budget functions (their SQL: pg_queue_sql.cpp). The
// generated part (tables, keys, indexes, policies) is in ddl_postgres.cpp.
#include "core/schema/pg_functions_sql.hpp"

#include <string_view>

#include "core/rules.hpp"

namespace ec::schema {
namespace {

// private.gbp groups thousands with to_char's ',' pattern character.
static_assert(std::string_view(rules::kThousandsSeparator) == ",",
              "private.gbp's to_char pattern groups thousands with ','");

// Fixed SQL, emitted before the tables: enum types are generated; these helpers only need the
// types (function bodies are checked when first called: check_function_bodies is off).
const char* const kPrivateHelpers = R"SQL(
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
  select coalesce((select u.role in ('@state:Role.owner@', '@state:Role.admin@') from public.users u
                   where u.id = (select auth.uid()) and u.deleted_at is null), false)
$$;

-- The end of the instant range both engines hold (core/time.hpp kMaxInstant): lease ends,
-- reservation expiries and retry times computed from now are capped at it.
create function private.max_instant() returns timestamptz
  language sql immutable set search_path = '' as $$
  select to_timestamp(@const:maxInstantMs@ / 1000) + (@const:maxInstantMs@ % 1000) * interval '1 millisecond'
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
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op) using errcode = '@sqlstate:forbidden@';
end
$$;
)SQL";

// Fixed SQL, emitted after the tables.
const char* const kTriggersAndFunctions = R"SQL(
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

-- Appends one {at, code, message, attempt} entry, keeping the last @const:maxGenerationErrorsKept@ (queue.cpp kMaxErrorsKept).
create function private.with_error(p_errors jsonb, p_entry jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select case when jsonb_array_length(x) <= @const:maxGenerationErrorsKept@ then x
              else (select jsonb_agg(e order by i) from jsonb_array_elements(x) with ordinality as t(e, i)
                    where i > jsonb_array_length(x) - @const:maxGenerationErrorsKept@) end
  from (select coalesce(p_errors, '[]'::jsonb) || jsonb_build_array(p_entry) as x) s
$$;

-- Retry delay after failed attempt p_attempt, exactly as queue.cpp backoff_ms:
-- min(1 h, 60 s * 2^(attempt-1)) minus a jitter of up to 10 % from FNV-1a 64 of "id:attempt".
create function private.backoff_ms(p_item_id uuid, p_attempt integer) returns bigint
  language plpgsql immutable set search_path = '' as $$
declare
  v_d bigint := least(@const:backoffCapMs@, @const:backoffBaseMs@::bigint << least(greatest(p_attempt - 1, 0), @const:backoffMaxShift@));
  v_bytes bytea := convert_to(p_item_id::text || ':' || p_attempt::text, 'UTF8');
  v_h numeric := @const:fnvOffsetBasis@;
  v_low integer;
begin
  for i in 0 .. length(v_bytes) - 1 loop
    v_low := (v_h % 256)::integer;
    v_h := v_h - v_low + (v_low # get_byte(v_bytes, i));
    v_h := (v_h * @const:fnvPrime@) % 18446744073709551616;
  end loop;
  return v_d - (v_h % (v_d / @const:backoffJitterDivisor@ + 1))::bigint;
end
$$;

-- "£1,234.56", "−£0.01" as rules::format_gbp (core/rules.hpp: half away from zero, to the penny).
create function private.gbp(p_micros bigint) returns text
  language sql immutable set search_path = '' as $$
  select case when p_micros < 0 and (abs(p_micros::numeric) + @const:microsPerPenny@ / 2) / @const:microsPerPenny@ >= 1
              then '@const:minusSign@@const:currencySymbol@' else '@const:currencySymbol@' end
      || to_char(trunc(trunc((abs(p_micros::numeric) + @const:microsPerPenny@ / 2) / @const:microsPerPenny@)
                       / (@const:microsPerPound@ / @const:microsPerPenny@)), 'FM999,999,999,999,990')
      || '@const:decimalSeparator@'
      || lpad((trunc((abs(p_micros::numeric) + @const:microsPerPenny@ / 2) / @const:microsPerPenny@)
               % (@const:microsPerPound@ / @const:microsPerPenny@))::text, 2, '0')
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
  if new.deleted_at is not null or new.status = '@state:ProjectStatus.archived@' then
    return new;
  end if;
  if tg_op = 'UPDATE' and old.deleted_at is null and old.status <> '@state:ProjectStatus.archived@' then
    return new;
  end if;
  perform private.lock_organization(new.organization_id);
  select o.plan::text into v_plan from public.organizations o where o.id = new.organization_id;
  v_limit := case v_plan when '@state:Plan.team@' then @const:teamProjectLimit@
                         when '@state:Plan.pro@' then @const:proProjectLimit@
                         else @const:freeProjectLimit@ end;
  select count(*) into v_used from public.projects p
   where p.organization_id = new.organization_id and p.deleted_at is null
     and p.status <> '@state:ProjectStatus.archived@' and p.id <> new.id;
  if v_used >= v_limit then
    raise exception 'plan_limit: the % plan allows % active projects and all are in use; archive a project or upgrade the plan',
      v_plan, v_limit using errcode = '@sqlstate:plan_limit@';
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

)SQL";

}  // namespace

const char* pg_private_helpers_sql() {
  static const std::string sql = expand_pg_template(kPrivateHelpers);
  return sql.c_str();
}
const char* pg_triggers_and_functions_sql() {
  static const std::string sql = expand_pg_template(kTriggersAndFunctions);
  return sql.c_str();
}

const std::vector<PgFunction>& postgres_functions() {
  static const std::vector<PgFunction> fns = {
      {"queue_claim",
       {{"p_worker", "text"},
        {"p_limit", "integer", true},
        {"p_lease_seconds", "integer", true},
        {"p_organization_id", "uuid", true},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "episode_schedule_queue",
       true,
       false,
       "Claims up to p_limit due items (FOR UPDATE SKIP LOCKED); the token is the returned "
       "attempts."},
      {"queue_complete",
       {{"p_item_id", "uuid"},
        {"p_token", "bigint"},
        {"p_usage", "jsonb", true},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "episode_schedule_queue",
       false,
       false,
       "Completes a claimed item, settling its reservations (EC402 above their estimate, or "
       "past the limit without one); stale tokens are refused (EC409)."},
      {"queue_fail",
       {{"p_item_id", "uuid"},
        {"p_token", "bigint"},
        {"p_error_code", "text"},
        {"p_message", "text"},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "episode_schedule_queue",
       false,
       false,
       "Records a failed attempt; retries with backoff or fails."},
      {"queue_extend",
       {{"p_item_id", "uuid"},
        {"p_token", "bigint"},
        {"p_lease_seconds", "integer", true},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "episode_schedule_queue",
       false,
       false,
       "Extends a held lease (and the item's open reservations with it)."},
      {"queue_retry",
       {{"p_item_id", "uuid"},
        {"p_extra_attempts", "integer", true},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true},
        {"p_organization_id", "uuid", true}},
       "episode_schedule_queue",
       false,
       false,
       "By hand (admins, owners, the service role): a failed item back to pending, due now, "
       "with p_extra_attempts more attempts (EC410 unless failed)."},
      {"queue_cancel",
       {{"p_item_id", "uuid"},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true},
        {"p_organization_id", "uuid", true}},
       "episode_schedule_queue",
       false,
       false,
       "By hand (admins, owners, the service role): cancels an item for good (EC410 when "
       "completed)."},
      {"budget_reserve",
       {{"p_organization_id", "uuid"},
        {"p_estimate_micros", "bigint"},
        {"p_queue_item_id", "uuid", true},
        {"p_ttl_seconds", "integer", true},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "budget_reservations",
       false,
       false,
       "Atomically reserves part of today's budget (EC402 when over); a queue item's "
       "reservation lasts at least its lease."},
      {"budget_settle",
       {{"p_reservation_id", "uuid"},
        {"p_usage", "jsonb"},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "",
       false,
       true,
       "Records the usage of an open reservation, attributed to its day; EC402 above its "
       "estimate, EC410 unless open. Returns {reservation, usage}."},
      {"budget_release",
       {{"p_reservation_id", "uuid"}, {"p_now", "timestamptz", true}, {"p_actor", "uuid", true}},
       "budget_reservations",
       false,
       false,
       "Gives back an open reservation (EC410 unless open)."},
      {"usage_record",
       {{"p_organization_id", "uuid"},
        {"p_usage", "jsonb"},
        {"p_now", "timestamptz", true},
        {"p_actor", "uuid", true}},
       "token_usage",
       false,
       false,
       "Records usage without a reservation: EC402 when it would pass its day's limit."},
      {"budget_status",
       {{"p_organization_id", "uuid", true}, {"p_now", "timestamptz", true}},
       "",
       false,
       true,
       "Today's budget: limit, spent, reserved, remaining, blocked and why."},
  };
  return fns;
}

}  // namespace ec::schema
