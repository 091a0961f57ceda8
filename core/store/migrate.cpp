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

struct Step {
  int from;
  void (*apply)(Db&);
};
constexpr Step kSteps[] = {{1, &v1_to_v2}};

}  // namespace

void migrate(Db& db, int from) {
  if (from < 1)
    throw Error(code::not_a_database, "the database has no episodes-core schema version");
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
