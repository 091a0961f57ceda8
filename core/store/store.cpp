#include "core/store/store.hpp"

#include <chrono>

#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/uuid.hpp"

namespace ec::store {

Store::Store(const std::string& path, uint64_t id_seed) : db_(path) {
  if (id_seed == 0) {
    std::random_device rd;
    id_seed = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
              static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  rng_.seed(id_seed);
  open_schema();
}

void Store::open_schema() {
  const int64_t app_id = db_.query_int("PRAGMA application_id", {});
  const int64_t version = db_.query_int("PRAGMA user_version", {});
  // Every schema object counts (tables, views, triggers, indexes): a file holding only a view,
  // or only another application's id or version, is someone else's and stays untouched.
  const int64_t objects = db_.query_int("SELECT count(*) FROM sqlite_master", {});
  opened_version_ = static_cast<int>(version);
  const bool truly_empty = objects == 0 && app_id == 0 && version == 0;
  if (truly_empty) {
    db_.transaction([&] {
      db_.exec(schema::sqlite_ddl());
      db_.exec("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
      db_.exec("PRAGMA user_version = " + std::to_string(schema::kSchemaVersion));
    });
    return;
  }
  if (app_id != schema::kApplicationId) {
    throw Error(code::not_a_database,
                "this SQLite database was not made by episodes-core (application_id " +
                    std::to_string(app_id) + "); it was left unchanged");
  }
  if (version > schema::kSchemaVersion) {
    throw Error(code::schema_too_new,
                "the database has schema version " + std::to_string(version) +
                    " but this build knows up to " + std::to_string(schema::kSchemaVersion) +
                    "; it was left unchanged: open it with a newer episodes-core");
  }
  if (version < 1 || objects == 0) {
    throw Error(code::not_a_database,
                "the database carries the episodes-core id but no schema (version " +
                    std::to_string(version) + "); it was left unchanged");
  }
  if (version < schema::kSchemaVersion) migrate(db_, static_cast<int>(version));
}

Instant Store::now() const {
  if (fixed_now_) return *fixed_now_;
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Store::new_id() {
  const uint64_t a = rng_();
  const uint64_t b = rng_();
  std::array<unsigned char, 16> bytes;
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(a >> (i * 8));
    bytes[8 + i] = static_cast<unsigned char>(b >> (i * 8));
  }
  return format_uuid_v4(bytes);
}

}  // namespace ec::store
