// Schema upgrades. Each step moves a database one version up, inside one transaction with the
// version bump, so a failure leaves the file exactly as it was.
#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/store.hpp"

namespace ec::store {
namespace {

// v1 -> v2: the expert-review changes of the planning document: User.timezone, Episode
// generation tracking, and every new table (queue, usage, notes, memories, events, …).
void v1_to_v2(Db& db) {
  db.exec("ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC'");
  db.exec(
      "ALTER TABLE episodes ADD COLUMN generation_attempts INTEGER NOT NULL DEFAULT 0 "
      "CHECK (generation_attempts >= 0)");
  db.exec(
      "ALTER TABLE episodes ADD COLUMN generation_errors TEXT NOT NULL DEFAULT '[]' "
      "CHECK (json_valid(generation_errors))");
  // The generated DDL is idempotent: it creates only the tables, indexes and triggers missing.
  db.exec(schema::sqlite_ddl());
}

// v2 -> v3: every bound declared in both engines' CHECKs (docs/adr/0012-bounds-and-value-
// parity.md). Generic rebuild of every table from the declared DDL (SQLite's documented
// procedure, https://www.sqlite.org/lang_altertable.html#otheralter): create the new table under
// a temporary name, copy the columns both have, drop the old one, rename; then the idempotent
// DDL re-creates indexes and triggers. Foreign keys are off meanwhile (see migrate), and checked
// before commit. A row outside the new bounds refuses the upgrade and leaves the file unchanged.
void rebuild_tables(Db& db) {
  for (const auto& e : schema::entities()) {
    if (db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                     {e.table}) == 0)
      continue;
    std::string cols;
    Stmt& st = db.prepare("SELECT name FROM pragma_table_info(?)");
    st.bind(1, e.table);
    std::vector<std::string> old_cols;
    while (st.step()) old_cols.push_back(st.text(0));
    st.reset();
    for (const auto& f : e.fields)
      for (const auto& c : old_cols)
        if (c == f.column) cols += (cols.empty() ? "" : ", ") + c;
    const std::string tmp = e.table + "__v" + std::to_string(schema::kSchemaVersion);
    db.exec(schema::sqlite_create_table(e, tmp));
    try {
      db.exec("INSERT INTO " + tmp + " (" + cols + ") SELECT " + cols + " FROM " + e.table);
    } catch (const Error&) {
      throw Error(code::invalid,
                  "the database cannot be upgraded to schema version " +
                      std::to_string(schema::kSchemaVersion) + ": a row of " + e.table +
                      " holds a value outside the declared bounds; it was left unchanged",
                  json::array({e.table}));
    }
    db.exec("DROP TABLE " + e.table);
    db.exec("ALTER TABLE " + tmp + " RENAME TO " + e.table);
  }
  db.exec(schema::sqlite_ddl());
}

void v2_to_v3(Db& db) {
  rebuild_tables(db);
}

struct Step {
  int from;
  void (*apply)(Db&);
};
constexpr Step kSteps[] = {{1, &v1_to_v2}, {2, &v2_to_v3}};

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
    for (const auto& step : kSteps) {
      if (step.from < from) continue;
      step.apply(db);
    }
    db.exec("PRAGMA user_version = " + std::to_string(schema::kSchemaVersion));
    const int64_t broken = db.query_int("SELECT count(*) FROM pragma_foreign_key_check", {});
    if (broken != 0)
      throw Error(code::internal, "upgrade would break " + std::to_string(broken) + " references");
  });
}

}  // namespace ec::store
