// Schema upgrades, derived from the declared history (core/schema/history.hpp): the steps of
// schema::sqlite_upgrade_steps run in order inside one transaction with the version bump, so a
// failure leaves the file exactly as it was. `episodes-core schema --dialect sqlite
// --upgrade-from N` prints them.
#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/store.hpp"

namespace ec::store {
namespace {

bool has_table(Db& db, const std::string& table) {
  return db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                      {table}) != 0;
}

std::vector<std::string> columns_of(Db& db, const std::string& table) {
  Stmt& st = db.prepare("SELECT name FROM pragma_table_info(?)");
  st.bind(1, table);
  std::vector<std::string> out;
  while (st.step()) out.push_back(st.text(0));
  st.reset();
  return out;
}

bool has_column(Db& db, const std::string& table, const std::string& column) {
  for (const auto& c : columns_of(db, table))
    if (c == column) return true;
  return false;
}

// The generic rebuild (SQLite's documented procedure): a new table under a temporary name, the
// columns both have copied, the old one dropped, the new one renamed; the idempotent DDL then
// re-creates indexes and triggers. Foreign keys are off meanwhile (see migrate) and checked
// before commit. A row outside the new CHECKs refuses the upgrade and leaves the file unchanged.
void rebuild(Db& db, const schema::Entity& e) {
  if (!has_table(db, e.table)) return;
  const auto old_cols = columns_of(db, e.table);
  std::vector<std::string> cols;
  for (const schema::Field* f : schema::storage_fields(e))
    for (const auto& c : old_cols)
      if (c == f->column) cols.push_back(c);
  const auto sql = schema::sqlite_rebuild_sql(e, cols);
  db.exec(sql[0]);
  try {
    db.exec(sql[1]);
  } catch (const Error&) {
    throw Error(code::invalid,
                "the database cannot be upgraded to schema version " +
                    std::to_string(schema::kSchemaVersion) + ": a row of " + e.table +
                    " holds a value outside the declared bounds; it was left unchanged",
                json::array({e.table}));
  }
  for (size_t i = 2; i < sql.size(); ++i) db.exec(sql[i]);
}

}  // namespace

void migrate(Db& db, int from) {
  if (from < 1)
    throw Error(code::not_a_database, "the database has no episodes-core schema version");
  // The table rebuild must not fire ON DELETE actions when an old table is dropped: foreign keys
  // are off during the upgrade (a no-op inside a transaction, so this runs before it) and every
  // reference is checked before commit.
  db.exec("PRAGMA foreign_keys = OFF");
  struct Restore {
    Db& db;
    ~Restore() {
      try {
        db.exec("PRAGMA foreign_keys = ON");
      } catch (...) {  // NOLINT: a destructor must not throw; the connection stays usable
      }
    }
  } restore{db};
  db.transaction([&] {
    for (const auto& step : schema::sqlite_upgrade_steps(from)) {
      switch (step.kind) {
        case schema::SqliteStep::AddColumn:
        case schema::SqliteStep::Repair: {
          if (!has_table(db, step.entity->table)) break;
          const bool present = has_column(db, step.entity->table, step.field->column);
          if (present == (step.kind == schema::SqliteStep::Repair)) db.exec(step.sql);
          break;
        }
        case schema::SqliteStep::AddIndex:
          if (has_table(db, step.entity->table)) db.exec(step.sql);
          break;
        case schema::SqliteStep::DropIndex:
          db.exec(step.sql);
          break;
        case schema::SqliteStep::Rebuild:
          rebuild(db, *step.entity);
          break;
        case schema::SqliteStep::Ddl:
          db.exec(schema::sqlite_ddl());
          break;
      }
    }
    db.exec("PRAGMA user_version = " + std::to_string(schema::kSchemaVersion));
    const int64_t broken = db.query_int("SELECT count(*) FROM pragma_foreign_key_check", {});
    if (broken != 0)
      throw Error(code::internal, "upgrade would break " + std::to_string(broken) + " references");
  });
}

}  // namespace ec::store
