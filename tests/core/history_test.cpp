// The declared schema history (core/schema/history.hpp) and what is derived from it: a database
// of every older version (tests/fixtures/schema_v1.sql, _v2.sql, _v3.sql, _v6.sql) upgraded by the
// core has exactly the catalog of a fresh install (tables, columns, types, nullability, defaults,
// CHECKs, foreign keys, indexes, triggers); the blank rule means the same in the validator and
// in SQLite's CHECK; blank names met by the upgrade become the placeholder.
#include <catch2/catch.hpp>
#include <regex>

#include <sqlite3.h>

#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/db.hpp"
#include "core/store/store.hpp"
#include "core/validate/validate.hpp"
#include "tests/support/world.hpp"

using namespace ectest;
using ec::schema::kSchemaVersion;

namespace {

std::vector<std::vector<std::string>> rows(sqlite3* db, const std::string& sql,
                                           const std::string& arg = "") {
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
  if (!arg.empty()) sqlite3_bind_text(st, 1, arg.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::vector<std::string>> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> r;
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const auto* t = sqlite3_column_text(st, i);
      r.emplace_back(t ? reinterpret_cast<const char*>(t) : "NULL");
    }
    out.push_back(std::move(r));
  }
  sqlite3_finalize(st);
  return out;
}

// CREATE text as SQLite keeps it, normalized: a renamed table's quoted name unquoted, runs of
// white space as one space, none after "(" or "," nor before ")" (ALTER TABLE … ADD COLUMN
// splices its column in with other spacing than CREATE TABLE).
std::string normalize(std::string sql) {
  sql = std::regex_replace(sql, std::regex(R"re(^CREATE TABLE "(\w+)")re"), "CREATE TABLE $1");
  sql = std::regex_replace(sql, std::regex(R"(\s+)"), " ");
  sql = std::regex_replace(sql, std::regex(R"(([(,]) )"), "$1");
  sql = std::regex_replace(sql, std::regex(R"( \))"), ")");
  return sql;
}

/// Every schema object of a database file, normalized, one line each.
std::vector<std::string> catalog(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  for (const auto& r : rows(db, "PRAGMA application_id")) out.push_back("application_id " + r[0]);
  for (const auto& r : rows(db, "PRAGMA user_version")) out.push_back("user_version " + r[0]);
  const auto objects = rows(db,
                            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
  for (const auto& o : objects) {
    out.push_back(o[0] + " " + o[1] + " on " + o[2] + ": " + normalize(o[3]));
    if (o[0] != "table") continue;
    for (const auto& c : rows(db,
                              "SELECT cid, name, type, \"notnull\", coalesce(dflt_value, 'NULL'), "
                              "pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid",
                              o[1]))
      out.push_back("  column " + c[0] + " " + c[1] + " " + c[2] + " notnull=" + c[3] +
                    " default=" + c[4] + " pk=" + c[5] + " hidden=" + c[6]);
    for (const auto& i : rows(db,
                              "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) "
                              "ORDER BY name",
                              o[1])) {
      out.push_back("  index " + i[0] + " unique=" + i[1] + " origin=" + i[2] + " partial=" + i[3]);
      for (const auto& k : rows(db,
                                "SELECT seqno, coalesce(name, '<expr>'), \"desc\", coll, key "
                                "FROM pragma_index_xinfo(?) ORDER BY seqno",
                                i[0]))
        out.push_back("    " + k[0] + " " + k[1] + " desc=" + k[2] + " " + k[3] + " key=" + k[4]);
    }
    for (const auto& f : rows(db,
                              "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete "
                              "FROM pragma_foreign_key_list(?) ORDER BY id, seq",
                              o[1]))
      out.push_back("  fk " + f[0] + "." + f[1] + " " + f[3] + " -> " + f[2] + "." + f[4] +
                    " on update " + f[5] + " on delete " + f[6]);
  }
  sqlite3_close(db);
  return out;
}

void exec_file(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
}

// Blank names in an old file: the v1 fixture's rows renamed, or new rows in the v2/v3 schema.
const char* kBlankV1 =
    "UPDATE organizations SET name = char(12288, 32) WHERE slug = 'acme';"
    "UPDATE users SET name = char(9) WHERE email = 'ada@acme.io';"
    "UPDATE projects SET name = ' ';";
const char* kBlankV2 =
    "INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
    "('c0000000-0000-4000-8000-000000000001', char(12288, 32), 'blank', 0, 0);"
    "INSERT INTO users (id, organization_id, email, name, role, created_at, updated_at) VALUES "
    "('c0000000-0000-4000-8000-0000000000a1', 'c0000000-0000-4000-8000-000000000001', "
    "'o@blank.io', char(9), 'owner', 0, 0);"
    "INSERT INTO projects (id, organization_id, owner_id, name, cadence_config, created_at, "
    "updated_at) VALUES ('c0000000-0000-4000-8000-0000000000c1', "
    "'c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-0000000000a1', ' ', "
    "'{\"days\":[\"mon\"],\"time\":\"09:00\"}', 0, 0);"
    "INSERT INTO chat_sessions (id, organization_id, project_id, user_id, title, created_at, "
    "updated_at) VALUES ('c0000000-0000-4000-8000-0000000000d1', "
    "'c0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-0000000000c1', "
    "'c0000000-0000-4000-8000-0000000000a1', char(8203), 0, 0);";

// Rows in a v6 file (the schema the CLI and the browser's OPFS file had before v7's indexes).
const char* kV6Org = "c0000000-0000-4000-8000-000000000006";
const char* kV6Project = "c0000000-0000-4000-8000-0000000000c6";
const char* kRowsV6 =
    "INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
    "('c0000000-0000-4000-8000-000000000006', 'Six', 'six', 0, 0);"
    "INSERT INTO users (id, organization_id, email, name, role, created_at, updated_at) VALUES "
    "('c0000000-0000-4000-8000-0000000000a6', 'c0000000-0000-4000-8000-000000000006', "
    "'o@six.io', 'Ann', 'owner', 0, 0);"
    "INSERT INTO projects (id, organization_id, owner_id, name, cadence_config, created_at, "
    "updated_at) VALUES ('c0000000-0000-4000-8000-0000000000c6', "
    "'c0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-0000000000a6', 'Daily', "
    "'{\"days\":[\"mon\"],\"time\":\"09:00\"}', 0, 0);"
    "INSERT INTO episodes (id, organization_id, project_id, number, title, status, created_at, "
    "updated_at, deleted_at) VALUES ('c0000000-0000-4000-8000-0000000000e1', "
    "'c0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-0000000000c6', 1, 'One', "
    "'ready', 0, 0, NULL), ('c0000000-0000-4000-8000-0000000000e2', "
    "'c0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-0000000000c6', 2, 'Two', "
    "'ready', 0, 0, 5);"
    "INSERT INTO token_usage (id, organization_id, project_id, model, input_tokens, "
    "output_tokens, cost_micros, occurred_at, created_at, updated_at) VALUES "
    "('c0000000-0000-4000-8000-0000000000f1', 'c0000000-0000-4000-8000-000000000006', "
    "'c0000000-0000-4000-8000-0000000000c6', 'gpt', 1, 2, 3, 1000, 0, 0);";

}  // namespace

TEST_CASE("the schema version is the newest declared one", "[history]") {
  CHECK(kSchemaVersion == ec::schema::kVersions[std::size(ec::schema::kVersions) - 1].version);
  CHECK(ec::schema::sqlite_ddl().find("PRAGMA user_version = " + std::to_string(kSchemaVersion)) !=
        std::string::npos);
  // Every change names a version that exists, and every field added later is stored last.
  for (const auto& c : ec::schema::kChanges) CHECK(c.version <= kSchemaVersion);
  const auto* project = ec::schema::find_entity("Project");
  CHECK(ec::schema::storage_fields(*project).back()->name == "tagline");
}

TEST_CASE("every older version upgraded by the core equals a fresh install", "[history]") {
  const std::string fresh = temp_path("history-fresh");
  { ec::store::Store s(fresh); }
  const auto want = catalog(fresh);
  REQUIRE(want.size() > 100);
  struct Case {
    const char* fixture;
    int version;
    const char* blank_sql;
  };
  for (const Case& k : {Case{"tests/fixtures/schema_v1.sql", 1, kBlankV1},
                        Case{"tests/fixtures/schema_v2.sql", 2, kBlankV2},
                        Case{"tests/fixtures/schema_v3.sql", 3, kBlankV2},
                        Case{"tests/fixtures/schema_v6.sql", 6, kRowsV6}}) {
    DYNAMIC_SECTION("from v" << k.version) {
      const std::string sql = read_file(k.fixture);
      REQUIRE_FALSE(sql.empty());
      const std::string path = temp_path("history-v" + std::to_string(k.version));
      exec_file(path, sql + k.blank_sql);
      {
        ec::store::Store s(path);
        CHECK(s.opened_version() == k.version);
        auto& db = s.db();
        if (k.version == 6) {
          // Names cannot be blank since v4; the rows are kept, and the reads use v7's indexes.
          CHECK(db.query_int("SELECT count(*) FROM episodes", {}) == 2);
          CHECK(db.query_int("SELECT count(*) FROM token_usage", {}) == 1);
          CHECK(db.query_int("SELECT count(*) FROM pragma_index_list('token_usage') WHERE name = "
                             "'ix_token_usage_organization_id_project_id'",
                             {}) == 0);
          CHECK(db.query_int("SELECT count(*) FROM episodes INDEXED BY "
                             "ix_episodes_organization_id_project_id_deleted_at_status "
                             "WHERE organization_id = ? AND project_id = ? AND deleted_at IS NULL "
                             "AND status = 'ready'",
                             {std::string(kV6Org), std::string(kV6Project)}) == 1);
          CHECK(db.query_int("SELECT count(*) FROM token_usage INDEXED BY "
                             "ix_token_usage_organization_id_project_id_occurred_at_id "
                             "WHERE organization_id = ? AND project_id = ?",
                             {std::string(kV6Org), std::string(kV6Project)}) == 1);
        } else {
          // Blank names became the placeholder; nothing else was renamed.
          CHECK(db.query_int("SELECT count(*) FROM organizations WHERE name = 'Untitled'", {}) ==
                1);
          CHECK(db.query_int("SELECT count(*) FROM users WHERE name = 'Untitled'", {}) == 1);
          CHECK(db.query_int("SELECT count(*) FROM projects WHERE name = 'Untitled'", {}) ==
                db.query_int("SELECT count(*) FROM projects", {}));
          if (k.version > 1)
            CHECK(db.query_int("SELECT count(*) FROM chat_sessions WHERE title = 'Untitled'", {}) ==
                  1);
        }
        CHECK(db.query_int("SELECT count(*) FROM projects WHERE tagline IS NULL", {}) ==
              db.query_int("SELECT count(*) FROM projects", {}));
      }
      const auto got = catalog(path);
      CHECK(got == want);
      if (got != want) {
        for (size_t i = 0; i < std::max(got.size(), want.size()); ++i) {
          const std::string a = i < got.size() ? got[i] : "<none>";
          const std::string b = i < want.size() ? want[i] : "<none>";
          if (a != b) {
            INFO("upgraded: " << a << "\nfresh:    " << b);
            CHECK(a == b);
            break;
          }
        }
      }
    }
  }
}

TEST_CASE("blank: the validator and the SQLite CHECK refuse the same strings", "[history]") {
  const auto* org = ec::schema::find_entity("Organization");
  const auto* name = org->field("name");
  REQUIRE(name->not_blank);
  ec::store::Db db(":memory:");
  db.exec("CREATE TABLE t (" + ec::schema::sqlite_column_def(*name) + ")");
  auto utf8 = [](char32_t cp) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
  };
  std::vector<std::string> samples;
  std::string all;
  for (char32_t cp : ec::schema::kBlankCodePoints) {
    samples.push_back(utf8(cp));
    samples.push_back(utf8(cp) + "x" + utf8(cp));
    all += utf8(cp);
  }
  samples.push_back(all);
  // Not blank: visible text, and invisible characters outside the declared set.
  for (char32_t cp : {U'a', U'\u180e', U'\u200c', U'\u200d', U'\u00ad', U'\u2800', U'\u3164'})
    samples.push_back(utf8(cp));
  int blank = 0;
  for (const auto& s : samples) {
    std::vector<ec::Issue> issues;
    ec::validate::field(*name, json(s), json::array({"name"}), issues);
    bool said_blank = false;
    for (const auto& i : issues) said_blank = said_blank || i.code == "blank";
    blank += said_blank ? 1 : 0;
    CHECK(said_blank == ec::schema::is_blank(s));
    bool stored = true;
    try {
      db.exec("DELETE FROM t");
      auto& st = db.prepare("INSERT INTO t VALUES (?)");
      st.bind(1, s);
      st.step();
      st.reset();
    } catch (const ec::Error&) {
      stored = false;
    }
    INFO("sample " << s);
    CHECK(stored == issues.empty());
  }
  CHECK(blank == static_cast<int>(std::size(ec::schema::kBlankCodePoints)) + 1);
}

TEST_CASE("the SQLite upgrade v3 -> v4 is derived from the history", "[history]") {
  const std::string sql = ec::schema::sqlite_upgrade_sql(3);
  CHECK(sql.find("ALTER TABLE projects ADD COLUMN tagline TEXT CHECK") != std::string::npos);
  CHECK(sql.find("UPDATE organizations SET name = 'Untitled' WHERE trim(name, char(9,") !=
        std::string::npos);
  // The rebuilt table's temporary name carries the newest version (ddl_sqlite.cpp).
  CHECK(sql.find("ALTER TABLE organizations__v" + std::to_string(ec::schema::kSchemaVersion) +
                 " RENAME TO organizations") != std::string::npos);
  CHECK(sql.find("blocks") == std::string::npos);  // untouched tables are not rebuilt
}

TEST_CASE("the upgrade v6 -> v7 adds and drops indexes, derived from the history", "[history]") {
  const std::string sql = ec::schema::sqlite_upgrade_sql(6);
  CHECK(sql.find("CREATE INDEX IF NOT EXISTS ix_episodes_organization_id_project_id_deleted_at_"
                 "status ON episodes (organization_id, project_id, deleted_at, status)") !=
        std::string::npos);
  CHECK(sql.find("CREATE INDEX IF NOT EXISTS ix_token_usage_organization_id_project_id_occurred_"
                 "at_id ON token_usage (organization_id, project_id, occurred_at, id)") !=
        std::string::npos);
  CHECK(sql.find("DROP INDEX IF EXISTS ix_token_usage_organization_id_project_id;") !=
        std::string::npos);
  CHECK(sql.find("RENAME") == std::string::npos);  // no table is rebuilt
  // The fresh DDL has the new indexes and not the dropped one.
  const std::string ddl = ec::schema::sqlite_ddl();
  CHECK(ddl.find("ix_token_usage_organization_id_project_id ") == std::string::npos);
  CHECK(ddl.find("ix_episodes_organization_id_project_id_deleted_at_status") != std::string::npos);
  const auto* usage = ec::schema::find_entity("TokenUsage");
  REQUIRE(usage->index("ix_token_usage_organization_id_project_id_occurred_at_id") != nullptr);
  CHECK(usage->index("ix_token_usage_organization_id_project_id") == nullptr);
}
