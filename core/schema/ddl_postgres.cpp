// PostgreSQL (Supabase) migration derived from core/schema/entities.cpp. The tables, keys and
// indexes are generated from the declarations; the roll-up triggers, the append-only rule, the
// RLS helpers and the queue/budget functions are fixed SQL mirroring core/store (queue.cpp,
// budget.cpp) rule for rule. Design: docs/adr/0005-postgres-rls.md; loading: docs/MIGRATION.md.
#include "core/schema/ddl_postgres.hpp"

#include <sstream>

#include "core/schema/ddl.hpp"
#include "core/schema/pg_functions_sql.hpp"

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
  os << pg_private_helpers_sql();

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
  }
  os << "\ninsert into private.schema_info (version, generator) values (" << kSchemaVersion
     << ", 'episodes-core schema --dialect postgres');\n"
        "commit;\n";
  return os.str();
}

}  // namespace ec::schema
