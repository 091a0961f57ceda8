// The PostgreSQL validators of the JSON fields and of the core's text forms (pg_triggers.hpp
// json_checks_sql, json_field_check_sql): generated from the same declarations the core's
// validators read, so the fields trigger refuses what the core refuses, with the core's issue
// codes and paths (tests/pg/json_fields.test.mjs compares the two on generated values of every
// JSON field).
#include <stdexcept>

#include "core/error_codes.hpp"
#include "core/schedule/cadence.hpp"
#include "core/schema/json_shapes.hpp"
#include "core/schema/pg_triggers.hpp"
#include "core/validate/validate.hpp"

namespace ec::schema::pgddl {

namespace {

// The core's text forms (core/time.cpp parse_date / parse_instant / parse_hhmm,
// core/validate is_uuid), as PostgreSQL functions: null / false where the core refuses.
const char* kTextFormsSql = R"SQL(
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
-- (invalid_format). Stops after @maxIssues@ + 1 issues, as the core does. jsonb keeps no
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
        if abs(v_n) > @maxSafeInteger@ then
          return private.issue(p_path, 'too_big');
        end if;
      elsif abs(v_n) > 1e300 then
        return private.issue(p_path, 'invalid_format');
      end if;
    when 'array' then
      for r in select x, i - 1 as i from jsonb_array_elements(p_value) with ordinality as t(x, i) loop
        v_out := v_out || private.json_number_issues(r.x, p_path || to_jsonb(r.i));
        exit when jsonb_array_length(v_out) > @maxIssues@;
      end loop;
    when 'object' then
      for r in select key, value from jsonb_each(p_value) loop
        v_out := v_out || private.json_number_issues(r.value, p_path || to_jsonb(r.key));
        exit when jsonb_array_length(v_out) > @maxIssues@;
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
)SQL";

// Rule::Cadence (core/schedule/cadence.cpp parse_cadence): the same checks, the same codes and
// paths; weekday names, the skip-date cap and the zone names are the core's.
const char* kCadenceSql = R"SQL(
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
      elsif jsonb_array_length(r.value) > @weekdayCount@ then
        v_out := v_out || private.issue(p_path || '["days"]', 'too_big');
      else
        v_seen := '{}';
        for d in select x, i - 1 as i from jsonb_array_elements(r.value) with ordinality as t(x, i) loop
          v_s := d.x #>> '{}';
          if jsonb_typeof(d.x) <> 'string' then
            v_out := v_out || private.issue(p_path || jsonb_build_array('days', d.i), 'invalid_type');
          elsif not (v_s = any (@weekdays@::text[])) then
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
      elsif jsonb_array_length(r.value) > @maxSkipDates@ then
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
)SQL";

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
    s.replace(at, from.size(), to);
}

std::string rule_fn_name(Rule r) {
  switch (r) {
    case Rule::Cadence:
      return "private.json_cadence_issues";
    case Rule::Memories:
      return "private.json_memories_issues";
    case Rule::GenErrors:
      return "private.json_generation_errors_issues";
    case Rule::JsonObject:
      return "private.json_object_issues";
    case Rule::JsonChanges:
      return "private.json_changes_issues";
    default:
      throw std::logic_error("pg_json_checks: a JSON field without a JSON rule");
  }
}

// A list of objects declared in core/schema/json_shapes.hpp, checked as core/validate/rules.cpp
// check_object_list does.
std::string object_list_sql(const json_shape::ObjectList& l) {
  using json_shape::Kind;
  const std::string cap = l.max_items > 0 ? std::to_string(l.max_items) : "null";
  std::string known;
  for (size_t j = 0; j < l.key_count; ++j)
    known += std::string(j ? ", " : "") + quote(std::string(l.keys[j].name));
  std::string out =
      "create function " + rule_fn_name(l.rule) +
      "(p_value jsonb, p_path jsonb) returns jsonb\n"
      "  language plpgsql set search_path = '' as $$\n"
      "declare\n"
      "  v_out jsonb := '[]';\n"
      "  v_cap bigint := " +
      cap +
      ";\n"
      "  r record;\n"
      "  v_p jsonb;\n"
      "  v_x jsonb;\n"
      "  v_n numeric;\n"
      "  v_ids jsonb := '{}';\n"
      "  k text;\n"
      "begin\n"
      "  if jsonb_typeof(p_value) <> 'array' then\n"
      "    return private.issue(p_path, 'invalid_type');\n"
      "  end if;\n"
      "  if v_cap is not null and jsonb_array_length(p_value) > v_cap then\n"
      "    v_out := private.issue(p_path, 'too_big');\n"
      "  end if;\n"
      "  for r in select x, i - 1 as i from jsonb_array_elements(p_value) with "
      "ordinality as t(x, i) loop\n"
      "    exit when (v_cap is not null and r.i >= v_cap) or jsonb_array_length(v_out) "
      "> " +
      std::to_string(kMaxIssues) +
      ";\n"
      "    v_p := p_path || to_jsonb(r.i);\n"
      "    if jsonb_typeof(r.x) <> 'object' then\n"
      "      v_out := v_out || private.issue(v_p, 'invalid_type');\n"
      "      continue;\n"
      "    end if;\n"
      "    for k in select jsonb_object_keys(r.x) loop\n"
      "      if k not in (" +
      known +
      ") then\n"
      "        v_out := v_out || private.issue(v_p || to_jsonb(k), 'unknown_field');\n"
      "      end if;\n"
      "    end loop;\n";
  for (size_t j = 0; j < l.key_count; ++j) {
    const auto& key = l.keys[j];
    const std::string name = quote(std::string(key.name));
    const std::string at = "v_p || to_jsonb(" + name + "::text)";
    const auto add = [&](const std::string& code) {
      return "v_out := v_out || private.issue(" + at + ", '" + code + "');";
    };
    out += "    v_x := r.x -> " + name + ";\n";
    switch (key.kind) {
      case Kind::Uuid:
        out +=
            "    if v_x is null or jsonb_typeof(v_x) <> 'string' or not private.is_uuid_text(v_x "
            "#>> '{}') then\n      " +
            add(validate::issue::invalid_format) +
            "\n    else\n"
            // one issue per earlier entry with this id, as the core counts them
            "      for k in select 1 from generate_series(1, coalesce((v_ids ->> (v_x #>> "
            "'{}'))::integer, 0)) loop\n        " +
            add(validate::issue::duplicate) +
            "\n      end loop;\n"
            "      v_ids := v_ids || jsonb_build_object(v_x #>> '{}', coalesce((v_ids ->> (v_x "
            "#>> '{}'))::integer, 0) + 1);\n"
            "    end if;\n";
        break;
      case Kind::String:
        out += "    if v_x is null then\n" +
               (key.required ? "      " + add(validate::issue::required) + "\n"
                             : std::string("      null;\n")) +
               "    elsif jsonb_typeof(v_x) <> 'string' then\n      " +
               add(validate::issue::invalid_type) + "\n" +
               (key.required ? "    elsif (v_x #>> '{}') = '' then\n      " +
                                   add(validate::issue::required) + "\n"
                             : std::string()) +
               "    elsif char_length(v_x #>> '{}') > " + std::to_string(key.max) +
               " then\n      " + add(validate::issue::too_long) + "\n    end if;\n";
        break;
      case Kind::Instant:
        out += "    if v_x is null then\n" +
               (key.required ? "      " + add(validate::issue::required) + "\n"
                             : std::string("      null;\n")) +
               "    elsif jsonb_typeof(v_x) <> 'string' or private.parse_instant_text(v_x #>> "
               "'{}') is null then\n      " +
               add(validate::issue::invalid_format) + "\n    end if;\n";
        break;
      case Kind::Int:
        out +=
            "    if v_x is not null then\n"
            "      v_n := case when jsonb_typeof(v_x) = 'number' then (v_x #>> '{}')::numeric "
            "end;\n"
            "      if v_n is null or scale(v_n) > 0 or v_n < " +
            std::to_string(key.min) + " or v_n > " + std::to_string(key.max) + " then\n        " +
            add(validate::issue::invalid_type) + "\n      end if;\n    end if;\n";
        break;
    }
  }
  out += "  end loop;\n  return v_out;\nend\n$$;\n";
  return out;
}

}  // namespace

std::string raise_issues_function_sql();

std::string json_checks_sql() {
  std::string sql = kTextFormsSql;
  sql += kCadenceSql;
  std::string weekdays;
  for (const char* d : schedule::kWeekdayNames)
    weekdays += (weekdays.empty() ? "" : ",") + std::string(d);
  replace_all(sql, "@weekdays@", quote("{" + weekdays + "}"));
  replace_all(sql, "@weekdayCount@", std::to_string(schedule::kWeekdayNames.size()));
  replace_all(sql, "@maxSkipDates@", std::to_string(schedule::kMaxSkipDates));
  replace_all(sql, "@maxSafeInteger@", std::to_string(kMaxSafeInteger));
  replace_all(sql, "@maxIssues@", std::to_string(kMaxIssues));
  for (const auto& l : json_shape::kObjectLists) sql += object_list_sql(l);
  sql += raise_issues_function_sql();
  // Pure helpers called by the fields triggers, which run as the writer's role.
  for (const auto& [fn, args] : {std::pair{"is_date_text", "text"},
                                 {"parse_instant_text", "text"},
                                 {"is_hhmm_text", "text"},
                                 {"is_uuid_text", "text"},
                                 {"issue", "jsonb, text"},
                                 {"json_compact_size", "jsonb"},
                                 {"json_number_issues", "jsonb, jsonb"},
                                 {"json_value_issues", "jsonb, jsonb, boolean, bigint, bigint"},
                                 {"json_object_issues", "jsonb, jsonb"},
                                 {"json_changes_issues", "jsonb, jsonb"},
                                 {"json_cadence_issues", "jsonb, jsonb"},
                                 {"raise_issues", "jsonb"}})
    sql += std::string("revoke all on function private.") + fn + "(" + args +
           ") from public;\ngrant execute on function private." + fn + "(" + args +
           ") to authenticated, service_role;\n";
  for (const auto& l : json_shape::kObjectLists)
    sql += "revoke all on function " + rule_fn_name(l.rule) +
           "(jsonb, jsonb) from public;\ngrant execute on function " + rule_fn_name(l.rule) +
           "(jsonb, jsonb) to authenticated, service_role;\n";
  return sql;
}

bool has_json_checks(const Entity& e) {
  if (!e.api_writable || e.append_only) return false;  // written by the system's functions only
  for (const auto& f : e.fields)
    if (f.type == Type::Json) return true;
  return false;
}

std::string json_field_check_sql(const Entity& e) {
  std::string out;
  if (!has_json_checks(e)) return out;
  for (const auto& f : e.fields) {
    if (f.type != Type::Json) continue;
    const std::string path = quote("[\"" + f.name + "\"]");
    out += "  if tg_op = 'INSERT' or new." + f.column + " is distinct from old." + f.column +
           " then\n"
           "    v_found := private.json_value_issues(new." +
           f.column + ", " + path + ", " + (f.nullable ? "true" : "false") + ", " +
           (f.max_entries ? std::to_string(*f.max_entries) : "null") + ", " +
           (f.max ? std::to_string(*f.max) : "null") +
           ");\n"
           "    if v_found = '[]' and new." +
           f.column + " is not null then\n      v_found := " + rule_fn_name(f.rule) + "(new." +
           f.column + ", " + path +
           ");\n"
           "    end if;\n"
           "    v_issues := v_issues || v_found;\n"
           "  end if;\n";
  }
  return out;
}

// Raises the collected issues as the core's one `invalid` error: at most kMaxIssues, the path of a
// lone issue (else []), the issues in DETAIL. Defined once (raise_issues_function_sql), called by
// every fields trigger (issues_raise_sql).
std::string raise_issues_function_sql() {
  return "create function private.raise_issues(p_issues jsonb) returns void\n"
         "  language plpgsql set search_path = '' as $$\n"
         "declare\n"
         "  v_issues jsonb := (select jsonb_agg(x) from (select x from "
         "jsonb_array_elements(p_issues) "
         "with ordinality t(x, i) order by i limit " +
         std::to_string(kMaxIssues) +
         ") s);\n"
         "begin\n"
         "  raise exception using errcode = '" +
         pg_raised_state(code::invalid) +
         "',\n"
         "    message = 'invalid: ' || case when jsonb_array_length(v_issues) = 1 and v_issues -> "
         "0 ? "
         "'message'\n"
         "      then v_issues -> 0 ->> 'message' else jsonb_array_length(v_issues) || ' validation "
         "issues; first: '\n"
         "      || coalesce(v_issues -> 0 ->> 'message', (v_issues -> 0 ->> 'code') || ' at ' || "
         "(v_issues -> 0 ->> 'path')) end,\n"
         "    detail = jsonb_build_object('path', case when jsonb_array_length(v_issues) = 1 then "
         "v_issues -> 0 -> 'path' else '[]'::jsonb end, 'issues', v_issues)::text;\n"
         "end\n"
         "$$;\n";
}

std::string issues_raise_sql() {
  return "  if jsonb_array_length(v_issues) > 0 then\n"
         "    perform private.raise_issues(v_issues);\n"
         "  end if;\n";
}

}  // namespace ec::schema::pgddl
