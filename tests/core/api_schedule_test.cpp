// Tests for core/api/ops_schedule.cpp: schedule.preview, the clock operations, the project hooks
// that keep the queue in step, and nextEpisodeAt in project.overview.
#include <catch2/catch.hpp>

#include <set>

#include "core/api/api.hpp"
#include "tests/support/owners.hpp"

using json = nlohmann::json;

namespace {

using ectest::Who;

struct S : ectest::Owners {
  S() : Owners(5, "2025-08-15T09:00:00.000Z") {  // a Friday
    a = org("acme", "pro", "Europe/London");
    b = org("globex", "pro", "UTC");
  }
  /// A request as the system (clock operations are the demo's, run by the system).
  json plain(json request) {
    request["as"] = {{"system", true}};
    return core.call_json(request);
  }

  std::string project(const json& cadence, const std::string& name = "P") {
    return ok("project.create", {{"name", name}, {"cadenceConfig", cadence}})["id"];
  }
  std::vector<std::string> utc(const json& preview) {
    std::vector<std::string> out;
    for (const auto& i : preview["items"]) out.push_back(i["utc"]);
    return out;
  }
};

json mon_wed() {
  return {{"days", {"mon", "wed"}}, {"time", "09:00"}};
}

}  // namespace

TEST_CASE_METHOD(S, "schedule.preview of a project: the owner's zone, the cadence's zone, UTC") {
  const auto p = project(mon_wed());
  json r = ok("schedule.preview", {{"projectId", p}, {"count", 3}});
  CHECK(r["timezone"] == "Europe/London");
  CHECK(r["timezoneSource"] == "owner");
  CHECK(r["projectStatus"] == "active");
  CHECK(r["active"] == true);
  CHECK(r["truncated"] == false);
  CHECK(utc(r) == std::vector<std::string>{"2025-08-18T08:00:00.000Z", "2025-08-20T08:00:00.000Z",
                                           "2025-08-25T08:00:00.000Z"});
  const json first = r["items"][0];
  CHECK(first["local"] == "2025-08-18T09:00:00+01:00");
  CHECK(first["offsetMinutes"] == 60);
  CHECK(first["shifted"] == false);
  CHECK(first["ambiguous"] == false);
  CHECK(first["weekday"] == "mon");
  // Default count is 10, from now.
  CHECK(ok("schedule.preview", {{"projectId", p}})["items"].size() == 10);

  const auto q =
      project({{"days", {"sun"}}, {"time", "02:30"}, {"timezone", "America/New_York"}}, "Q");
  r = ok("schedule.preview", {{"projectId", q}, {"from", "2025-03-01T00:00:00Z"}, {"count", 2}});
  CHECK(r["timezone"] == "America/New_York");
  CHECK(r["timezoneSource"] == "cadence");
  CHECK(utc(r) == std::vector<std::string>{"2025-03-02T07:30:00.000Z", "2025-03-09T07:30:00.000Z"});
  CHECK(r["items"][1]["shifted"] == true);
  CHECK(r["items"][1]["shiftMinutes"] == 60);
  CHECK(r["items"][1]["local"] == "2025-03-09T03:30:00-04:00");

  // B's owner is in UTC.
  const std::string pb =
      ok("project.create", {{"name", "B"}, {"cadenceConfig", mon_wed()}}, b)["id"];
  r = ok("schedule.preview", {{"projectId", pb}, {"count", 1}}, b);
  CHECK(r["timezone"] == "UTC");
  CHECK(utc(r) == std::vector<std::string>{"2025-08-18T09:00:00.000Z"});
  // Tenancy: another organization's project is missing.
  CHECK(error("schedule.preview", {{"projectId", p}}, b)["code"] == "not_found");
}

TEST_CASE_METHOD(S, "schedule.preview: paused, archived and deleted projects have no items") {
  const auto p = project(mon_wed());
  ok("project.update", {{"id", p}, {"patch", {{"status", "paused"}}}});
  json r = ok("schedule.preview", {{"projectId", p}});
  CHECK(r["items"].empty());
  CHECK(r["active"] == false);
  CHECK(r["projectStatus"] == "paused");
  ok("project.update", {{"id", p}, {"patch", {{"status", "archived"}}}});
  CHECK(ok("schedule.preview", {{"projectId", p}})["items"].empty());
  ok("project.update", {{"id", p}, {"patch", {{"status", "active"}}}});
  CHECK(ok("schedule.preview", {{"projectId", p}})["items"].size() == 10);
  ok("project.delete", {{"id", p}});
  r = ok("schedule.preview", {{"projectId", p}});
  CHECK(r["items"].empty());
  CHECK(r["projectStatus"] == "deleted");
  // skipDates and pausedUntil of the cadence are honoured.
  const auto q = project({{"days", {"mon"}},
                          {"time", "09:00"},
                          {"skipDates", {"2025-08-18"}},
                          {"pausedUntil", "2025-08-20"}},
                         "Q");
  CHECK(utc(ok("schedule.preview", {{"projectId", q}, {"count", 1}})) ==
        std::vector<std::string>{"2025-08-25T08:00:00.000Z"});
}

TEST_CASE_METHOD(S, "schedule.preview of an explicit cadence") {
  json r = ok("schedule.preview",
              {{"cadence", {{"days", {"sun"}}, {"time", "01:30"}, {"timezone", "Europe/London"}}},
               {"from", "2025-10-20T00:00:00Z"},
               {"count", 2}});
  CHECK(r["timezoneSource"] == "cadence");
  CHECK(utc(r) == std::vector<std::string>{"2025-10-26T00:30:00.000Z", "2025-11-02T01:30:00.000Z"});
  CHECK(r["items"][0]["ambiguous"] == true);
  CHECK(r["items"][0]["offsetMinutes"] == 60);
  CHECK(r["items"][1]["offsetMinutes"] == 0);
  // No timezone in the cadence: the `timezone` parameter, else the acting user's zone.
  r = ok("schedule.preview", {{"cadence", mon_wed()}, {"timezone", "Asia/Kolkata"}, {"count", 1}});
  CHECK(r["timezone"] == "Asia/Kolkata");
  CHECK(r["timezoneSource"] == "param");
  CHECK(utc(r) == std::vector<std::string>{"2025-08-18T03:30:00.000Z"});
  r = ok("schedule.preview", {{"cadence", mon_wed()}, {"count", 1}});
  CHECK(r["timezone"] == "Europe/London");
  CHECK(r["timezoneSource"] == "owner");
  // until: every occurrence before it (count defaults to 1000).
  r = ok("schedule.preview", {{"cadence", mon_wed()}, {"until", "2025-09-01T00:00:00Z"}});
  CHECK(r["items"].size() == 4);
  CHECK(r["truncated"] == false);
  r = ok("schedule.preview",
         {{"cadence", mon_wed()}, {"until", "2025-09-01T00:00:00Z"}, {"count", 2}});
  CHECK(r["items"].size() == 2);
  r = ok("schedule.preview",
         {{"cadence",
           {{"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}, {"time", "09:00"}}},
          {"until", "2030-01-01T00:00:00Z"}});
  CHECK(r["items"].size() == 1000);
  CHECK(r["truncated"] == true);
  CHECK(ok("schedule.preview", {{"cadence", mon_wed()}, {"count", 1000}})["items"].size() == 1000);
}

TEST_CASE_METHOD(S, "schedule.preview refuses bad input with every issue and its path") {
  json e =
      error("schedule.preview",
            {{"cadence",
              {{"days", {"mon", "xyz", "mon"}}, {"time", "25:00"}, {"timezone", "Mars/Olympus"}}}});
  CHECK(e["code"] == "invalid");
  std::set<std::string> paths;
  for (const auto& i : e["issues"]) {
    CHECK(i["path"][0] == "cadence");
    paths.insert(i["path"].dump());
  }
  CHECK(paths.count(R"(["cadence","days",1])") == 1);
  CHECK(paths.count(R"(["cadence","days",2])") == 1);
  CHECK(paths.count(R"(["cadence","time"])") == 1);
  CHECK(paths.count(R"(["cadence","timezone"])") == 1);
  CHECK(error("schedule.preview", {{"cadence", "mon"}})["issues"][0]["path"] == json{"cadence"});
  // Exactly one of projectId / cadence.
  CHECK(error("schedule.preview", json::object())["issues"][0]["path"] == json{"projectId"});
  const auto p = project(mon_wed());
  CHECK(error("schedule.preview", {{"projectId", p}, {"cadence", mon_wed()}})["code"] == "invalid");
  CHECK(error("schedule.preview", {{"cadence", mon_wed()}, {"count", 1001}})["issues"][0]["path"] ==
        json{"count"});
  CHECK(error("schedule.preview", {{"cadence", mon_wed()}, {"count", 0}})["code"] == "invalid");
  CHECK(error("schedule.preview", {{"cadence", mon_wed()},
                                   {"from", "yesterday"}})["issues"][0]["path"] == json{"from"});
  CHECK(error("schedule.preview",
              {{"cadence", mon_wed()}, {"timezone", "Nowhere/Land"}})["issues"][0]["path"] ==
        json{"timezone"});
  CHECK(error("schedule.preview", {{"cadence", mon_wed()}, {"colour", "red"}})["code"] ==
        "invalid");
  CHECK(error("schedule.preview",
              {{"projectId", "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"}})["code"] == "not_found");
}

TEST_CASE_METHOD(S, "clock.get / set / advance drive every operation without an explicit now") {
  plain({{"op", "clock.set"}, {"params", {{"now", nullptr}}}});  // the fixture fixed it
  json r = plain({{"op", "clock.get"}});
  REQUIRE(r["ok"] == true);
  CHECK(r["result"]["fixed"] == false);
  r = plain({{"op", "clock.set"}, {"params", {{"now", "2025-08-18T07:59:00+00:00"}}}});
  CHECK(r["result"] == json{{"now", "2025-08-18T07:59:00.000Z"}, {"fixed", true}});
  CHECK(plain({{"op", "clock.get"}})["result"]["now"] == "2025-08-18T07:59:00.000Z");
  // Requests without `now` use the clock (planned on Friday, as the system).
  json planned = core.call_json({{"op", "queue.plan"},
                                 {"params", {{"projectId", project(mon_wed())}}},
                                 {"as", {{"system", true}, {"organizationId", a.org}}},
                                 {"now", "2025-08-15T09:00:00.000Z"}});
  REQUIRE(planned["ok"] == true);
  plain({{"op", "clock.set"}, {"params", {{"now", "2025-08-18T07:59:00Z"}}}});
  auto claim = [&] {
    json req{{"op", "queue.claim"},
             {"params", {{"workerId", "demo"}}},
             {"as", {{"system", true}, {"organizationId", a.org}}}};
    json res = core.call_json(req);
    REQUIRE(res["ok"] == true);
    return res["result"]["items"];
  };
  CHECK(claim().empty());  // 07:59: Monday's 08:00 slot is not due yet
  r = plain({{"op", "clock.advance"}, {"params", {{"seconds", 60}}}});
  CHECK(r["result"] == json{{"now", "2025-08-18T08:00:00.000Z"}, {"fixed", true}});
  json items = claim();
  REQUIRE(items.size() == 1);
  CHECK(items[0]["item"]["lockedUntil"] == "2025-08-18T08:05:00.000Z");
  // advance counts from the request's now when one is given.
  r = plain(
      {{"op", "clock.advance"}, {"params", {{"seconds", -3600}}}, {"now", "2025-01-01T00:00:00Z"}});
  CHECK(r["result"]["now"] == "2024-12-31T23:00:00.000Z");
  // Back to the real clock.
  r = plain({{"op", "clock.set"}, {"params", {{"now", nullptr}}}});
  CHECK(r["result"]["fixed"] == false);
  CHECK(plain({{"op", "clock.set"}, {"params", {{"now", "soon"}}}})["error"]["code"] == "invalid");
  CHECK(plain({{"op", "clock.advance"}, {"params", json::object()}})["error"]["code"] == "invalid");
}

TEST_CASE_METHOD(S, "project.overview shows the next episode time") {
  const auto p = project(mon_wed(), "Alpha");
  const auto q =
      project({{"days", {"fri"}}, {"time", "10:00"}, {"timezone", "Asia/Tokyo"}}, "Beta");
  ok("project.update", {{"id", q}, {"patch", {{"status", "paused"}}}});
  json r = ok("project.overview", json::object());
  REQUIRE(r["items"].size() == 2);
  CHECK(r["items"][0]["project"]["id"] == p);
  CHECK(r["items"][0]["nextEpisodeAt"] == "2025-08-18T08:00:00.000Z");
  CHECK(r["items"][0]["nextEpisodeLocal"] == "2025-08-18T09:00:00+01:00");
  CHECK(r["items"][1]["nextEpisodeAt"].is_null());
  CHECK(r["items"][1]["nextEpisodeLocal"].is_null());
  ok("project.update", {{"id", q}, {"patch", {{"status", "active"}}}});
  r = ok("project.overview", json::object());
  CHECK(r["items"][1]["nextEpisodeAt"] == "2025-08-22T01:00:00.000Z");
  CHECK(r["items"][1]["nextEpisodeLocal"] == "2025-08-22T10:00:00+09:00");
}

TEST_CASE_METHOD(S, "project hooks keep the queue in step, inside the update's transaction") {
  const auto p = project(mon_wed());
  ok("queue.plan", {{"projectId", p}});
  auto pending = [&] {
    return ok("queue.list", {{"projectId", p}, {"status", "pending"}})["total"].get<int64_t>();
  };
  CHECK(pending() == 4);
  // A change that does not touch cadence / status / owner leaves the queue alone.
  ok("project.update", {{"id", p}, {"patch", {{"name", "Renamed"}}}});
  CHECK(pending() == 4);
  ok("project.update", {{"id", p}, {"patch", {{"status", "paused"}}}});
  CHECK(pending() == 0);
  // A refused update (here: an invalid cadence) changes neither the project nor the queue.
  json e = error(
      "project.update",
      {{"id", p},
       {"patch",
        {{"status", "active"}, {"cadenceConfig", {{"days", json::array()}, {"time", "09:00"}}}}}});
  CHECK(e["code"] == "invalid");
  CHECK(pending() == 0);
  CHECK(ok("project.get", {{"id", p}})["status"] == "paused");
  ok("project.update", {{"id", p}, {"patch", {{"status", "active"}}}});
  CHECK(pending() == 4);
  ok("project.delete", {{"id", p}});
  ok("project.restore", {{"id", p}});
  CHECK(pending() == 4);
}

TEST_CASE_METHOD(S, "project.update reports the replan it did: Mon -> Tue with 9 pending slots") {
  // Mon, Wed, Fri at 09:00 London, planned three weeks ahead from Friday 15 Aug: 9 pending slots.
  const auto p = project({{"days", {"mon", "wed", "fri"}}, {"time", "09:00"}});
  const json first = ok("queue.plan", {{"projectId", p}, {"horizonDays", 21}});
  CHECK(first == json{{"added", 9}, {"cancelled", 0}, {"kept", 0}, {"projects", 1}});
  auto count = [&](const char* status) {
    return ok("queue.list", {{"projectId", p}, {"status", status}})["total"].get<int64_t>();
  };
  REQUIRE(count("pending") == 9);

  // Monday -> Tuesday: the three Mondays are cancelled, three Tuesdays added, six slots kept;
  // the update's result says so, and the queue agrees.
  json u =
      ok("project.update",
         {{"id", p},
          {"patch", {{"cadenceConfig", {{"days", {"tue", "wed", "fri"}}, {"time", "09:00"}}}}}});
  CHECK(u["replan"] == json{{"added", 3}, {"cancelled", 3}, {"kept", 6}});
  CHECK(u["cadenceConfig"]["days"] == json{"tue", "wed", "fri"});
  CHECK(count("pending") == 9);
  CHECK(count("cancelled") == 3);
  std::set<std::string> days;
  const json cancelled = ok("queue.list", {{"projectId", p}, {"status", "cancelled"}});
  for (const auto& i : cancelled["items"])
    days.insert(i["scheduledFor"].get<std::string>().substr(0, 10));
  CHECK(days == std::set<std::string>{"2025-08-18", "2025-08-25", "2025-09-01"});
  // The stored row has no `replan` field; a get returns the project only.
  CHECK_FALSE(ok("project.get", {{"id", p}}).contains("replan"));
  // Nothing is left for a second plan to do (what the dashboard used to report).
  CHECK(ok("queue.plan", {{"projectId", p}}) ==
        json{{"added", 0}, {"cancelled", 0}, {"kept", 9}, {"projects", 1}});

  // An update that does not touch the schedule has no `replan`; pausing reports what it cancelled.
  CHECK_FALSE(
      ok("project.update", {{"id", p}, {"patch", {{"name", "Renamed"}}}}).contains("replan"));
  CHECK(ok("project.update", {{"id", p}, {"patch", {{"status", "paused"}}}})["replan"] ==
        json{{"added", 0}, {"cancelled", 9}, {"kept", 0}});
}

TEST_CASE_METHOD(S, "the new operations are declared (meta.operations)") {
  json r = plain({{"op", "meta.operations"}});
  std::set<std::string> names;
  for (const auto& op : r["result"]) names.insert(op["name"]);
  for (const char* n : {"schedule.preview", "queue.plan", "queue.claim", "queue.complete",
                        "queue.fail", "queue.extend", "queue.retry", "queue.cancel",
                        "budget.reserve", "budget.settle", "budget.release", "budget.status",
                        "usage.daily", "clock.get", "clock.set", "clock.advance"}) {
    INFO(n);
    CHECK(names.count(n) == 1);
  }
  // Time-dependent operations need `as`; the clock does not.
  CHECK(plain({{"op", "queue.claim"}, {"params", {{"workerId", "w"}}}})["error"]["code"] ==
        "bad_request");
}

// queue.claim and queue.complete write their answers as text (docs/adr/0037): through call() the
// answer must be the JSON call_json gives, also with "track" and with a replayed "requestId"
// (the text path appends to the buffer call() starts with its envelope).
TEST_CASE("queue.claim / queue.complete through call(): the same answers as call_json") {
  S text_side, json_side;
  const auto both = [&](json request) {
    std::string raw = text_side.core.call(request.dump());
    json parsed;
    REQUIRE_NOTHROW(parsed = json::parse(raw));
    json expected = json_side.core.call_json(request);
    CHECK(parsed == expected);
    CHECK(raw == expected.dump());
    return parsed;
  };
  for (S* s : {&text_side, &json_side}) {
    const std::string pid = s->project(mon_wed());
    REQUIRE(s->core.call_json({{"op", "queue.plan"},
                               {"params", {{"projectId", pid}}},
                               {"as", {{"system", true}, {"organizationId", s->a.org}}},
                               {"now", "2025-08-15T09:00:00.000Z"}})["ok"] == true);
  }
  const json as = {{"system", true}, {"organizationId", text_side.a.org}};
  REQUIRE(as == json({{"system", true}, {"organizationId", json_side.a.org}}));
  const char* due = "2025-08-21T09:00:00.000Z";
  json claimed = both({{"op", "queue.claim"},
                       {"params", {{"workerId", "w\"1 caf\xC3\xA9"}, {"limit", 2}}},
                       {"as", as},
                       {"now", due},
                       {"requestId", "tab-1:1"}});
  REQUIRE(claimed["ok"] == true);
  REQUIRE(claimed["result"]["items"].size() == 2);
  // The same requestId again: the stored answer, replayed.
  json replayed = both({{"op", "queue.claim"},
                        {"params", {{"workerId", "w\"1 caf\xC3\xA9"}, {"limit", 2}}},
                        {"as", as},
                        {"now", due},
                        {"requestId", "tab-1:1"}});
  CHECK(replayed["replayed"] == true);
  CHECK(replayed["result"] == claimed["result"]);
  const json& first = claimed["result"]["items"][0];
  json done = both({{"op", "queue.complete"},
                    {"params", {{"id", first["item"]["id"]}, {"token", first["token"]}}},
                    {"as", as},
                    {"now", due},
                    {"track", true}});
  REQUIRE(done["ok"] == true);
  CHECK(done.contains("changed"));
  // A refused completion (stale token) is an error answer, not a text result.
  json stale = both({{"op", "queue.complete"},
                     {"params", {{"id", first["item"]["id"]}, {"token", 999}}},
                     {"as", as},
                     {"now", due}});
  CHECK(stale["ok"] == false);
  json none = both({{"op", "queue.claim"},
                    {"params", {{"workerId", "w2"}}},
                    {"as", as},
                    {"now", "2025-08-15T09:00:01.000Z"},
                    {"track", true}});
  CHECK(none["result"]["items"] == json::array());
}

TEST_CASE_METHOD(S, "project.overview's next episode time follows every write and the clock") {
  // The overview keeps what it found per cadence text and owner zone (docs/adr/0041): a write
  // then a read must still show the written state, whichever table the write touched.
  const auto p = project(mon_wed(), "Alpha");
  auto item = [&] { return ok("project.overview", json::object())["items"][0]; };
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T08:00:00.000Z");
  // The cadence (projects).
  ok("project.update",
     {{"id", p}, {"patch", {{"cadenceConfig", {{"days", {"mon", "wed"}}, {"time", "10:30"}}}}}});
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T09:30:00.000Z");
  // The owner's time zone (users): the same cadence text, another zone.
  ok("user.update", {{"id", a.user}, {"patch", {{"timezone", "Asia/Tokyo"}}}});
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T01:30:00.000Z");
  CHECK(item()["nextEpisodeLocal"] == "2025-08-18T10:30:00+09:00");
  // The status: paused has none, active again has it back.
  ok("project.update", {{"id", p}, {"patch", {{"status", "paused"}}}});
  CHECK(item()["nextEpisodeAt"].is_null());
  ok("project.update", {{"id", p}, {"patch", {{"status", "active"}}}});
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T01:30:00.000Z");
  // The clock: at the time itself, just past it, and back before the first read.
  now = "2025-08-18T01:30:00.000Z";
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T01:30:00.000Z");
  now = "2025-08-18T01:30:00.001Z";
  CHECK(item()["nextEpisodeAt"] == "2025-08-20T01:30:00.000Z");
  now = "2025-08-15T09:00:00.000Z";
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T01:30:00.000Z");
  // The cadence back to a text read before: its own time again, not the last one's.
  ok("project.update", {{"id", p}, {"patch", {{"cadenceConfig", mon_wed()}}}});
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T00:00:00.000Z");
  ok("user.update", {{"id", a.user}, {"patch", {{"timezone", "Europe/London"}}}});
  CHECK(item()["nextEpisodeAt"] == "2025-08-18T08:00:00.000Z");
}
