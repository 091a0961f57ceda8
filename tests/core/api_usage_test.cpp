// API: token usage and its daily roll-up, user events, audit log, project overview, and the
// same-project rule for optional references on update.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/store/budget.hpp"
#include "core/store/repo.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

json daily(World& w, const Who& who) {
  json items = w.ok("usageDaily.list", {{"orderBy", "date"}}, who)["items"];
  json out = json::object();
  for (const auto& d : items)
    out[d["date"].get<std::string>()] = {d["costMicros"], d["callCount"], d["inputTokens"],
                                         d["outputTokens"]};
  return out;
}

// TokenUsage is written only by the system (budget.settle / queue.complete run record_usage);
// these tests write it the same way, through the store, then check the roll-up triggers.
json record(World& w, const Who& who, const json& usage) {
  json row;
  ec::store::Actor sys{who.org, "", "", true};
  w.db().transaction([&] {
    row = ec::store::budget::record_usage(*w.core.store(), sys, usage, json::object(),
                                          *ec::parse_instant(w.now));
  });
  return row;
}

std::string record_code(World& w, const Who& who, const json& usage) {
  try {
    record(w, who, usage);
    return "ok";
  } catch (const ec::Error& e) {
    return e.code();
  }
}

}  // namespace

TEST_CASE_METHOD(World, "token usage keeps usageDaily exact") {
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  const auto& TU = *ec::schema::find_entity("TokenUsage");
  auto usage = [&](int64_t in, int64_t out, int64_t cost, const char* at) {
    return record(*this, a.owner,
                  {{"projectId", pid},
                   {"episodeId", eid},
                   {"model", "claude-3-5-sonnet-20241022"},
                   {"inputTokens", in},
                   {"outputTokens", out},
                   {"costMicros", cost},
                   {"occurredAt", at}})["id"]
        .get<std::string>();
  };
  const std::string u1 = usage(1000, 200, 1'234'567, "2025-08-15T08:00:00Z");
  const std::string u2 = usage(10, 20, 3, "2025-08-15T23:59:59.999Z");
  const std::string u3 = usage(5, 5, 100, "2025-08-16T00:00:00Z");
  CHECK(daily(*this, a.owner) ==
        json{{"2025-08-15", {1'234'570, 2, 1010, 220}}, {"2025-08-16", {100, 1, 5, 5}}});
  CHECK(ok("usageDaily.list", json::object(), b.owner)["total"] == 0);

  SECTION("occurredAt defaults to now; an offset instant counts on its UTC day") {
    record(*this, a.owner,
           {{"projectId", pid},
            {"model", "gpt-4o"},
            {"inputTokens", 1},
            {"outputTokens", 1},
            {"costMicros", 1}});
    record(*this, a.owner,
           {{"projectId", pid},
            {"model", "gpt-4o"},
            {"inputTokens", 1},
            {"outputTokens", 1},
            {"costMicros", 1},
            {"occurredAt", "2025-08-16T01:30:00+02:00"}});
    CHECK(daily(*this, a.owner)["2025-08-15"] == json{1'234'572, 4, 1012, 222});
  }
  // Users cannot change or remove usage (the breaker reads it): those operations do not exist
  // and are refused as PostgreSQL's RLS refuses them.
  for (const char* op : {"tokenUsage.create", "tokenUsage.update", "tokenUsage.delete",
                         "tokenUsage.restore", "tokenUsage.purge"}) {
    json r = call(op, {{"id", u1}}, a.owner);
    CHECK(r["error"]["code"] == "forbidden");
    CHECK(r["error"]["path"] == json::array({"op"}));
  }
  SECTION("store-level update moves cost and tokens, also across days") {
    ec::store::repo::set_fields(*core.store(), TU, a.id, u1,
                                {{"costMicros", 1'000'000}, {"inputTokens", 900}});
    CHECK(daily(*this, a.owner)["2025-08-15"] == json{1'000'003, 2, 910, 220});
    ec::store::repo::set_fields(*core.store(), TU, a.id, u2,
                                {{"occurredAt", "2025-08-16T10:00:00Z"}});
    CHECK(daily(*this, a.owner)["2025-08-15"] == json{1'000'000, 1, 900, 200});
    CHECK(daily(*this, a.owner)["2025-08-16"] == json{103, 2, 15, 25});
  }
  SECTION("store-level delete subtracts") {
    ec::store::repo::purge(*core.store(), TU, a.id, u1);
    ec::store::repo::purge(*core.store(), TU, a.id, u3);
    json d = daily(*this, a.owner);
    CHECK(d["2025-08-15"] == json{3, 1, 10, 20});
    if (d.contains("2025-08-16")) CHECK(d["2025-08-16"] == json{0, 0, 0, 0});
    ec::store::repo::purge(*core.store(), TU, a.id, u2);
    d = daily(*this, a.owner);
    if (d.contains("2025-08-15")) CHECK(d["2025-08-15"] == json{0, 0, 0, 0});
  }
  SECTION("negative tokens and money are refused, nothing written") {
    const int64_t before = rows("token_usage");
    for (const auto& bad :
         {json{{"inputTokens", -1}}, json{{"outputTokens", -5}}, json{{"costMicros", -1}},
          json{{"costMicros", 1.5}}, json{{"costMicros", "100"}}}) {
      json p{{"projectId", pid},
             {"model", "m"},
             {"inputTokens", 1},
             {"outputTokens", 1},
             {"costMicros", 1}};
      for (auto& [k, v] : bad.items()) p[k] = v;
      INFO(bad.dump());
      CHECK(record_code(*this, a.owner, p) == "invalid");
    }
    CHECK(rows("token_usage") == before);
    CHECK(daily(*this, a.owner)["2025-08-15"][1] == 2);
  }
  SECTION("model names") {
    json p{{"projectId", pid}, {"inputTokens", 1}, {"outputTokens", 1}, {"costMicros", 1}};
    p["model"] = "bad model name";
    CHECK(record_code(*this, a.owner, p) == "invalid");
    p["model"] = "";
    CHECK(record_code(*this, a.owner, p) == "invalid");
    p["model"] = "anthropic/claude-3.5:beta@v1";
    CHECK(record_code(*this, a.owner, p) == "ok");
  }
  SECTION("episode or chat session of another project is refused") {
    const std::string other = project(a.owner, "Other");
    json p{{"projectId", other}, {"episodeId", eid},  {"model", "m"},
           {"inputTokens", 1},   {"outputTokens", 1}, {"costMicros", 1}};
    CHECK(record_code(*this, a.owner, p) == "invalid");
    CHECK(daily(*this, a.owner)["2025-08-15"][1] == 2);
  }
  SECTION("usageDaily is read-only") {
    json r = call("usageDaily.create", {{"date", "2025-08-15"}}, a.owner);
    CHECK(r["error"]["code"] == "forbidden");
    CHECK(call("usageDaily.explode", json::object(), a.owner)["error"]["code"] == "bad_request");
  }
}

TEST_CASE_METHOD(World, "user events replace boolean flags") {
  json has = ok("userEvent.has", {{"eventType", "onboarding.completed"}}, a.member);
  CHECK(has == json{{"has", false}, {"count", 0}, {"firstAt", nullptr}, {"lastAt", nullptr}});
  json ev = ok("userEvent.create",
               {{"eventType", "onboarding.completed"}, {"eventData", {{"step", 3}}}}, a.member);
  CHECK(ev["userId"] == a.member.user);
  CHECK(ev["occurredAt"] == kNow);
  now = "2025-08-20T00:00:00.000Z";
  ok("userEvent.create", {{"eventType", "onboarding.completed"}}, a.member);
  has = ok("userEvent.has", {{"eventType", "onboarding.completed"}}, a.member);
  CHECK(
      has ==
      json{{"has", true}, {"count", 2}, {"firstAt", kNow}, {"lastAt", "2025-08-20T00:00:00.000Z"}});
  // Per user and per organization.
  CHECK(ok("userEvent.has", {{"eventType", "onboarding.completed"}}, a.owner)["has"] == false);
  CHECK(ok("userEvent.has", {{"eventType", "onboarding.completed"}, {"userId", a.member.user}},
           a.owner)["count"] == 2);
  CHECK(code("userEvent.has", {{"eventType", "onboarding.completed"}, {"userId", b.member.user}},
             a.owner) == "not_found");
  CHECK(ok("userEvent.list", {{"userId", a.member.user}}, a.owner)["total"] == 2);
  CHECK(ok("userEvent.list", json::object(), b.owner)["total"] == 0);
  SECTION("event type names") {
    for (const char* bad : {"onboarding", "Onboarding.completed", "onboarding..completed", ".a.b",
                            "a.b.", "on-boarding.x", "1a.b", "a.1b", "a b.c"}) {
      INFO(bad);
      CHECK(code("userEvent.create", {{"eventType", bad}}, a.member) == "invalid");
      CHECK(code("userEvent.has", {{"eventType", bad}}, a.member) == "invalid");
    }
    for (const char* good : {"a.b", "onboarding.step_2", "billing.plan.upgraded", "x1.y2"})
      CHECK(code("userEvent.create", {{"eventType", good}}, a.member) == "ok");
  }
  SECTION("eventData must be an object of bounded size") {
    CHECK(code("userEvent.create", {{"eventType", "a.b"}, {"eventData", json::array()}},
               a.member) == "invalid");
    CHECK(code("userEvent.create", {{"eventType", "a.b"}, {"eventData", nullptr}}, a.member) ==
          "invalid");
    json big{{"blob", std::string(9000, 'x')}};
    json e = fail("userEvent.create", {{"eventType", "a.b"}, {"eventData", big}}, a.member);
    CHECK(e["issues"][0]["code"] == "too_big");
    CHECK(e["issues"][0]["path"] == json::array({"eventData"}));
  }
  SECTION("a user's events are recorded for a colleague only within the organization") {
    CHECK(code("userEvent.create", {{"eventType", "a.b"}, {"userId", b.member.user}}, a.owner) ==
          "not_found");
  }
}

TEST_CASE_METHOD(World, "audit log: one row per change, append-only") {
  const std::string pid = project(a.owner, "Audited");
  // Count the project's own audit rows (other rows, e.g. queue planning, may be written too).
  auto project_audits = [&] { return rows("audit_log", "entity_id = '" + pid + "'"); };
  const int64_t start = project_audits() - 1;
  CHECK(project_audits() == start + 1);
  ok("project.update", {{"id", pid}, {"patch", {{"name", "Audited 2"}, {"description", "d"}}}},
     a.owner);
  CHECK(project_audits() == start + 2);
  ok("project.delete", {{"id", pid}}, a.owner);
  ok("project.restore", {{"id", pid}}, a.owner);
  CHECK(project_audits() == start + 4);
  // Reads write nothing.
  const int64_t total = rows("audit_log");
  ok("project.get", {{"id", pid}}, a.owner);
  ok("project.list", json::object(), a.owner);
  ok("project.overview", json::object(), a.owner);
  ok("auditLog.list", json::object(), a.owner);
  CHECK(rows("audit_log") == total);

  json items = ok("auditLog.list", {{"limit", 1000}}, a.owner)["items"];
  std::vector<json> mine;
  for (const auto& r : items)
    if (r["entityId"] == pid) mine.push_back(r);
  REQUIRE(mine.size() == 4);
  std::map<std::string, json> by_action;
  for (const auto& r : mine) by_action[r["action"].get<std::string>()] = r;
  CHECK(by_action["create"]["changes"]["name"] == json{{"before", nullptr}, {"after", "Audited"}});
  CHECK(by_action["update"]["changes"] ==
        json{{"name", {{"before", "Audited"}, {"after", "Audited 2"}}},
             {"description", {{"before", ""}, {"after", "d"}}}});
  CHECK(by_action["delete"]["changes"]["deletedAt"]["before"].is_null());
  CHECK(by_action["restore"]["changes"]["deletedAt"]["after"].is_null());
  for (const auto& r : mine) {
    CHECK(r["actorId"] == a.owner.user);
    CHECK(r["entityType"] == "Project");
    CHECK(r["occurredAt"] == kNow);
  }
  // B sees none of A's audit rows.
  const json b_log = ok("auditLog.list", {{"limit", 1000}}, b.owner);
  CHECK(b_log["total"].get<int64_t>() > 0);
  for (const auto& r : b_log["items"]) CHECK(r["organizationId"] == b.id);

  SECTION("raw SQL cannot update or delete audit rows") {
    auto& db = core.store()->db();
    try {
      db.exec("UPDATE audit_log SET action = 'forged'");
      FAIL("update was not refused");
    } catch (const ec::Error& e) {
      CHECK(e.code() == "forbidden");
    }
    try {
      db.exec("DELETE FROM audit_log");
      FAIL("delete was not refused");
    } catch (const ec::Error& e) {
      CHECK(e.code() == "forbidden");
    }
    CHECK(project_audits() == start + 4);
    CHECK(rows("audit_log") == total);
    CHECK(rows("audit_log", "action = 'forged'") == 0);
  }
  SECTION("no operation writes audit rows directly") {
    CHECK(call("auditLog.create", {{"action", "x"}}, a.owner)["error"]["code"] == "forbidden");
    CHECK(call("auditLog.update", {{"id", mine[0]["id"]}, {"patch", {{"action", "x"}}}},
               a.owner)["error"]["code"] == "forbidden");
    CHECK(call("auditLog.delete", {{"id", mine[0]["id"]}}, a.owner)["error"]["code"] ==
          "forbidden");
  }
  SECTION("auditLog.get is tenant scoped") {
    CHECK(ok("auditLog.get", {{"id", mine[0]["id"]}}, a.owner)["entityId"] == pid);
    CHECK(code("auditLog.get", {{"id", mine[0]["id"]}}, b.owner) == "not_found");
  }
}

TEST_CASE_METHOD(World, "project.overview") {
  const std::string p1 = project(a.owner, "Alpha");
  const std::string p2 = project(a.owner, "Beta", {{"status", "paused"}});
  ok("episode.create", {{"projectId", p1}, {"title", "One"}, {"status", "ready"}}, a.owner);
  ok("episode.create", {{"projectId", p1}, {"title", "Two"}, {"status", "failed"}}, a.owner);
  json e3 = ok("episode.create",
               {{"projectId", p1},
                {"title", "Three"},
                {"status", "published"},
                {"scheduledFor", "2025-08-20T09:00:00Z"}},
               a.owner);
  ok("planningNote.create", {{"projectId", p1}, {"content", "open note"}}, a.owner);
  json n2 = ok("planningNote.create", {{"projectId", p1}, {"content", "dismissed note"}}, a.owner);
  ok("planningNote.dismiss", {{"id", n2["id"]}}, a.owner);
  project(b.owner, "B's");

  json ov = ok("project.overview", json::object(), a.owner);
  CHECK(ov["total"] == 2);
  REQUIRE(ov["items"].size() == 2);
  const json& alpha = ov["items"][0];
  CHECK(alpha["project"]["id"] == p1);
  CHECK(alpha["episodeCount"] == 3);
  CHECK(alpha["readyCount"] == 2);
  CHECK(alpha["failedCount"] == 1);
  CHECK(alpha["openNotes"] == 1);
  CHECK(alpha["lastEpisode"]["id"] == e3["id"]);
  CHECK(alpha["lastEpisode"]["number"] == 3);
  CHECK(alpha["lastEpisode"]["scheduledFor"] == "2025-08-20T09:00:00.000Z");
  const json& beta = ov["items"][1];
  CHECK(beta["project"]["id"] == p2);
  CHECK(beta["episodeCount"] == 0);
  CHECK(beta["readyCount"] == 0);
  CHECK(beta["lastEpisode"].is_null());

  CHECK(ok("project.overview", {{"status", "paused"}}, a.owner)["total"] == 1);
  ok("episode.delete", {{"id", e3["id"]}}, a.owner);
  ov = ok("project.overview", json::object(), a.owner);
  CHECK(ov["items"][0]["episodeCount"] == 2);
  CHECK(ov["items"][0]["lastEpisode"]["number"] == 2);
  ok("project.delete", {{"id", p2}}, a.owner);
  CHECK(ok("project.overview", json::object(), a.owner)["total"] == 1);
  CHECK(ok("project.overview", {{"includeDeleted", true}}, a.owner)["total"] == 2);
  CHECK(ok("project.overview", json::object(), b.owner)["total"] == 1);
}

// The same-project rule for optional episode/session references holds on update too.
TEST_CASE_METHOD(World, "cross-project references are refused on update too") {
  const std::string p1 = project(a.owner, "One");
  const std::string p2 = project(a.owner, "Two");
  const std::string e1 = episode(a.owner, p1);
  const std::string e2 = episode(a.owner, p2);
  const std::string sid =
      ok("chatSession.create", {{"projectId", p1}, {"title", "s"}}, a.owner)["id"];
  const std::string nid =
      ok("planningNote.create", {{"projectId", p1}, {"content", "n"}}, a.owner)["id"];
  CHECK(code("chatSession.update", {{"id", sid}, {"patch", {{"episodeId", e2}}}}, a.owner) ==
        "invalid");
  CHECK(code("planningNote.update", {{"id", nid}, {"patch", {{"appliedEpisodeId", e2}}}},
             a.owner) == "invalid");
  CHECK(ok("chatSession.get", {{"id", sid}}, a.owner)["episodeId"].is_null());
}
