// What the browser's several tabs need from the core (docs/adr/0019-0019-multi-tab-leader-election.md):
// "track" reports the tables a request read and changed; "requestId" makes a write idempotent
// across a change of the tab that runs the database.
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
    CHECK(rows("ec_request", "id = 'tab-1:9'") == 0);
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
