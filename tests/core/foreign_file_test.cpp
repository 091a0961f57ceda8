// Foreign SQLite files (issue 11 item 7a): only a truly empty database (no schema object at all,
// application_id 0, user_version 0) becomes ours. Any other file without our application_id —
// a view, a trigger, an index, another application's id or version — is refused with
// not_a_database and left byte-for-byte unchanged.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "core/schema/ddl.hpp"
#include "core/store/store.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

std::string make_file(const std::string& stem, const std::string& setup) {
  const std::string path = temp_path(stem);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, setup.c_str(), nullptr, nullptr, &err);
  INFO(setup << " -> " << (err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
  return path;
}

std::string open_code(const std::string& path) {
  try {
    ec::store::Store s(path, 1);
  } catch (const ec::Error& e) {
    return e.code();
  }
  return "ok";
}

}  // namespace

TEST_CASE("a foreign SQLite file is refused unchanged, whatever it holds") {
  const std::string ours = std::to_string(ec::schema::kApplicationId);
  const std::vector<std::pair<const char*, std::string>> foreign{
      {"view only", "CREATE VIEW v AS SELECT 1 AS x"},
      {"view + trigger (no table)",
       "CREATE VIEW v AS SELECT 1 AS x; CREATE TRIGGER t INSTEAD OF INSERT ON v BEGIN SELECT 1; "
       "END"},
      {"table + index of another app", "CREATE TABLE t (x); CREATE INDEX i ON t (x)"},
      {"another application_id only", "PRAGMA application_id = 1234; VACUUM"},
      {"another user_version only", "PRAGMA user_version = 7; VACUUM"},
      {"our user_version, no application_id", "PRAGMA user_version = 2; VACUUM"},
      {"another application_id with a view",
       "PRAGMA application_id = 42; CREATE VIEW v AS SELECT 1"},
      {"our application_id but no schema", "PRAGMA application_id = " + ours + "; VACUUM"},
  };
  for (const auto& [what, setup] : foreign) {
    INFO(what);
    const std::string path = make_file("foreign_kind", setup);
    const std::string bytes = read_file(path);
    CHECK(open_code(path) == "not_a_database");
    CHECK(read_file(path) == bytes);
    std::remove(path.c_str());
  }
}

TEST_CASE("a truly empty SQLite database still becomes ours") {
  // Pages but no schema object, no id, no version (e.g. after a VACUUM of an empty file).
  const std::string path = make_file("truly_empty", "PRAGMA page_size = 4096; VACUUM");
  CHECK(open_code(path) == "ok");
  CHECK(open_code(path) == "ok");  // and opens again as ours
  std::remove(path.c_str());
}
