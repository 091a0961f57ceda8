// Tests for core/store/budget: GBP formatting, reservations against the daily limit, settling
// and releasing, the TokenUsageDaily roll-up, budget.status and usage.daily.
#include <catch2/catch.hpp>

#include <map>
#include <tuple>

#include "core/api/api.hpp"
#include "core/store/budget.hpp"
#include "core/store/repo.hpp"
#include "core/store/store.hpp"
#include "tests/support/owners.hpp"

using json = nlohmann::json;
using ec::store::budget::format_gbp;

namespace {

constexpr const char* kMissing = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f";

using ectest::Who;

struct B : ectest::Owners {
  std::string pa, pb;

  B() : Owners(23, "2025-08-15T09:00:00.000Z") {
    a = org("acme");
    b = org("globex");
    pa = ok("project.create",
            {{"name", "A"}, {"cadenceConfig", {{"days", {"mon"}}, {"time", "09:00"}}}}, a)["id"];
    pb = ok("project.create",
            {{"name", "B"}, {"cadenceConfig", {{"days", {"mon"}}, {"time", "09:00"}}}}, b)["id"];
  }

  // Usage is written only by the system (budget.settle / queue.complete call record_usage);
  // the tests write it the same way, through the store.
  json record(const Who& w, const json& usage) {
    json row;
    ec::store::Actor sys{w.org, "", "", true};
    core.store()->db().transaction([&] {
      row = ec::store::budget::record_usage(*core.store(), sys, usage, json::object(),
                                            *ec::parse_instant(now));
    });
    return row;
  }
  json usage(int64_t cost, const std::string& when, int64_t in = 100, int64_t out = 200) {
    return record(a, {{"projectId", pa},
                      {"model", "claude-sonnet-4"},
                      {"inputTokens", in},
                      {"outputTokens", out},
                      {"costMicros", cost},
                      {"occurredAt", when}});
  }
  void set_usage(const std::string& id, const json& fields) {
    ec::store::repo::set_fields(*core.store(), *ec::schema::find_entity("TokenUsage"), a.org, id,
                                fields);
  }
  // TokenUsageDaily must equal the sums of TokenUsage per (org, UTC day), exactly.
  void check_rollup() {
    auto& db = core.store()->db();
    using Row = std::tuple<int64_t, int64_t, int64_t, int64_t>;
    std::map<std::string, Row> expect, got;
    auto& e = db.prepare(
        "SELECT organization_id || ' ' || date(occurred_at / 1000, 'unixepoch'), sum(cost_micros), "
        "sum(input_tokens), sum(output_tokens), count(*) FROM token_usage GROUP BY 1");
    while (e.step()) expect[e.text(0)] = {e.int64(1), e.int64(2), e.int64(3), e.int64(4)};
    e.reset();
    auto& g = db.prepare(
        "SELECT organization_id || ' ' || date, cost_micros, input_tokens, output_tokens, "
        "call_count "
        "FROM token_usage_daily WHERE call_count != 0 OR cost_micros != 0");
    while (g.step()) got[g.text(0)] = {g.int64(1), g.int64(2), g.int64(3), g.int64(4)};
    g.reset();
    CHECK(got == expect);
  }
};

}  // namespace

TEST_CASE("format_gbp: exact pounds and pence from micro-pounds") {
  CHECK(format_gbp(0) == "£0.00");
  CHECK(format_gbp(50'000'000) == "£50.00");
  CHECK(format_gbp(51'200'000) == "£51.20");
  CHECK(format_gbp(10'000) == "£0.01");
  CHECK(format_gbp(5'000) == "£0.01");  // half a penny rounds up
  CHECK(format_gbp(4'999) == "£0.00");
  CHECK(format_gbp(1) == "£0.00");
  CHECK(format_gbp(999'995'000) == "£1,000.00");
  CHECK(format_gbp(1'234'567'890'000) == "£1,234,567.89");
  CHECK(format_gbp(123'456'789) == "£123.46");
  CHECK(format_gbp(-10'000) == "\u2212£0.01");  // U+2212 MINUS SIGN (core/rules.hpp)
  CHECK(format_gbp(-4'000) == "£0.00");         // no sign on zero
  CHECK(format_gbp(INT64_MIN).rfind("\u2212£9,223,372,036,854.", 0) == 0);
  CHECK(format_gbp(INT64_MAX) == "£9,223,372,036,854.78");
}

TEST_CASE_METHOD(B, "reservations never let spent + reserved pass the daily limit") {
  usage(3'000'000, now);  // £3 spent; limit £50
  int granted = 0;
  for (int i = 0; i < 20; ++i) {
    json r = call("budget.reserve", {{"estimateMicros", 7'000'000}}, a);
    json st = ok("budget.status", json::object());
    CHECK(st["spentMicros"].get<int64_t>() + st["reservedMicros"].get<int64_t>() <=
          st["limitMicros"].get<int64_t>());
    if (r["ok"] == true) {
      ++granted;
      CHECK(r["result"]["status"] == "open");
      CHECK(r["result"]["date"] == "2025-08-15");
      CHECK(r["result"]["expiresAt"] == "2025-08-15T09:15:00.000Z");
      continue;
    }
    const json e = r["error"];
    CHECK(e["code"] == "budget_exceeded");
    REQUIRE(e["issues"].size() == 1);
    const json p = e["issues"][0]["params"];
    CHECK(p["spent"] == 3'000'000);
    CHECK(p["reserved"] == 7'000'000 * granted);
    CHECK(p["limit"] == 50'000'000);
    CHECK(p["estimate"] == 7'000'000);
    CHECK(e["message"] ==
          "reserving £7.00 would pass the £50.00 daily limit (spent £3.00, reserved £42.00)");
  }
  CHECK(granted == 6);  // 3 + 6 * 7 = 45; a 7th would make 52
  json st = ok("budget.status", json::object());
  CHECK(st["reservedMicros"] == 42'000'000);
  CHECK(st["remainingMicros"] == 5'000'000);
  CHECK(st["blocked"] == false);
  // The exact remainder still fits; one micro-pound more does not.
  CHECK(err("budget.reserve", {{"estimateMicros", 5'000'001}}) == "budget_exceeded");
  ok("budget.reserve", {{"estimateMicros", 5'000'000}});
  CHECK(ok("budget.status", json::object())["remainingMicros"] == 0);
  // Another organization has its own budget.
  ok("budget.reserve", {{"estimateMicros", 50'000'000}}, b);
}

TEST_CASE_METHOD(B, "reservations expire, and release / settle give the budget back") {
  json r1 = ok("budget.reserve", {{"estimateMicros", 30'000'000}, {"ttlSeconds", 60}});
  CHECK(err("budget.reserve", {{"estimateMicros", 30'000'000}}) == "budget_exceeded");
  now = "2025-08-15T09:01:00.000Z";  // expired exactly now: no longer counts
  CHECK(ok("budget.status", json::object())["reservedMicros"] == 0);
  json r2 = ok("budget.reserve", {{"estimateMicros", 30'000'000}});
  json rel = ok("budget.release", {{"reservationId", r2["id"]}});
  CHECK(rel["status"] == "released");
  CHECK(err("budget.release", {{"reservationId", r2["id"]}}) == "conflict");
  json r3 = ok("budget.reserve", {{"estimateMicros", 40'000'000}});
  json s = ok("budget.settle", {{"reservationId", r3["id"]},
                                {"usage",
                                 {{"projectId", pa},
                                  {"model", "claude-opus-4"},
                                  {"inputTokens", 5000},
                                  {"outputTokens", 9000},
                                  {"costMicros", 36'500'001}}}});
  CHECK(s["reservation"]["status"] == "settled");
  CHECK(s["usage"]["costMicros"] == 36'500'001);
  CHECK(s["usage"]["occurredAt"] == now);
  CHECK(err("budget.settle", {{"reservationId", r3["id"]},
                              {"usage",
                               {{"projectId", pa},
                                {"model", "m"},
                                {"inputTokens", 1},
                                {"outputTokens", 1},
                                {"costMicros", 1}}}}) == "conflict");
  json st = ok("budget.status", json::object());
  CHECK(st["spentMicros"] == 36'500'001);
  CHECK(st["reservedMicros"] == 0);
  CHECK(st["remainingMicros"] == 13'499'999);
  CHECK(st["callCount"] == 1);
  // r1 expired at 09:01 and the reservation of r2 did not count it: it was released then
  // (audit action "expire") and can never be settled (core/store/budget.hpp).
  CHECK(ok("budgetReservation.get", {{"id", r1["id"]}})["status"] == "released");
  CHECK(err("budget.settle", {{"reservationId", r1["id"]},
                              {"usage",
                               {{"projectId", pa},
                                {"model", "m"},
                                {"inputTokens", 1},
                                {"outputTokens", 1},
                                {"costMicros", 1}}}}) == "conflict");
  // Settling without a project (and no queue item to take it from) is invalid, under usage.
  json r4 = ok("budget.reserve", {{"estimateMicros", 1'000'000}});
  json e = error(
      "budget.settle",
      {{"reservationId", r4["id"]},
       {"usage", {{"model", "m"}, {"inputTokens", 1}, {"outputTokens", 1}, {"costMicros", 1}}}},
      a);
  CHECK(e["code"] == "invalid");
  CHECK(e["issues"][0]["path"] == json{"usage", "projectId"});
  // Audit rows for reserve / release / settle.
  CHECK(core.store()->db().query_int(
            "SELECT count(*) FROM audit_log WHERE entity_type = 'BudgetReservation' AND action IN "
            "('reserve', 'release', 'settle', 'expire')",
            {}) == 7);
}

TEST_CASE_METHOD(B, "budget.status: blocked at the limit, with the reason to show") {
  usage(49'999'999, now);
  json st = ok("budget.status", json::object());
  CHECK(st["blocked"] == false);
  CHECK(st["reason"].is_null());
  CHECK(st["remainingMicros"] == 1);
  usage(1, now);
  st = ok("budget.status", json::object());
  CHECK(st["blocked"] == true);
  CHECK(st["reason"] == "Today's spend £50.00 reached the £50.00 daily limit");
  CHECK(st["callCount"] == 2);
  CHECK(err("budget.reserve", {{"estimateMicros", 1}}) == "budget_exceeded");
  // Usage past the limit is refused; spend above it only follows from a limit lowered later.
  try {
    usage(1, now);
    FAIL("usage past the limit was recorded");
  } catch (const ec::Error& e) {
    CHECK(std::string(e.code()) == "budget_exceeded");
  }
  ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 60'000'000}}}});
  usage(1'200'000, now);
  ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 50'000'000}}}});
  CHECK(ok("budget.status", json::object())["reason"] ==
        "Today's spend £51.20 reached the £50.00 daily limit");
  // Another day, asked by date.
  now = "2025-08-16T10:00:00.000Z";
  CHECK(ok("budget.status", json::object())["blocked"] == false);
  st = ok("budget.status", {{"date", "2025-08-15"}});
  CHECK(st["date"] == "2025-08-15");
  CHECK(st["reason"] == "The spend of 2025-08-15 £51.20 reached the £50.00 daily limit");
  CHECK(err("budget.status", {{"date", "2025-02-30"}}) == "invalid");
  // Org B is untouched.
  CHECK(ok("budget.status", {{"date", "2025-08-15"}}, b)["spentMicros"] == 0);
}

TEST_CASE_METHOD(B, "TokenUsageDaily stays exact through usage inserts, updates and deletes") {
  // Large costs: room under the cap (usage is a grant on its day, core/store/budget.hpp).
  ok("organization.update", {{"patch", {{"dailyCostLimitMicros", 10'000'000'000}}}});
  std::vector<std::string> ids;
  const char* days[] = {"2025-08-13T23:59:59.999Z", "2025-08-14T00:00:00.000Z",
                        "2025-08-14T12:00:00.000Z", "2025-08-15T08:00:00.000Z"};
  int64_t cost = 1;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(usage(cost, days[i % 4], 10 + i, 20 + i)["id"]);
    cost = (cost * 7 + 12'345) % 90'000'000;
  }
  record(b, {{"projectId", pb},
             {"model", "m"},
             {"inputTokens", 5},
             {"outputTokens", 5},
             {"costMicros", 999},
             {"occurredAt", days[1]}});
  check_rollup();
  // Change cost and tokens; move a call to another day.
  // (Store-level: users have no operation that changes usage.)
  set_usage(ids[0], {{"costMicros", 123'456'789}});
  set_usage(ids[1], {{"occurredAt", "2025-08-10T10:00:00.000Z"}});
  set_usage(ids[2], {{"inputTokens", 0}, {"outputTokens", 0}});
  check_rollup();
  for (size_t i = 3; i < ids.size(); i += 2)
    ec::store::repo::purge(*core.store(), *ec::schema::find_entity("TokenUsage"), a.org, ids[i]);
  check_rollup();
  json days30 = ok("usage.daily", {{"days", 7}});
  int64_t total = 0;
  for (const auto& d : days30) total += d["costMicros"].get<int64_t>();
  CHECK(total ==
        core.store()->db().query_int(
            "SELECT sum(cost_micros) FROM token_usage WHERE organization_id = ?", {a.org}));
  // Usage of a project in another organization is refused as missing.
  try {
    record(a, {{"projectId", pb},
               {"model", "m"},
               {"inputTokens", 1},
               {"outputTokens", 1},
               {"costMicros", 1}});
    FAIL("usage of another organization's project was recorded");
  } catch (const ec::Error& e) {
    CHECK(e.code() == "not_found");
  }
}

TEST_CASE_METHOD(B, "usage.daily: the last N UTC days, oldest first, zeros filled") {
  usage(1'000'000, "2025-08-15T00:00:00.000Z");
  usage(2'500'000, "2025-08-15T08:59:59.000Z");
  usage(700'000, "2025-08-13T23:59:59.999Z");
  usage(5'000'000, "2025-07-01T12:00:00.000Z");  // outside 30 days
  json d = ok("usage.daily", json::object());
  REQUIRE(d.size() == 30);
  CHECK(d.front()["date"] == "2025-07-17");
  CHECK(d.back()["date"] == "2025-08-15");
  CHECK(d.back() == json{{"date", "2025-08-15"},
                         {"costMicros", 3'500'000},
                         {"inputTokens", 200},
                         {"outputTokens", 400},
                         {"callCount", 2}});
  CHECK(d[27]["costMicros"] == 700'000);
  CHECK(d[28] == json{{"date", "2025-08-14"},
                      {"costMicros", 0},
                      {"inputTokens", 0},
                      {"outputTokens", 0},
                      {"callCount", 0}});
  CHECK(ok("usage.daily", {{"days", 1}}).size() == 1);
  CHECK(ok("usage.daily", {{"days", 60}})[14]["costMicros"] == 5'000'000);  // 2025-07-01
  CHECK(err("usage.daily", {{"days", 0}}) == "invalid");
  CHECK(err("usage.daily", {{"days", 367}}) == "invalid");
  // Tenancy: B sees only its own (empty) days.
  for (const auto& day : ok("usage.daily", json::object(), b)) CHECK(day["costMicros"] == 0);
}

TEST_CASE_METHOD(B, "budget tenancy and parameter checks") {
  json r = ok("budget.reserve", {{"estimateMicros", 1'000'000}});
  CHECK(err("budget.release", {{"reservationId", r["id"]}}, b) == "not_found");
  CHECK(
      err("budget.settle",
          {{"reservationId", r["id"]},
           {"usage", {{"model", "m"}, {"inputTokens", 1}, {"outputTokens", 1}, {"costMicros", 1}}}},
          b) == "not_found");
  CHECK(err("budgetReservation.get", {{"id", r["id"]}}, b) == "not_found");
  CHECK(err("budget.release", {{"reservationId", kMissing}}) == "not_found");
  CHECK(err("budget.reserve", {{"estimateMicros", -1}}) == "invalid");
  CHECK(err("budget.reserve", {{"estimateMicros", 1.5}}) == "invalid");  // money is never a float
  CHECK(err("budget.reserve", {{"estimateMicros", 1}, {"queueItemId", kMissing}}) == "not_found");
  CHECK(err("budget.reserve", {{"estimateMicros", 1}, {"ttlSeconds", 0}}) == "invalid");
  // A settle whose usage names another org's project: missing.
  CHECK(err("budget.settle", {{"reservationId", r["id"]},
                              {"usage",
                               {{"projectId", pb},
                                {"model", "m"},
                                {"inputTokens", 1},
                                {"outputTokens", 1},
                                {"costMicros", 1}}}}) == "not_found");
  CHECK(ok("budgetReservation.get", {{"id", r["id"]}})["status"] ==
        "open");  // unchanged by the refusal
}
