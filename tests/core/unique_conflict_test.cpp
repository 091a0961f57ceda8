// Unique conflicts (issue 11 item 7c): whatever unique index refuses a row, the conflict names
// its field in `path` and params.field (derived from the schema's Index declarations), uses
// plain words, and says when the holder is soft-deleted and restorable (params.deleted, id).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "core/schema/schema.hpp"
#include "core/store/db.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

void check_plain(const json& err) {
  const std::string msg = err["message"];
  INFO(msg);
  for (const char* raw : {"UNIQUE", "constraint", "users.", "SQLite", "INSERT", "UPDATE"})
    CHECK(msg.find(raw) == std::string::npos);
}

}  // namespace

TEST_CASE("every unique index of the schema maps its SQLite conflict to its field") {
  // Generated from the declarations: for each unique index, a table with those columns, the
  // index as the DDL declares it, and two equal rows; the mapping must name the last column's
  // field and never show SQLite's wording.
  int checked = 0;
  for (const auto& e : ec::schema::entities()) {
    for (const auto& ix : e.indexes) {
      if (!ix.unique) continue;
      INFO(e.name << " (" << ix.columns.size() << " columns)");
      sqlite3* db = nullptr;
      REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
      sqlite3_extended_result_codes(db, 1);
      std::string cols, vals, idx;
      for (size_t i = 0; i < ix.columns.size(); ++i) {
        cols += (i ? ", " : "") + ix.columns[i];
        vals += i ? ", 'v'" : "'v'";
        idx += (i ? ", " : "") + ix.columns[i];
        if (ix.nocase_first && i + 1 == ix.columns.size()) idx += " COLLATE NOCASE";
      }
      const std::string sql = "CREATE TABLE " + e.table + " (" + cols +
                              "); CREATE UNIQUE INDEX u ON " + e.table + " (" + idx +
                              "); INSERT INTO " + e.table + " VALUES (" + vals + ");";
      REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
      const std::string dup = "INSERT INTO " + e.table + " VALUES (" + vals + ")";
      const int rc = sqlite3_exec(db, dup.c_str(), nullptr, nullptr, nullptr);
      REQUIRE(rc == SQLITE_CONSTRAINT_UNIQUE);
      const ec::Error err = ec::store::sqlite_error(db, rc);
      sqlite3_close(db);
      const auto* f = e.column(ix.columns.back());
      REQUIRE(f);
      CHECK(err.code() == "conflict");
      CHECK(err.path() == json::array({f->name}));
      CHECK(err.params()["field"] == f->name);
      check_plain(err.to_json());
      ++checked;
    }
  }
  CHECK(checked >= 8);
}

TEST_CASE("a re-created e-mail of a soft-deleted user: conflict on email, deleted, restorable") {
  World w;
  const json member = w.ok("user.get", {{"id", w.a.member.user}}, w.a.owner);
  const std::string email = member["email"];

  SECTION("held by a current user") {
    const json err = w.fail("user.create", {{"email", email}, {"name", "Twin"}}, w.a.owner);
    CHECK(err["code"] == "conflict");
    CHECK(err["path"] == json::array({"email"}));
    CHECK(err["params"]["field"] == "email");
    CHECK(err["params"]["deleted"] == false);
    CHECK(err["params"]["id"] == w.a.member.user);
    check_plain(err);
  }
  SECTION("held by a soft-deleted user (the issue's case), whatever the case of the address") {
    w.ok("user.delete", {{"id", w.a.member.user}}, w.a.owner);
    std::string upper = email;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string& again : {email, upper}) {
      INFO(again);
      const json err = w.fail("user.create", {{"email", again}, {"name", "Back"}}, w.a.owner);
      CHECK(err["code"] == "conflict");
      CHECK(err["path"] == json::array({"email"}));
      CHECK(err["params"]["field"] == "email");
      CHECK(err["params"]["deleted"] == true);
      CHECK(err["params"]["id"] == w.a.member.user);
      CHECK(err["message"].get<std::string>().find("restore") != std::string::npos);
      check_plain(err);
    }
    // The named holder is indeed restorable.
    w.ok("user.restore", {{"id", w.a.member.user}}, w.a.owner);
  }
  SECTION("an update that takes another user's e-mail names the holder too") {
    const json err =
        w.fail("user.update", {{"id", w.a.admin.user}, {"patch", {{"email", email}}}}, w.a.owner);
    CHECK(err["code"] == "conflict");
    CHECK(err["path"] == json::array({"email"}));
    CHECK(err["params"]["id"] == w.a.member.user);
    check_plain(err);
  }
}

TEST_CASE("other unique fields: organization slug (no holder revealed), episode number") {
  World w;
  const json r = w.core.call_json({{"op", "organization.create"},
                                   {"params",
                                    {{"name", "Copy"},
                                     {"slug", "acme"},
                                     {"plan", "free"},
                                     {"ownerEmail", "x@y.io"},
                                     {"ownerName", "X"}}}});
  INFO(r.dump());
  REQUIRE(r["ok"] == false);
  CHECK(r["error"]["code"] == "conflict");
  CHECK(r["error"]["path"] == json::array({"slug"}));
  CHECK(r["error"]["params"]["field"] == "slug");
  CHECK_FALSE(r["error"]["params"].contains("id"));  // another tenant's row
  check_plain(r["error"]);

  const std::string p = w.project(w.a.owner);
  const std::string e1 = w.episode(w.a.owner, p, {{"number", 7}});
  const json err =
      w.fail("episode.create", {{"projectId", p}, {"title", "Dup"}, {"number", 7}}, w.a.owner);
  CHECK(err["code"] == "conflict");
  CHECK(err["path"] == json::array({"number"}));
  CHECK(err["params"]["id"] == e1);
  check_plain(err);
}
