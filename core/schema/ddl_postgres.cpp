// PostgreSQL (Supabase) migration derived from core/schema/entities.cpp. The tables, keys and
// indexes are generated from the declarations; the roll-up triggers, the append-only rule, the
// RLS helpers and the queue/budget functions are fixed SQL mirroring core/store (queue.cpp,
// budget.cpp) rule for rule. Design: docs/adr/0005-postgres-rls.md; loading: docs/MIGRATION.md.
#include "core/schema/ddl_postgres.hpp"

#include <sstream>

#include "core/error_codes.hpp"
#include "core/errors.hpp"
#include "core/rules.hpp"
#include "core/schema/authz.hpp"
#include "core/schema/ddl.hpp"
#include "core/schema/formats.hpp"
#include "core/schema/pg_functions_sql.hpp"
#include "core/tz/tz.hpp"

namespace ec::schema {
namespace {

namespace authz = schema::authz;

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
  // id: no default; the fields trigger (emit_fields_trigger) fills it, so it can tell an id a
  // user chose (refused, as the core refuses it) from none.
  if (f.name == "organizationId" && e.tenant_scoped) return "private.current_organization_id()";
  if (f.name == "createdAt" || f.name == "updatedAt") return "now()";
  if (f.actor_default) return "auth.uid()";
  return "";
}

// The blank code points (kBlankCodePoints) as one PostgreSQL string literal.
std::string blank_chars() {
  static const char* hex = "0123456789abcdef";
  std::string out = "U&'";
  for (char32_t cp : kBlankCodePoints) {
    out += '\\';
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(cp >> shift) & 0xF];
  }
  return out + "'";
}

// The CHECKs of one column, derived from the declaration and meaning what validation and the
// SQLite CHECKs mean (docs/adr/0012-bounds-and-value-parity.md). text cannot hold U+0000 and
// jsonb refuses \u0000, so that rule needs no CHECK here.
std::vector<std::string> checks(const Field& f) {
  const std::string& c = f.column;
  std::vector<std::string> out;
  switch (f.type) {
    case Type::Int:
    case Type::Money:
      out.push_back(c + " between " + std::to_string(*f.min) + " and " + std::to_string(*f.max));
      break;
    case Type::String:
    case Type::Text:
      // Code points, as the core and SQLite length() count them.
      if (f.max) out.push_back("char_length(" + c + ") <= " + std::to_string(*f.max));
      if (f.min && *f.min >= 1)
        out.push_back("char_length(" + c + ") >= " + std::to_string(*f.min));
      if (f.type == Type::String) out.push_back(c + " !~ '[\\r\\n]'");
      if (f.rule == Rule::Email) out.push_back(c + " !~ '[^ -~]'");
      if (f.not_blank) out.push_back("btrim(" + c + ", " + blank_chars() + ") <> ''");
      break;
    case Type::Instant:
      out.push_back(c + " between '0001-01-01 00:00:00+00' and '9999-12-31 23:59:59.999+00'");
      break;
    case Type::Date:
      out.push_back(c + " between '0001-01-01' and '9999-12-31'");
      break;
    case Type::Json: {
      const bool array = f.rule == Rule::Memories || f.rule == Rule::GenErrors;
      out.push_back("jsonb_typeof(" + c + ") = '" + (array ? "array" : "object") + "'");
      if (f.max_entries)
        out.push_back((array ? "jsonb_array_length(" + c + ")"
                             : "jsonb_array_length(jsonb_path_query_array(" + c + ", '$.*'))") +
                      " <= " + std::to_string(*f.max_entries));
      break;
    }
    default:
      break;
  }
  return out;
}

std::string pg_name(std::string n);

// One named CHECK constraint per column ("" when none): names are stable so an upgrade can drop
// and re-add them.
std::string check_constraint(const Entity& e, const Field& f) {
  const auto parts = checks(f);
  if (parts.empty()) return "";
  std::string body;
  for (const auto& p : parts) body += (body.empty() ? "" : " and ") + p;
  return "constraint " + pg_name("ck_" + e.table + "_" + f.column) + " check (" + body + ")";
}

void emit_append_only(std::ostringstream& os, const Entity& e) {
  if (!e.append_only) return;
  os << "create trigger trg_" << e.table << "_append_only before update or delete on public."
     << e.table << "\n  for each row execute function private.refuse_change();\n";
  os << "create trigger trg_" << e.table << "_no_truncate before truncate on public." << e.table
     << "\n  for each statement execute function private.refuse_change();\n";
}

// PostgreSQL truncates identifiers to 63 bytes: longer names keep a prefix and a hash suffix so
// they stay unique and stable.
std::string pg_name(std::string n) {
  if (n.size() <= 63) return n;
  uint64_t h = rules::kFnvOffsetBasis;  // FNV-1a 64
  for (unsigned char c : n) {
    h ^= c;
    h *= rules::kFnvPrime;
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
  const auto refuse = [&](const std::string& msg) {
    return "raise exception " + quote("invalid: " + msg) + bad + ";";
  };
  os << "create function " << fn << "() returns trigger\n"
     << "  language plpgsql set search_path = '' as $$\n"
     << "declare\n"
     << "  v_user boolean := current_user = 'authenticated';\n"
     << "begin\n"
     << "  if tg_op = 'INSERT' then\n"
     << "    if new.id is null then\n"
     << "      new.id := gen_random_uuid();\n"
     << "    elsif v_user then\n"
     << "      " << refuse("id is set by the system") << "\n"
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
       << "      " << refuse(f.name + " is set by the system") << "\n"
       << "    end if;\n";
  }
  os << "  elsif v_user then\n";
  for (const auto& f : e.fields) {
    if (f.name == "updatedAt" || f.name == "deletedAt" || f.name == "deletedBy") continue;
    if (!f.immutable && f.origin != Origin::System) continue;
    os << "    if new." << f.column << " is distinct from old." << f.column << " then\n"
       << "      " << refuse(f.name + " cannot be changed") << "\n"
       << "    end if;\n";
  }
  if (e.field("updatedAt")) os << "    new.updated_at := now();\n";
  if (e.soft_delete)  // a soft delete records the caller, a restore clears it
    os << "    if new.deleted_at is distinct from old.deleted_at then\n"
       << "      if new.deleted_by is distinct from old.deleted_by and new.deleted_by is distinct "
          "from\n"
       << "          (case when new.deleted_at is null then null else (select auth.uid()) end) "
          "then\n"
       << "        " << refuse("deletedBy is set by the system") << "\n"
       << "      end if;\n"
       << "      new.deleted_at := case when new.deleted_at is null then null else now() end;\n"
       << "      new.deleted_by := case when new.deleted_at is null then null else (select "
          "auth.uid()) end;\n"
       << "    elsif new.deleted_by is distinct from old.deleted_by then\n"
       << "      " << refuse("deletedBy is set by the system") << "\n"
       << "    end if;\n";
  os << "  end if;\n";
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
       << refuse(f.name + " belongs to another " +
                 (f.within == "projectId" ? "project" : "episode"))
       << "\n"
       << "  end if;\n";
  }
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
       << "    " << refuse(f.name + " has not the format the core accepts") << "\n"
       << "  end if;\n";
  }
  if (e.name == "Highlight")  // the core's highlight hook (ops_project.cpp) and entity_rules
    os << "  if tg_op = 'INSERT' then\n"
       << "    if new.end_offset <= new.start_offset then\n"
       << "      " << refuse("endOffset must be greater than startOffset") << "\n"
       << "    end if;\n"
       << "    if private.utf16_length(new.quote) <> new.end_offset - new.start_offset then\n"
       << "      " << refuse("quote does not cover the range") << "\n"
       << "    end if;\n"
       << "    if new.quote is distinct from private.utf16_slice((select b.content from "
          "public.blocks b\n"
       << "        where b.id = new.block_id), new.start_offset, new.end_offset) then\n"
       << "      " << refuse("quote does not match the block's text at these offsets") << "\n"
       << "    end if;\n"
       << "  end if;\n";
  os << "  return new;\n"
     << "end\n$$;\n"
     << "revoke all on function " << fn << "() from public;\n"
     << "create trigger trg_" << e.table << "_aa_fields before insert or update on public."
     << e.table << "\n  for each row execute function " << fn << "();\n";
}

}  // namespace

std::string postgres_blank_chars() {
  return blank_chars();
}

std::string postgres_enum_type(const Entity& e, const Field& f) {
  if (f.type != Type::Enum) return "";
  return entity_snake(e) + "_" + f.column;
}

std::string postgres_migration_name() {
  return std::string(kVersions[std::size(kVersions) - 1].pg_file);
}

namespace {

// One table, as a fresh install creates it: columns in storage order, named CHECKs, composite
// foreign keys, indexes (and one per referencing column not covered by another index).
void emit_table(std::ostringstream& os, const Entity& e) {
  os << "create table public." << e.table << " (\n";
  std::vector<std::string> lines;
  for (const Field* fp : storage_fields(e)) {
    const Field& f = *fp;
    std::string l = f.column + " " + column_type(e, f);
    if (f.name == "id") l += " primary key";
    if (!f.nullable && f.name != "id") l += " not null";
    if (auto d = default_expr(e, f); !d.empty()) l += " default " + d;
    lines.push_back(l);
  }
  for (const auto& f : e.fields)
    if (auto ck = check_constraint(e, f); !ck.empty()) lines.push_back(ck);
  for (const auto& f : e.fields) {
    if (f.references.empty()) continue;
    const Entity* parent = find_entity(f.references);
    const std::string on_delete = f.cascade ? "cascade" : "restrict";
    const std::string name = pg_name("fk_" + e.table + "_" + f.column);
    if (f.name == "organizationId" || !parent->tenant_scoped)
      lines.push_back("constraint " + name + " foreign key (" + f.column + ") references public." +
                      parent->table + " (id) on update cascade on delete " + on_delete);
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
      if (ix.columns.size() >= 2 && ix.columns[0] == "organization_id" && ix.columns[1] == f.column)
        covered = true;
    }
    if (covered) continue;
    os << "create index " << pg_name("ix_" + e.table + "_" + f.column) << " on public." << e.table
       << " (" << (parent->tenant_scoped ? "organization_id, " : "") << f.column << ");\n";
  }
}

void emit_enum_types(std::ostringstream& os, const Entity& e) {
  for (const auto& f : e.fields)
    if (f.type == Type::Enum) {
      os << "create type public." << postgres_enum_type(e, f) << " as enum (";
      for (size_t i = 0; i < f.enum_values.size(); ++i)
        os << (i ? ", " : "") << quote(f.enum_values[i]);
      os << ");\n";
    }
}

// The structural changes of one version (history.hpp), as ALTERs.
void emit_changes(std::ostringstream& os, int version) {
  for (const auto& c : kChanges) {
    if (c.version != version) continue;
    if (c.change == Change::Rebuild) {
      os << "-- Every CHECK constraint, re-added from the declarations.\n"
            "do $$\ndeclare\n  r record;\nbegin\n"
            "  for r in select c.conname, t.relname from pg_constraint c join pg_class t on "
            "t.oid = c.conrelid\n"
            "            where t.relnamespace = 'public'::regnamespace and c.contype = 'c' loop\n"
            "    execute format('alter table public.%I drop constraint %I', r.relname, "
            "r.conname);\n"
            "  end loop;\nend\n$$;\n";
      for (const auto& e : entities())
        for (const auto& f : e.fields)
          if (auto ck = check_constraint(e, f); !ck.empty())
            os << "alter table public." << e.table << " add " << ck << ";\n";
      continue;
    }
    const Entity& e = *find_entity(c.entity);
    const std::string t = "public." + e.table;
    if (c.change == Change::AddTable) {
      os << "-- " << e.name << ": " << e.doc << "\n";
      emit_enum_types(os, e);
      emit_table(os, e);
      continue;
    }
    const Field& f = *e.field(c.field);
    if (c.change == Change::AddColumn) {
      os << "-- " << e.name << "." << f.name << (f.doc.empty() ? "" : ": " + f.doc) << "\n";
      if (f.type == Type::Enum) {
        emit_enum_types(os, e);  // a new enum field brings its type
      }
      os << "alter table " << t << " add column " << f.column << " " << column_type(e, f);
      if (!f.nullable) os << " not null";
      if (f.default_value) os << " default " << default_expr(e, f);
      os << ";\n";
      if (auto ck = check_constraint(e, f); !ck.empty())
        os << "alter table " << t << " add " << ck << ";\n";
      continue;
    }
    // Change::Checks
    os << "-- " << e.name << "." << f.name << ": its CHECK changed\n";
    if (f.type == Type::Enum)
      for (const auto& v : f.enum_values)
        os << "alter type public." << postgres_enum_type(e, f) << " add value if not exists "
           << quote(v) << ";\n";
    if (f.not_blank)
      os << "update " << t << " set " << f.column << " = " << quote(kBlankPlaceholder)
         << " where btrim(" << f.column << ", " << blank_chars() << ") = '';\n";
    const std::string ck = check_constraint(e, f);
    os << "alter table " << t << " drop constraint if exists "
       << pg_name("ck_" + e.table + "_" + f.column) << ";\n";
    if (!ck.empty()) os << "alter table " << t << " add " << ck << ";\n";
  }
}

}  // namespace

std::string postgres_migration(int version) {
  if (version != kSchemaVersion || version < 4)
    throw Error(code::bad_request,
                "only the newest PostgreSQL migration (v" + std::to_string(kSchemaVersion) +
                    ") is generated; older ones are history (supabase/migrations.sha256)");
  const int from = version - 1;
  std::string doc;
  for (const auto& v : kVersions)
    if (v.version == version) doc = v.doc;
  std::ostringstream os;
  os << "-- episodes-core schema v" << from << " -> v" << version
     << " (PostgreSQL / Supabase): " << doc
     << "\n-- Generated from core/schema/history.hpp by `episodes-core schema --dialect postgres "
        "--upgrade-from "
     << from
     << "`; never edited\n"
        "-- and never rewritten once committed (supabase/migrations.sha256). One transaction, "
        "refused\n"
        "-- unchanged unless the database is at v"
     << from
     << ". Tables change by ALTER only; the derived objects (functions,\n"
        "-- triggers, policies, column defaults) are re-created from the declarations, so the "
        "result equals a\n"
        "-- fresh install (tests/pg/upgrade.test.mjs compares the catalogs).\n"
        "begin;\n"
        "set local check_function_bodies = off;\n"
        "set local search_path = '';\n\n"
        "do $$\nbegin\n"
        "  if to_regclass('private.schema_info') is null\n"
        "     or (select max(version) from private.schema_info) is distinct from "
     << from
     << " then\n"
        "    raise exception 'episodes-core upgrade v"
     << from << " -> v" << version << " needs a database at v" << from
     << ": nothing was changed'\n"
        "      using errcode = 'EC001';\n"
        "  end if;\n"
        "end\n$$;\n\n"
        "-- The derived objects are dropped first: policies, our triggers, every function of the "
        "schemas\n"
        "-- private and public (not extension members; cascades to column defaults that call "
        "them).\n"
        "do $$\ndeclare\n  r record;\nbegin\n"
        "  for r in select policyname, tablename from pg_policies where schemaname = 'public' "
        "loop\n"
        "    execute format('drop policy %I on public.%I', r.policyname, r.tablename);\n"
        "  end loop;\n"
        "  for r in select t.tgname, c.relname from pg_trigger t join pg_class c on c.oid = "
        "t.tgrelid\n"
        "            where c.relnamespace = 'public'::regnamespace and not t.tgisinternal loop\n"
        "    execute format('drop trigger %I on public.%I', r.tgname, r.relname);\n"
        "  end loop;\n"
        "  for r in select p.oid::regprocedure as f from pg_proc p\n"
        "            where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)\n"
        "              and not exists (select 1 from pg_depend d where d.objid = p.oid and "
        "d.deptype = 'e') loop\n"
        "    execute format('drop function %s cascade', r.f);\n"
        "  end loop;\n"
        "end\n$$;\n\n"
        "-- ---------------------------------------------------------------------------------------"
        "------\n"
        "-- The changes of v"
     << version
     << " (core/schema/history.hpp).\n"
        "-- ---------------------------------------------------------------------------------------"
        "------\n";
  emit_changes(os, version);
  os << "\n-- The derived objects, re-created from the declarations.";
  os << pg_private_helpers_sql();
  os << "\n-- Column defaults, as declared.\n";
  for (const auto& e : entities()) {
    for (const Field* f : storage_fields(e)) {
      const auto d = default_expr(e, *f);
      os << "alter table public." << e.table << " alter column " << f->column
         << (d.empty() ? " drop default" : " set default " + d) << ";\n";
    }
    emit_append_only(os, e);
  }
  os << pg_triggers_and_functions_sql() << pg_queue_budget_sql();
  os << "\n-- Row Level Security and the role triggers.\n";
  for (const auto& e : entities()) {
    os << "\n";
    emit_rls(os, e);
    emit_role_trigger(os, e);
    emit_fields_trigger(os, e);
  }
  os << "\ninsert into private.schema_info (version, generator) values (" << version
     << ", 'episodes-core schema --dialect postgres --upgrade-from " << from << "');\n"
     << "commit;\n";
  return os.str();
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
  for (const auto& e : entities()) emit_enum_types(os, e);
  os << pg_private_helpers_sql();

  for (const auto& e : entities()) {
    os << "\n-- " << e.name << ": " << e.doc << "\n";
    emit_table(os, e);
    emit_append_only(os, e);
  }
  os << pg_triggers_and_functions_sql() << pg_queue_budget_sql();

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
    emit_role_trigger(os, e);
    emit_fields_trigger(os, e);
  }
  os << "\ninsert into private.schema_info (version, generator) values (" << kSchemaVersion
     << ", 'episodes-core schema --dialect postgres');\n"
        "commit;\n";
  return os.str();
}

}  // namespace ec::schema
