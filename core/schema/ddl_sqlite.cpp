// SQLite DDL derived from core/schema/entities.cpp.
#include "core/json/codec.hpp"
#include "core/schema/ddl.hpp"
#include "core/text.hpp"

namespace ec::schema {
namespace {

std::string column_type(const Field& f) {
  switch (f.type) {
    case Type::Int:
    case Type::Money:
    case Type::Bool:
    case Type::Instant:
      return "INTEGER";
    default:
      return "TEXT";
  }
}

}  // namespace

std::string sqlite_trimmed(const std::string& column) {
  std::string cps;
  for (char32_t cp : kBlankCodePoints)
    cps += (cps.empty() ? "" : ", ") + std::to_string(static_cast<uint32_t>(cp));
  return "trim(" + column + ", char(" + cps + "))";
}

namespace {

// Every CHECK derives from the declaration and means what validation means (core/validate;
// docs/adr/0012-bounds-and-value-parity.md): lengths in code points (length() counts them for
// TEXT without U+0000), no U+0000, integer and instant ranges, real calendar dates.
std::string checks(const Field& f) {
  const std::string& c = f.column;
  std::vector<std::string> parts;
  switch (f.type) {
    case Type::Enum: {
      std::string in = c + " IN (";
      for (size_t i = 0; i < f.enum_values.size(); ++i)
        in += (i ? ", '" : "'") + f.enum_values[i] + "'";
      parts.push_back(in + ")");
      break;
    }
    case Type::Json:
      parts.push_back("json_valid(" + c + ")");
      break;
    case Type::Bool:
      parts.push_back(c + " IN (0, 1)");
      break;
    case Type::Uuid: {
      std::string glob;
      for (int n : {8, 4, 4, 4, 12}) {
        if (!glob.empty()) glob += "-";
        for (int i = 0; i < n; ++i) glob += "[0-9a-f]";
      }
      parts.push_back(c + " GLOB '" + glob + "'");
      break;
    }
    case Type::Date:
      parts.push_back(c + " >= '0001-01-01' AND date(" + c + ") = " + c);
      break;
    case Type::Instant:
      parts.push_back(c + " BETWEEN " + std::to_string(kMinInstantMs) + " AND " +
                      std::to_string(kMaxInstantMs));
      break;
    case Type::Int:
    case Type::Money:
      parts.push_back(c + " BETWEEN " + std::to_string(*f.min) + " AND " + std::to_string(*f.max));
      break;
    case Type::String:
    case Type::Text:
      parts.push_back("instr(" + c + ", char(0)) = 0");
      if (f.max) parts.push_back("length(" + c + ") <= " + std::to_string(*f.max));
      if (f.min && *f.min > 0) parts.push_back("length(" + c + ") >= " + std::to_string(*f.min));
      if (f.type == Type::String)
        parts.push_back("instr(" + c + ", char(10)) = 0 AND instr(" + c + ", char(13)) = 0");
      if (f.rule == Rule::Email) parts.push_back("NOT " + c + " GLOB '*[^ -~]*'");
      if (f.not_blank) parts.push_back(sqlite_trimmed(c) + " <> ''");
      break;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " AND ") + p;
  return out.empty() ? "" : " CHECK (" + out + ")";
}

}  // namespace

std::string sqlite_column_checks(const Field& f) {
  return checks(f);
}

namespace {

// TokenUsageDaily is kept equal to the sum of TokenUsage by these triggers. Its id is derived
// from (organization, day) so that the same data always yields the same bytes (mock goldens).
std::string rollup_add(const char* row, const char* ts) {
  const std::string r = row;
  const std::string day = "date(" + r + ".occurred_at / 1000, 'unixepoch')";
  return "  INSERT INTO token_usage_daily (id, organization_id, date, input_tokens, output_tokens, "
         "cost_micros, "
         "call_count, created_at, updated_at)\n  VALUES (substr(" +
         r + ".organization_id, 1, 24) || strftime('0000%Y%m%d', " + r +
         ".occurred_at / 1000, 'unixepoch'),\n          " + r + ".organization_id, " + day +
         ",\n          " + r + ".input_tokens, " + r + ".output_tokens, " + r +
         ".cost_micros, 1, " + r + "." + ts + ", " + r + "." + ts +
         ")\n  ON CONFLICT (organization_id, date) DO UPDATE SET\n"
         "    input_tokens = input_tokens + excluded.input_tokens,\n"
         "    output_tokens = output_tokens + excluded.output_tokens,\n"
         "    cost_micros = cost_micros + excluded.cost_micros,\n"
         "    call_count = call_count + 1,\n"
         "    updated_at = max(updated_at, excluded.updated_at);\n";
}

std::string rollup_remove(const char* row) {
  const std::string r = row;
  return "  UPDATE token_usage_daily SET\n    input_tokens = input_tokens - " + r +
         ".input_tokens,\n" + "    output_tokens = output_tokens - " + r +
         ".output_tokens,\n    cost_micros = cost_micros - " + r +
         ".cost_micros,\n    call_count = call_count - 1\n  WHERE organization_id = " + r +
         ".organization_id AND date = date(" + r + ".occurred_at / 1000, 'unixepoch');\n";
}

std::string rollup_triggers() {
  return "\nCREATE TRIGGER IF NOT EXISTS trg_token_usage_ai AFTER INSERT ON token_usage BEGIN\n" +
         rollup_add("NEW", "created_at") + "END;\n" +
         "CREATE TRIGGER IF NOT EXISTS trg_token_usage_ad AFTER DELETE ON token_usage BEGIN\n" +
         rollup_remove("OLD") + "END;\n" +
         "CREATE TRIGGER IF NOT EXISTS trg_token_usage_au AFTER UPDATE OF input_tokens, "
         "output_tokens, cost_micros, "
         "occurred_at, organization_id ON token_usage BEGIN\n" +
         rollup_remove("OLD") + rollup_add("NEW", "updated_at") + "END;\n";
}

}  // namespace

std::string sqlite_column_def(const Field& f) {
  std::string out = f.column + " " + column_type(f);
  if (f.name == "id") out += " PRIMARY KEY";
  if (!f.nullable) out += " NOT NULL";
  if (auto d = codec::default_sql_literal(f); !d.empty()) out += " DEFAULT " + d;
  return out + checks(f);
}

std::string sqlite_create_table(const Entity& e, const std::string& name) {
  Text os;
  os << "CREATE TABLE IF NOT EXISTS " << name << " (\n";
  for (const Field* f : storage_fields(e)) os << "  " << sqlite_column_def(*f) << ",\n";
  std::vector<std::string> fks;
  for (const auto& f : e.fields) {
    if (f.references.empty()) continue;
    const Entity* parent = find_entity(f.references);
    const char* on_delete = f.cascade ? "CASCADE" : "RESTRICT";
    if (f.name == "organizationId" || !parent->tenant_scoped) {
      fks.push_back("FOREIGN KEY (" + f.column + ") REFERENCES " + parent->table +
                    " (id) ON DELETE " + on_delete);
    } else {
      // Same-organization rule enforced by the database: the parent must share organization_id.
      fks.push_back("FOREIGN KEY (organization_id, " + f.column + ") REFERENCES " + parent->table +
                    " (organization_id, id) ON DELETE " + on_delete);
    }
  }
  for (size_t i = 0; i < fks.size(); ++i)
    os << "  " << fks[i] << (i + 1 < fks.size() ? ",\n" : "\n");
  if (fks.empty()) {
    // Drop the trailing comma of the last column.
    std::string& s = os.str();
    s.erase(s.size() - 2, 1);
  }
  os << ") STRICT;\n";
  return os.str();
}

std::string sqlite_create_index(const Entity& e, const Index& ix) {
  std::string out = std::string("CREATE ") + (ix.unique ? "UNIQUE " : "") + "INDEX IF NOT EXISTS " +
                    index_name(e, ix) + " ON " + e.table + " (";
  for (size_t i = 0; i < ix.columns.size(); ++i) {
    out += (i ? ", " : "") + ix.columns[i];
    if (ix.nocase_first && i + 1 == ix.columns.size()) out += " COLLATE NOCASE";
  }
  out += ")";
  if (!ix.where.empty()) out += " WHERE " + ix.where;
  return out;
}

std::string sqlite_ddl() {
  Text os;
  os << "-- episodes-core schema v" << kSchemaVersion
     << " (SQLite). Generated from core/schema; do not edit.\n";
  for (const auto& e : entities()) {
    os << "\n-- " << e.name << ": " << e.doc << "\n";
    os << sqlite_create_table(e, e.table);
    for (const auto& ix : e.indexes) os << sqlite_create_index(e, ix) << ";\n";
    if (e.append_only) {
      os << "CREATE TRIGGER IF NOT EXISTS trg_" << e.table << "_no_update BEFORE UPDATE ON "
         << e.table << " BEGIN SELECT RAISE(ABORT, '" << e.table << " is append-only'); END;\n";
      os << "CREATE TRIGGER IF NOT EXISTS trg_" << e.table << "_no_delete BEFORE DELETE ON "
         << e.table << " BEGIN SELECT RAISE(ABORT, '" << e.table << " is append-only'); END;\n";
      // REPLACE / INSERT OR REPLACE would swap a row without firing the DELETE trigger.
      os << "CREATE TRIGGER IF NOT EXISTS trg_" << e.table << "_no_replace BEFORE INSERT ON "
         << e.table << " WHEN EXISTS (SELECT 1 FROM " << e.table << " WHERE id = NEW.id)"
         << " BEGIN SELECT RAISE(ABORT, '" << e.table << " is append-only'); END;\n";
    }
  }
  os << rollup_triggers();
  // Marks the file as ours, at this version, so `schema | sqlite3 new.db` opens in the core.
  os << "PRAGMA application_id = " << kApplicationId
     << ";\nPRAGMA user_version = " << kSchemaVersion << ";\n";
  return os.str();
}

std::vector<SqliteStep> sqlite_upgrade_steps(int from) {
  std::vector<SqliteStep> out;
  // Index steps run after every table rebuild (an index may name a column a rebuild adds; a
  // rebuild drops the old table's indexes anyway), in declaration order.
  std::vector<SqliteStep> indexes;
  std::vector<bool> rebuild(entities().size(), false);
  const auto index_of = [](std::string_view name) {
    for (size_t i = 0; i < entities().size(); ++i)
      if (entities()[i].name == name) return i;
    return entities().size();
  };
  for (const auto& c : kChanges) {
    if (c.version <= from) continue;
    switch (c.change) {
      case Change::AddTable:
        break;  // the idempotent DDL creates it
      case Change::AddColumn: {
        const Entity& e = entities()[index_of(c.entity)];
        const Field* f = e.field(c.field);
        out.push_back({SqliteStep::AddColumn, &e, f,
                       "ALTER TABLE " + e.table + " ADD COLUMN " + sqlite_column_def(*f)});
        break;
      }
      case Change::Checks: {
        const size_t i = index_of(c.entity);
        const Entity& e = entities()[i];
        const Field* f = e.field(c.field);
        if (f->not_blank)
          out.push_back({SqliteStep::Repair, &e, f,
                         "UPDATE " + e.table + " SET " + f->column + " = '" + kBlankPlaceholder +
                             "' WHERE " + sqlite_trimmed(f->column) + " = ''"});
        rebuild[i] = true;
        break;
      }
      case Change::Rebuild:
        rebuild.assign(rebuild.size(), true);
        break;
      case Change::AddIndex: {
        const Entity& e = entities()[index_of(c.entity)];
        indexes.push_back(
            {SqliteStep::AddIndex, &e, nullptr, sqlite_create_index(e, *e.index(c.field))});
        break;
      }
      case Change::DropIndex: {
        const Entity& e = entities()[index_of(c.entity)];
        indexes.push_back(
            {SqliteStep::DropIndex, &e, nullptr, "DROP INDEX IF EXISTS " + std::string(c.field)});
        break;
      }
    }
  }
  for (size_t i = 0; i < rebuild.size(); ++i)
    if (rebuild[i]) out.push_back({SqliteStep::Rebuild, &entities()[i], nullptr, ""});
  for (auto& st : indexes) out.push_back(std::move(st));
  out.push_back({SqliteStep::Ddl, nullptr, nullptr, ""});
  return out;
}

std::vector<std::string> sqlite_rebuild_sql(const Entity& e,
                                            const std::vector<std::string>& columns) {
  std::string cols;
  for (const auto& c : columns) cols += (cols.empty() ? "" : ", ") + c;
  const std::string tmp = e.table + "__v" + std::to_string(kSchemaVersion);
  std::string create = sqlite_create_table(e, tmp);
  while (!create.empty() && (create.back() == '\n' || create.back() == ';')) create.pop_back();
  return {create, "INSERT INTO " + tmp + " (" + cols + ") SELECT " + cols + " FROM " + e.table,
          "DROP TABLE " + e.table, "ALTER TABLE " + tmp + " RENAME TO " + e.table};
}

std::string sqlite_upgrade_sql(int from) {
  Text os;
  os << "-- episodes-core SQLite upgrade v" << from << " -> v" << kSchemaVersion
     << ", derived from core/schema/history.hpp (run by core/store/migrate.cpp\n"
        "-- in one transaction with foreign keys off, checked before commit).\n";
  for (const auto& st : sqlite_upgrade_steps(from)) {
    switch (st.kind) {
      case SqliteStep::AddColumn:
        os << "\n-- " << st.entity->name << "." << st.field->name
           << " (skipped when the column exists)\n"
           << st.sql << ";\n";
        break;
      case SqliteStep::Repair:
        os << "\n-- " << st.entity->name << "." << st.field->name
           << ": blank values become the placeholder\n"
           << st.sql << ";\n";
        break;
      case SqliteStep::Rebuild: {
        // Every declared column: the AddColumn steps above ran first (migrate.cpp copies the
        // columns the old table really has).
        std::vector<std::string> cols;
        for (const Field* f : storage_fields(*st.entity)) cols.push_back(f->column);
        os << "\n-- " << st.entity->name << ": table rebuild (a CHECK changed)\n";
        for (const auto& q : sqlite_rebuild_sql(*st.entity, cols)) os << q << ";\n";
        break;
      }
      case SqliteStep::AddIndex:
        os << "\n-- " << st.entity->name << ": a new index (skipped without its table)\n"
           << st.sql << ";\n";
        break;
      case SqliteStep::DropIndex:
        os << "\n-- " << st.entity->name << ": an index no longer declared\n" << st.sql << ";\n";
        break;
      case SqliteStep::Ddl:
        os << "\n-- then the idempotent DDL (`episodes-core schema --dialect sqlite`) creates new "
              "tables, indexes and triggers.\nPRAGMA user_version = "
           << kSchemaVersion << ";\n";
        break;
    }
  }
  return os.str();
}

}  // namespace ec::schema
