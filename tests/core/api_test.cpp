// API dispatcher: request shape, errors (never an exception), `as` checks, parameter
// validation, organization.* and user.* operations.
#include <catch2/catch.hpp>
#include <set>

#include "core/api/api.hpp"
#include "tests/support/world.hpp"

using namespace ectest;
using ec::api::Core;

TEST_CASE("malformed requests are error responses, never exceptions") {
  Core core(":memory:", {7});
  SECTION("text that is not JSON") {
    for (const char* text : {"", "{", "not json", "{\"op\":}", "[1,2", "\xff\xfe",
                             "{\"op\":\"meta.version\"} trailing"}) {
      INFO(text);
      json r;
      REQUIRE_NOTHROW(r = json::parse(core.call(text)));
      CHECK(r["ok"] == false);
      CHECK(r["error"]["code"] == "bad_request");
      CHECK_FALSE(r["error"]["message"].get<std::string>().empty());
    }
  }
  SECTION("a request that is not an object") {
    for (const json& req : {json::array(), json(1), json("op"), json(nullptr)}) {
      json r = core.call_json(req);
      CHECK(r["ok"] == false);
      CHECK(r["error"]["code"] == "bad_request");
    }
  }
  SECTION("missing or unknown op") {
    json r = core.call_json({{"params", json::object()}});
    CHECK(r["error"]["code"] == "bad_request");
    CHECK(r["error"]["path"] == json::array({"op"}));
    r = core.call_json({{"op", 12}});
    CHECK(r["error"]["code"] == "bad_request");
    r = core.call_json({{"op", "project.explode"}});
    CHECK(r["error"]["code"] == "bad_request");
    CHECK(r["error"]["message"].get<std::string>().find("project.explode") != std::string::npos);
    CHECK(r["error"]["path"] == json::array({"op"}));
  }
  SECTION("bad now") {
    for (const json& now : {json("yesterday"), json(5), json("2025-02-30T00:00:00Z")}) {
      json r = core.call_json({{"op", "meta.version"}, {"as", {{"system", true}}}, {"now", now}});
      CHECK(r["error"]["code"] == "bad_request");
      CHECK(r["error"]["path"] == json::array({"now"}));
    }
  }
  SECTION("unknown request fields are refused, not ignored") {
    // The kind of a non-boolean "track" being ignored: a misspelt envelope field ("parms",
    // "requestID") used to run the request without it.
    for (const char* key : {"parms", "requestID", "Track", "id", "as "}) {
      INFO(key);
      json req{{"op", "meta.version"}, {key, json::object()}};
      json r = json::parse(core.call(req.dump()));
      CHECK(r["error"]["code"] == "bad_request");
      CHECK(r["error"]["path"] == json::array({key}));
    }
    json ok = core.call_json({{"op", "meta.version"},
                              {"params", nullptr},
                              {"as", nullptr},
                              {"now", nullptr},
                              {"requestId", nullptr},
                              {"track", false}});
    CHECK(ok["ok"] == true);
  }
  SECTION("deeply nested and huge input") {
    std::string deep(100000, '[');
    json r = json::parse(core.call(deep));
    CHECK(r["error"]["code"] == "bad_request");
    std::string big =
        R"({"op":"meta.version","params":{"x":")" + std::string(5 * 1024 * 1024, 'a') + "\"}}";
    r = json::parse(core.call(big));
    CHECK(r["error"]["code"] == "bad_request");
  }
  SECTION("the error object always has code, message, path and issues") {
    json r = core.call_json({{"op", "nope"}});
    for (const char* k : {"code", "message", "path", "issues"}) CHECK(r["error"].contains(k));
  }
}

TEST_CASE("meta operations need no `as`") {
  Core core(":memory:", {7});
  json r = core.call_json({{"op", "meta.version"}});
  REQUIRE(r["ok"] == true);
  CHECK(r["result"]["schemaVersion"] == ec::schema::kSchemaVersion);
  r = core.call_json({{"op", "meta.operations"}});
  REQUIRE(r["ok"] == true);
  std::set<std::string> names;
  for (const auto& op : r["result"]) names.insert(op["name"].get<std::string>());
  for (const char* want :
       {"organization.create", "project.create", "episode.create", "highlight.create",
        "tokenUsage.list", "usageDaily.list", "userEvent.has", "auditLog.list", "project.overview",
        "project.memory.migrate", "planningNote.apply"})
    CHECK(names.count(want) == 1);
  CHECK(names.count("auditLog.update") == 0);
  CHECK(names.count("auditLog.delete") == 0);
  CHECK(names.count("usageDaily.create") == 0);
  // Usage is written only by the system (budget.settle, queue.complete).
  for (const char* gone : {"tokenUsage.create", "tokenUsage.update", "tokenUsage.delete"})
    CHECK(names.count(gone) == 0);
}

TEST_CASE("a closed core answers with an error") {
  Core core(":memory:", {7});
  core.close();
  json r = core.call_json({{"op", "meta.version"}});
  CHECK(r["ok"] == false);
  CHECK(r["error"]["code"] == "closed");
  core.close();  // idempotent
}

TEST_CASE_METHOD(World, "`as` is required and checked", "[tenancy]") {
  const std::string pid = project(a.owner);
  SECTION("missing as") {
    json r = core.call_json({{"op", "project.get"}, {"params", {{"id", pid}}}});
    CHECK(r["ok"] == false);
    CHECK(r["error"]["code"] == "bad_request");
    CHECK(r["error"]["path"] == json::array({"as"}));
  }
  SECTION("malformed as") {
    for (const json& as :
         {json("x"), json{{"organizationId", a.id}}, json{{"userId", a.owner.user}},
          json{{"organizationId", 1}, {"userId", 2}}}) {
      json r = core.call_json({{"op", "project.get"}, {"params", {{"id", pid}}}, {"as", as}});
      CHECK(r["ok"] == false);
      CHECK(r["error"]["code"] == "bad_request");
    }
  }
  SECTION("a user of another organization is forbidden") {
    CHECK(code("project.get", {{"id", pid}}, Who{a.id, b.owner.user}) == "forbidden");
    CHECK(code("project.list", json::object(), Who{a.id, b.member.user}) == "forbidden");
    CHECK(code("project.create", {{"name", "x"}, {"cadenceConfig", cadence()}},
               Who{a.id, b.owner.user}) == "forbidden");
    CHECK(code("organization.get", json::object(), Who{b.id, a.owner.user}) == "forbidden");
  }
  SECTION("unknown ids and non-uuids are forbidden the same way") {
    CHECK(code("project.list", json::object(), Who{a.id, kMissingId}) == "forbidden");
    CHECK(code("project.list", json::object(), Who{kMissingId, a.owner.user}) == "forbidden");
    CHECK(code("project.list", json::object(), Who{"not-a-uuid", "x"}) == "forbidden");
    CHECK(code("project.list", json::object(), Who{a.id, a.owner.user}) == "ok");
  }
  SECTION("a soft-deleted user can no longer act") {
    ok("user.delete", {{"id", a.member.user}}, a.owner);
    CHECK(code("project.list", json::object(), a.member) == "forbidden");
    ok("user.restore", {{"id", a.member.user}}, a.owner);
    CHECK(code("project.list", json::object(), a.member) == "ok");
  }
}

TEST_CASE_METHOD(World, "malformed params are errors with issues") {
  const std::string pid = project(a.owner);
  SECTION("unknown parameter") {
    json e = fail("project.get", {{"id", pid}, {"bogus", 1}}, a.owner);
    CHECK(e["code"] == "invalid");
    REQUIRE(e["issues"].size() == 1);
    CHECK(e["issues"][0]["code"] == "unknown_field");
    CHECK(e["issues"][0]["path"] == json::array({"bogus"}));
  }
  SECTION("wrong types, every problem at once") {
    json e =
        fail("project.list",
             {{"limit", "10"}, {"offset", -1}, {"descending", "yes"}, {"status", "gone"}}, a.owner);
    CHECK(e["code"] == "invalid");
    std::set<std::string> paths;
    for (const auto& i : e["issues"]) {
      paths.insert(i["path"][0].get<std::string>());
      for (const char* k : {"path", "code", "message", "params"}) CHECK(i.contains(k));
    }
    CHECK(paths == std::set<std::string>{"limit", "offset", "descending", "status"});
  }
  SECTION("limit bounds") {
    CHECK(code("project.list", {{"limit", 0}}, a.owner) == "invalid");
    CHECK(code("project.list", {{"limit", 1001}}, a.owner) == "invalid");
    CHECK(code("project.list", {{"limit", 1000}}, a.owner) == "ok");
    CHECK(code("project.list", {{"limit", 1.5}}, a.owner) == "invalid");
  }
  SECTION("missing required parameter") {
    json e = fail("project.get", json::object(), a.owner);
    CHECK(e["code"] == "invalid");
    CHECK(e["issues"][0]["code"] == "required");
    CHECK(e["issues"][0]["path"] == json::array({"id"}));
  }
  SECTION("id that is not a uuid") {
    json e = fail("project.get", {{"id", "123"}}, a.owner);
    CHECK(e["code"] == "invalid");
    CHECK(e["issues"][0]["path"] == json::array({"id"}));
    CHECK(code("project.get", {{"id", "0F0F0F0F-0F0F-4F0F-8F0F-0F0F0F0F0F0F"}}, a.owner) ==
          "invalid");
  }
  SECTION("update without patch, or with a read-only field") {
    json e = fail("project.update", {{"id", pid}}, a.owner);
    CHECK(e["issues"][0]["path"] == json::array({"patch"}));
    e = fail("project.update", {{"id", pid}, {"patch", {{"id", kMissingId}, {"createdAt", kNow}}}},
             a.owner);
    CHECK(e["issues"].size() == 2);
    for (const auto& i : e["issues"]) CHECK(i["code"] == "read_only");
    e = fail("project.update", {{"id", pid}, {"patch", "name"}}, a.owner);
    CHECK(e["code"] == "invalid");
  }
  SECTION("create with system fields is refused") {
    json e = fail(
        "project.create",
        {{"name", "x"}, {"cadenceConfig", cadence()}, {"id", kMissingId}, {"organizationId", b.id}},
        a.owner);
    CHECK(e["issues"].size() == 2);
    for (const auto& i : e["issues"]) CHECK(i["code"] == "read_only");
    CHECK(rows("projects") == 1);
  }
  SECTION("params null is treated as empty") {
    json r = core.call_json({{"op", "project.list"}, {"params", nullptr}, {"as", a.owner.as()}});
    CHECK(r["ok"] == true);
  }
}

TEST_CASE_METHOD(World, "params that are not an object are refused with an issue") {
  for (const json& params : {json::array(), json(1), json("x")}) {
    json r = core.call_json({{"op", "project.list"}, {"params", params}, {"as", a.owner.as()}});
    REQUIRE(r["ok"] == false);
    CHECK(r["error"]["code"] == "invalid");
    CHECK(r["error"]["path"] == json::array({"params"}));
    // Documented contract: code "invalid" always comes with the issues found.
    CHECK(r["error"]["issues"].size() == 1);
  }
}

TEST_CASE_METHOD(World, "organization.create") {
  SECTION("creates the tenant and its owner with defaults and audit rows") {
    json r = call_noas("organization.create", {{"name", "Initech"},
                                               {"slug", "initech"},
                                               {"ownerEmail", "bill@initech.com"},
                                               {"ownerName", "Bill"},
                                               {"ownerTimezone", "America/Chicago"}});
    REQUIRE(r["ok"] == true);
    const json& o = r["result"]["organization"];
    const json& u = r["result"]["owner"];
    CHECK(o["plan"] == "free");
    CHECK(o["dailyCostLimitMicros"] == 50'000'000);
    CHECK(o["createdAt"] == kNow);
    CHECK(u["role"] == "owner");
    CHECK(u["timezone"] == "America/Chicago");
    CHECK(u["organizationId"] == o["id"]);
    Who owner{o["id"], u["id"]};
    CHECK(ok("organization.get", json::object(), owner) == o);
    CHECK(rows("audit_log", "organization_id = '" + o["id"].get<std::string>() + "'") == 2);
  }
  SECTION("slug is unique: conflict, nothing left behind") {
    const int64_t orgs = rows("organizations"), users = rows("users"), audits = rows("audit_log");
    json r = call_noas(
        "organization.create",
        {{"name", "Acme 2"}, {"slug", "acme"}, {"ownerEmail", "x@y.io"}, {"ownerName", "X"}});
    CHECK(r["error"]["code"] == "conflict");
    CHECK(rows("organizations") == orgs);
    CHECK(rows("users") == users);
    CHECK(rows("audit_log") == audits);
  }
  SECTION("validation reports every problem at once") {
    json r = call_noas("organization.create", {{"name", ""},
                                               {"slug", "Not A Slug"},
                                               {"plan", "enterprise"},
                                               {"dailyCostLimitMicros", -1},
                                               {"ownerEmail", "nope"},
                                               {"ownerTimezone", "Mars/Base"}});
    REQUIRE(r["ok"] == false);
    CHECK(r["error"]["code"] == "invalid");
    std::set<std::string> paths;
    for (const auto& i : r["error"]["issues"]) paths.insert(i["path"][0].get<std::string>());
    CHECK(paths == std::set<std::string>{"name", "slug", "plan", "dailyCostLimitMicros",
                                         "ownerEmail", "ownerName", "ownerTimezone"});
  }
  SECTION("slug rules") {
    for (const char* s : {"a", "-acme", "acme-", "ac--me", "ACME", "ac_me", "ac me", "acmé"}) {
      INFO(s);
      json r =
          call_noas("organization.create",
                    {{"name", "N"}, {"slug", s}, {"ownerEmail", "a@b.io"}, {"ownerName", "A"}});
      CHECK(r["error"]["code"] == "invalid");
    }
    for (const char* s : {"ab", "a-b", "initech-2", "x9"}) {
      INFO(s);
      json r =
          call_noas("organization.create",
                    {{"name", "N"}, {"slug", s}, {"ownerEmail", "a@b.io"}, {"ownerName", "A"}});
      CHECK(r["ok"] == true);
    }
  }
}

TEST_CASE_METHOD(World, "organization.get and organization.update") {
  CHECK(ok("organization.get", json::object(), a.member)["slug"] == "acme");
  CHECK(ok("organization.get", json::object(), b.member)["slug"] == "globex");
  SECTION("owner and admin may update (the plan: owner only), member is forbidden") {
    CHECK(ok("organization.update", {{"patch", {{"name", "Acme Labs"}}}}, a.owner)["name"] ==
          "Acme Labs");
    CHECK(code("organization.update", {{"patch", {{"plan", "pro"}}}}, a.admin) == "forbidden");
    CHECK(ok("organization.update", {{"patch", {{"plan", "pro"}}}}, a.owner)["plan"] == "pro");
    const int64_t audits = rows("audit_log");
    json e = fail("organization.update", {{"patch", {{"name", "Hacked"}}}}, a.member);
    CHECK(e["code"] == "forbidden");
    CHECK(rows("audit_log") == audits);
    CHECK(ok("organization.get", json::object(), a.owner)["name"] == "Acme Labs");
  }
  SECTION("an update writes one audit row with before and after") {
    const int64_t audits = rows("audit_log");
    ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 1'000'000}}}}, a.owner);
    CHECK(rows("audit_log") == audits + 1);
    json log = ok("auditLog.list", {{"orderBy", "createdAt"}, {"descending", true}, {"limit", 1}},
                  a.owner);
    // createdAt ties are broken by id; find the update row explicitly.
    log = ok("auditLog.list", {{"limit", 1000}}, a.owner);
    bool found = false;
    for (const auto& row : log["items"])
      if (row["action"] == "update" && row["entityType"] == "Organization") {
        found = true;
        CHECK(row["entityId"] == a.id);
        CHECK(row["actorId"] == a.owner.user);
        CHECK(row["changes"] ==
              json{{"dailyCostLimitMicros", {{"before", 50'000'000}, {"after", 1'000'000}}}});
      }
    CHECK(found);
  }
  SECTION("an update that changes nothing writes nothing") {
    const int64_t audits = rows("audit_log");
    ok("organization.update", {{"patch", {{"name", "Acme Research"}}}}, a.owner);
    CHECK(rows("audit_log") == audits);
  }
  SECTION("slug change to a taken slug is a conflict") {
    CHECK(code("organization.update", {{"patch", {{"slug", "globex"}}}}, a.owner) == "conflict");
  }
  SECTION("read-only fields") {
    json e = fail("organization.update", {{"patch", {{"id", b.id}}}}, a.owner);
    CHECK(e["issues"][0]["code"] == "read_only");
  }
  SECTION("organization B is untouched by A's update") {
    ok("organization.update", {{"patch", {{"name", "Renamed"}}}}, a.owner);
    CHECK(ok("organization.get", json::object(), b.owner)["name"] == "Globex Ltd");
  }
}

TEST_CASE_METHOD(World, "user operations") {
  SECTION("create with defaults") {
    json u = ok("user.create", {{"email", "grace@acme.io"}, {"name", "Grace"}}, a.owner);
    CHECK(u["role"] == "member");
    CHECK(u["timezone"] == "UTC");
    CHECK(u["organizationId"] == a.id);
    CHECK(u["deletedAt"].is_null());
  }
  SECTION("e-mail is unique per organization, case-insensitively") {
    ok("user.create", {{"email", "Grace@X.io"}, {"name", "Grace"}}, a.owner);
    const int64_t users = rows("users"), audits = rows("audit_log");
    CHECK(code("user.create", {{"email", "grace@x.io"}, {"name", "Grace 2"}}, a.owner) ==
          "conflict");
    CHECK(code("user.create", {{"email", "GRACE@X.IO"}, {"name", "Grace 3"}}, a.owner) ==
          "conflict");
    CHECK(rows("users") == users);
    CHECK(rows("audit_log") == audits);
    // Another organization may use the same address.
    CHECK(code("user.create", {{"email", "grace@x.io"}, {"name", "Grace"}}, b.owner) == "ok");
  }
  SECTION("changing e-mail to a colleague's is a conflict") {
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"email", "ADMIN@acme.example"}}}},
               a.owner) == "conflict");
  }
  SECTION("timezone must be a real IANA name") {
    CHECK(code("user.create", {{"email", "t1@x.io"}, {"name", "T"}, {"timezone", "Europe/London"}},
               a.owner) == "ok");
    CHECK(
        code("user.create",
             {{"email", "t2@x.io"}, {"name", "T"}, {"timezone", "America/Argentina/Buenos_Aires"}},
             a.owner) == "ok");
    json e = fail("user.create", {{"email", "t3@x.io"}, {"name", "T"}, {"timezone", "Mars/Base"}},
                  a.owner);
    CHECK(e["issues"][0]["code"] == "invalid_timezone");
    CHECK(e["issues"][0]["path"] == json::array({"timezone"}));
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"timezone", "Asia/Kolkata"}}}},
               a.owner) == "ok");
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"timezone", ""}}}}, a.owner) ==
          "invalid");
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"timezone", nullptr}}}},
               a.owner) == "invalid");
  }
  SECTION("list, get, delete, restore, purge") {
    json list = ok("user.list", json::object(), a.owner);
    CHECK(list["total"] == 3);
    CHECK(ok("user.get", {{"id", a.member.user}}, a.owner)["name"] == "Member");
    ok("user.delete", {{"id", a.member.user}}, a.owner);
    CHECK(code("user.get", {{"id", a.member.user}}, a.owner) == "not_found");
    CHECK(ok("user.get", {{"id", a.member.user}, {"includeDeleted", true}}, a.owner)["deletedBy"] ==
          a.owner.user);
    CHECK(ok("user.list", json::object(), a.owner)["total"] == 2);
    CHECK(ok("user.list", {{"onlyDeleted", true}}, a.owner)["total"] == 1);
    CHECK(ok("user.list", {{"includeDeleted", true}}, a.owner)["total"] == 3);
    ok("user.restore", {{"id", a.member.user}}, a.owner);
    CHECK(ok("user.list", json::object(), a.owner)["total"] == 3);
    ok("user.purge", {{"id", a.member.user}}, a.owner);
    CHECK(code("user.get", {{"id", a.member.user}, {"includeDeleted", true}}, a.owner) ==
          "not_found");
    CHECK(rows("users", "id = '" + a.member.user + "'") == 0);
  }
  SECTION("role filter") {
    json list = ok("user.list", {{"role", "admin"}}, a.owner);
    REQUIRE(list["total"] == 1);
    CHECK(list["items"][0]["id"] == a.admin.user);
  }
}

// SQLite reports ON DELETE RESTRICT violations as SQLITE_CONSTRAINT_TRIGGER; a still-referenced
// row is a conflict, not "forbidden".
TEST_CASE_METHOD(World, "a user who owns a project cannot be purged: conflict, nothing changes") {
  project(a.member);
  const int64_t audits = rows("audit_log");
  json e = fail("user.purge", {{"id", a.member.user}}, a.owner);
  CHECK(rows("users", "id = '" + a.member.user + "'") == 1);
  CHECK(rows("audit_log") == audits);
  CHECK(e["code"] == "conflict");
}
