// PostgreSQL (Supabase) migration derived from core/schema/entities.cpp. The tables, keys and
// indexes are generated from the declarations (RLS policies and the role and fields triggers in
// pg_triggers.cpp); the roll-up triggers, the append-only rule, the
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
#include "core/schema/pg_triggers.hpp"
#include "core/tz/tz.hpp"

namespace ec::schema {
namespace pgddl {

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
  const uint64_t h = rules::fnv1a64(n, rules::kFnvOffsetBasis);
  static const char* hex = "0123456789abcdef";
  std::string suffix = "_";
  for (int i = 0; i < 8; ++i) suffix += hex[(h >> (60 - 4 * i)) & 0xF];
  return n.substr(0, 63 - suffix.size()) + suffix;
}

std::string pg_index_name(const Entity& e, const Index& ix) {
  return pg_name(index_name(e, ix));
}

}  // namespace pgddl

using namespace pgddl;

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

void emit_index(std::ostringstream& os, const Entity& e, const Index& ix) {
  os << "create " << (ix.unique ? "unique " : "") << "index " << pg_index_name(e, ix)
     << " on public." << e.table << " (";
  for (size_t i = 0; i < ix.columns.size(); ++i) {
    const bool ci = ix.nocase_first && i + 1 == ix.columns.size();
    os << (i ? ", " : "") << (ci ? "lower(" + ix.columns[i] + ")" : ix.columns[i]);
  }
  os << ")";
  if (!ix.where.empty()) os << " where " << ix.where;
  os << ";\n";
}

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
  for (const auto& ix : e.indexes) emit_index(os, e, ix);
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
    if (c.change == Change::AddIndex) {
      os << "-- " << e.name << ": a new index\n";
      emit_index(os, e, *e.index(c.field));
      continue;
    }
    if (c.change == Change::DropIndex) {
      os << "-- " << e.name << ": an index no longer declared\n"
         << "drop index if exists public." << pg_name(std::string(c.field)) << ";\n";
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
  os << json_checks_sql();
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
  os << json_checks_sql();
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
