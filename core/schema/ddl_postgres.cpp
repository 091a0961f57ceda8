// PostgreSQL (Supabase) migration derived from core/schema/entities.cpp. The tables, keys and
// indexes are generated from the declarations; the roll-up triggers, the append-only rule, the
// RLS helpers and the queue/budget functions are fixed SQL mirroring core/store (queue.cpp,
// budget.cpp) rule for rule. Design: docs/adr/0005-postgres-rls.md; loading: docs/MIGRATION.md.
#include "core/schema/ddl_postgres.hpp"

#include <sstream>

#include "core/schema/ddl.hpp"

namespace ec::schema {
namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string entity_snake(const Entity& e) {
  std::string s = snake_case(e.name);
  return s.rfind('_', 0) == 0 ? s.substr(1) : s;
}

std::string column_type(const Entity& e, const Field& f) {
  switch (f.type) {
    case Type::Uuid:
      return "uuid";
    case Type::String:
    case Type::Text:
      return "text";
    case Type::Int:
    case Type::Money:
      return "bigint";
    case Type::Bool:
      return "boolean";
    case Type::Instant:
      return "timestamptz";
    case Type::Date:
      return "date";
    case Type::Enum:
      return "public." + postgres_enum_type(e, f);
    case Type::Json:
      return "jsonb";
  }
  return "text";
}

// The PostgreSQL default of a column: the declared default, else what Supabase clients expect
// the database to fill in (ids, timestamps, the caller's organization and user).
std::string default_expr(const Entity& e, const Field& f) {
  if (f.default_value) {
    const json& v = *f.default_value;
    switch (f.type) {
      case Type::Int:
      case Type::Money:
        return std::to_string(v.get<int64_t>());
      case Type::Bool:
        return v.get<bool>() ? "true" : "false";
      case Type::Json:
        return quote(v.dump()) + "::jsonb";
      default:
        return quote(v.get<std::string>());
    }
  }
  if (f.name == "id") return "gen_random_uuid()";
  if (f.name == "organizationId" && e.tenant_scoped) return "private.current_organization_id()";
  if (f.name == "createdAt" || f.name == "updatedAt") return "now()";
  if (f.actor_default) return "auth.uid()";
  return "";
}

std::vector<std::string> checks(const Field& f) {
  const std::string& c = f.column;
  std::vector<std::string> out;
  switch (f.type) {
    case Type::Int:
    case Type::Money:
      if (f.min && f.max)
        out.push_back(c + " between " + std::to_string(*f.min) + " and " + std::to_string(*f.max));
      else if (f.min)
        out.push_back(c + " >= " + std::to_string(*f.min));
      break;
    case Type::String:
    case Type::Text:
      // The core counts UTF-16 code units; code points never exceed them, so this bound only
      // refuses what the core refuses too.
      if (f.max) out.push_back("char_length(" + c + ") <= " + std::to_string(*f.max));
      if (f.min && *f.min >= 1) out.push_back(c + " <> ''");
      if (f.type == Type::String) out.push_back(c + " !~ '[\\r\\n]'");
      break;
    case Type::Json:
      switch (f.rule) {
        case Rule::Cadence:
        case Rule::JsonObject:
        case Rule::JsonChanges:
          out.push_back("jsonb_typeof(" + c + ") = 'object'");
          break;
        case Rule::Memories:
        case Rule::GenErrors:
          out.push_back("jsonb_typeof(" + c + ") = 'array'");
          break;
        default:
          break;
      }
      break;
    default:
      break;
  }
  return out;
}

// PostgreSQL truncates identifiers to 63 bytes: longer names keep a prefix and a hash suffix so
// they stay unique and stable.
std::string pg_name(std::string n) {
  if (n.size() <= 63) return n;
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : n) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static const char* hex = "0123456789abcdef";
  std::string suffix = "_";
  for (int i = 0; i < 8; ++i) suffix += hex[(h >> (60 - 4 * i)) & 0xF];
  return n.substr(0, 63 - suffix.size()) + suffix;
}

std::string index_name(const Entity& e, const Index& ix) {
  std::string n = (ix.unique ? "ux_" : "ix_") + e.table;
  for (const auto& c : ix.columns) n += "_" + c;
  return pg_name(n);
}

// Fixed SQL, emitted before the tables: enum types are generated; these helpers only need the
// types (function bodies are checked when first called: check_function_bodies is off).
const char* kPrivateHelpers = R"SQL(
-- ---------------------------------------------------------------------------------------------
-- Membership. Supabase auth users map 1:1 to public.users rows: users.id = auth.uid(). A user
-- belongs to exactly one organization; these helpers are security definer (they read users
-- without recursing into its own policies) and live in the non-exposed schema `private`.
-- ---------------------------------------------------------------------------------------------
create schema if not exists private;
revoke all on schema private from public;

create table private.schema_info (
  version integer primary key,
  applied_at timestamptz not null default now(),
  generator text not null
);

create function private.current_organization_id() returns uuid
  language sql stable security definer set search_path = '' as $$
  select u.organization_id from public.users u where u.id = (select auth.uid()) and u.deleted_at is null
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

-- ---------------------------------------------------------------------------------------------
-- Append-only tables: any UPDATE, DELETE or TRUNCATE raises.
-- ---------------------------------------------------------------------------------------------
create function private.refuse_change() returns trigger
  language plpgsql set search_path = '' as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op) using errcode = 'EC403';
end
$$;
)SQL";

// Fixed SQL, emitted after the tables.
const char* kTriggersAndFunctions = R"SQL(
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

-- "£1,234.56" as budget.cpp format_gbp (half away from zero, to the penny).
create function private.gbp(p_micros bigint) returns text
  language sql immutable set search_path = '' as $$
  select case when p_micros < 0 and (abs(p_micros::numeric) + 5000) / 10000 >= 1 then '-£' else '£' end
      || to_char(trunc(trunc((abs(p_micros::numeric) + 5000) / 10000) / 100), 'FM999,999,999,999,990') || '.'
      || lpad((trunc((abs(p_micros::numeric) + 5000) / 10000) % 100)::text, 2, '0')
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
-- (budget_exceeded), P0002 (not_found), 22023 (invalid parameter); the message starts with the
-- core's error code.
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
begin
  if p_worker is null or p_worker = '' or char_length(p_worker) > 200 then
    raise exception 'invalid: p_worker must be 1 to 200 characters' using errcode = '22023';
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
      v_ep := private.episode_for(v_before, p_now, p_actor);
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
             generation_attempts = e.generation_attempts + 1,
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
             locked_until = p_now + make_interval(secs => p_lease_seconds), attempts = q.attempts + 1,
             episode_id = v_ep.id, updated_at = p_now
       where q.id = v_id returning * into v_item;
      perform private.audit(v_item.organization_id, p_actor, 'claim', 'EpisodeScheduleQueue', v_item.id,
                            to_jsonb(v_before), to_jsonb(v_item), p_now);
      v_taken := v_taken + 1;
      return next v_item;
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
                                      p_now timestamptz default now(), p_actor uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_usage public.token_usage;
begin
  select * into v_before from public.episode_schedule_queue q where q.id = p_item_id for update;
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
    insert into public.token_usage (id, organization_id, project_id, episode_id, model, input_tokens, output_tokens,
                                    cost_micros, occurred_at, created_at, updated_at)
    values (gen_random_uuid(), v_before.organization_id, v_before.project_id, v_ep.id, p_usage ->> 'model',
            (p_usage ->> 'inputTokens')::bigint, (p_usage ->> 'outputTokens')::bigint,
            (p_usage ->> 'costMicros')::bigint, coalesce((p_usage ->> 'occurredAt')::timestamptz, p_now), p_now, p_now)
    returning * into v_usage;
    perform private.audit(v_usage.organization_id, p_actor, 'create', 'TokenUsage', v_usage.id, null,
                          to_jsonb(v_usage), p_now);
    perform private.close_reservations(v_before, 'settled', p_now, p_actor);
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
                                  p_now timestamptz default now(), p_actor uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_dead boolean;
begin
  select * into v_before from public.episode_schedule_queue q where q.id = p_item_id for update;
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
                          else p_now + private.backoff_ms(q.id, p_token::integer) * interval '1 millisecond' end,
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
                                    p_now timestamptz default now(), p_actor uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
begin
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 86400 then
    raise exception 'invalid: p_lease_seconds must be 10..86400' using errcode = '22023';
  end if;
  select * into v_before from public.episode_schedule_queue q where q.id = p_item_id for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  update public.episode_schedule_queue q set locked_until = p_now + make_interval(secs => p_lease_seconds),
         updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'extend', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The daily budget (mirrors core/store/budget.cpp).
-- ---------------------------------------------------------------------------------------------
-- Holds p_estimate_micros of today's (UTC) budget until now + p_ttl_seconds. Atomic: the
-- organization row is locked (FOR NO KEY UPDATE, so foreign-key checks of other writes are not
-- blocked) before spent + open unexpired reservations + estimate is checked against the limit,
-- so concurrent reservations of one organization are serialized. Refused with EC402.
create function public.budget_reserve(p_organization_id uuid, p_estimate_micros bigint,
                                      p_queue_item_id uuid default null, p_ttl_seconds integer default 900,
                                      p_now timestamptz default now(), p_actor uuid default null)
  returns public.budget_reservations
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_limit bigint;
  v_date date := (p_now at time zone 'UTC')::date;
  v_spent bigint;
  v_reserved bigint;
  v_row public.budget_reservations;
begin
  if p_estimate_micros is null or p_estimate_micros < 0 or p_estimate_micros > 1000000000000 then
    raise exception 'invalid: p_estimate_micros must be 0..1000000000000' using errcode = '22023';
  end if;
  if p_ttl_seconds is null or p_ttl_seconds < 1 or p_ttl_seconds > 86400 then
    raise exception 'invalid: p_ttl_seconds must be 1..86400' using errcode = '22023';
  end if;
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = p_organization_id
    for no key update;
  if not found then
    raise exception 'not_found: no organization %', p_organization_id using errcode = 'P0002';
  end if;
  if p_queue_item_id is not null and not exists (
       select 1 from public.episode_schedule_queue q
        where q.id = p_queue_item_id and q.organization_id = p_organization_id) then
    raise exception 'not_found: no queue item %', p_queue_item_id using errcode = 'P0002';
  end if;
  select coalesce((select d.cost_micros from public.token_usage_daily d
                    where d.organization_id = p_organization_id and d.date = v_date), 0) into v_spent;
  select coalesce(sum(r.estimate_micros), 0) into v_reserved from public.budget_reservations r
   where r.organization_id = p_organization_id and r.date = v_date and r.status = 'open' and r.expires_at > p_now;
  if v_spent + v_reserved + p_estimate_micros > v_limit then
    raise exception 'budget_exceeded: reserving % would pass the % daily limit (spent %, reserved %)',
      private.gbp(p_estimate_micros), private.gbp(v_limit), private.gbp(v_spent), private.gbp(v_reserved)
      using errcode = 'EC402',
            detail = jsonb_build_object('spent', v_spent, 'reserved', v_reserved, 'limit', v_limit,
                                        'estimate', p_estimate_micros, 'date', v_date)::text;
  end if;
  insert into public.budget_reservations (id, organization_id, queue_item_id, estimate_micros, status, date,
                                          expires_at, created_at, updated_at)
  values (gen_random_uuid(), p_organization_id, p_queue_item_id, p_estimate_micros, 'open', v_date,
          p_now + make_interval(secs => p_ttl_seconds), p_now, p_now)
  returning * into v_row;
  perform private.audit(p_organization_id, p_actor, 'reserve', 'BudgetReservation', v_row.id, null, to_jsonb(v_row),
                        p_now);
  return v_row;
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
-- users; the queue and budget functions by the service role (workers) only.
-- ---------------------------------------------------------------------------------------------
revoke all on all functions in schema private from public;
grant usage on schema private to authenticated, service_role;
grant execute on function private.current_organization_id(), private.current_user_role(), private.is_org_admin()
  to authenticated, service_role;
revoke all on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_status(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_status(uuid, timestamptz) to service_role;
grant execute on function public.budget_status(uuid, timestamptz) to authenticated;
)SQL";

// Row Level Security of one table: what a signed-in user (role authenticated) may do with the
// rows of their own organization. anon gets no privilege and no policy at all.
void emit_rls(std::ostringstream& os, const Entity& e) {
  const std::string t = "public." + e.table;
  const std::string mine = e.tenant_scoped
                               ? "organization_id = (select private.current_organization_id())"
                               : "id = (select private.current_organization_id())";
  const std::string admin = "(select private.is_org_admin())";
  os << "alter table " << t << " enable row level security;\n";
  os << "revoke all on table " << t << " from public, anon, authenticated;\n";
  os << "grant all on table " << t << " to service_role;\n";
  std::vector<std::string> privs = {"select"};
  auto policy = [&](const std::string& op, const std::string& using_, const std::string& check) {
    os << "create policy " << e.table << "_" << op << " on " << t << " for " << op
       << " to authenticated";
    if (!using_.empty()) os << "\n  using (" << using_ << ")";
    if (!check.empty()) os << "\n  with check (" << check << ")";
    os << ";\n";
    if (op != "select") privs.push_back(op);
  };
  policy("select", mine, "");
  if (e.name == "Organization") {
    policy("update", mine + " and " + admin, mine + " and " + admin);
  } else if (e.name == "User") {
    // Admins manage members; a member may edit their own row but not their role.
    policy("insert", "", mine + " and " + admin);
    policy("update", mine + " and (id = (select auth.uid()) or " + admin + ")",
           mine + " and (" + admin + " or role = (select private.current_user_role()))");
    policy("delete", mine + " and " + admin, "");
  } else if (e.append_only) {
    // Audit rows written by the signed-in user's own changes (the core writes them in the same
    // transaction); never updated or deleted (the append-only trigger refuses even the owner).
    policy("insert", "", mine + " and actor_id = (select auth.uid())");
  } else if (e.api_writable) {
    policy("insert", "", mine);
    if (e.api_updatable) policy("update", mine, mine);
    policy("delete", mine, "");
  }
  os << "grant ";
  for (size_t i = 0; i < privs.size(); ++i) os << (i ? ", " : "") << privs[i];
  os << " on table " << t << " to authenticated;\n";
}

}  // namespace

std::string postgres_enum_type(const Entity& e, const Field& f) {
  if (f.type != Type::Enum) return "";
  return entity_snake(e) + "_" + f.column;
}

std::string postgres_migration_name() {
  return "20250815090000_episodes_core_v" + std::to_string(kSchemaVersion) + ".sql";
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
       "Completes a claimed item; stale tokens are refused (EC409)."},
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
       "Extends a held lease."},
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
       "Atomically reserves part of today's budget (EC402 when over)."},
      {"budget_status",
       {{"p_organization_id", "uuid", true}, {"p_now", "timestamptz", true}},
       "",
       false,
       true,
       "Today's budget: limit, spent, reserved, remaining, blocked and why."},
  };
  return fns;
}

std::string postgres_ddl() {
  std::ostringstream os;
  os << "-- episodes-core schema v" << kSchemaVersion
     << " (PostgreSQL / Supabase). Generated from core/schema by `episodes-core schema --dialect "
        "postgres`;\n"
        "-- do not edit. Apply with: psql -v ON_ERROR_STOP=1 -f <this file>. One transaction; "
        "applying it to\n"
        "-- a database that already has it is refused by the guard below and changes nothing.\n"
        "-- Expects Supabase's auth.uid() and the roles anon, authenticated, service_role.\n"
        "begin;\n"
        "set local check_function_bodies = off;\n"
        "set local search_path = '';\n\n"
        "do $$\nbegin\n"
        "  if to_regclass('private.schema_info') is not null then\n"
        "    raise exception 'episodes-core schema is already applied (private.schema_info "
        "exists): nothing was changed'\n"
        "      using errcode = 'EC001';\n"
        "  end if;\n"
        "end\n$$;\n\n";
  os << "-- Enum types (one per enum field).\n";
  for (const auto& e : entities())
    for (const auto& f : e.fields)
      if (f.type == Type::Enum) {
        os << "create type public." << postgres_enum_type(e, f) << " as enum (";
        for (size_t i = 0; i < f.enum_values.size(); ++i)
          os << (i ? ", " : "") << quote(f.enum_values[i]);
        os << ");\n";
      }
  os << kPrivateHelpers;

  for (const auto& e : entities()) {
    os << "\n-- " << e.name << ": " << e.doc << "\n";
    os << "create table public." << e.table << " (\n";
    std::vector<std::string> lines;
    for (const auto& f : e.fields) {
      std::string l = f.column + " " + column_type(e, f);
      if (f.name == "id") l += " primary key";
      if (!f.nullable && f.name != "id") l += " not null";
      if (auto d = default_expr(e, f); !d.empty()) l += " default " + d;
      for (const auto& c : checks(f)) l += " check (" + c + ")";
      lines.push_back(l);
    }
    for (const auto& f : e.fields) {
      if (f.references.empty()) continue;
      const Entity* parent = find_entity(f.references);
      const std::string on_delete = f.cascade ? "cascade" : "restrict";
      const std::string name = pg_name("fk_" + e.table + "_" + f.column);
      if (f.name == "organizationId" || !parent->tenant_scoped)
        lines.push_back("constraint " + name + " foreign key (" + f.column +
                        ") references public." + parent->table +
                        " (id) on update cascade on delete " + on_delete);
      else  // same-organization rule: the parent must share organization_id; on update cascade lets
            // a mock user be re-keyed to its auth id (docs/MIGRATION.md step 5)
        lines.push_back("constraint " + name + " foreign key (organization_id, " + f.column +
                        ") references public." + parent->table +
                        " (organization_id, id) on update cascade on delete " + on_delete);
    }
    for (size_t i = 0; i < lines.size(); ++i)
      os << "  " << lines[i] << (i + 1 < lines.size() ? ",\n" : "\n");
    os << ");\n";
    os << "comment on table public." << e.table << " is " << quote(e.doc) << ";\n";
    for (const auto& ix : e.indexes) {
      os << "create " << (ix.unique ? "unique " : "") << "index " << index_name(e, ix)
         << " on public." << e.table << " (";
      for (size_t i = 0; i < ix.columns.size(); ++i) {
        const bool ci = ix.nocase_first && i + 1 == ix.columns.size();
        os << (i ? ", " : "") << (ci ? "lower(" + ix.columns[i] + ")" : ix.columns[i]);
      }
      os << ")";
      if (!ix.where.empty()) os << " where " << ix.where;
      os << ";\n";
    }
    // PostgreSQL does not index referencing columns by itself: cascades and joins need them.
    for (const auto& f : e.fields) {
      if (f.references.empty() || f.name == "organizationId") continue;
      const Entity* parent = find_entity(f.references);
      bool covered = false;
      for (const auto& ix : e.indexes) {
        if (!ix.where.empty() || ix.columns.empty()) continue;
        if (ix.columns[0] == f.column) covered = true;
        if (ix.columns.size() >= 2 && ix.columns[0] == "organization_id" &&
            ix.columns[1] == f.column)
          covered = true;
      }
      if (covered) continue;
      os << "create index " << pg_name("ix_" + e.table + "_" + f.column) << " on public." << e.table
         << " (" << (parent->tenant_scoped ? "organization_id, " : "") << f.column << ");\n";
    }
    if (e.append_only) {
      os << "create trigger trg_" << e.table << "_append_only before update or delete on public."
         << e.table << "\n  for each row execute function private.refuse_change();\n";
      os << "create trigger trg_" << e.table << "_no_truncate before truncate on public." << e.table
         << "\n  for each statement execute function private.refuse_change();\n";
    }
  }
  os << kTriggersAndFunctions;

  os << "\n-- "
        "------------------------------------------------------------------------------------------"
        "---\n"
        "-- Row Level Security on every table: a signed-in user sees and changes only rows of "
        "their own\n"
        "-- organization (policies compare organization_id, the leading column of each table's "
        "unique\n"
        "-- (organization_id, id) index, with the membership helper evaluated once per "
        "statement).\n"
        "-- "
        "------------------------------------------------------------------------------------------"
        "---\n"
        "grant usage on schema public to anon, authenticated, service_role;\n";
  for (const auto& e : entities()) {
    os << "\n";
    emit_rls(os, e);
  }
  os << "\ninsert into private.schema_info (version, generator) values (" << kSchemaVersion
     << ", 'episodes-core schema --dialect postgres');\n"
        "commit;\n";
  return os.str();
}

}  // namespace ec::schema
