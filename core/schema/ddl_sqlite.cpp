// SQLite DDL derived from core/schema/entities.cpp.
#include <sstream>

#include "core/json/codec.hpp"
#include "core/schema/ddl.hpp"

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

std::string checks(const Field& f) {
  const std::string& c = f.column;
  std::string out;
  switch (f.type) {
    case Type::Enum: {
      out = " CHECK (" + c + " IN (";
      for (size_t i = 0; i < f.enum_values.size(); ++i)
        out += (i ? ", '" : "'") + f.enum_values[i] + "'";
      out += "))";
      break;
    }
    case Type::Json:
      out = " CHECK (json_valid(" + c + "))";
      break;
    case Type::Bool:
      out = " CHECK (" + c + " IN (0, 1))";
      break;
    case Type::Uuid:
      out = " CHECK (length(" + c + ") = 36)";
      break;
    case Type::Date:
      out = " CHECK (length(" + c + ") = 10)";
      break;
    case Type::Int:
    case Type::Money:
      if (f.min) out = " CHECK (" + c + " >= " + std::to_string(*f.min) + ")";
      break;
    default:
      break;
  }
  return out;
}

std::string index_name(const Entity& e, const Index& ix) {
  std::string n = (ix.unique ? "ux_" : "ix_") + e.table;
  for (const auto& c : ix.columns) n += "_" + c;
  return n;
}

// TokenUsageDaily is kept equal to the sum of TokenUsage by these triggers. Its id is derived
// from (organization, day) so that the same data always yields the same bytes (mock goldens).
const char* kRollupTriggers = R"SQL(
CREATE TRIGGER IF NOT EXISTS trg_token_usage_ai AFTER INSERT ON token_usage BEGIN
  INSERT INTO token_usage_daily (id, organization_id, date, input_tokens, output_tokens, cost_micros, call_count, created_at, updated_at)
  VALUES (substr(NEW.organization_id, 1, 24) || strftime('0000%Y%m%d', NEW.occurred_at / 1000, 'unixepoch'),
          NEW.organization_id, date(NEW.occurred_at / 1000, 'unixepoch'),
          NEW.input_tokens, NEW.output_tokens, NEW.cost_micros, 1, NEW.created_at, NEW.created_at)
  ON CONFLICT (organization_id, date) DO UPDATE SET
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cost_micros = cost_micros + excluded.cost_micros,
    call_count = call_count + 1,
    updated_at = max(updated_at, excluded.updated_at);
END;
CREATE TRIGGER IF NOT EXISTS trg_token_usage_ad AFTER DELETE ON token_usage BEGIN
  UPDATE token_usage_daily SET
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cost_micros = cost_micros - OLD.cost_micros,
    call_count = call_count - 1
  WHERE organization_id = OLD.organization_id AND date = date(OLD.occurred_at / 1000, 'unixepoch');
END;
CREATE TRIGGER IF NOT EXISTS trg_token_usage_au AFTER UPDATE OF input_tokens, output_tokens, cost_micros, occurred_at, organization_id ON token_usage BEGIN
  UPDATE token_usage_daily SET
    input_tokens = input_tokens - OLD.input_tokens,
    output_tokens = output_tokens - OLD.output_tokens,
    cost_micros = cost_micros - OLD.cost_micros,
    call_count = call_count - 1
  WHERE organization_id = OLD.organization_id AND date = date(OLD.occurred_at / 1000, 'unixepoch');
  INSERT INTO token_usage_daily (id, organization_id, date, input_tokens, output_tokens, cost_micros, call_count, created_at, updated_at)
  VALUES (substr(NEW.organization_id, 1, 24) || strftime('0000%Y%m%d', NEW.occurred_at / 1000, 'unixepoch'),
          NEW.organization_id, date(NEW.occurred_at / 1000, 'unixepoch'),
          NEW.input_tokens, NEW.output_tokens, NEW.cost_micros, 1, NEW.updated_at, NEW.updated_at)
  ON CONFLICT (organization_id, date) DO UPDATE SET
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    cost_micros = cost_micros + excluded.cost_micros,
    call_count = call_count + 1,
    updated_at = max(updated_at, excluded.updated_at);
END;
)SQL";

}  // namespace

std::string sqlite_ddl() {
  std::ostringstream os;
  os << "-- episodes-core schema v" << kSchemaVersion << " (SQLite). Generated from core/schema; do not edit.\n";
  for (const auto& e : entities()) {
    os << "\n-- " << e.name << ": " << e.doc << "\n";
    os << "CREATE TABLE IF NOT EXISTS " << e.table << " (\n";
    for (const auto& f : e.fields) {
      os << "  " << f.column << " " << column_type(f);
      if (f.name == "id") os << " PRIMARY KEY";
      if (!f.nullable) os << " NOT NULL";
      if (auto d = codec::default_sql_literal(f); !d.empty()) os << " DEFAULT " << d;
      os << checks(f) << ",\n";
    }
    std::vector<std::string> fks;
    for (const auto& f : e.fields) {
      if (f.references.empty()) continue;
      const Entity* parent = find_entity(f.references);
      const char* on_delete = f.cascade ? "CASCADE" : "RESTRICT";
      if (f.name == "organizationId" || !parent->tenant_scoped) {
        fks.push_back("FOREIGN KEY (" + f.column + ") REFERENCES " + parent->table + " (id) ON DELETE " + on_delete);
      } else {
        // Same-organization rule enforced by the database: the parent must share organization_id.
        fks.push_back("FOREIGN KEY (organization_id, " + f.column + ") REFERENCES " + parent->table +
                      " (organization_id, id) ON DELETE " + on_delete);
      }
    }
    for (size_t i = 0; i < fks.size(); ++i) os << "  " << fks[i] << (i + 1 < fks.size() ? ",\n" : "\n");
    if (fks.empty()) {
      // Drop the trailing comma of the last column.
      std::string s = os.str();
      s.erase(s.size() - 2, 1);
      os.str(s);
      os.seekp(0, std::ios_base::end);
    }
    os << ") STRICT;\n";
    for (const auto& ix : e.indexes) {
      os << "CREATE " << (ix.unique ? "UNIQUE " : "") << "INDEX IF NOT EXISTS " << index_name(e, ix) << " ON "
         << e.table << " (";
      for (size_t i = 0; i < ix.columns.size(); ++i) {
        os << (i ? ", " : "") << ix.columns[i];
        if (ix.nocase_first && i + 1 == ix.columns.size()) os << " COLLATE NOCASE";
      }
      os << ")";
      if (!ix.where.empty()) os << " WHERE " << ix.where;
      os << ";\n";
    }
    if (e.append_only) {
      os << "CREATE TRIGGER IF NOT EXISTS trg_" << e.table << "_no_update BEFORE UPDATE ON " << e.table
         << " BEGIN SELECT RAISE(ABORT, '" << e.table << " is append-only'); END;\n";
      os << "CREATE TRIGGER IF NOT EXISTS trg_" << e.table << "_no_delete BEFORE DELETE ON " << e.table
         << " BEGIN SELECT RAISE(ABORT, '" << e.table << " is append-only'); END;\n";
      // REPLACE / INSERT OR REPLACE would swap a row without firing the DELETE trigger.
      os << "CREATE TRIGGER IF NOT EXISTS trg_" << e.table << "_no_replace BEFORE INSERT ON " << e.table
         << " WHEN EXISTS (SELECT 1 FROM " << e.table << " WHERE id = NEW.id)"
         << " BEGIN SELECT RAISE(ABORT, '" << e.table << " is append-only'); END;\n";
    }
  }
  os << kRollupTriggers;
  // Marks the file as ours, at this version, so `schema | sqlite3 new.db` opens in the core.
  os << "PRAGMA application_id = " << kApplicationId << ";\nPRAGMA user_version = " << kSchemaVersion << ";\n";
  return os.str();
}

}  // namespace ec::schema
