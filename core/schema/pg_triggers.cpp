// The per-table access SQL of the PostgreSQL migration: RLS policies, the role trigger and the
// fields trigger, derived from the authorization and field declarations (pg_triggers.hpp).
#include "core/schema/pg_triggers.hpp"

#include "core/error_codes.hpp"
#include "core/rules.hpp"
#include "core/schema/authz.hpp"
#include "core/schema/ddl.hpp"
#include "core/schema/ddl_postgres.hpp"
#include "core/schema/formats.hpp"
#include "core/tz/tz.hpp"
#include "core/validate/validate.hpp"

namespace ec::schema::pgddl {

namespace authz = schema::authz;

// The SQL condition "the signed-in user's role reaches `l`" (core/schema/authz.hpp levels).
std::string level_sql(authz::Level l) {
  switch (l) {
    case authz::Level::Public:
    case authz::Level::Member:
      return "";
    case authz::Level::Admin:
      return "(select private.is_org_admin())";
    case authz::Level::Owner:
      return std::string("(select private.current_user_role()) = '") +
             rules::name(rules::Role::owner) + "'";
    case authz::Level::System:
      return "false";
  }
  return "false";
}

// Row Level Security of one table: what a signed-in user (role authenticated) may do with the
// rows of their own organization, from the authorization declaration (core/schema/authz.cpp):
// each kind of change gets a policy when users may do it at all, restricted to the least role
// it needs; tables only the system writes get none (service_role and the security-definer
// queue/budget functions write them). Per-row and per-field rules are the role trigger's
// (emit_role_trigger). anon gets no privilege and no policy at all.
void emit_rls(std::ostringstream& os, const Entity& e) {
  const std::string t = "public." + e.table;
  const std::string mine = e.tenant_scoped
                               ? "organization_id = (select private.current_organization_id())"
                               : "id = (select private.current_organization_id())";
  const authz::EntityAccess acc = authz::entity_access(e.name);
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
  auto with_level = [&](authz::Level l) {
    const std::string c = level_sql(l);
    return c.empty() ? mine : mine + " and " + c;
  };
  auto user_may = [](authz::Level l) {
    return l != authz::Level::System && l != authz::Level::Public;
  };
  policy("select", with_level(acc.read), "");
  // Generic writes exist only where the core has them (api_writable; facts are not updated).
  const bool writable = e.api_writable && !e.append_only;
  if (writable && user_may(acc.create)) policy("insert", "", with_level(acc.create));
  if (writable && e.api_updatable && user_may(acc.update))
    policy("update", with_level(acc.update), with_level(acc.update));
  // Soft delete is an update of deleted_at (checked by the role trigger); DELETE is purge.
  if (writable && user_may(acc.remove)) policy("delete", with_level(acc.remove), "");
  os << "grant ";
  for (size_t i = 0; i < privs.size(); ++i) os << (i ? ", " : "") << privs[i];
  os << " on table " << t << " to authenticated;\n";
}

// The condition of one role rule inside the role trigger (v_rank, v_uid are declared there).
std::string rule_sql(const Entity& e, const authz::RowRule& r) {
  std::vector<std::string> parts;
  if (const int rank = authz::level_rank(r.level); rank > 0)
    parts.push_back("v_rank >= " + std::to_string(rank));
  const Field* role = e.field("role");
  switch (r.scope) {
    case authz::Scope::Any:
      break;
    case authz::Scope::Self:
      parts.push_back(r.action == authz::Action::Create ? "new.id = v_uid" : "old.id = v_uid");
      break;
    case authz::Scope::Author: {
      const std::string c = e.field(authz::author_field(e.name))->column;
      parts.push_back((r.action == authz::Action::Create ? "new." : "old.") + c + " = v_uid");
      break;
    }
    case authz::Scope::NotOwner: {
      const std::string c = role ? role->column : "role";
      const std::string owner = std::string(" <> '") + rules::name(rules::Role::owner) + "'";
      if (r.action != authz::Action::Create) parts.push_back("old." + c + owner);
      if (r.action != authz::Action::Remove) parts.push_back("new." + c + owner);
      break;
    }
  }
  if (parts.empty()) return "true";
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? " and " : "") + parts[i];
  return "(" + out + ")";
}

std::string any_rule_sql(const Entity& e, authz::Action a, const std::string& field) {
  std::string out;
  for (const auto& r : authz::row_rules()) {
    if (r.entity != e.name || r.action != a) continue;
    bool covers = r.fields.empty();
    for (const auto& f : r.fields) covers = covers || f == field;
    if (!field.empty() && !covers) continue;
    out += (out.empty() ? "" : " or ") + rule_sql(e, r);
  }
  return out.empty() ? "false" : out;
}

// The role trigger of a table with per-row / per-field rules (users, organizations): the same
// rules the core checks (authz::check_row, authorize_row), for role authenticated only —
// service_role, the migration owner and the security-definer functions are not bound by them.
// Raises 42501 (insufficient_privilege), the code RLS refusals have too.
void emit_role_trigger(std::ostringstream& os, const Entity& e) {
  if (!authz::has_row_rules(e.name)) return;
  const std::string fn = "private.authz_" + e.table;
  // An action without rules needs only the policy's level (authz::check_row).
  const auto rules_sql = [&](authz::Action a, const std::string& field = "") {
    return authz::has_row_rules(e.name, a) ? any_rule_sql(e, a, field) : std::string("true");
  };
  os << "create function " << fn << "() returns trigger\n"
     << "  language plpgsql set search_path = '' as $$\n"
     << "declare\n"
     << "  v_uid uuid := (select auth.uid());\n"
     << "  v_rank integer := case (select private.current_user_role())::text";
  for (const char* r : rules::States<rules::Role>::names)
    os << " when '" << r << "' then " << authz::role_rank(r);
  os << " else 0 end;\n"
     << "begin\n"
     << "  if current_user <> 'authenticated' then\n"
     << "    return coalesce(new, old);\n"
     << "  end if;\n"
     << "  if tg_op = 'INSERT' then\n"
     << "    if not (" << rules_sql(authz::Action::Create) << ") then\n"
     << "      raise exception 'your role may not create this " << e.name
     << "' using errcode = '42501';\n"
     << "    end if;\n";
  const bool soft = e.soft_delete;
  os << "  elsif tg_op = 'DELETE'"
     << (soft ? " or old.deleted_at is distinct from new.deleted_at" : "") << " then\n"
     << "    if not (" << rules_sql(authz::Action::Remove) << ") then\n"
     << "      raise exception 'your role may not remove this " << e.name
     << "' using errcode = '42501';\n"
     << "    end if;\n"
     << "  end if;\n"
     << "  if tg_op = 'UPDATE' then\n";
  for (const auto& f : e.fields) {
    if (f.name == "id" || f.name == "organizationId" || f.name == "createdAt" ||
        f.name == "updatedAt" || f.name == "deletedAt" || f.name == "deletedBy")
      continue;
    os << "    if old." << f.column << " is distinct from new." << f.column << " and not ("
       << rules_sql(authz::Action::Update, f.name) << ") then\n"
       << "      raise exception 'your role may not change " << f.name << " of this " << e.name
       << "' using errcode = '42501';\n"
       << "    end if;\n";
  }
  os << "  end if;\n";
  for (const auto& k : authz::keep_rules()) {
    if (k.entity != e.name) continue;
    const std::string c = e.field(k.field)->column;
    const std::string live = soft ? " and old.deleted_at is null" : "";
    // Changes of one organization are serialized before the count (a concurrent change is
    // committed and seen, or waits), so two transactions cannot each rely on the other's row.
    os << "  -- an organization keeps at least " << k.count << " " << k.value << "\n"
       << "  if tg_op <> 'INSERT' and old." << c << " = " << quote(k.value) << live
       << "\n     and (tg_op = 'DELETE' or new." << c << " <> " << quote(k.value)
       << (soft ? " or new.deleted_at is not null" : "") << ") then\n"
       << "    perform private.lock_organization(old.organization_id);\n"
       << "    if (select count(*) from public." << e.table
       << " x where x.organization_id = old.organization_id and x." << c << " = " << quote(k.value)
       << (soft ? " and x.deleted_at is null" : "") << " and x.id <> old.id) < " << k.count
       << " then\n"
       << "      raise exception 'an organization keeps at least " << k.count << " " << k.value
       << "' using errcode = '42501';\n"
       << "    end if;\n"
       << "  end if;\n";
  }
  os << "  return coalesce(new, old);\n"
     << "end\n$$;\n"
     << "revoke all on function " << fn << "() from public;\n"
     << "create trigger trg_" << e.table << "_authz before insert or update or delete on public."
     << e.table << "\n  for each row execute function " << fn << "();\n";
}

// The fields trigger of a table, from the field declarations, for every role:
//   - fills id when none is given (the column has no default, so a chosen id is visible);
//   - refs declared `within` a parent (Field::within) name a row of the same parent;
// and for signed-in users (role authenticated) only, what the core's validation refuses as
// read_only (validate.cpp): system fields on insert (the database sets them), fixed and system
// fields changed by an update; the database's clock sets updatedAt / deletedAt and deletedBy is
// the caller. Raises the SQLSTATE of `invalid` with an "invalid: " message, as the core answers.
// Highlight offsets count UTF-16 code units (as the browser's Selection API and the core's
// codec do): the length of a text in them, and the slice [start, end) of a text (null when an
// offset is past the end or splits a surrogate pair).
const char* kUtf16Sql = R"SQL(create function private.utf16_length(p_text text) returns bigint
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
)SQL";

// Every zone name the core accepts (tz::all_names(): IANA zones and links, not "Factory").
std::string time_zone_names_sql() {
  std::string list;
  for (const auto n : tz::all_names()) list += (list.empty() ? "" : ",") + std::string(n);
  return "create function private.time_zone_names() returns text[]\n"
         "  language sql immutable set search_path = '' as $$\n  select " +
         quote("{" + list + "}") + "::text[]\n$$;\n";
}

void emit_fields_trigger(std::ostringstream& os, const Entity& e) {
  if (e.name == "Highlight") os << kUtf16Sql;
  if (e.name == "User") os << time_zone_names_sql();
  const std::string fn = "private.fields_" + e.table;
  const std::string bad = std::string(" using errcode = '") + pg_raised_state(code::invalid) + "'";
  // What the core's validation refuses is collected (every issue, as the core lists them) and
  // raised at once after the JSON fields (issues_raise_sql); what its hooks refuse after a valid
  // row (same-parent references, the highlight's block) is raised at once. DETAIL {"path": …}:
  // where in the row, as the core's issue path says it.
  const auto refuse = [&](const std::string& msg, const std::string& field) {
    return "raise exception " + quote("invalid: " + msg) + bad +
           ", detail = " + quote("{\"path\": [\"" + field + "\"]}") + ";";
  };
  const auto note = [&](const std::string& msg, const std::string& field, const char* code) {
    return "v_issues := v_issues || jsonb_build_array(jsonb_build_object('path', " +
           quote("[\"" + field + "\"]") + "::jsonb, 'code', '" + code + "', 'message', " +
           quote(msg) + "));";
  };
  os << "create function " << fn << "() returns trigger\n"
     << "  language plpgsql set search_path = '' as $$\n"
     << "declare\n"
     << "  v_user boolean := current_user = 'authenticated';\n";
  os << "  v_issues jsonb := '[]';\n";
  if (has_json_checks(e)) os << "  v_found jsonb;\n";
  os << "begin\n"
     << "  if tg_op = 'INSERT' then\n"
     << "    if new.id is null then\n"
     << "      new.id := gen_random_uuid();\n"
     << "    elsif v_user then\n"
     << "      " << note("id is set by the system", "id", validate::issue::read_only) << "\n"
     << "    end if;\n";
  for (const auto& f : e.fields) {
    if (f.origin != Origin::System || f.name == "id" || f.name == "organizationId") continue;
    std::string cond;
    if (f.name == "createdAt" || f.name == "updatedAt")
      cond = "new." + f.column + " is distinct from now()";
    else if (f.default_value)
      cond = "new." + f.column + " is distinct from " + default_expr(e, f);
    else if (f.nullable)
      cond = "new." + f.column + " is not null";
    else
      continue;
    os << "    if v_user and " << cond << " then\n"
       << "      " << note(f.name + " is set by the system", f.name, validate::issue::read_only)
       << "\n"
       << "    end if;\n";
  }
  os << "  elsif v_user then\n";
  for (const auto& f : e.fields) {
    if (f.name == "updatedAt" || f.name == "deletedAt" || f.name == "deletedBy") continue;
    if (!f.immutable && f.origin != Origin::System) continue;
    os << "    if new." << f.column << " is distinct from old." << f.column << " then\n"
       << "      " << note(f.name + " cannot be changed", f.name, validate::issue::read_only)
       << "\n"
       << "    end if;\n";
  }
  if (e.field("updatedAt")) os << "    new.updated_at := now();\n";
  if (e.soft_delete)  // a soft delete records the caller, a restore clears it
    os << "    if new.deleted_at is distinct from old.deleted_at then\n"
       << "      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct "
          "from\n"
       << "          (case when new.deleted_at is null then null else (select auth.uid()) end) "
          "then\n"
       << "        "
       << note("deletedBy is set by the system", "deletedBy", validate::issue::read_only) << "\n"
       << "      end if;\n"
       << "      new.deleted_at := case when new.deleted_at is null then null else now() end;\n"
       << "      new.deleted_by := case when new.deleted_at is null then null else (select "
          "auth.uid()) end;\n"
       << "    elsif new.deleted_by is distinct from old.deleted_by then\n"
       << "      "
       << note("deletedBy is set by the system", "deletedBy", validate::issue::read_only) << "\n"
       << "    end if;\n";
  os << "  end if;\n";
  // Domain formats (Field::rule) the core's validation checks: the declared patterns, and the
  // core's zone names (core/tz), for every writer; a value an update leaves alone is not
  // re-checked.
  for (const auto& f : e.fields) {
    std::string ok;
    if (const char* pattern = format_pattern(f.rule))
      ok = "new." + f.column + " ~ " + quote(pattern);
    else if (f.rule == Rule::Timezone)
      ok = "new." + f.column + " = any (private.time_zone_names())";
    if (ok.empty()) continue;
    os << "  if new." << f.column << " is not null and (tg_op = 'INSERT' or new." << f.column
       << " is distinct from old." << f.column << ") and not (" << ok << ") then\n"
       << "    "
       << note(f.name + " has not the format the core accepts", f.name,
               f.rule == Rule::Timezone ? validate::issue::invalid_timezone
                                        : validate::issue::invalid_format)
       << "\n"
       << "  end if;\n";
  }
  // JSON fields (type, entries, numbers, bytes, shape), for every writer (pg_json_checks.cpp).
  os << json_field_check_sql(e) << issues_raise_sql();
  // The core's hooks, after a valid row: references declared `within` a parent.
  for (const auto& f : e.fields) {
    if (f.within.empty()) continue;
    const Entity& parent = *find_entity(f.references);
    const std::string w = e.field(f.within)->column;
    const std::string pw = parent.field(f.within)->column;
    os << "  if new." << f.column << " is not null and (tg_op = 'INSERT' or new." << f.column
       << " is distinct from old." << f.column << " or new." << w << " is distinct from old." << w
       << ")\n"
       << "     and exists (select 1 from public." << parent.table << " p where p.id = new."
       << f.column << " and p." << pw << " is distinct from new." << w << ") then\n"
       << "    "
       << refuse(
              f.name + " belongs to another " + (f.within == "projectId" ? "project" : "episode"),
              f.name)
       << "\n"
       << "  end if;\n";
  }
  if (e.name == "Highlight")  // the core's highlight hook (ops_project.cpp) and entity_rules
    os << "  if tg_op = 'INSERT' then\n"
       << "    if new.end_offset <= new.start_offset then\n"
       << "      " << refuse("endOffset must be greater than startOffset", "endOffset") << "\n"
       << "    end if;\n"
       << "    if private.utf16_length(new.quote) <> new.end_offset - new.start_offset then\n"
       << "      " << refuse("quote does not cover the range", "quote") << "\n"
       << "    end if;\n"
       << "    if new.quote is distinct from private.utf16_slice((select b.content from "
          "public.blocks b\n"
       << "        where b.id = new.block_id), new.start_offset, new.end_offset) then\n"
       << "      " << refuse("quote does not match the block's text at these offsets", "quote")
       << "\n"
       << "    end if;\n"
       << "  end if;\n";
  os << "  return new;\n"
     << "end\n$$;\n"
     << "revoke all on function " << fn << "() from public;\n"
     << "create trigger trg_" << e.table << "_aa_fields before insert or update on public."
     << e.table << "\n  for each row execute function " << fn << "();\n";
}

}  // namespace ec::schema::pgddl
