// Store layer: Db wrapper (statements, transactions, error mapping), Store (schema, ids,
// clock), generic repo (tenant scoping, soft delete visibility, lists), audit append-only.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "core/json/codec.hpp"
#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/audit.hpp"
#include "core/store/db.hpp"
#include "core/store/queue.hpp"
#include "core/store/repo.hpp"
#include "core/store/store.hpp"
#include "core/validate/validate.hpp"
#include "tests/support/world.hpp"

using namespace ec;
using ec::store::Db;
namespace repo = ec::store::repo;

namespace {

std::string error_code(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  } catch (const std::exception& e) {
    return std::string("std::exception: ") + e.what();
  }
  return "ok";
}

const schema::Entity& E(const char* n) {
  return *schema::find_entity(n);
}

constexpr const char* kTs = "2025-08-15T09:00:00.000Z";

json org_row(store::Store& s, const std::string& slug) {
  return repo::with_defaults(
      E("Organization"),
      {{"id", s.new_id()}, {"name", slug}, {"slug", slug}, {"createdAt", kTs}, {"updatedAt", kTs}});
}
json user_row(store::Store& s, const std::string& org, const std::string& email) {
  return repo::with_defaults(E("User"), {{"id", s.new_id()},
                                         {"organizationId", org},
                                         {"email", email},
                                         {"name", "U"},
                                         {"createdAt", kTs},
                                         {"updatedAt", kTs}});
}
json project_row(store::Store& s, const std::string& org, const std::string& owner,
                 const std::string& name, const char* ts = kTs) {
  return repo::with_defaults(E("Project"),
                             {{"id", s.new_id()},
                              {"organizationId", org},
                              {"ownerId", owner},
                              {"name", name},
                              {"cadenceConfig", {{"days", {"mon"}}, {"time", "09:00"}}},
                              {"createdAt", ts},
                              {"updatedAt", ts}});
}

}  // namespace

TEST_CASE("Db: statements, query_int, cached prepare") {
  Db db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x'), (2, NULL)");
  CHECK(db.query_int("SELECT count(*) FROM t", {}) == 2);
  CHECK(db.query_int("SELECT a FROM t WHERE b = ?", {std::string("x")}) == 1);
  CHECK(db.query_int("SELECT a FROM t WHERE b = ?", {std::string("none")}) == 0);
  auto& st = db.prepare("SELECT a, b FROM t ORDER BY a");
  REQUIRE(st.step());
  CHECK(st.columns() == 2);
  CHECK(st.column_name(1) == "b");
  CHECK(st.int64(0) == 1);
  CHECK(st.text(1) == "x");
  REQUIRE(st.step());
  CHECK(st.is_null(1));
  CHECK(std::holds_alternative<std::nullptr_t>(st.value(1)));
  CHECK_FALSE(st.step());
  // The same SQL text returns the same (reset) statement.
  auto& again = db.prepare("SELECT a, b FROM t ORDER BY a");
  CHECK(&again == &st);
  REQUIRE(again.step());
  CHECK(again.int64(0) == 1);
  again.reset();
  auto& ins = db.prepare("INSERT INTO t VALUES (?, ?)");
  ins.bind_all({int64_t{3}, 2.5});
  CHECK(ins.run() == 1);
  CHECK(db.query_int("SELECT count(*) FROM t WHERE a = 3", {}) == 1);
  CHECK(error_code([&] { db.exec("SELECT * FROM nowhere"); }) == "internal");
  CHECK(error_code([&] { db.prepare("SELEKT 1"); }) == "internal");
}

TEST_CASE("Db: a cached statement is not re-prepared when its bound LIMIT changes") {
  // Every list binds LIMIT ? OFFSET ?: without the planner's stability guarantee SQLite plans
  // with the bound LIMIT and expires the statement at the next bind (a re-prepare per read).
  Db db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT); CREATE INDEX ix_t_b ON t (b)");
  db.exec("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'x'), (4, 'z')");
  const std::string sql = "SELECT a FROM t WHERE b = ? ORDER BY a DESC LIMIT ? OFFSET ?";
  std::vector<std::vector<int64_t>> pages;
  for (const int64_t limit : {1, 2, 5, 1}) {
    auto& st = db.prepare(sql);
    st.bind_all({std::string("x"), limit, int64_t{0}});
    std::vector<int64_t> rows;
    while (st.step()) rows.push_back(st.int64(0));
    st.reset();
    pages.push_back(rows);
  }
  CHECK(pages == std::vector<std::vector<int64_t>>{{3}, {3, 1}, {3, 1}, {3}});
  sqlite3_stmt* raw = nullptr;
  for (sqlite3_stmt* p = sqlite3_next_stmt(db.handle(), nullptr); p;
       p = sqlite3_next_stmt(db.handle(), p))
    if (sql == sqlite3_sql(p)) raw = p;
  REQUIRE(raw);
  CHECK(sqlite3_stmt_status(raw, SQLITE_STMTSTATUS_REPREPARE, 0) == 0);
}

TEST_CASE("Db: transactions commit, roll back, nest as savepoints") {
  Db db(":memory:");
  db.exec("CREATE TABLE t (a INTEGER)");
  auto count = [&] { return db.query_int("SELECT count(*) FROM t", {}); };
  db.transaction([&] { db.exec("INSERT INTO t VALUES (1)"); });
  CHECK(count() == 1);
  CHECK_FALSE(db.in_transaction());
  CHECK(error_code([&] {
          db.transaction([&] {
            db.exec("INSERT INTO t VALUES (2)");
            CHECK(db.in_transaction());
            throw Error(code::conflict, "boom");
          });
        }) == "conflict");
  CHECK(count() == 1);
  CHECK_FALSE(db.in_transaction());
  // An inner failure caught by the outer function rolls back only the inner part.
  db.transaction([&] {
    db.exec("INSERT INTO t VALUES (3)");
    try {
      db.transaction([&] {
        db.exec("INSERT INTO t VALUES (4)");
        throw std::runtime_error("inner");
      });
    } catch (const std::runtime_error&) {
    }
    db.exec("INSERT INTO t VALUES (5)");
  });
  CHECK(db.query_int("SELECT count(*) FROM t WHERE a = 4", {}) == 0);
  CHECK(db.query_int("SELECT count(*) FROM t WHERE a IN (3, 5)", {}) == 2);
  // An outer failure rolls back committed inner savepoints too.
  CHECK(error_code([&] {
          db.transaction([&] {
            db.transaction([&] { db.exec("INSERT INTO t VALUES (6)"); });
            throw Error(code::invalid, "outer");
          });
        }) == "invalid");
  CHECK(db.query_int("SELECT count(*) FROM t WHERE a = 6", {}) == 0);
}

TEST_CASE("Db: SQLite errors map to ec::Error codes") {
  Db db(":memory:");
  db.exec(
      "CREATE TABLE p (id INTEGER PRIMARY KEY);"
      "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p(id), v INTEGER NOT NULL "
      "CHECK (v >= 0),"
      " u TEXT UNIQUE);"
      "CREATE TRIGGER no_del BEFORE DELETE ON c BEGIN SELECT RAISE(ABORT, 'c is append-only'); END;"
      "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1, 0, 'x');");
  CHECK(error_code([&] { db.exec("INSERT INTO c VALUES (2, 1, 0, 'x')"); }) ==
        "conflict");  // unique
  CHECK(error_code([&] { db.exec("INSERT INTO c VALUES (1, 1, 0, 'y')"); }) ==
        "conflict");  // primary key
  CHECK(error_code([&] { db.exec("INSERT INTO c VALUES (3, 99, 0, 'z')"); }) ==
        "conflict");  // foreign key
  CHECK(error_code([&] { db.exec("INSERT INTO c VALUES (4, 1, -1, 'w')"); }) ==
        "invalid");  // check
  CHECK(error_code([&] { db.exec("INSERT INTO c VALUES (5, 1, NULL, 'v')"); }) ==
        "invalid");                                                     // not null
  CHECK(error_code([&] { db.exec("DELETE FROM c"); }) == "forbidden");  // trigger
  CHECK(db.query_int("SELECT count(*) FROM c", {}) == 1);
}

TEST_CASE("Db: opening files that are not SQLite") {
  const std::string path = ectest::temp_path("garbage");
  const std::string garbage =
      "This is not a database, just some text that is long enough to look like a header.\n" +
      std::string(4096, 'x');
  ectest::write_file(path, garbage);
  CHECK(error_code([&] { Db db(path); }) == "not_a_database");
  CHECK(ectest::read_file(path) == garbage);
  CHECK(error_code([&] { Db db("build/no/such/dir/x.db"); }) == "io");
  CHECK(error_code([&] { Db db(ectest::temp_path("nocreate"), /*create=*/false); }) == "io");
  std::remove(path.c_str());
}

TEST_CASE("Store: fresh schema, ids, clock") {
  store::Store s(":memory:", 5);
  CHECK(s.db().query_int("PRAGMA user_version", {}) == schema::kSchemaVersion);
  CHECK(s.db().query_int("PRAGMA application_id", {}) == schema::kApplicationId);
  CHECK(schema::kApplicationId == ('E' << 24 | 'P' << 16 | 'C' << 8 | '1'));
  CHECK(s.opened_version() == 0);
  for (const auto& e : schema::entities()) {
    INFO(e.table);
    CHECK(s.db().query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                           {e.table}) == 1);
  }
  CHECK(s.db().query_int("PRAGMA foreign_keys", {}) == 1);
  SECTION("ids are v4 UUIDs, deterministic per seed, distinct") {
    store::Store t(":memory:", 5);
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
      const std::string a = s.new_id();
      CHECK(a == t.new_id());
      CHECK(validate::is_uuid(a));
      CHECK(a[14] == '4');
      CHECK(std::string("89ab").find(a[19]) != std::string::npos);
      CHECK(seen.insert(a).second);
    }
    store::Store u(":memory:", 6);
    CHECK(u.new_id() != store::Store(":memory:", 5).new_id());
  }
  SECTION("clock") {
    s.set_clock(1234);
    CHECK(s.now() == 1234);
    CHECK(s.clock_override() == 1234);
    s.set_clock(std::nullopt);
    CHECK(s.now() > *parse_instant("2024-01-01T00:00:00Z"));
  }
  SECTION("reopening a file keeps data and version") {
    const std::string path = ectest::temp_path("reopen");
    {
      store::Store w(path, 1);
      repo::insert(w, E("Organization"), org_row(w, "acme"));
    }
    store::Store r(path, 1);
    CHECK(r.opened_version() == schema::kSchemaVersion);
    CHECK(r.db().query_int("SELECT count(*) FROM organizations", {}) == 1);
    std::remove(path.c_str());
  }
}

TEST_CASE("repo: tenant scoping, soft delete visibility, lists") {
  store::Store s(":memory:", 11);
  const json oa = org_row(s, "org-a"), ob = org_row(s, "org-b");
  repo::insert(s, E("Organization"), oa);
  repo::insert(s, E("Organization"), ob);
  const std::string A = oa["id"], B = ob["id"];
  const json ua = user_row(s, A, "a@a.io"), ub = user_row(s, B, "b@b.io");
  repo::insert(s, E("User"), ua);
  repo::insert(s, E("User"), ub);
  const json p1 = project_row(s, A, ua["id"], "Charlie", "2025-08-15T09:00:00.000Z");
  const json p2 = project_row(s, A, ua["id"], "Alpha", "2025-08-15T10:00:00.000Z");
  const json p3 = project_row(s, A, ua["id"], "Bravo", "2025-08-15T11:00:00.000Z");
  const json pb = project_row(s, B, ub["id"], "Other", "2025-08-15T09:00:00.000Z");
  for (const auto& p : {p1, p2, p3, pb}) repo::insert(s, E("Project"), p);

  CHECK(repo::find(s, E("Project"), A, p1["id"]) == p1);
  CHECK_FALSE(repo::find(s, E("Project"), A, pb["id"]).has_value());
  CHECK_FALSE(repo::find(s, E("Project"), B, p1["id"]).has_value());
  CHECK(error_code([&] { repo::get(s, E("Project"), A, pb["id"]); }) == "not_found");
  CHECK(repo::find(s, E("Organization"), A, A).has_value());

  repo::ListQuery q;
  CHECK(repo::count(s, E("Project"), A, q) == 3);
  q.order_by = "name";
  auto items = repo::list(s, E("Project"), A, q);
  REQUIRE(items.size() == 3);
  CHECK(items[0]["name"] == "Alpha");
  CHECK(items[2]["name"] == "Charlie");
  q.descending = true;
  q.limit = 2;
  items = repo::list(s, E("Project"), A, q);
  REQUIRE(items.size() == 2);
  CHECK(items[0]["name"] == "Charlie");
  q.offset = 2;
  items = repo::list(s, E("Project"), A, q);
  REQUIRE(items.size() == 1);
  CHECK(items[0]["name"] == "Alpha");
  CHECK(repo::count(s, E("Project"), A, q) == 3);  // count ignores paging
  repo::ListQuery by_name;
  by_name.equals.emplace_back("name", "Bravo");
  CHECK(repo::count(s, E("Project"), A, by_name) == 1);
  CHECK(repo::count(s, E("Project"), B, by_name) == 0);
  repo::ListQuery bad;
  bad.order_by = "nope";
  CHECK(error_code([&] { repo::list(s, E("Project"), A, bad); }) == "bad_request");

  SECTION("soft-deleted rows and their children are hidden") {
    const json ep = repo::with_defaults(E("Episode"), {{"id", s.new_id()},
                                                       {"organizationId", A},
                                                       {"projectId", p1["id"]},
                                                       {"number", 1},
                                                       {"title", "t"},
                                                       {"createdAt", kTs},
                                                       {"updatedAt", kTs}});
    repo::insert(s, E("Episode"), ep);
    CHECK(repo::set_fields(s, E("Project"), A, p1["id"],
                           {{"deletedAt", kTs}, {"deletedBy", ua["id"]}}));
    CHECK_FALSE(repo::find(s, E("Project"), A, p1["id"]).has_value());
    CHECK(repo::find(s, E("Project"), A, p1["id"], true).has_value());
    CHECK_FALSE(repo::find(s, E("Episode"), A, ep["id"]).has_value());
    CHECK(repo::find(s, E("Episode"), A, ep["id"], true).has_value());
    repo::ListQuery trash;
    trash.only_deleted = true;
    CHECK(repo::count(s, E("Project"), A, trash) == 1);
    repo::ListQuery all;
    all.include_deleted = true;
    CHECK(repo::count(s, E("Project"), A, all) == 3);
    CHECK(repo::count(s, E("Project"), A, {}) == 2);
    CHECK(repo::count(s, E("Episode"), A, {}) == 0);
    CHECK(repo::count(s, E("Episode"), A, all) == 1);
  }
  SECTION("set_fields and purge are scoped") {
    CHECK_FALSE(repo::set_fields(s, E("Project"), B, p1["id"], {{"name", "hijack"}}));
    CHECK(repo::get(s, E("Project"), A, p1["id"])["name"] == "Charlie");
    CHECK_FALSE(repo::purge(s, E("Project"), B, p1["id"]));
    CHECK(repo::purge(s, E("Project"), A, p1["id"]));
    CHECK_FALSE(repo::find(s, E("Project"), A, p1["id"], true).has_value());
    CHECK(error_code([&] {
            repo::set_fields(s, E("Project"), A, p2["id"], {{"colour", 1}});
          }) == "bad_request");
  }
  SECTION("the database refuses a child pointing at another organization's parent") {
    json cross = project_row(s, A, ub["id"], "Cross");
    CHECK(error_code([&] { repo::insert(s, E("Project"), cross); }) == "conflict");
    json ep = repo::with_defaults(E("Episode"), {{"id", s.new_id()},
                                                 {"organizationId", A},
                                                 {"projectId", pb["id"]},
                                                 {"number", 1},
                                                 {"title", "t"},
                                                 {"createdAt", kTs},
                                                 {"updatedAt", kTs}});
    CHECK(error_code([&] { repo::insert(s, E("Episode"), ep); }) == "conflict");
  }
  SECTION("unique e-mail per organization is case-insensitive in the database") {
    CHECK(error_code([&] { repo::insert(s, E("User"), user_row(s, A, "A@A.IO")); }) == "conflict");
    CHECK(error_code([&] { repo::insert(s, E("User"), user_row(s, B, "A@A.IO")); }) == "ok");
  }
}

TEST_CASE("repo: defaults and diff") {
  json row = repo::with_defaults(E("Project"), {{"name", "x"}});
  CHECK(row["status"] == "active");
  CHECK(row["description"] == "");
  CHECK(row["memories"] == json::array());
  CHECK(row["deletedAt"].is_null());
  CHECK_FALSE(row.contains("cadenceConfig"));
  json before{{"name", "a"}, {"status", "active"}, {"updatedAt", "t1"}};
  json after{{"name", "b"}, {"status", "active"}, {"updatedAt", "t2"}};
  CHECK(repo::diff(E("Project"), before, after) ==
        json{{"name", {{"before", "a"}, {"after", "b"}}}});
  CHECK(repo::diff(E("Project"), before, before).empty());
  json created = repo::diff(E("Project"), nullptr, after);
  CHECK(created["name"] == json{{"before", nullptr}, {"after", "b"}});
  CHECK_FALSE(created.contains("updatedAt"));
}

TEST_CASE("audit: rows are written by store::audit and cannot be changed") {
  store::Store s(":memory:", 12);
  const json o = org_row(s, "acme");
  repo::insert(s, E("Organization"), o);
  const json u = user_row(s, o["id"], "a@a.io");
  repo::insert(s, E("User"), u);
  store::Actor actor{o["id"], u["id"]};
  store::audit(s, actor, "update", E("User"), u["id"],
               {{"name", {{"before", "U"}, {"after", "V"}}}}, 1000);
  store::audit(s, store::Actor{o["id"], ""}, "create", E("Organization"), o["id"], json::object(),
               2000);
  auto rows = repo::list(s, E("AuditLog"), o["id"], {});
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["actorId"] == u["id"]);
  CHECK(rows[0]["entityType"] == "User");
  CHECK(rows[0]["occurredAt"] == "1970-01-01T00:00:01.000Z");
  CHECK(rows[1]["actorId"].is_null());  // system actor
  CHECK(rows[1]["organizationId"] == o["id"]);
  for (const auto& r : rows)
    CHECK(validate::entity(E("AuditLog"), r, validate::Mode::Record).empty());
  const std::string id = rows[0]["id"];
  CHECK(error_code([&] {
          repo::set_fields(s, E("AuditLog"), o["id"], id, {{"action", "forged"}});
        }) == "forbidden");
  CHECK(error_code([&] { repo::purge(s, E("AuditLog"), o["id"], id); }) == "forbidden");
  CHECK(error_code([&] { s.db().exec("UPDATE audit_log SET changes = '{}'"); }) == "forbidden");
  CHECK(error_code([&] { s.db().exec("DELETE FROM audit_log WHERE 1"); }) == "forbidden");
  CHECK(repo::get(s, E("AuditLog"), o["id"], id)["action"] == "update");
  CHECK(s.db().query_int("SELECT count(*) FROM audit_log", {}) == 2);
}

// audited_change writes the audit's changes as text (no JSON object per change): the stored text
// is what the serializer writes for the object {"field":{"before":…,"after":…}} the change
// audited before, on generated values (escapes, UTF-8, nested JSON, null, numbers).
TEST_CASE("audited_change stores the changes text the serializer writes") {
  store::Store s(":memory:", 14);
  const json o = org_row(s, "acme");
  repo::insert(s, E("Organization"), o);
  const json u = user_row(s, o["id"], "a@a.io");
  repo::insert(s, E("User"), u);
  const json u2 = user_row(s, o["id"], "b@b.io");
  repo::insert(s, E("User"), u2);
  json p = project_row(s, o["id"], u["id"], "P");
  repo::insert(s, E("Project"), p);
  p = repo::get(s, E("Project"), o["id"], p["id"]);
  const store::Actor actor{o["id"], u["id"]};
  const char* names[] = {"plain", "q\"uote \\ back", "caf\xC3\xA9 \xE2\x82\xAC", "\xF0\x9F\x98\x80",
                         "zz"};
  const char* texts[] = {
      "plain", "q\"uote \\ back", "tab\tnl\n", "caf\xC3\xA9 \xE2\x82\xAC", "\xF0\x9F\x98\x80", "",
      "zz"};
  int n = 0;
  for (const char* name : names) {
    for (const char* description : texts) {
      json fields = {
          {"name", std::string(name) + std::to_string(n)},
          {"description", description},
          {"cadenceConfig", {{"days", {"mon", "fri"}}, {"time", n % 2 ? "10:00" : "09:30"}}}};
      if (n % 3 == 0) fields["ownerId"] = u2["id"];
      if (n % 3 == 1) fields["ownerId"] = u["id"];
      // The object the change audited before, in its stored form (dump of it).
      json expected = json::object();
      for (const auto& [k, v] : fields.items()) {
        json after = v;
        codec::canonicalize(*E("Project").field(k), after);
        if (p[k] != after) expected[k] = {{"before", p[k]}, {"after", after}};
      }
      bool changed = false;
      p = store::audited_change(s, actor, E("Project"), p, fields, "update", 1000 + n, &changed);
      CHECK(changed == !expected.empty());
      if (changed) {
        auto& st =
            s.db().prepare("SELECT changes FROM audit_log ORDER BY occurred_at DESC LIMIT 1");
        REQUIRE(st.step());
        const std::string stored = st.text(0);
        st.reset();
        CHECK(stored == expected.dump());
      }
      ++n;
    }
  }
}

// The queue's rows as typed values (repo::Row, docs/adr: queue rows as typed values) against the
// JSON rows they replaced: two stores built alike get the same generated changes, one through
// audited_change of a JSON row, the other through audited_change of a Row with the values in SQL
// form. Both must run the same statements with the same binds (audit rows included), answer the
// same changed flag, leave the same row (to_json, and write_row byte-identical to dump_text) and
// throw the same errors (invalid UTF-8 in the audit).
TEST_CASE("audited_change on a Row does what it does on the JSON row") {
  struct Side {
    store::Store s{":memory:", 21};
    std::string trace;
    json org, user, project, episode, item;
  };
  Side a, b;
  for (Side* side : {&a, &b}) {
    Side& x = *side;
    x.org = org_row(x.s, "acme");
    repo::insert(x.s, E("Organization"), x.org);
    x.user = user_row(x.s, x.org["id"], "a@a.io");
    repo::insert(x.s, E("User"), x.user);
    x.project = project_row(x.s, x.org["id"], x.user["id"], "P");
    repo::insert(x.s, E("Project"), x.project);
    x.episode = repo::with_defaults(E("Episode"), {{"id", x.s.new_id()},
                                                   {"organizationId", x.org["id"]},
                                                   {"projectId", x.project["id"]},
                                                   {"number", 1},
                                                   {"title", "Episode 1"},
                                                   {"scheduledFor", kTs},
                                                   {"createdAt", kTs},
                                                   {"updatedAt", kTs}});
    repo::insert(x.s, E("Episode"), x.episode);
    x.item = repo::with_defaults(E("EpisodeScheduleQueue"), {{"id", x.s.new_id()},
                                                             {"organizationId", x.org["id"]},
                                                             {"projectId", x.project["id"]},
                                                             {"scheduledFor", kTs},
                                                             {"runAfter", kTs},
                                                             {"createdAt", kTs},
                                                             {"updatedAt", kTs}});
    repo::insert(x.s, E("EpisodeScheduleQueue"), x.item);
    x.s.db().set_trace([&x](std::string_view sql, const std::vector<store::SqlValue>& binds) {
      x.trace += sql;
      for (const auto& v : binds) {
        x.trace += '|';
        if (const auto* n = std::get_if<int64_t>(&v)) x.trace += std::to_string(*n);
        if (const auto* t = std::get_if<std::string>(&v)) x.trace += *t;
        if (std::holds_alternative<std::nullptr_t>(v)) x.trace += "NULL";
      }
      x.trace += '\n';
    });
  }
  const store::Actor actor{a.org["id"], a.user["id"]};
  // Candidate values per field (instants also in non-canonical spellings, texts with escapes,
  // UTF-8 and one invalid UTF-8 sequence, JSON with nesting, nulls where allowed).
  const json texts = json::array(
      {"w1", "q\"uote \\ back", "caf\xC3\xA9 \xE2\x82\xAC", "tab\tnl\n", "\xF0\x9F\x98\x80", ""});
  const json instants = json::array({"2025-08-15T10:00:00Z", "2025-08-15T10:00:00.000Z",
                                     "2025-08-16T11:22:33.456+02:00", "1999-12-31T23:59:59.999Z"});
  const std::vector<std::pair<std::string, json>> queue_fields = {
      {"status", json::array({"pending", "processing", "completed", "failed", "cancelled"})},
      {"attempts", json::array({0, 1, 2, 7})},
      {"maxAttempts", json::array({1, 3, 5})},
      {"lockedBy", texts},
      {"lockedUntil", instants},
      {"runAfter", instants},
      {"lastError", texts},
      {"episodeId", json::array({a.episode["id"]})},
      {"completedAt", instants}};
  const json errors = json::array(
      {json::array(), json::array({{{"at", kTs}, {"code", "x"}, {"message", "m\"1"}}}),
       json::array(
           {{{"attempt", 2}, {"nested", {{"k", {1, 2, 3}}}}, {"message", "caf\xC3\xA9"}}})});
  const std::vector<std::pair<std::string, json>> episode_fields = {
      {"status", json::array({"scheduled", "generating", "ready", "failed"})},
      {"title", texts},
      {"generatedAt", instants},
      {"generationAttempts", json::array({0, 1, 1000})},
      {"generationErrors", errors}};
  uint64_t rng = 7;
  const auto next = [&](uint64_t n) {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (rng >> 33) % n;
  };
  repo::Row item = *repo::find_row(b.s, E("EpisodeScheduleQueue"), b.org["id"], b.item["id"]);
  repo::Row episode = *repo::find_row(b.s, E("Episode"), b.org["id"], b.episode["id"]);
  a.item = repo::get(a.s, E("EpisodeScheduleQueue"), a.org["id"], a.item["id"]);
  a.episode = repo::get(a.s, E("Episode"), a.org["id"], a.episode["id"]);
  int changes = 0, errors_thrown = 0;
  for (int n = 0; n < 400; ++n) {
    const bool on_item = n % 3 != 0;
    const schema::Entity& e = on_item ? E("EpisodeScheduleQueue") : E("Episode");
    const auto& candidates = on_item ? queue_fields : episode_fields;
    json fields = json::object();
    const uint64_t count = 1 + next(4);
    for (uint64_t k = 0; k < count; ++k) {
      const auto& [name, values] = candidates[next(candidates.size())];
      const schema::Field& f = *e.field(name);
      fields[name] = f.nullable && next(5) == 0 ? json(nullptr) : values[next(values.size())];
    }
    if (n % 97 == 5) fields[on_item ? "lockedBy" : "title"] = "bad \xFF utf-8";
    store::SqlFields sql;
    for (const auto& [name, value] : fields.items()) {
      json v = value;
      codec::canonicalize(*e.field(name), v);
      sql.emplace_back(e.field(name), codec::to_sql(*e.field(name), v));
    }
    const Instant now = 1'800'000'000'000 + n;
    json& row_a = on_item ? a.item : a.episode;
    repo::Row& row_b = on_item ? item : episode;
    bool changed_a = false, changed_b = false;
    std::string what_a, what_b;
    try {
      a.s.db().transaction([&] {
        row_a = store::audited_change(a.s, actor, e, row_a, fields, "update", now, &changed_a);
      });
    } catch (const std::exception& x) {
      what_a = x.what();
      row_a = repo::get(a.s, e, a.org["id"], row_a["id"]);
    }
    try {
      b.s.db().transaction(
          [&] { changed_b = store::audited_change(b.s, actor, row_b, sql, "update", now); });
    } catch (const std::exception& x) {
      what_b = x.what();
      row_b =
          repo::get_row(b.s, e, b.org["id"], std::get<std::string>(row_b.v[repo::slot(e, "id")]));
    }
    INFO("change " << n << ": " << fields.dump(-1, ' ', false, json::error_handler_t::replace));
    CHECK(what_a == what_b);
    if (what_a.empty()) CHECK(changed_a == changed_b);  // a throw leaves the flag undefined
    CHECK(row_a == repo::to_json(row_b));
    std::string written;
    repo::write_row(row_b, written);
    CHECK(written == dump_text(row_a));
    CHECK(a.trace == b.trace);
    changes += changed_a ? 1 : 0;
    errors_thrown += what_a.empty() ? 0 : 1;
  }
  CHECK(changes > 200);
  CHECK(errors_thrown >= 4);
}

// queue.claim and queue.complete answer text written from their rows (ClaimResult::write,
// Completed::write); it must be dump_text of their JSON form (rows as repo::to_json), for claimed
// items, a reclaimed item (its episode's generationErrors), a worker name with escapes and UTF-8,
// the completed items and a blocked claim.
namespace {
// The JSON form of the queue's results, as ClaimResult::to_json / complete() built them.
json claim_json(const store::queue::ClaimResult& r, const std::string& org) {
  json list = json::array();
  for (const auto& c : r.items)
    list.push_back({{"item", repo::to_json(c.item)},
                    {"episode", repo::to_json(c.episode)},
                    {"token", c.token}});
  json out{{"items", std::move(list)}};
  if (r.blocked_reason) out["blocked"] = {{"reason", *r.blocked_reason}, {"organizationId", org}};
  return out;
}
json completed_json(const store::queue::Completed& c) {
  return {
      {"item", repo::to_json(c.item)}, {"episode", repo::to_json(c.episode)}, {"usage", c.usage}};
}
}  // namespace

TEST_CASE("queue results written as text are dump_text of their JSON form") {
  store::Store s(":memory:", 22);
  const json o = org_row(s, "acme");
  repo::insert(s, E("Organization"), o);
  const json u = user_row(s, o["id"], "a@a.io");
  repo::insert(s, E("User"), u);
  const json p = project_row(s, o["id"], u["id"], "P");
  repo::insert(s, E("Project"), p);
  const store::Actor sys{o["id"], "", "", true};
  const Instant t0 = *parse_instant(kTs);
  const auto in_tx = [&](const std::function<void()>& fn) { s.db().transaction(fn); };
  in_tx([&] { store::queue::plan_project(s, sys, p, t0, 60); });
  const auto check_claim = [&](const std::string& worker, int64_t limit, Instant now) {
    store::queue::ClaimResult r;
    in_tx([&] { r = store::queue::claim(s, sys, worker, limit, 60, now); });
    std::string text;
    r.write(o["id"], text);
    CHECK(text == dump_text(claim_json(r, o["id"])));
    return r;
  };
  const Instant later = t0 + 30 * kMsPerDay;
  auto first = check_claim("w\"1 caf\xC3\xA9", 3, later);
  REQUIRE(first.items.size() == 3);
  // The leases expire: claimed again, the episodes get a generationErrors entry each.
  auto again = check_claim("w2", 2, later + 3'600'000);
  REQUIRE(again.items.size() == 2);
  CHECK(again.items[0].token == 2);
  for (const auto& c : again.items) {
    store::queue::Completed done;
    in_tx([&] {
      done = store::queue::complete(
          s, sys, std::get<std::string>(c.item.v[repo::slot(E("EpisodeScheduleQueue"), "id")]),
          c.token, nullptr, later + 3'700'000);
    });
    std::string text;
    done.write(text);
    CHECK(text == dump_text(completed_json(done)));
    CHECK(text.find("lease_expired") != std::string::npos);
  }
  store::queue::ClaimResult blocked;
  blocked.blocked_reason =
      "Today's spend \"\xC2\xA3"
      "1.00\" reached the limit";
  std::string text;
  blocked.write(o["id"], text);
  CHECK(text == dump_text(claim_json(blocked, o["id"])));
}

// Regression test: REPLACE resolves the primary-key conflict by deleting the old row, and SQLite
// does not fire DELETE triggers for that unless recursive_triggers is on, so raw SQL can rewrite an
// audit row despite the append-only triggers (core/schema/ddl_sqlite.cpp, append_only).
TEST_CASE("audit rows cannot be rewritten with REPLACE or INSERT OR REPLACE") {
  store::Store s(":memory:", 13);
  const json o = org_row(s, "acme");
  repo::insert(s, E("Organization"), o);
  store::audit(s, store::Actor{o["id"], ""}, "create", E("Organization"), o["id"], json::object(),
               1000);
  const std::string id = repo::list(s, E("AuditLog"), o["id"], {})[0]["id"];
  const std::string forge =
      "INTO audit_log (id, organization_id, actor_id, action, entity_type, entity_id, changes, "
      "occurred_at, created_at, updated_at) SELECT id, organization_id, actor_id, 'forged', "
      "entity_type, entity_id, changes, occurred_at, created_at, updated_at FROM audit_log";
  CHECK(error_code([&] { s.db().exec("REPLACE " + forge); }) != "ok");
  CHECK(error_code([&] { s.db().exec("INSERT OR REPLACE " + forge); }) != "ok");
  CHECK(error_code([&] {
          s.db().exec("INSERT " + forge +
                      " WHERE true ON CONFLICT (id) DO UPDATE SET action = 'x'");
        }) == "forbidden");
  CHECK(repo::get(s, E("AuditLog"), o["id"], id)["action"] == "create");
}

// Regression test: repo::find / set_fields / purge ignore `org` for the Organization entity (the
// tenant itself): core/store/repo.cpp find() adds "AND organization_id = ?" only for tenant-scoped
// entities, so find(s, Organization, A, B) returns organization B. The header promises every
// function is scoped to one organization.
TEST_CASE("repo scopes the Organization entity to the acting organization too") {
  store::Store s(":memory:", 14);
  const json oa = org_row(s, "org-a"), ob = org_row(s, "org-b");
  repo::insert(s, E("Organization"), oa);
  repo::insert(s, E("Organization"), ob);
  CHECK_FALSE(repo::find(s, E("Organization"), oa["id"], ob["id"]).has_value());
  CHECK_FALSE(repo::set_fields(s, E("Organization"), oa["id"], ob["id"], {{"name", "hijacked"}}));
  CHECK(repo::find(s, E("Organization"), ob["id"], ob["id"])->at("name") == "org-b");
}
