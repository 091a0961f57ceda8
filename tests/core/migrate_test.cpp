// Migrations: a version-1 database (tests/fixtures/schema_v1.sql) is upgraded to the current
// version keeping every row; newer, foreign and non-SQLite files are refused unchanged.
#include <catch2/catch.hpp>
#include <map>

#include <sqlite3.h>

#include "core/api/api.hpp"
#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/db.hpp"
#include "core/store/store.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

constexpr const char* kFixture = "tests/fixtures/schema_v1.sql";
constexpr const char* kOrgA = "a0000000-0000-4000-8000-000000000001";
constexpr const char* kOwnerA = "a0000000-0000-4000-8000-0000000000a1";
constexpr const char* kMemberA = "a0000000-0000-4000-8000-0000000000a2";
constexpr const char* kOrgB = "b0000000-0000-4000-8000-000000000001";
constexpr const char* kOwnerB = "b0000000-0000-4000-8000-0000000000b1";
constexpr const char* kProjectA1 = "a0000000-0000-4000-8000-0000000000c1";
constexpr const char* kEpisodeA1 = "a0000000-0000-4000-8000-0000000000e1";
constexpr const char* kBlockA1 = "a0000000-0000-4000-8000-0000000000f1";

/// Builds a fresh v1 database file from the fixture SQL (the fixture itself is never touched).
std::string make_v1(const std::string& stem) {
  const std::string sql = read_file(kFixture);
  REQUIRE_FALSE(sql.empty());
  const std::string path = temp_path(stem);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
  return path;
}

/// Rows of a query as strings joined by '|' (columns) and '\n' (rows).
std::string dump(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const auto* t = sqlite3_column_text(st, i);
        out += (i ? "|" : "") + std::string(t ? reinterpret_cast<const char*>(t) : "NULL");
      }
      out += "\n";
    }
  } else {
    out = std::string("error: ") + sqlite3_errmsg(db);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::string open_error(const std::string& path) {
  try {
    ec::api::Core core(path);
  } catch (const ec::Error& e) {
    return e.code();
  }
  return "ok";
}

json call(ec::api::Core& core, const std::string& op, const json& params, const char* org,
          const char* user) {
  core.store()->set_clock(*ec::parse_instant("2025-08-15T09:00:00Z"));
  return core.call_json(
      {{"op", op}, {"params", params}, {"as", {{"organizationId", org}, {"userId", user}}}});
}

}  // namespace

TEST_CASE("the v1 fixture is a version-1 episodes-core database") {
  const std::string path = make_v1("fixture");
  CHECK(dump(path, "PRAGMA user_version") == "1\n");
  CHECK(dump(path, "PRAGMA application_id") == std::to_string(ec::schema::kApplicationId) + "\n");
  CHECK(dump(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") == "6\n");
  CHECK(dump(path, "SELECT count(*) FROM pragma_table_info('users') WHERE name = 'timezone'") ==
        "0\n");
  CHECK(dump(path,
             "SELECT count(*) FROM pragma_table_info('episodes') WHERE name LIKE 'generation%'") ==
        "0\n");
  CHECK(
      dump(
          path,
          "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'") ==
      "2\n");
  std::remove(path.c_str());
}

TEST_CASE("opening a v1 database upgrades it to the current version, keeping every row") {
  const std::string path = make_v1("upgrade");
  const std::vector<std::string> tables = {"organizations", "users",  "projects",
                                           "episodes",      "blocks", "audit_log"};
  std::map<std::string, std::string> before;
  for (const auto& t : tables) before[t] = dump(path, "SELECT * FROM " + t + " ORDER BY id");
  {
    ec::store::Store s(path, 1);
    CHECK(s.opened_version() == 1);
  }
  CHECK(dump(path, "PRAGMA user_version") == std::to_string(ec::schema::kSchemaVersion) + "\n");
  CHECK(dump(path, "PRAGMA application_id") == std::to_string(ec::schema::kApplicationId) + "\n");
  CHECK(dump(path, "PRAGMA foreign_key_check") == "");
  CHECK(dump(path, "PRAGMA integrity_check") == "ok\n");
  SECTION("old rows are unchanged, new columns defaulted") {
    CHECK(dump(path,
               "SELECT id, organization_id, email, name, role, created_at, updated_at, deleted_at, "
               "deleted_by "
               "FROM users ORDER BY id") == before["users"]);
    CHECK(dump(path, "SELECT DISTINCT timezone FROM users") == "UTC\n");
    CHECK(dump(path,
               "SELECT id, organization_id, project_id, number, title, status, scheduled_for, "
               "generated_at, "
               "published_at, created_at, updated_at, deleted_at, deleted_by FROM episodes ORDER "
               "BY id") == before["episodes"]);
    CHECK(dump(path, "SELECT DISTINCT generation_attempts, generation_errors FROM episodes") ==
          "0|[]\n");
    CHECK(dump(path,
               "SELECT id, organization_id, owner_id, name, description, status, cadence_config, "
               "memories, created_at, updated_at, deleted_at, deleted_by FROM projects ORDER BY "
               "id") == before["projects"]);
    CHECK(dump(path, "SELECT count(*) FROM projects WHERE tagline IS NOT NULL") == "0\n");
    for (const char* t : {"organizations", "blocks", "audit_log"}) {
      INFO(t);
      CHECK(dump(path, std::string("SELECT * FROM ") + t + " ORDER BY id") == before[t]);
    }
  }
  SECTION("every table of the current schema exists, with its triggers") {
    for (const auto& e : ec::schema::entities()) {
      INFO(e.table);
      CHECK(dump(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" +
                           e.table + "'") == "1\n");
      // Each declared column is there.
      for (const auto& f : e.fields)
        CHECK(dump(path, "SELECT count(*) FROM pragma_table_info('" + e.table +
                             "') WHERE name = '" + f.column + "'") == "1\n");
    }
    CHECK(dump(path,
               "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
               "'trg_token_usage_%'") == "3\n");
  }
  SECTION("opening again is a no-op") {
    const std::string snapshot = read_file(path);
    {
      ec::store::Store s(path, 1);
      CHECK(s.opened_version() == ec::schema::kSchemaVersion);
    }
    CHECK(dump(path, "SELECT count(*) FROM users") == "3\n");
    CHECK(read_file(path) == snapshot);
  }
  SECTION("the API works on the upgraded database") {
    ec::api::Core core(path, {3});
    json r = call(core, "project.list", json::object(), kOrgA, kOwnerA);
    REQUIRE(r["ok"] == true);
    CHECK(r["result"]["total"] == 2);
    r = call(core, "project.get", {{"id", kProjectA1}}, kOrgA, kOwnerA);
    REQUIRE(r["ok"] == true);
    CHECK(r["result"]["cadenceConfig"] ==
          json{{"days", {"mon", "wed"}}, {"time", "09:00"}, {"timezone", "Europe/London"}});
    CHECK(r["result"]["memories"].size() == 1);
    CHECK(r["result"]["createdAt"] == "2025-01-15T09:00:00.000Z");
    r = call(core, "user.get", {{"id", kMemberA}}, kOrgA, kOwnerA);
    CHECK(r["result"]["timezone"] == "UTC");
    r = call(core, "episode.get", {{"id", kEpisodeA1}}, kOrgA, kOwnerA);
    CHECK(r["result"]["generationAttempts"] == 0);
    CHECK(r["result"]["generationErrors"] == json::array());
    CHECK(r["result"]["status"] == "published");
    r = call(core, "block.get", {{"id", kBlockA1}}, kOrgA, kOwnerA);
    CHECK(r["result"]["content"] == "# The Mill — Café ☕ and 🚀 included.");
    // Tenancy holds on migrated data.
    CHECK(call(core, "project.get", {{"id", kProjectA1}}, kOrgB, kOwnerB)["error"]["code"] ==
          "not_found");
    CHECK(call(core, "project.list", json::object(), kOrgB, kOwnerB)["result"]["total"] == 1);
    // New features work: next episode number, highlights with UTF-16 offsets, new tables.
    r = call(core, "episode.create", {{"projectId", kProjectA1}, {"title", "Episode 3"}}, kOrgA,
             kOwnerA);
    REQUIRE(r["ok"] == true);
    CHECK(r["result"]["number"] == 3);
    r = call(core, "highlight.create",
             {{"episodeId", kEpisodeA1},
              {"blockId", kBlockA1},
              {"startOffset", 13},
              {"endOffset", 17},
              {"quote", "Café"}},
             kOrgA, kMemberA);
    CHECK(r["ok"] == true);
    r = call(core, "project.memory.migrate", {{"projectId", kProjectA1}}, kOrgA, kOwnerA);
    CHECK(r["result"]["migrated"] == 1);
    r = call(core, "userEvent.create", {{"eventType", "onboarding.completed"}}, kOrgA, kMemberA);
    CHECK(r["ok"] == true);
    r = call(core, "user.update", {{"id", kMemberA}, {"patch", {{"timezone", "Europe/London"}}}},
             kOrgA, kOwnerA);
    CHECK(r["result"]["timezone"] == "Europe/London");
    r = call(core, "auditLog.list", {{"limit", 1000}}, kOrgA, kOwnerA);
    CHECK(r["result"]["total"].get<int64_t>() >= 4 + 5);
    // Free plan: 2 projects exist, a third is allowed, a fourth is not.
    CHECK(call(core, "project.create", {{"name", "P3"}, {"cadenceConfig", cadence()}}, kOrgA,
               kOwnerA)["ok"] == true);
    CHECK(call(core, "project.create", {{"name", "P4"}, {"cadenceConfig", cadence()}}, kOrgA,
               kOwnerA)["error"]["code"] == "plan_limit");
    // Append-only audit still enforced.
    CHECK(call(core, "meta.version", json::object(), kOrgA, kOwnerA)["result"]["schemaVersion"] ==
          ec::schema::kSchemaVersion);
  }
  SECTION("audit rows stay append-only after the upgrade") {
    ec::store::Store s(path, 1);
    try {
      s.db().exec("DELETE FROM audit_log");
      FAIL("delete allowed");
    } catch (const ec::Error& e) {
      CHECK(e.code() == "forbidden");
    }
  }
  std::remove(path.c_str());
}

TEST_CASE("a failed upgrade leaves the file exactly as it was") {
  // A v1 database whose rows break a reference cannot be upgraded (the foreign key check
  // runs inside the upgrade transaction): the version and rows stay as they were.
  const std::string path = make_v1("broken");
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "PRAGMA foreign_keys = OFF; UPDATE projects SET owner_id = "
                         "'dead0000-0000-4000-8000-000000000000' WHERE id = "
                         "'a0000000-0000-4000-8000-0000000000c2'",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string tables_before = dump(path, "SELECT name FROM sqlite_master ORDER BY name");
  const std::string users_before = dump(path, "SELECT * FROM users ORDER BY id");
  CHECK(open_error(path) != "ok");
  CHECK(dump(path, "PRAGMA user_version") == "1\n");
  CHECK(dump(path, "SELECT name FROM sqlite_master ORDER BY name") == tables_before);
  CHECK(dump(path, "SELECT * FROM users ORDER BY id") == users_before);
  std::remove(path.c_str());
}

TEST_CASE("a database with a newer schema is refused and left byte-for-byte unchanged") {
  const std::string path = temp_path("too_new");
  { ec::store::Store s(path, 1); }
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  const std::string bytes = read_file(path);
  REQUIRE(bytes.size() > 100);
  CHECK(open_error(path) == "schema_too_new");
  try {
    ec::api::Core core(path);
  } catch (const ec::Error& e) {
    CHECK(e.message().find("99") != std::string::npos);
  }
  CHECK(read_file(path) == bytes);
  std::remove(path.c_str());
}

TEST_CASE("a file that is not SQLite is refused unchanged") {
  const std::string path = temp_path("not_sqlite");
  std::string bytes = "PK\x03\x04 this is a zip file, honest";
  bytes += std::string(8192, '\x01');
  write_file(path, bytes);
  CHECK(open_error(path) == "not_a_database");
  CHECK(read_file(path) == bytes);
  // A truncated SQLite header.
  write_file(path, std::string("SQLite format 3\0", 16) + std::string(50, '\0'));
  const std::string truncated = read_file(path);
  CHECK(open_error(path) != "ok");
  CHECK(read_file(path) == truncated);
  std::remove(path.c_str());
}

TEST_CASE("a SQLite database of another application is refused unchanged") {
  for (const char* setup :
       {"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, "
        "'hi')",
        "PRAGMA application_id = 1234; CREATE TABLE t (x)",
        "PRAGMA user_version = 1; CREATE TABLE projects (id TEXT PRIMARY KEY)"}) {
    INFO(setup);
    const std::string path = temp_path("foreign");
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, setup, nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    const std::string bytes = read_file(path);
    CHECK(open_error(path) == "not_a_database");
    CHECK(read_file(path) == bytes);
    std::remove(path.c_str());
  }
}

TEST_CASE("an empty SQLite file or a missing file gets the current schema") {
  const std::string path = temp_path("fresh");
  { ec::api::Core core(path, {1}); }
  CHECK(dump(path, "PRAGMA user_version") == std::to_string(ec::schema::kSchemaVersion) + "\n");
  CHECK(dump(path, "PRAGMA application_id") == std::to_string(ec::schema::kApplicationId) + "\n");
  std::remove(path.c_str());
  // A zero-byte file is an empty SQLite database.
  write_file(path, "");
  CHECK(open_error(path) == "ok");
  std::remove(path.c_str());
}
