// What the browser's several tabs need from the core
// (docs/adr/0019-multi-tab-leader-election.md): "track" reports the tables a request read and
// changed; "requestId" makes a write idempotent across a change of the tab that runs the database.
#include <catch2/catch.hpp>

#include "core/api/api.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {
bool has(const json& list, const char* name) {
  for (const auto& v : list)
    if (v == name) return true;
  return false;
}
}  // namespace

TEST_CASE_METHOD(World, "track reports the tables a request read and changed") {
  const std::string pid = project(a.owner);
  fix_clock(core, now);
  json w = core.call_json({{"op", "episode.create"},
                           {"as", a.owner.as()},
                           {"params", {{"projectId", pid}, {"title", "Tracked"}}},
                           {"track", true}});
  INFO(w.dump());
  REQUIRE(w["ok"] == true);
  CHECK(has(w["changed"], "episodes"));
  CHECK_FALSE(has(w["changed"], "projects"));
  CHECK(has(w["reads"], "projects"));  // the parent check
  for (const auto& t : w["changed"]) CHECK(t.get<std::string>().rfind("sqlite_", 0) != 0);

  json r = core.call_json({{"op", "episode.list"},
                           {"as", a.owner.as()},
                           {"params", {{"projectId", pid}}},
                           {"track", true}});
  REQUIRE(r["ok"] == true);
  CHECK(has(r["reads"], "episodes"));
  CHECK(r["changed"] == json::array());

  SECTION("untracked responses keep their shape") {
    json u = core.call_json(
        {{"op", "episode.list"}, {"as", a.owner.as()}, {"params", {{"projectId", pid}}}});
    CHECK_FALSE(u.contains("reads"));
    CHECK_FALSE(u.contains("changed"));
  }
  SECTION("a failed write reports nothing and the next request starts clean") {
    json f = core.call_json({{"op", "episode.create"},
                             {"as", a.owner.as()},
                             {"params", {{"projectId", pid}}},
                             {"track", true}});
    CHECK(f["ok"] == false);
    CHECK_FALSE(f.contains("changed"));
    json n = core.call_json({{"op", "meta.version"}, {"track", true}});
    CHECK(n["changed"] == json::array());
  }
}

TEST_CASE_METHOD(World, "a write sent twice with one requestId is applied once") {
  const std::string pid = project(a.owner);
  const auto send = [&](const std::string& id) {
    fix_clock(core, now);
    return core.call_json({{"op", "episode.create"},
                           {"as", a.owner.as()},
                           {"params", {{"projectId", pid}, {"title", "Once"}}},
                           {"requestId", id}});
  };
  const int64_t before = rows("episodes");
  json first = send("tab-1:7");
  REQUIRE(first["ok"] == true);
  CHECK_FALSE(first.contains("replayed"));
  json again = send("tab-1:7");
  REQUIRE(again["ok"] == true);
  CHECK(again["replayed"] == true);
  CHECK(again["result"] == first["result"]);
  CHECK(rows("episodes") == before + 1);
  json other = send("tab-1:8");
  CHECK(other["result"]["id"] != first["result"]["id"]);
  CHECK(rows("episodes") == before + 2);

  SECTION("a failed write is not remembered: re-sending runs it again") {
    fix_clock(core, now);
    json bad = core.call_json({{"op", "episode.create"},
                               {"as", a.owner.as()},
                               {"params", {{"projectId", pid}}},
                               {"requestId", "tab-1:9"}});
    CHECK(bad["ok"] == false);
    CHECK(rows("ec_request_key", "id = 'tab-1:9'") == 0);
  }
  SECTION("a bad requestId is refused") {
    for (const json& id : {json(5), json(""), json(std::string(129, 'x'))}) {
      json r = core.call_json({{"op", "episode.create"},
                               {"as", a.owner.as()},
                               {"params", {{"projectId", pid}, {"title", "x"}}},
                               {"requestId", id}});
      CHECK(r["error"]["code"] == "bad_request");
      CHECK(r["error"]["path"] == json::array({"requestId"}));
    }
  }
}

TEST_CASE_METHOD(World, "a requestId answers only the request it was first sent with") {
  // Found by a hostile client: a queue.complete's requestId reused on a queue.fail replayed the
  // complete's answer. An id stands for its operation and params (compared whole): another
  // request of the same principal reusing it is refused (conflict, path requestId) and writes
  // nothing; the first request sent again still replays. Ids are per principal: another user or
  // organization using the same id runs its own request and sees nothing of the first answer.
  const std::string pid = project(a.owner);
  const auto send = [&](const char* op, const Who& who, const json& params, const char* id) {
    fix_clock(core, now);
    return core.call_json({{"op", op}, {"as", who.as()}, {"params", params}, {"requestId", id}});
  };
  const json create{{"projectId", pid}, {"title", "Once"}};
  json first = send("episode.create", a.owner, create, "k-1");
  REQUIRE(first["ok"] == true);
  const std::string first_id = first["result"]["id"];
  const int64_t episodes = rows("episodes");
  const int64_t audits = rows("audit_log");

  const auto refused = [&](const json& r) {
    INFO(r.dump());
    CHECK(r["ok"] == false);
    CHECK(r["error"]["code"] == "conflict");
    CHECK(r["error"]["path"] == json::array({"requestId"}));
    CHECK(r.dump().find(first_id) == std::string::npos);
    CHECK(rows("episodes") == episodes);
    CHECK(rows("audit_log") == audits);
  };
  SECTION("other params") {
    refused(send("episode.create", a.owner, {{"projectId", pid}, {"title", "Twice"}}, "k-1"));
  }
  SECTION("a default written out") {
    refused(send("episode.create", a.owner,
                 {{"projectId", pid}, {"title", "Once"}, {"status", "scheduled"}}, "k-1"));
  }
  SECTION("another operation") {
    refused(send("project.create", a.owner, {{"name", "P2"}, {"cadenceConfig", cadence()}}, "k-1"));
  }
  SECTION("the same request, keys in another order: replayed") {
    json same = send("episode.create", a.owner, {{"title", "Once"}, {"projectId", pid}}, "k-1");
    CHECK(same["replayed"] == true);
    CHECK(same["result"] == first["result"]);
  }
  SECTION("another user of the organization: its own request") {
    json r = send("episode.create", a.admin, create, "k-1");
    INFO(r.dump());
    REQUIRE(r["ok"] == true);
    CHECK_FALSE(r.contains("replayed"));
    CHECK(r["result"]["id"] != first_id);
    CHECK(rows("episodes") == episodes + 1);
    json again = send("episode.create", a.admin, create, "k-1");
    CHECK(again["replayed"] == true);
    CHECK(again["result"] == r["result"]);
  }
  SECTION("another organization's owner: its own request, which cannot see A's project") {
    json r = send("episode.create", b.owner, create, "k-1");
    INFO(r.dump());
    CHECK(r["error"]["code"] == "not_found");
    CHECK(r.dump().find(first_id) == std::string::npos);
    CHECK(rows("episodes") == episodes);
  }
  json again = send("episode.create", a.owner, create, "k-1");
  CHECK(again["replayed"] == true);
  CHECK(again["result"] == first["result"]);
}

TEST_CASE_METHOD(World, "requestId: 1 to 128 characters, counted in code points") {
  const std::string pid = project(a.owner);
  std::string e128;
  for (int i = 0; i < 128; ++i) e128 += "\xc3\xa9";  // é: 256 bytes
  std::string party;
  for (int i = 0; i < 40; ++i) party += "\xf0\x9f\x8e\x89";  // 🎉
  for (const std::string& id : {e128, party, std::string(128, 'x'), std::string("x")}) {
    fix_clock(core, now);
    json r = core.call_json(
        {{"op", "episode.create"},
         {"as", a.owner.as()},
         {"params", {{"projectId", pid}, {"title", "Id " + std::to_string(id.size())}}},
         {"requestId", id}});
    INFO(r.dump());
    CHECK(r["ok"] == true);
  }
  std::string e129 = e128 + "\xc3\xa9";
  json r = core.call_json({{"op", "episode.create"},
                           {"as", a.owner.as()},
                           {"params", {{"projectId", pid}, {"title", "x"}}},
                           {"requestId", e129}});
  CHECK(r["error"]["code"] == "bad_request");
  CHECK(r["error"]["path"] == json::array({"requestId"}));
}

TEST_CASE_METHOD(World, "the answers a file stored before ids were bound to their request are dropped") {
  // ec_request (id, response) answered any request reusing an id; a file that has it loses it
  // on the next write with a requestId, and the id then stands for its new request.
  const std::string pid = project(a.owner);
  core.call_json({{"op", "episode.create"},
                  {"as", a.owner.as()},
                  {"params", {{"projectId", pid}, {"title", "Old"}}},
                  {"requestId", "warm"}});
  db().exec("CREATE TABLE ec_request (id TEXT PRIMARY KEY NOT NULL, response TEXT NOT NULL)");
  db().exec("INSERT INTO ec_request VALUES ('old-1', '{\"id\":\"x\"}')");
  fix_clock(core, now);
  json r = core.call_json({{"op", "episode.create"},
                           {"as", a.owner.as()},
                           {"params", {{"projectId", pid}, {"title", "New"}}},
                           {"requestId", "old-1"}});
  REQUIRE(r["ok"] == true);
  CHECK_FALSE(r.contains("replayed"));
  CHECK(r["result"]["title"] == "New");
  CHECK(rows("sqlite_master", "name = 'ec_request'") == 0);
}

TEST_CASE_METHOD(World, "track is true, false or absent") {
  for (const json& t : {json("yes"), json(1), json(0), json::object(), json::array()}) {
    json r = core.call_json({{"op", "project.list"}, {"as", a.owner.as()}, {"track", t}});
    INFO(r.dump());
    CHECK(r["error"]["code"] == "bad_request");
    CHECK(r["error"]["path"] == json::array({"track"}));
  }
  for (const json& t : {json(false), json(nullptr)}) {
    json r = core.call_json({{"op", "project.list"}, {"as", a.owner.as()}, {"track", t}});
    CHECK(r["ok"] == true);
    CHECK_FALSE(r.contains("reads"));
  }
}

TEST_CASE_METHOD(
    World, "each principal keeps its last 1000 request ids; another's writes never evict them") {
  const std::string pid = project(a.owner);
  const auto event = [&](const Who& who, int i, const std::string& id) {
    return core.call_json({{"op", "userEvent.create"},
                           {"as", who.as()},
                           {"params",
                            {{"eventType", "probe.sent"},
                             {"eventData", {{"i", i}}},
                             {"occurredAt", "2025-08-15T09:00:00.000Z"}}},
                           {"requestId", id}});
  };
  json kept = event(a.owner, -1, "keep");
  REQUIRE(kept["ok"] == true);
  for (int i = 0; i < 1002; ++i) REQUIRE(event(a.admin, i, "e" + std::to_string(i))["ok"] == true);
  CHECK(rows("ec_request_key") == 1001);
  CHECK(rows("ec_request_key", "id = 'e0' OR id = 'e1'") == 0);
  CHECK(rows("ec_request_key", "id = 'e2'") == 1);
  json again = event(a.owner, -1, "keep");
  CHECK(again["replayed"] == true);
  CHECK(again["result"] == kept["result"]);
  json e0 = event(a.admin, 0, "e0");
  CHECK_FALSE(e0.contains("replayed"));
}
