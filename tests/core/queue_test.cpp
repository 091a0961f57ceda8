// Tests for core/store/queue: planning, claiming under a lease with a fencing token, completion,
// failure with backoff, dead items and retries, project status, circuit breaker, tenancy.
// Everything goes through the API (Core::call_json on ":memory:" with an explicit `now`).
#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <set>

#include "core/api/api.hpp"
#include "core/store/queue.hpp"
#include "core/store/store.hpp"
#include "tests/support/owners.hpp"

using json = nlohmann::json;

namespace {

// 2025-08-15 is a Friday. Europe/London is on BST (UTC+1) until 2025-10-26.
constexpr const char* kFri = "2025-08-15T09:00:00.000Z";

using ectest::Who;

json cad(std::initializer_list<const char*> days, const char* time, const char* tz = nullptr) {
  json c{{"days", json::array()}, {"time", time}};
  for (const char* d : days) c["days"].push_back(d);
  if (tz) c["timezone"] = tz;
  return c;
}

ec::Instant at(const std::string& iso) {
  return *ec::parse_instant(iso);
}
std::string iso(ec::Instant t) {
  return ec::format_instant(t);
}

struct Q : ectest::Owners {
  Q() : Owners(11, kFri) {
    a = org("acme", "team", "Europe/London", "Acme");
    b = org("globex", "team", "America/New_York", "Globex");
  }

  std::string project(const json& cadence, const Who& w, const std::string& name = "P") {
    return ok("project.create", {{"name", name}, {"cadenceConfig", cadence}}, w)["id"];
  }
  std::string project(const json& cadence) { return project(cadence, a); }

  json items(const std::string& project_id, const char* status = nullptr, const Who* w = nullptr) {
    json p{{"projectId", project_id}, {"orderBy", "scheduledFor"}, {"limit", 1000}};
    if (status) p["status"] = status;
    return ok("queue.list", p, w ? *w : a)["items"];
  }
  std::vector<std::string> slots(const std::string& project_id, const char* status = "pending") {
    std::vector<std::string> out;
    for (const auto& i : items(project_id, status)) out.push_back(i["scheduledFor"]);
    return out;
  }
  json claim(const std::string& worker, int limit = 1, int lease = 300, const Who* w = nullptr) {
    return ok("queue.claim", {{"workerId", worker}, {"limit", limit}, {"leaseSeconds", lease}},
              w ? *w : a);
  }
  int64_t audit_rows(const std::string& action) {
    return core.store()->db().query_int(
        "SELECT count(*) FROM audit_log WHERE entity_type = 'EpisodeScheduleQueue' AND action = ?",
        {action});
  }
};

}  // namespace

TEST_CASE_METHOD(Q, "queue.plan enqueues the horizon and is idempotent") {
  const auto p = project(cad({"mon", "wed"}, "09:00"));  // owner in Europe/London: 08:00Z in summer
  json r = ok("queue.plan", {{"projectId", p}});
  CHECK(r == json{{"added", 4}, {"cancelled", 0}, {"kept", 0}, {"projects", 1}});
  CHECK(slots(p) == std::vector<std::string>{"2025-08-18T08:00:00.000Z", "2025-08-20T08:00:00.000Z",
                                             "2025-08-25T08:00:00.000Z",
                                             "2025-08-27T08:00:00.000Z"});
  for (const auto& i : items(p)) {
    CHECK(i["runAfter"] == i["scheduledFor"]);
    CHECK(i["attempts"] == 0);
    CHECK(i["maxAttempts"] == 3);
  }
  const int64_t audits = audit_rows("enqueue");
  CHECK(audits == 4);
  // Twice: nothing changes, nothing is audited.
  r = ok("queue.plan", {{"projectId", p}});
  CHECK(r == json{{"added", 0}, {"cancelled", 0}, {"kept", 4}, {"projects", 1}});
  CHECK(audit_rows("enqueue") == audits);
  CHECK(items(p).size() == 4);
  // All projects of the org; a longer horizon only adds the later slots.
  r = ok("queue.plan", {{"horizonDays", 28}});
  CHECK(r["added"] == 4);
  CHECK(r["kept"] == 4);
  CHECK(ok("queue.plan", {{"horizonDays", 28}})["added"] == 0);
  // A later `now` adds the new end of the horizon; earlier slots are not replanned.
  now = "2025-08-19T00:00:00.000Z";
  r = ok("queue.plan", {{"projectId", p}, {"horizonDays", 28}});
  CHECK(r["added"] == 1);  // Mon 2025-09-15
  CHECK(r["cancelled"] == 0);
}

TEST_CASE_METHOD(Q, "queue.plan validates its parameters") {
  CHECK(err("queue.plan", {{"horizonDays", 91}}) == "invalid");
  CHECK(err("queue.plan", {{"horizonDays", 0}}) == "invalid");
  CHECK(err("queue.plan", {{"projectId", "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"}}) == "not_found");
  CHECK(err("queue.claim", {}) == "invalid");  // workerId required
  CHECK(err("queue.claim", {{"workerId", "w"}, {"limit", 101}}) == "invalid");
}

TEST_CASE_METHOD(Q, "a cadence change cancels pending mismatches; processing and completed stay") {
  const auto p = project(cad({"mon", "wed"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T08:00:00.000Z";  // Monday's slot is due
  json c = claim("w1");
  REQUIRE(c["items"].size() == 1);
  const std::string processing = c["items"][0]["item"]["id"];
  now = "2025-08-18T08:30:00.000Z";
  // The update hook replans in the same transaction.
  ok("project.update", {{"id", p}, {"patch", {{"cadenceConfig", cad({"tue", "thu"}, "10:00")}}}});
  CHECK(slots(p) == std::vector<std::string>{"2025-08-19T09:00:00.000Z", "2025-08-21T09:00:00.000Z",
                                             "2025-08-26T09:00:00.000Z",
                                             "2025-08-28T09:00:00.000Z"});
  CHECK(slots(p, "cancelled") == std::vector<std::string>{"2025-08-20T08:00:00.000Z",
                                                          "2025-08-25T08:00:00.000Z",
                                                          "2025-08-27T08:00:00.000Z"});
  json item = ok("queue.get", {{"id", processing}});
  CHECK(item["status"] == "processing");
  CHECK(item["lockedBy"] == "w1");
  CHECK(ok("queue.plan", {{"projectId", p}}) ==
        json{{"added", 0}, {"cancelled", 0}, {"kept", 4}, {"projects", 1}});
  // The processing item still completes with its token.
  ok("queue.complete", {{"id", processing}, {"token", 1}});
  // Back to mon/wed: the slots a replan had cancelled are planned again (same rows).
  ok("project.update", {{"id", p}, {"patch", {{"cadenceConfig", cad({"mon", "wed"}, "09:00")}}}});
  CHECK(slots(p) == std::vector<std::string>{"2025-08-20T08:00:00.000Z", "2025-08-25T08:00:00.000Z",
                                             "2025-08-27T08:00:00.000Z",
                                             "2025-09-01T08:00:00.000Z"});
  CHECK(slots(p, "completed") == std::vector<std::string>{"2025-08-18T08:00:00.000Z"});
  CHECK(slots(p, "cancelled").size() == 4);  // the tue/thu ones
}

TEST_CASE_METHOD(Q, "a timezone change replans: cadence timezone and owner timezone") {
  const auto p = project(cad({"mon"}, "09:00", "Europe/London"));
  ok("queue.plan", {{"projectId", p}, {"horizonDays", 21}});
  now = "2025-08-18T08:00:00.000Z";
  json c = claim("w1");
  ok("queue.complete", {{"id", c["items"][0]["item"]["id"]}, {"token", 1}});
  ok("project.update",
     {{"id", p}, {"patch", {{"cadenceConfig", cad({"mon"}, "09:00", "America/New_York")}}}});
  // Replanning keeps the reach of the earlier plan (up to the last pending slot, Sep 1 08:00Z).
  CHECK(slots(p) ==
        std::vector<std::string>{"2025-08-18T13:00:00.000Z", "2025-08-25T13:00:00.000Z"});
  CHECK(slots(p, "completed") == std::vector<std::string>{"2025-08-18T08:00:00.000Z"});
  CHECK(slots(p, "cancelled") ==
        std::vector<std::string>{"2025-08-25T08:00:00.000Z", "2025-09-01T08:00:00.000Z"});

  // A cadence without a timezone follows its owner: change the owner's zone, then plan.
  const auto q = project(cad({"wed"}, "09:00"), a, "Q");
  ok("queue.plan", {{"projectId", q}, {"horizonDays", 7}});
  CHECK(slots(q) == std::vector<std::string>{"2025-08-20T08:00:00.000Z"});
  ok("user.update", {{"id", a.user}, {"patch", {{"timezone", "Asia/Tokyo"}}}});
  json r = ok("queue.plan", {{"projectId", q}, {"horizonDays", 7}});
  CHECK(r["cancelled"] == 1);
  CHECK(r["added"] == 1);
  CHECK(slots(q) == std::vector<std::string>{"2025-08-20T00:00:00.000Z"});
}

TEST_CASE_METHOD(Q, "planning across DST weeks (gap and overlap)") {
  SECTION("Europe/London fall back: 01:30 on 2025-10-26 happens twice, the earlier is taken") {
    const auto p = project(cad({"sat", "sun", "mon"}, "01:30", "Europe/London"));
    now = "2025-10-24T00:00:00.000Z";
    ok("queue.plan", {{"projectId", p}, {"horizonDays", 4}});
    CHECK(slots(p) == std::vector<std::string>{"2025-10-25T00:30:00.000Z",
                                               "2025-10-26T00:30:00.000Z",
                                               "2025-10-27T01:30:00.000Z"});
  }
  SECTION(
      "America/New_York spring forward: 02:30 on 2025-03-09 does not exist, moves to 03:30 EDT") {
    const auto p = project(cad({"sat", "sun", "mon"}, "02:30", "America/New_York"));
    now = "2025-03-07T12:00:00.000Z";
    ok("queue.plan", {{"projectId", p}, {"horizonDays", 4}});
    CHECK(slots(p) == std::vector<std::string>{"2025-03-08T07:30:00.000Z",
                                               "2025-03-09T07:30:00.000Z",
                                               "2025-03-10T06:30:00.000Z"});
    // Planning again over the DST week is still idempotent.
    CHECK(ok("queue.plan", {{"projectId", p}, {"horizonDays", 4}})["kept"] == 3);
  }
  SECTION("daily 09:00 London across the October change: 08:00Z then 09:00Z") {
    const auto p =
        project(cad({"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "09:00", "Europe/London"));
    now = "2025-10-24T12:00:00.000Z";
    ok("queue.plan", {{"projectId", p}, {"horizonDays", 4}});
    CHECK(slots(p) ==
          std::vector<std::string>{"2025-10-25T08:00:00.000Z", "2025-10-26T09:00:00.000Z",
                                   "2025-10-27T09:00:00.000Z", "2025-10-28T09:00:00.000Z"});
  }
}

TEST_CASE_METHOD(Q, "claim takes due items in slot order, creates the episode, and is audited") {
  const auto p = project(cad({"mon", "wed"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  CHECK(claim("w1")["items"].empty());  // nothing due on Friday
  now = "2025-08-20T08:00:00.000Z";     // Monday's and Wednesday's slots are due
  json c = claim("w1", 5, 120);
  REQUIRE(c["items"].size() == 2);
  CHECK_FALSE(c.contains("blocked"));
  CHECK(c["items"][0]["item"]["scheduledFor"] == "2025-08-18T08:00:00.000Z");
  CHECK(c["items"][1]["item"]["scheduledFor"] == "2025-08-20T08:00:00.000Z");
  for (int i = 0; i < 2; ++i) {
    const json& x = c["items"][i];
    CHECK(x["token"] == 1);
    CHECK(x["item"]["status"] == "processing");
    CHECK(x["item"]["attempts"] == 1);
    CHECK(x["item"]["lockedBy"] == "w1");
    CHECK(x["item"]["lockedUntil"] == "2025-08-20T08:02:00.000Z");
    CHECK(x["item"]["episodeId"] == x["episode"]["id"]);
    CHECK(x["episode"]["status"] == "generating");
    CHECK(x["episode"]["number"] == i + 1);
    CHECK(x["episode"]["generationAttempts"] == 1);
    CHECK(x["episode"]["scheduledFor"] == x["item"]["scheduledFor"]);
  }
  CHECK(audit_rows("claim") == 2);
  CHECK(claim("w2", 5)["items"].empty());  // leases held
  for (const auto& x : c["items"]) ok("queue.complete", {{"id", x["item"]["id"]}, {"token", 1}});

  // An episode made by hand for a slot is reused (not duplicated).
  const auto p2 = project(cad({"thu"}, "09:00"), a, "P2");
  ok("queue.plan", {{"projectId", p2}});
  json ep =
      ok("episode.create",
         {{"projectId", p2}, {"title", "Prepared"}, {"scheduledFor", "2025-08-21T08:00:00.000Z"}});
  now = "2025-08-21T08:00:00.000Z";
  c = claim("w1");
  REQUIRE(c["items"].size() == 1);
  CHECK(c["items"][0]["episode"]["id"] == ep["id"]);
  CHECK(c["items"][0]["episode"]["title"] == "Prepared");
}

TEST_CASE_METHOD(Q, "complete: item completed, episode ready, usage recorded") {
  const auto p = project(cad({"mon"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T08:00:00.000Z";
  json c = claim("w1");
  const std::string id = c["items"][0]["item"]["id"];
  json res = ok("budget.reserve", {{"estimateMicros", 2'000'000}, {"queueItemId", id}});
  now = "2025-08-18T08:03:00.000Z";
  json done = ok("queue.complete", {{"id", id},
                                    {"token", 1},
                                    {"usage",
                                     {{"model", "claude-sonnet-4"},
                                      {"inputTokens", 1200},
                                      {"outputTokens", 3400},
                                      {"costMicros", 1'234'567}}}});
  CHECK(done["item"]["status"] == "completed");
  CHECK(done["item"]["completedAt"] == "2025-08-18T08:03:00.000Z");
  CHECK(done["item"]["lockedBy"].is_null());
  CHECK(done["episode"]["status"] == "ready");
  CHECK(done["episode"]["generatedAt"] == "2025-08-18T08:03:00.000Z");
  CHECK(done["usage"]["episodeId"] == done["episode"]["id"]);
  CHECK(done["usage"]["projectId"] == p);
  CHECK(ok("budgetReservation.get", {{"id", res["id"]}})["status"] == "settled");
  json st = ok("budget.status", json::object());
  CHECK(st["spentMicros"] == 1'234'567);
  CHECK(st["reservedMicros"] == 0);
  CHECK(st["callCount"] == 1);
  // Bad usage is refused with paths under usage, and nothing is written.
  now = "2025-08-25T08:00:00.000Z";
  c = claim("w1");
  const std::string id2 = c["items"][0]["item"]["id"];
  json r = call("queue.complete",
                {{"id", id2}, {"token", 1}, {"usage", {{"model", "m"}, {"inputTokens", -1}}}}, a);
  REQUIRE(r["ok"] == false);
  CHECK(r["error"]["code"] == "invalid");
  std::set<std::string> paths;
  for (const auto& i : r["error"]["issues"]) paths.insert(i["path"].dump());
  CHECK(paths.count(R"(["usage","inputTokens"])") == 1);
  CHECK(paths.count(R"(["usage","outputTokens"])") == 1);
  CHECK(ok("queue.get", {{"id", id2}})["status"] == "processing");
}

TEST_CASE_METHOD(Q, "lease expiry: another worker reclaims; the old token is refused everywhere") {
  const auto p = project(cad({"mon"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T08:00:00.000Z";
  json c1 = claim("w1", 1, 300);
  const std::string id = c1["items"][0]["item"]["id"];
  now = "2025-08-18T08:04:59.000Z";
  CHECK(claim("w2")["items"].empty());  // lease still held
  // The holder may extend while it holds the lease.
  json ext = ok("queue.extend", {{"id", id}, {"token", 1}, {"leaseSeconds", 60}});
  CHECK(ext["lockedUntil"] == "2025-08-18T08:05:59.000Z");
  now = "2025-08-18T08:05:59.000Z";
  CHECK(claim("w2")["items"].empty());  // expires strictly after lockedUntil
  now = "2025-08-18T08:06:00.000Z";
  json c2 = claim("w2");
  REQUIRE(c2["items"].size() == 1);
  CHECK(c2["items"][0]["item"]["id"] == id);
  CHECK(c2["items"][0]["token"] == 2);
  CHECK(c2["items"][0]["item"]["lockedBy"] == "w2");
  CHECK(c2["items"][0]["episode"]["id"] == c1["items"][0]["episode"]["id"]);
  CHECK(c2["items"][0]["episode"]["generationAttempts"] == 2);
  const json errors = c2["items"][0]["episode"]["generationErrors"];
  REQUIRE(errors.size() == 1);
  CHECK(errors[0]["code"] == "lease_expired");
  CHECK(errors[0]["attempt"] == 1);

  // w1 comes back late with token 1: refused, and nothing changes.
  CHECK(err("queue.complete", {{"id", id}, {"token", 1}}) == "stale_lease");
  CHECK(err("queue.fail", {{"id", id}, {"token", 1}, {"code", "timeout"}, {"message", "late"}}) ==
        "stale_lease");
  CHECK(err("queue.extend", {{"id", id}, {"token", 1}, {"leaseSeconds", 60}}) == "stale_lease");
  CHECK(err("queue.complete", {{"id", id}, {"token", 3}}) ==
        "stale_lease");  // a future token is no better
  json item = ok("queue.get", {{"id", id}});
  CHECK(item["status"] == "processing");
  CHECK(item["lockedBy"] == "w2");
  ok("queue.complete", {{"id", id}, {"token", 2}});
  // Not processing any more: every lease operation is stale.
  CHECK(err("queue.complete", {{"id", id}, {"token", 2}}) == "stale_lease");
  CHECK(err("queue.extend", {{"id", id}, {"token", 2}}) == "stale_lease");
  CHECK(err("queue.fail", {{"id", id}, {"token", 2}, {"code", "x"}, {"message", ""}}) ==
        "stale_lease");
}

TEST_CASE("backoff: 60 s * 2^(attempt-1), capped at 1 h, deterministic jitter of up to 10 %") {
  using ec::store::queue::backoff_ms;
  const std::string id = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
  const int64_t base[] = {60'000,  120'000,   240'000,   480'000,
                          960'000, 1'920'000, 3'600'000, 3'600'000};
  for (int attempt = 1; attempt <= 8; ++attempt) {
    INFO("attempt " << attempt);
    const int64_t d = backoff_ms(id, attempt);
    const int64_t b = base[attempt - 1];
    CHECK(d <= b);
    CHECK(d >= b - b / 10);
    CHECK(d == backoff_ms(id, attempt));  // stable
  }
  CHECK(backoff_ms(id, 1000) <= 3'600'000);
  CHECK(backoff_ms(id, 0) <= 60'000);
  // Different items spread out.
  std::set<int64_t> spread;
  for (int i = 0; i < 20; ++i) spread.insert(backoff_ms("item-" + std::to_string(i), 3));
  CHECK(spread.size() >= 15);
}

TEST_CASE_METHOD(
    Q, "fail retries with backoff, records errors on the Episode, dies after maxAttempts") {
  const auto p = project(cad({"mon"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T08:00:00.000Z";
  std::string id, episode;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    INFO("attempt " << attempt);
    json c = claim("w1");
    REQUIRE(c["items"].size() == 1);
    id = c["items"][0]["item"]["id"];
    episode = c["items"][0]["episode"]["id"];
    CHECK(c["items"][0]["token"] == attempt);
    CHECK(c["items"][0]["episode"]["generationAttempts"] == attempt);
    json f =
        ok("queue.fail", {{"id", id},
                          {"token", attempt},
                          {"code", "llm_timeout"},
                          {"message", "no answer in 60 s (try " + std::to_string(attempt) + ")"}});
    CHECK(f["item"]["lastError"] ==
          "llm_timeout: no answer in 60 s (try " + std::to_string(attempt) + ")");
    CHECK(f["item"]["lockedBy"].is_null());
    const json errors = f["episode"]["generationErrors"];
    REQUIRE(errors.size() == static_cast<size_t>(attempt));
    CHECK(errors.back()["attempt"] == attempt);
    CHECK(errors.back()["code"] == "llm_timeout");
    CHECK(errors.back()["at"] == now);
    if (attempt < 3) {
      CHECK(f["dead"] == false);
      CHECK(f["item"]["status"] == "pending");
      CHECK(f["episode"]["status"] == "scheduled");
      const std::string expect = iso(at(now) + ec::store::queue::backoff_ms(id, attempt));
      CHECK(f["retryAt"] == expect);
      CHECK(f["item"]["runAfter"] == expect);
      // Not before runAfter.
      now = iso(at(expect) - 1);
      CHECK(claim("w1")["items"].empty());
      now = expect;
    } else {
      CHECK(f["dead"] == true);
      CHECK(f["retryAt"].is_null());
      CHECK(f["item"]["status"] == "failed");
      CHECK(f["episode"]["status"] == "failed");
    }
  }
  now = "2025-08-19T08:00:00.000Z";
  CHECK(claim("w1")["items"].empty());  // dead items are not claimed
  CHECK(audit_rows("fail") == 3);

  // By hand: back to pending, due now; attempts kept (the token only grows), 3 more allowed.
  CHECK(err("queue.retry", {{"id", "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"}}) == "not_found");
  json r = ok("queue.retry", {{"id", id}});
  CHECK(r["status"] == "pending");
  CHECK(r["attempts"] == 3);
  CHECK(r["maxAttempts"] == 6);
  CHECK(r["runAfter"] == now);
  CHECK(ok("episode.get", {{"id", episode}})["status"] == "scheduled");
  CHECK(err("queue.retry", {{"id", id}}) == "conflict");  // only failed items
  json c = claim("w1");
  REQUIRE(c["items"].size() == 1);
  CHECK(c["items"][0]["token"] == 4);
  CHECK(c["items"][0]["episode"]["generationAttempts"] == 4);
  CHECK(c["items"][0]["episode"]["generationErrors"].size() == 3);
  ok("queue.complete", {{"id", id}, {"token", 4}});
  CHECK(ok("episode.get", {{"id", episode}})["status"] == "ready");
}

TEST_CASE_METHOD(Q, "an expired lease on the last attempt makes the item dead") {
  const auto p = project(cad({"mon"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T08:00:00.000Z";
  json c = claim("w1");
  const std::string id = c["items"][0]["item"]["id"];
  ok("queue.fail", {{"id", id}, {"token", 1}, {"code", "e"}, {"message", "1"}});
  now = "2025-08-18T09:00:00.000Z";
  claim("w1");
  ok("queue.fail", {{"id", id}, {"token", 2}, {"code", "e"}, {"message", "2"}});
  now = "2025-08-18T10:00:00.000Z";
  CHECK(claim("w1", 1, 60)["items"][0]["token"] == 3);
  now = "2025-08-18T10:05:00.000Z";  // the worker vanished on its last attempt
  CHECK(claim("w2")["items"].empty());
  json item = ok("queue.get", {{"id", id}});
  CHECK(item["status"] == "failed");
  CHECK(item["lastError"].get<std::string>().rfind("lease_expired", 0) == 0);
  json ep = ok("episode.get", {{"id", item["episodeId"]}});
  CHECK(ep["status"] == "failed");
  CHECK(ep["generationErrors"].size() == 3);
  CHECK(ep["generationErrors"][2]["code"] == "lease_expired");
}

TEST_CASE_METHOD(Q, "paused, archived and deleted projects are not claimed") {
  const auto live = project(cad({"mon"}, "09:00"), a, "Live");
  const auto paused = project(cad({"mon"}, "09:00"), a, "Paused");
  const auto archived = project(cad({"mon"}, "09:00"), a, "Archived");
  const auto deleted = project(cad({"mon"}, "09:00"), a, "Deleted");
  CHECK(ok("queue.plan", json::object())["added"] == 8);
  // The hooks cancel pending items when a project stops.
  ok("project.update", {{"id", paused}, {"patch", {{"status", "paused"}}}});
  ok("project.update", {{"id", archived}, {"patch", {{"status", "archived"}}}});
  ok("project.delete", {{"id", deleted}});
  CHECK(items(paused, "pending").empty());
  CHECK(items(archived, "pending").empty());
  auto& db = core.store()->db();
  CHECK(db.query_int("SELECT count(*) FROM episode_schedule_queue WHERE project_id = ? AND status "
                     "= 'cancelled'",
                     {deleted}) == 2);
  CHECK(items(deleted).empty());  // items of a deleted project are hidden like the project
  CHECK(ok("queue.plan", json::object())["added"] == 0);
  now = "2025-08-18T08:00:00.000Z";
  json c = claim("w1", 10);
  REQUIRE(c["items"].size() == 1);
  CHECK(c["items"][0]["item"]["projectId"] == live);

  // Even with pending items left behind (written around the hooks), claim skips them.
  db.exec(
      "UPDATE episode_schedule_queue SET status = 'pending' WHERE status = 'cancelled' AND "
      "project_id != '" +
      live + "'");
  CHECK(claim("w1", 10)["items"].empty());
  // Resuming / restoring plans the slots again (the rows a plan had cancelled come back).
  db.exec(
      "UPDATE episode_schedule_queue SET status = 'cancelled' WHERE status = 'pending' AND "
      "project_id != '" +
      live + "'");
  now = "2025-08-18T07:00:00.000Z";
  ok("project.update", {{"id", paused}, {"patch", {{"status", "active"}}}});
  CHECK(slots(paused) ==
        std::vector<std::string>{"2025-08-18T08:00:00.000Z", "2025-08-25T08:00:00.000Z"});
  ok("project.restore", {{"id", deleted}});
  CHECK(slots(deleted).size() == 2);
  // A pausedUntil in the cadence is honoured by planning.
  now = "2025-08-19T00:00:00.000Z";
  ok("project.update",
     {{"id", live},
      {"patch",
       {{"cadenceConfig",
         {{"days", {"mon"}}, {"time", "09:00"}, {"pausedUntil", "2025-08-30"}}}}}});
  CHECK(slots(live) == std::vector<std::string>{"2025-09-01T08:00:00.000Z"});
}

TEST_CASE_METHOD(Q, "an organization over its daily budget is not claimed, and says why") {
  const auto p = project(cad({"mon"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T07:00:00.000Z";
  // £51.20 spent under a £60 limit (recorded by the system), then the limit lowered to £50.
  ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 60'000'000}}}});
  const std::string rid = ok("budget.reserve", {{"estimateMicros", 51'200'000}})["id"];
  ok("budget.settle", {{"reservationId", rid},
                       {"usage",
                        {{"projectId", p},
                         {"model", "claude-opus-4"},
                         {"inputTokens", 10},
                         {"outputTokens", 10},
                         {"costMicros", 51'200'000}}}});
  ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 50'000'000}}}});
  now = "2025-08-18T08:00:00.000Z";
  json c = claim("w1");
  CHECK(c["items"].empty());
  REQUIRE(c.contains("blocked"));
  CHECK(c["blocked"]["reason"] == "Today's spend £51.20 reached the £50.00 daily limit");
  CHECK(c["blocked"]["organizationId"] == a.org);
  json st = ok("budget.status", json::object());
  CHECK(st["blocked"] == true);
  CHECK(st["reason"] == c["blocked"]["reason"]);
  // Another organization is not affected.
  const auto pb = project(cad({"mon"}, "09:00"), b, "B");
  ok("queue.plan", {{"projectId", pb}}, b);
  now = "2025-08-18T14:00:00.000Z";
  CHECK(claim("wb", 1, 300, &b)["items"].size() == 1);
  // A new UTC day: the breaker closes.
  now = "2025-08-19T00:00:00.000Z";
  c = claim("w1");
  CHECK_FALSE(c.contains("blocked"));
  CHECK(c["items"].size() == 1);
  // Raising the limit also closes it.
  now = "2025-08-18T09:00:00.000Z";
  ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 60'000'000}}}});
  CHECK(ok("budget.status", json::object())["blocked"] == false);
}

TEST_CASE_METHOD(Q, "queue.cancel by hand: planning does not bring the slot back") {
  const auto p = project(cad({"mon", "wed"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  const json first = items(p)[0];
  json r = ok("queue.cancel", {{"id", first["id"]}});
  CHECK(r["status"] == "cancelled");
  CHECK(ok("queue.cancel", {{"id", first["id"]}})["status"] == "cancelled");  // idempotent
  CHECK(ok("queue.plan", {{"projectId", p}})["added"] == 0);
  CHECK(ok("queue.get", {{"id", first["id"]}})["status"] == "cancelled");
  // Cancelling a processing item makes its lease stale and cancels the episode.
  now = "2025-08-20T08:00:00.000Z";
  json c = claim("w1");
  const std::string id = c["items"][0]["item"]["id"];
  ok("queue.cancel", {{"id", id}});
  CHECK(ok("episode.get", {{"id", c["items"][0]["episode"]["id"]}})["status"] == "cancelled");
  CHECK(err("queue.complete", {{"id", id}, {"token", 1}}) == "stale_lease");
  // Completed items cannot be cancelled.
  now = "2025-08-25T08:00:00.000Z";
  c = claim("w1");
  ok("queue.complete", {{"id", c["items"][0]["item"]["id"]}, {"token", 1}});
  CHECK(err("queue.cancel", {{"id", c["items"][0]["item"]["id"]}}) == "conflict");
}

TEST_CASE_METHOD(Q, "tenancy: another organization's queue items behave as missing") {
  const auto p = project(cad({"mon"}, "09:00"));
  ok("queue.plan", {{"projectId", p}});
  now = "2025-08-18T08:00:00.000Z";
  json c = claim("w1");
  const std::string id = c["items"][0]["item"]["id"];
  const std::string pending = items(p, "pending")[0]["id"];
  CHECK(err("queue.get", {{"id", id}}, b) == "not_found");
  CHECK(err("queue.complete", {{"id", id}, {"token", 1}}, b) == "not_found");
  CHECK(err("queue.fail", {{"id", id}, {"token", 1}, {"code", "x"}, {"message", "y"}}, b) ==
        "not_found");
  CHECK(err("queue.extend", {{"id", id}, {"token", 1}}, b) == "not_found");
  CHECK(err("queue.cancel", {{"id", pending}}, b) == "not_found");
  CHECK(err("queue.retry", {{"id", pending}}, b) == "not_found");
  CHECK(err("queue.plan", {{"projectId", p}}, b) == "not_found");
  CHECK(err("budget.reserve", {{"estimateMicros", 1}, {"queueItemId", id}}, b) == "not_found");
  CHECK(ok("queue.list", json::object(), b)["total"] == 0);
  // B's claim and plan never see A's items.
  CHECK(ok("queue.plan", json::object(), b)["kept"] == 0);
  now = "2025-08-26T00:00:00.000Z";
  CHECK(claim("wb", 10, 300, &b)["items"].empty());
  CHECK(ok("queue.get", {{"id", pending}})["status"] == "pending");
  // A's own lease still works after all that.
  now = "2025-08-18T08:01:00.000Z";
  ok("queue.complete", {{"id", id}, {"token", 1}});
}

TEST_CASE_METHOD(Q, "every queue change writes its audit row in the same transaction") {
  const auto p = project(cad({"mon"}, "09:00"));
  auto& db = core.store()->db();
  auto audits = [&] { return db.query_int("SELECT count(*) FROM audit_log", {}); };
  int64_t before = audits();
  ok("queue.plan", {{"projectId", p}});
  CHECK(audits() == before + 2);
  now = "2025-08-18T08:00:00.000Z";
  before = audits();
  json c = claim("w1");
  CHECK(audits() == before + 3);  // episode created + episode updated + item claimed
  // A refused request leaves no trace.
  before = audits();
  err("queue.complete", {{"id", c["items"][0]["item"]["id"]}, {"token", 9}});
  CHECK(audits() == before);
  auto& st = db.prepare(
      "SELECT actor_id, changes FROM audit_log WHERE entity_type = 'EpisodeScheduleQueue' AND "
      "action = 'claim'");
  REQUIRE(st.step());
  CHECK(st.is_null(0));  // the worker is the system: no user acted
  const json changes = json::parse(st.text(1));
  st.reset();
  CHECK(changes["status"] == json{{"before", "pending"}, {"after", "processing"}});
  CHECK(changes["attempts"] == json{{"before", 0}, {"after", 1}});
}

TEST_CASE("next_occurrence from columns (memoised) equals the occurrences looked for afresh") {
  // The memo reuses a next time while `now` moves towards it; every answer must be what the
  // cadence gives from that `now` (docs/adr/0041). Zones with gaps and repeated hours, skipped
  // dates, pauses; `now` moving forward in random steps and sometimes back.
  const std::vector<json> cadences = {
      cad({"mon", "wed"}, "09:00"),
      cad({"sun"}, "02:30", "America/New_York"),
      cad({"sun"}, "01:30", "Europe/London"),
      cad({"fri", "sat"}, "00:00", "Pacific/Apia"),
      json{{"days", {"tue"}}, {"time", "12:00"}, {"skipDates", {"2025-03-11", "2025-03-18"}}},
      json{{"days", {"thu"}}, {"time", "08:15"}, {"pausedUntil", "2025-06-01"}},
      json{{"days", {"thu"}}, {"time", "08:15"}, {"pausedUntil", "2025-06-01T12:00:00.000Z"}},
      cad({"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "23:59", "Australia/Lord_Howe"),
  };
  const std::vector<std::optional<std::string>> owners = {std::nullopt, "", "Europe/London",
                                                          "Asia/Kolkata", "Not/AZone"};
  std::mt19937_64 rng(41);
  const ec::Instant start = *ec::parse_instant("2024-12-30T00:00:00Z");
  size_t checked = 0;
  for (const auto& c : cadences) {
    const std::string text = c.dump();
    for (const auto& owner : owners) {
      ec::Instant now = start;
      for (int i = 0; i < 300; ++i) {
        // Mostly forward by up to four days (to the millisecond), sometimes back by up to two.
        const auto step = static_cast<int64_t>(rng() % (4 * 86'400'000LL));
        now += (i % 17 == 16) ? -step / 2 : step;
        const json project{{"cadenceConfig", c}, {"status", "active"}, {"deletedAt", nullptr}};
        const auto ps = ec::store::queue::project_schedule(project, owner);
        const auto fresh = ec::schedule::occurrences(*ps.cadence, *ps.zone,
                                                     ec::schedule::Window{now, 1, std::nullopt});
        const auto memo = ec::store::queue::next_occurrence(
            text, true, owner ? std::optional<std::string_view>(*owner) : std::nullopt, now);
        INFO(text << " owner " << owner.value_or("(none)") << " now " << ec::format_instant(now));
        REQUIRE(memo.has_value() == !fresh.empty());
        if (memo) {
          CHECK(memo->utc == fresh[0].utc);
          CHECK(memo->offset_seconds == fresh[0].offset_seconds);
          CHECK(memo->date == fresh[0].date);
          CHECK(memo->shifted == fresh[0].shifted);
          CHECK(memo->ambiguous == fresh[0].ambiguous);
        }
        // Inactive, or without a cadence: none, whatever was kept.
        CHECK_FALSE(ec::store::queue::next_occurrence(text, false, owner, now));
        CHECK_FALSE(ec::store::queue::next_occurrence(std::nullopt, true, owner, now));
        ++checked;
      }
    }
  }
  CHECK(checked == cadences.size() * owners.size() * 300);
  // A text that does not parse throws every time, as reading the column as JSON does.
  for (int i = 0; i < 2; ++i)
    CHECK_THROWS(ec::store::queue::next_occurrence("{\"days\":", true, std::nullopt, start));
}
