// Result conformance (docs/adr/0013-0013-op-results-declared.md): every operation of operations() runs at
// least once on realistic data, and its actual JSON result is checked against its declared
// result shape (core/api/result.hpp): every declared key present with the right type and
// nullability, no undeclared key, array elements and nested entities checked. An operation
// missing from the run fails the test. Runs natively and in the wasm build (ctest under Node).
#include <catch2/catch.hpp>
#include <set>

#include "core/api/registry.hpp"
#include "tests/support/world.hpp"

namespace {

using ectest::json;
using ectest::Who;
namespace result = ec::api::result;

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

class Conformance : public ectest::World {
 public:
  std::set<std::string> covered;

  /// Runs `op` (as the system for System-level operations, without `as` for public ones unless
  /// `public_as`, else as `who`), requires success and checks the result against the
  /// declaration.
  json run(const std::string& op, const json& params, const Who& who, bool public_as = false) {
    const ec::api::Operation* o = ec::api::find_operation(op);
    INFO(op);
    REQUIRE(o != nullptr);
    json r;
    using ec::schema::authz::Level;
    if (o->access.level == Level::Public && !public_as)
      r = call_noas(op, params);
    else if (o->access.level == Level::System)
      r = call(op, params, ectest::system_of(who.org));
    else
      r = call(op, params, who);
    INFO(params.dump() << " -> " << r.dump().substr(0, 2000));
    REQUIRE(r.value("ok", false) == true);
    expect_conforms(*o, r["result"]);
    covered.insert(op);
    return r["result"];
  }
  json run(const std::string& op, const json& params) { return run(op, params, a.owner); }

  static void expect_conforms(const ec::api::Operation& o, const json& value) {
    const auto problems = result::check(o.result, value);
    INFO(o.name << " declared " << result::ts(o.result) << "\n" << joined(problems));
    CHECK(problems.empty());
  }
};

}  // namespace

TEST_CASE("every declared result refers to known entities and named shapes") {
  for (const auto& op : ec::api::operations()) {
    std::vector<std::string> entities, named;
    result::references(op.result, entities, named);
    for (const auto& n : result::named_shapes()) result::references(n.shape, entities, named);
    INFO(op.name);
    for (const auto& e : entities) CHECK(ec::schema::find_entity(e) != nullptr);
    for (const auto& n : named) CHECK(result::find_named(n) != nullptr);
  }
}

TEST_CASE("the result checker finds a renamed, missing, extra or mistyped key") {
  const auto& claim = *ec::api::find_operation("queue.plan");
  const json good{{"added", 1}, {"cancelled", 0}, {"kept", 2}, {"projects", 1}};
  CHECK(result::check(claim.result, good).empty());
  json renamed = good;
  renamed.erase("added");
  renamed["addedCount"] = 1;
  const auto p = result::check(claim.result, renamed);
  REQUIRE(p.size() == 2);
  CHECK(p[0] == "$.added: missing");
  CHECK(p[1] == "$.addedCount: not declared");
  json mistyped = good;
  mistyped["kept"] = "2";
  CHECK(result::check(claim.result, mistyped).size() == 1);
  json null_value = good;
  null_value["projects"] = nullptr;
  CHECK(result::check(claim.result, null_value).size() == 1);
  CHECK(!result::check(claim.result, json::array()).empty());
  // Nullable and optional keys, array elements and named shapes.
  const auto& clock = *ec::api::find_operation("clock.get");
  CHECK(
      result::check(clock.result, {{"now", "2025-08-15T09:00:00.000Z"}, {"fixed", true}}).empty());
  CHECK(result::check(clock.result, {{"now", "yesterday"}, {"fixed", true}}).size() == 1);
  const auto& preview = *ec::api::find_operation("schedule.preview");
  json pv{{"timezone", "UTC"},
          {"timezoneSource", "default"},
          {"active", true},
          {"items", json::array()},
          {"truncated", false}};
  CHECK(result::check(preview.result, pv).empty());  // projectStatus is optional
  pv["timezoneSource"] = "guess";
  CHECK(result::check(preview.result, pv) ==
        std::vector<std::string>{
            "$.timezoneSource: expected one of \"cadence\" | \"owner\" | \"param\" | \"default\", "
            "got \"guess\""});
  pv["timezoneSource"] = "param";
  pv["items"] = json::array({{{"utc", "2025-08-15T09:00:00.000Z"}}});
  CHECK(result::check(preview.result, pv).size() == 7);  // 7 keys of Occurrence missing
}

TEST_CASE("the result checker looks into entity rows") {
  ectest::World w;
  const std::string pid = w.project(w.a.owner);
  json row = w.ok("project.get", {{"id", pid}}, w.a.owner);
  const auto& get = *ec::api::find_operation("project.get");
  CHECK(result::check(get.result, row).empty());
  json renamed = row;
  renamed["title"] = renamed["name"];
  renamed.erase("name");
  CHECK(result::check(get.result, renamed) ==
        std::vector<std::string>{"$.name: missing", "$.title: not declared in Project"});
  json bad_enum = row;
  bad_enum["status"] = "sleeping";
  CHECK(result::check(get.result, bad_enum).size() == 1);
  const auto& list = *ec::api::find_operation("project.list");
  json page = w.ok("project.list", json::object(), w.a.owner);
  CHECK(result::check(list.result, page).empty());
  page["items"][0].erase("cadenceConfig");
  CHECK(result::check(list.result, page) ==
        std::vector<std::string>{"$.items[0].cadenceConfig: missing"});
}

TEST_CASE_METHOD(Conformance, "every operation's result conforms to its declaration") {
  // Every day at 09:00 UTC: the slot of "today" (kNow is 09:00Z) is due at once.
  const json daily_cadence{{"days", json::array({"mon", "tue", "wed", "thu", "fri", "sat", "sun"})},
                           {"time", "09:00"},
                           {"timezone", "UTC"}};

  // --- meta, time zones, organizations ---
  run("meta.version", json::object());
  run("meta.operations", json::object());
  run("tz.list", json::object());
  run("organization.create", {{"name", "Initech"},
                              {"slug", "initech"},
                              {"plan", "pro"},
                              {"ownerEmail", "bill@initech.example"},
                              {"ownerName", "Bill"},
                              {"ownerTimezone", "Europe/London"}});
  run("organization.get", json::object());
  run("organization.update", {{"patch", {{"name", "Acme Research Ltd"}}}});

  // --- users ---
  const std::string uid = run(
      "user.create", {{"email", "temp@acme.example"}, {"name", "Temp"}, {"role", "member"}})["id"];
  run("user.get", {{"id", uid}});
  run("user.list", json::object());
  run("user.update", {{"id", uid}, {"patch", {{"name", "Temporary"}}}});
  run("user.delete", {{"id", uid}});
  run("user.restore", {{"id", uid}});
  run("user.purge", {{"id", uid}});

  // --- projects and their MVP memories ---
  const std::string pid = run("project.create", {{"name", "Daily News"},
                                                 {"description", "A daily show"},
                                                 {"cadenceConfig", daily_cadence}})["id"];
  run("project.get", {{"id", pid}});
  run("project.list", json::object());
  run("project.update", {{"id", pid}, {"patch", {{"description", "The daily show"}}}});
  json p = run("project.memory.add", {{"projectId", pid}, {"content", "Listeners like maps."}});
  const std::string mem = p["memories"][0]["id"];
  run("project.memory.update", {{"projectId", pid}, {"memoryId", mem}, {"content", "Maps!"}});
  run("project.memory.add", {{"projectId", pid}, {"content", "Keep it short."}});
  run("project.memory.remove", {{"projectId", pid}, {"memoryId", mem}});
  run("project.memory.migrate", {{"projectId", pid}});

  // --- episodes, blocks, highlights ---
  const std::string eid =
      run("episode.create", {{"projectId", pid}, {"title", "Episode one"}})["id"];
  run("episode.get", {{"id", eid}});
  run("episode.list", json::object());
  run("episode.update", {{"id", eid}, {"patch", {{"title", "Episode 1"}}}});
  const std::string bid =
      run("block.create", {{"episodeId", eid}, {"content", "Café 🚀 rocks"}})["id"];
  run("block.get", {{"id", bid}});
  run("block.list", json::object());
  run("block.update", {{"id", bid}, {"patch", {{"content", "Café 🚀 rocks!"}}}});
  const std::string hid = run("highlight.create", {{"episodeId", eid},
                                                   {"blockId", bid},
                                                   {"startOffset", 0},
                                                   {"endOffset", 4},
                                                   {"quote", "Café"}})["id"];
  run("highlight.get", {{"id", hid}});
  run("highlight.list", json::object());
  run("highlight.update", {{"id", hid}, {"patch", {{"note", "nice"}}}});
  run("highlight.delete", {{"id", hid}});
  run("highlight.restore", {{"id", hid}});
  run("highlight.purge", {{"id", hid}});

  // --- planning notes ---
  const std::string nid =
      run("planningNote.create", {{"projectId", pid}, {"content", "Cover the harbour"}})["id"];
  run("planningNote.get", {{"id", nid}});
  run("planningNote.list", json::object());
  run("planningNote.update", {{"id", nid}, {"patch", {{"content", "Cover the old harbour"}}}});
  run("planningNote.apply", {{"id", nid}, {"episodeId", eid}});
  const std::string nid2 =
      run("planningNote.create", {{"projectId", pid}, {"content", "Interview the mayor"}})["id"];
  run("planningNote.dismiss", {{"id", nid2}});
  run("planningNote.delete", {{"id", nid2}});
  run("planningNote.restore", {{"id", nid2}});
  run("planningNote.purge", {{"id", nid2}});

  // --- agent memories ---
  const std::string amid = run("agentMemory.create",
                               {{"projectId", pid}, {"content", "Prefers British spelling"}})["id"];
  run("agentMemory.get", {{"id", amid}});
  run("agentMemory.list", json::object());
  run("agentMemory.update", {{"id", amid}, {"patch", {{"content", "British spelling"}}}});
  run("agentMemory.delete", {{"id", amid}});
  run("agentMemory.restore", {{"id", amid}});
  run("agentMemory.purge", {{"id", amid}});

  // --- chat ---
  const std::string sid =
      run("chatSession.create",
          {{"projectId", pid}, {"episodeId", eid}, {"title", "About episode 1"}})["id"];
  run("chatSession.get", {{"id", sid}});
  run("chatSession.list", json::object());
  run("chatSession.update", {{"id", sid}, {"patch", {{"title", "Episode 1 questions"}}}});
  const std::string cmid = run("chatMessage.create", {{"sessionId", sid},
                                                      {"role", "user"},
                                                      {"content", "Why so long?"},
                                                      {"inputTokens", 12}})["id"];
  run("chatMessage.get", {{"id", cmid}});
  run("chatMessage.list", json::object());
  run("chatMessage.delete", {{"id", cmid}});

  // --- user events ---
  run("userEvent.has", {{"eventType", "onboarding.completed"}});  // none yet: nulls
  const std::string evid = run("userEvent.create", {{"eventType", "onboarding.completed"},
                                                    {"eventData", {{"step", 3}}}})["id"];
  run("userEvent.get", {{"id", evid}});
  run("userEvent.list", json::object());
  run("userEvent.has", {{"eventType", "onboarding.completed"}});
  run("userEvent.delete", {{"id", evid}});

  // --- schedule, queue and budget (the worker's operations run as the system) ---
  run("schedule.preview", {{"cadence", daily_cadence}, {"count", 3}});
  run("schedule.preview", {{"projectId", pid}, {"count", 3}}, a.owner, true);
  run("project.overview", json::object());  // before planning: no next episode yet is fine
  run("queue.plan", json::object());
  run("queue.plan", {{"projectId", pid}});
  json page = run("queue.list", json::object());
  REQUIRE(page["items"].size() > 3);
  run("queue.get", {{"id", page["items"][0]["id"]}});
  // Three days later: the slots of days 0..3 are due.
  now = "2025-08-18T09:30:00.000Z";
  json claimed = run("queue.claim", {{"workerId", "worker-1"}, {"limit", 4}});
  REQUIRE(claimed["items"].size() == 4);
  const auto item = [&](size_t i) { return claimed["items"][i]["item"]["id"].get<std::string>(); };
  const auto token = [&](size_t i) { return claimed["items"][i]["token"]; };
  run("queue.extend", {{"id", item(0)}, {"token", token(0)}, {"leaseSeconds", 600}});
  run("budget.reserve", {{"estimateMicros", 2'000'000}, {"queueItemId", item(0)}});
  const json usage{{"model", "claude-sonnet-4"},
                   {"inputTokens", 1200},
                   {"outputTokens", 800},
                   {"costMicros", 1'500'000}};
  run("queue.complete", {{"id", item(0)}, {"token", token(0)}, {"usage", usage}});
  run("queue.complete", {{"id", item(1)}, {"token", token(1)}});  // no usage: null
  run("queue.cancel", {{"id", item(2)}});
  // Fail item 3 until it is dead, then retry it by hand.
  json failed = run("queue.fail", {{"id", item(3)},
                                   {"token", token(3)},
                                   {"code", "llm_timeout"},
                                   {"message", "The model timed out."}});
  for (int i = 0; i < 20 && !failed["dead"].get<bool>(); ++i) {
    now = ec::format_instant(*ec::parse_instant(now) + 2 * 3600 * ec::kMsPerSecond);
    json again = run("queue.claim", {{"workerId", "worker-1"}, {"limit", 100}});
    json tok;
    for (const auto& c : again["items"])
      if (c["item"]["id"] == item(3)) tok = c["token"];
    for (const auto& c : again["items"])  // give the others back
      if (c["item"]["id"] != item(3))
        run("queue.complete", {{"id", c["item"]["id"]}, {"token", c["token"]}});
    if (tok.is_null()) continue;
    failed = run("queue.fail",
                 {{"id", item(3)}, {"token", tok}, {"code", "llm_timeout"}, {"message", "Again."}});
  }
  REQUIRE(failed["dead"].get<bool>());
  run("queue.retry", {{"id", item(3)}, {"extraAttempts", 1}}, a.admin);
  const std::string r1 = run("budget.reserve", {{"estimateMicros", 500'000}})["id"];
  run("budget.release", {{"reservationId", r1}});
  const std::string r2 = run("budget.reserve", {{"estimateMicros", 900'000}})["id"];
  json settle_usage = usage;
  settle_usage["projectId"] = pid;
  settle_usage["costMicros"] = 800'000;
  run("budget.settle", {{"reservationId", r2}, {"usage", settle_usage}});
  run("budgetReservation.get", {{"id", r2}});
  run("budgetReservation.list", json::object());
  const json usages = run("tokenUsage.list", json::object());
  REQUIRE(usages["items"].size() >= 2);
  run("tokenUsage.get", {{"id", usages["items"][0]["id"]}});
  const json days = run("usageDaily.list", json::object());
  REQUIRE(days["items"].size() >= 1);
  run("usageDaily.get", {{"id", days["items"][0]["id"]}});
  run("budget.status", json::object());
  run("budget.status", {{"date", "2025-08-18"}});
  run("usage.daily", {{"days", 7}});
  run("project.overview", json::object());  // with episodes, counts and a next episode

  // --- audit trail ---
  const json audit = run("auditLog.list", {{"limit", 1000}});
  REQUIRE(audit["items"].size() > 10);
  run("auditLog.get", {{"id", audit["items"][0]["id"]}});

  // --- the demo: clock, actor picker ---
  run("clock.get", json::object());
  run("clock.set", {{"now", "2025-09-01T12:00:00.000Z"}});
  run("clock.advance", {{"seconds", 3600}});
  run("clock.set", {{"now", nullptr}});
  run("demo.actors", json::object());

  // --- deleting what was built, parents last ---
  run("chatSession.delete", {{"id", sid}});
  run("chatSession.restore", {{"id", sid}});
  run("chatSession.purge", {{"id", sid}});
  run("block.delete", {{"id", bid}});
  const std::string eid2 = run("episode.create", {{"projectId", pid}, {"title", "Spare"}})["id"];
  run("episode.delete", {{"id", eid2}});
  run("episode.restore", {{"id", eid2}});
  run("episode.purge", {{"id", eid2}});
  const std::string pid2 =
      run("project.create", {{"name", "Spare project"}, {"cadenceConfig", daily_cadence}})["id"];
  run("project.delete", {{"id", pid2}});
  run("project.restore", {{"id", pid2}});
  run("project.purge", {{"id", pid2}});

  // --- mock.seed needs an empty database: a second core, then reads of its richer data ---
  {
    ec::api::Core seeded(":memory:", ec::api::Options{7});
    const json counts{{"organizations", 2}, {"users", 3},      {"projects", 3},    {"episodes", 6},
                      {"tokenUsage", 10},   {"weeksAhead", 1}, {"chatSessions", 2}};
    json r = seeded.call_json({{"op", "mock.seed"},
                               {"as", {{"system", true}}},
                               {"params", {{"seed", 3}, {"counts", counts}}}});
    INFO(r.dump().substr(0, 2000));
    REQUIRE(r.value("ok", false));
    expect_conforms(*ec::api::find_operation("mock.seed"), r["result"]);
    covered.insert("mock.seed");
    json actors = seeded.call_json(
        {{"op", "demo.actors"}, {"as", {{"system", true}}}, {"params", json::object()}});
    REQUIRE(actors.value("ok", false));
    expect_conforms(*ec::api::find_operation("demo.actors"), actors["result"]);
    // Every list operation over the generated data (deleted rows, errors, memories included).
    const json owner{{"organizationId", actors["result"][0]["organization"]["id"]},
                     {"userId", actors["result"][0]["users"][0]["id"]}};
    for (const auto& op : ec::api::operations()) {
      if (op.name.size() < 5 || op.name.substr(op.name.size() - 5) != ".list") continue;
      json params = json::object();
      for (const auto& f : op.params) {
        if (f.name == "includeDeleted") params["includeDeleted"] = true;
        if (f.name == "limit") params["limit"] = 1000;
      }
      if (!params.contains("limit")) continue;  // not a paged entity list (tz.list)
      json lr = seeded.call_json({{"op", op.name}, {"as", owner}, {"params", params}});
      INFO(op.name << " " << lr.dump().substr(0, 500));
      REQUIRE(lr.value("ok", false));
      expect_conforms(op, lr["result"]);
    }
    json ov = seeded.call_json(
        {{"op", "project.overview"}, {"as", owner}, {"params", {{"includeDeleted", true}}}});
    REQUIRE(ov.value("ok", false));
    expect_conforms(*ec::api::find_operation("project.overview"), ov["result"]);
  }

  // Every operation ran (a new operation must be added above).
  std::vector<std::string> missing;
  for (const auto& op : ec::api::operations())
    if (!covered.count(op.name)) missing.push_back(op.name);
  INFO("not exercised:\n" << joined(missing));
  CHECK(missing.empty());
  CHECK(covered.size() == ec::api::operations().size());
}
