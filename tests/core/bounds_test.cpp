// Bounds and value parity (issue 11 items 1 and 4; docs/adr/0012-bounds-and-value-parity.md):
// every integer has a declared maximum within JavaScript's safe integers, every JSON field an
// entry cap checked before its entries, no U+0000 or ill-formed UTF-8 anywhere, lengths in code
// points; the SQLite CHECKs refuse what validation refuses; one hostile row never stops the
// queue; a v2 file upgrades to v3.
#include <catch2/catch.hpp>

#include <random>

#include <sqlite3.h>

#include <set>

#include "core/api/api.hpp"
#include "core/json/codec.hpp"
#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/db.hpp"
#include "core/store/store.hpp"
#include "core/validate/validate.hpp"
#include "tests/support/owners.hpp"
#include "tests/support/world.hpp"

using json = nlohmann::json;
using namespace ectest;

namespace {

constexpr const char* kFri = "2025-08-15T09:00:00.000Z";
constexpr const char* kMon = "2025-08-18T10:00:00.000Z";

struct B : Owners {
  B() : Owners(7, kFri) {
    a = org("acme", "team");
    b = org("globex", "team");
  }
  std::string project(const Who& w, const std::string& name = "P") {
    const std::string id =
        ok("project.create",
           {{"name", name}, {"cadenceConfig", {{"days", {"mon"}}, {"time", "09:00"}}}}, w)["id"];
    ok("queue.plan", {{"projectId", id}}, w);
    return id;
  }
};

bool has_issue(const json& error, const std::string& code) {
  for (const auto& i : error.value("issues", json::array()))
    if (i["code"] == code) return true;
  return false;
}

}  // namespace

TEST_CASE("every integer of the schema and of every operation declares a safe maximum",
          "[bounds]") {
  for (const auto& e : ec::schema::entities())
    for (const auto& f : e.fields) {
      if (f.type != ec::schema::Type::Int && f.type != ec::schema::Type::Money) continue;
      INFO(e.name << "." << f.name);
      REQUIRE(f.min.has_value());
      REQUIRE(f.max.has_value());
      CHECK(*f.max <= ec::schema::kMaxSafeInteger);
      CHECK(*f.min >= -ec::schema::kMaxSafeInteger);
    }
  for (const auto& e : ec::schema::entities())
    for (const auto& f : e.fields)
      if (f.type == ec::schema::Type::Json) {
        INFO(e.name << "." << f.name);
        CHECK(f.max_entries.has_value());
      }
  // Derived arithmetic: next number, and a day of maximal rows, stay exact.
  CHECK(ec::schema::kMaxEpisodeNumber + 1 < ec::schema::kMaxSafeInteger);
}

TEST_CASE_METHOD(B, "episode.create number 9223372036854775807 is refused; 2^53+1 too",
                 "[bounds]") {
  const auto p = project(a);
  for (const json& n : {json(9223372036854775807LL), json(9007199254740993LL),
                        json(uint64_t{18446744073709551615ULL}), json(1000001)}) {
    const json e = error("episode.create", {{"projectId", p}, {"number", n}, {"title", "T"}}, a);
    CHECK(e["code"] == "invalid");
    CHECK(has_issue(e, "too_big"));
  }
  // The cap itself is accepted; the next auto-number then refuses cleanly, with a path.
  ok("episode.create", {{"projectId", p}, {"number", 1000000}, {"title", "Last"}}, a);
  const json e = error("episode.create", {{"projectId", p}, {"title", "Next"}}, a);
  CHECK(e["code"] == "conflict");
  CHECK(e["path"] == json::array({"number"}));
  // Other numbers can still be given explicitly.
  ok("episode.create", {{"projectId", p}, {"number", 2}, {"title", "Two"}}, a);
}

TEST_CASE_METHOD(B, "a hostile episode number stops neither its organization's queue nor others",
                 "[bounds][queue]") {
  const auto p1 = project(a, "hostile");
  const auto p2 = project(a, "fine");
  const auto p3 = project(b, "other tenant");
  ok("episode.create", {{"projectId", p1}, {"number", 1000000}, {"title", "Last"}}, a);
  now = kMon;
  json claimed = ok("queue.claim", {{"workerId", "w"}, {"limit", 10}}, a)["items"];
  std::set<std::string> projects;
  for (const auto& c : claimed) projects.insert(c["item"]["projectId"].get<std::string>());
  CHECK(projects.count(p2) == 1);
  CHECK(projects.count(p1) == 0);
  const json failed = ok("queue.list", {{"projectId", p1}, {"status", "failed"}}, a)["items"];
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["lastError"].get<std::string>().rfind("claim_failed: conflict", 0) == 0);
  json other = ok("queue.claim", {{"workerId", "w"}, {"limit", 10}}, b)["items"];
  REQUIRE(other.size() == 1);
  CHECK(other[0]["item"]["projectId"] == p3);
}

TEST_CASE_METHOD(B, "generationAttempts at its maximum saturates instead of failing the claim",
                 "[bounds][queue]") {
  const auto p = project(a);
  now = kMon;
  // The slot's episode exists already (made by hand) with the maximal attempt count.
  ok("episode.create",
     {{"projectId", p},
      {"title", "T"},
      {"scheduledFor", "2025-08-18T09:00:00.000Z"},
      {"generationAttempts", 1000}},
     a);
  json claimed = ok("queue.claim", {{"workerId", "w"}}, a)["items"];
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0]["episode"]["generationAttempts"] == 1000);
}

// No timing here (tests never assert on time, the machines are shared): the point is one issue,
// not one per entry; how long a 4 MB request takes is a benchmark's question.
TEST_CASE_METHOD(B, "1.3 M generationErrors entries are refused with one issue", "[bounds]") {
  const auto p = project(a);
  std::string req = R"({"op":"episode.create","as":)" + a.as().dump() +
                    R"(,"params":{"projectId":")" + p + R"(","title":"T","generationErrors":[)";
  req.reserve(req.size() + 3 * 1'300'000 + 10);
  for (int i = 0; i < 1'300'000; ++i) req += i ? ",{}" : "{}";
  req += "]}}";
  REQUIRE(req.size() < 4'000'000);
  const json r = json::parse(core.call(req));
  REQUIRE(r["ok"] == false);
  CHECK(r["error"]["code"] == "invalid");
  REQUIRE(r["error"]["issues"].size() == 1);
  CHECK(r["error"]["issues"][0]["code"] == "too_big");
  CHECK(r["error"]["issues"][0]["params"]["maximumEntries"] == 100);
}

TEST_CASE_METHOD(B, "validation stops collecting after kMaxIssues issues", "[bounds]") {
  json bad = json::object();
  for (int i = 0; i < 400; ++i) bad["k" + std::to_string(i)] = 1;
  const json e = error("project.create", bad, a);
  CHECK(e["issues"].size() == ec::schema::kMaxIssues);
}

TEST_CASE_METHOD(B, "U+0000 is refused in every kind of string, with invalid_chars and a path",
                 "[bounds][parity]") {
  const std::string nul("a\0b", 3);
  const auto p = project(a);
  struct Case {
    const char* op;
    json params;
    json path;
  };
  const std::vector<Case> cases = {
      {"project.create", {{"name", nul}}, {"name"}},
      {"project.create", {{"name", "P"}, {"description", nul}}, {"description"}},
      {"userEvent.create", {{"eventType", "a.b"}, {"eventData", {{"k", nul}}}}, {"eventData", "k"}},
      {"userEvent.create", {{"eventType", "a.b"}, {"eventData", {{nul, 1}}}}, {"eventData", nul}},
      {"userEvent.create",
       {{"eventType", "a.b"}, {"eventData", {{"list", {1, {{"deep", nul}}}}}}},
       {"eventData", "list", 1, "deep"}},
      {"episode.create", {{"projectId", p}, {"title", "x" + nul}}, {"title"}},
  };
  for (const auto& c : cases) {
    const json e = error(c.op, c.params, a);
    INFO(e.dump());
    CHECK(e["code"] == "invalid");
    bool found = false;
    for (const auto& i : e["issues"])
      if (i["code"] == "invalid_chars") {
        found = true;
        const json& path = i["path"];
        CHECK(std::equal(c.path.begin(), c.path.end(), path.end() - c.path.size()));
      }
    CHECK(found);
  }
}

TEST_CASE_METHOD(B, "JSON numbers jsonb or JavaScript would change are refused",
                 "[bounds][parity]") {
  for (const json& v : {json(9007199254740992LL), json(-9007199254740992LL), json(-0.0),
                        json(uint64_t{18446744073709551615ULL})}) {
    INFO(v.dump());
    error("userEvent.create", {{"eventType", "a.b"}, {"eventData", {{"n", v}}}}, a);
  }
  for (const json& v : {json(9007199254740991LL), json(0.5), json(-1e300), json(0)})
    ok("userEvent.create", {{"eventType", "a.b"}, {"eventData", {{"n", v}}}}, a);
}

TEST_CASE_METHOD(B, "lengths are code points: 200 astral characters fit a 200 name",
                 "[bounds][parity]") {
  std::string name;
  for (int i = 0; i < 200; ++i) name += "\xF0\x9F\x98\x80";  // U+1F600
  const json cadence{{"days", {"mon"}}, {"time", "09:00"}};
  ok("project.create", {{"name", name}, {"cadenceConfig", cadence}}, a);
  error("project.create", {{"name", name + "x"}, {"cadenceConfig", cadence}}, a);
  // SQLite length() agrees.
  CHECK(core.store()->db().query_int("SELECT max(length(name)) FROM projects", {}) == 200);
}

TEST_CASE_METHOD(B, "e-mails are ASCII so both engines fold case the same way",
                 "[bounds][parity]") {
  const json e = error("user.create", {{"email", "\xC3\x89mile@example.com"}, {"name", "E"}}, a);
  CHECK(e["code"] == "invalid");
  error("user.create", {{"email", "emile@\xC3\xA9xample.com"}, {"name", "E"}}, a);
  ok("user.create", {{"email", "emile@xn--xample-9ua.com"}, {"name", "E"}}, a);
  const json dup = error("user.create", {{"email", "EMILE@XN--XAMPLE-9UA.COM"}, {"name", "E"}}, a);
  CHECK(dup["code"] == "conflict");
}

TEST_CASE("generated hostile values per field type: validation and the SQLite CHECKs agree",
          "[bounds][parity]") {
  // Each value validation refuses must be refused by the column CHECK too (raw INSERT of the
  // value into an otherwise valid row), and each accepted one stored.
  ec::store::Store store(":memory:");
  auto& db = store.db();
  std::mt19937_64 rng(20250815);
  const std::vector<std::string> texts = {
      std::string("a\0b", 3), "\xED\xA0\x80", "\xC0\x80", "\xF4\x90\x80\x80", "ok",
      "\xF0\x9F\x98\x80",     "line\nbreak"};
  const std::vector<int64_t> ints = {
      INT64_MIN,          -1,       0, 1, 1000, 1000000, 1000001, 9007199254740991LL,
      9007199254740992LL, INT64_MAX};
  int checked = 0;
  for (const auto& e : ec::schema::entities()) {
    for (const auto& f : e.fields) {
      std::vector<std::pair<json, ec::codec::SqlValue>> values;
      if (f.type == ec::schema::Type::Int || f.type == ec::schema::Type::Money) {
        for (auto n : ints) values.push_back({json(n), n});
        for (int i = 0; i < 5; ++i) {
          const auto n = static_cast<int64_t>(rng());
          values.push_back({json(n), n});
        }
      } else if ((f.type == ec::schema::Type::String || f.type == ec::schema::Type::Text) &&
                 f.rule == ec::schema::Rule::None) {  // domain formats are core-only (ADR 0012)
        for (const auto& t : texts) {
          json j;
          try {
            j = json(t);
            (void)j.dump();
          } catch (...) {
            j = json(t);
          }
          values.push_back({j, t});
        }
        if (f.max) {
          std::string at_max, over;
          for (int64_t i = 0; i < *f.max; ++i) at_max += "\xC3\xA9";
          over = at_max + "e";
          values.push_back({json(at_max), at_max});
          values.push_back({json(over), over});
        }
      } else {
        continue;
      }
      for (const auto& [j, sql] : values) {
        // Ill-formed UTF-8 cannot arrive through JSON (the parser refuses it) and SQLite does not
        // check encodings: validation refuses it, PostgreSQL's encoding too; no SQLite CHECK.
        if (j.is_string() && !ec::validate::is_valid_utf8(j.get_ref<const std::string&>()))
          continue;
        std::vector<ec::Issue> issues;
        ec::validate::field(f, j, json::array({f.name}), issues);
        const bool valid = issues.empty();
        // Check the CHECK alone: evaluate it as an expression over the value.
        const std::string ck = ec::schema::sqlite_column_checks(f);
        if (ck.empty()) continue;
        std::string expr = ck.substr(std::string(" CHECK (").size());
        expr.pop_back();
        // Replace the column name by a bound parameter (every occurrence).
        std::string sqlx;
        size_t pos = 0;
        while (true) {
          const auto hit = expr.find(f.column, pos);
          const bool word =
              hit != std::string::npos &&
              (hit == 0 || !(std::isalnum(static_cast<unsigned char>(expr[hit - 1])) ||
                             expr[hit - 1] == '_')) &&
              (hit + f.column.size() == expr.size() ||
               !(std::isalnum(static_cast<unsigned char>(expr[hit + f.column.size()])) ||
                 expr[hit + f.column.size()] == '_'));
          if (hit == std::string::npos) {
            sqlx += expr.substr(pos);
            break;
          }
          sqlx += expr.substr(pos, hit - pos) + (word ? "?1" : f.column);
          pos = hit + f.column.size();
        }
        auto& st = db.prepare("SELECT coalesce((" + sqlx + "), 1)");
        st.bind(1, sql);
        REQUIRE(st.step());
        const bool check_ok = st.int64(0) != 0;
        st.reset();
        INFO(e.name << "." << f.name << " value " << (j.is_string() ? "string" : j.dump())
                    << " valid=" << valid << " check=" << check_ok);
        CHECK(valid == check_ok);
        ++checked;
      }
    }
  }
  CHECK(checked > 300);
}

TEST_CASE("raw SQLite writes cannot store U+0000 nor out-of-range integers", "[bounds][parity]") {
  ec::api::Core core(":memory:", ec::api::Options{3});
  auto& db = core.store()->db();
  CHECK_THROWS(
      db.exec("INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
              "('a0000000-0000-4000-8000-000000000001', 'a' || char(0) || 'b', 'ab', 0, "
              "0)"));
  CHECK_THROWS(
      db.exec("INSERT INTO organizations (id, name, slug, daily_cost_limit_micros, created_at, "
              "updated_at) VALUES ('a0000000-0000-4000-8000-000000000001', 'n', 'ab', "
              "9223372036854775807, 0, 0)"));
  CHECK_THROWS(
      db.exec("INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
              "('A0000000-0000-4000-8000-000000000001', 'n', 'ab', 0, 0)"));
  CHECK_THROWS(
      db.exec("INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
              "('a0000000-0000-4000-8000-000000000001', 'n', 'ab', 0, "
              "253402300800000)"));
  db.exec(
      "INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
      "('a0000000-0000-4000-8000-000000000001', 'n', 'ab', 0, 253402300799999)");
}

namespace {
std::string make_v2(const std::string& stem, const std::string& extra_sql) {
  const std::string sql = read_file("tests/fixtures/schema_v2.sql");
  REQUIRE_FALSE(sql.empty());
  const std::string path = temp_path(stem);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const std::string all =
      sql +
      "PRAGMA foreign_keys = ON;"
      "INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES "
      "('a0000000-0000-4000-8000-000000000001', 'Acme', 'acme', 0, 0);"
      "INSERT INTO users (id, organization_id, email, name, role, created_at, updated_at) VALUES "
      "('a0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000001', "
      "'o@acme.io', 'O', 'owner', 0, 0);"
      "INSERT INTO projects (id, organization_id, owner_id, name, cadence_config, created_at, "
      "updated_at) VALUES ('a0000000-0000-4000-8000-0000000000c1', "
      "'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000a1', 'P', "
      "'{\"days\":[\"mon\"],\"time\":\"09:00\"}', 0, 0);" +
      extra_sql;
  char* err = nullptr;
  const int rc = sqlite3_exec(db, all.c_str(), nullptr, nullptr, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);
  return path;
}
}  // namespace

TEST_CASE("a v2 database upgrades to v3: rows kept, new CHECKs in force", "[bounds][migrate]") {
  const std::string path = make_v2(
      "v2-upgrade",
      "INSERT INTO episodes (id, organization_id, project_id, number, title, created_at, "
      "updated_at) VALUES ('a0000000-0000-4000-8000-0000000000e1', "
      "'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000c1', 7, 'E', "
      "0, 0);");
  {
    ec::store::Store s(path);
    auto& db = s.db();
    CHECK(db.query_int("PRAGMA user_version", {}) == ec::schema::kSchemaVersion);
    CHECK(db.query_int("SELECT number FROM episodes", {}) == 7);
    CHECK(db.query_int("SELECT count(*) FROM pragma_foreign_key_check", {}) == 0);
    CHECK(db.query_int("PRAGMA foreign_keys", {}) == 1);
    CHECK_THROWS(db.exec("UPDATE episodes SET number = 9223372036854775807"));
    // Cascades still work after the rebuild (children reference the rebuilt parents).
    db.exec("DELETE FROM projects");
    CHECK(db.query_int("SELECT count(*) FROM episodes", {}) == 0);
    // Triggers were re-created.
    CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'", {}) >= 6);
  }
}

TEST_CASE("a v2 database holding a value outside the v3 bounds is refused unchanged",
          "[bounds][migrate]") {
  const std::string path =
      make_v2("v2-hostile",
              "INSERT INTO episodes (id, organization_id, project_id, number, title, created_at, "
              "updated_at) VALUES ('a0000000-0000-4000-8000-0000000000e1', "
              "'a0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-0000000000c1', "
              "9223372036854775807, 'E', 0, 0);");
  try {
    ec::store::Store s(path);
    FAIL("opened");
  } catch (const ec::Error& e) {
    CHECK(e.code() == "invalid");
    CHECK(e.path() == json::array({"episodes"}));
  }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 2);
  sqlite3_finalize(st);
  sqlite3_close(db);
}
