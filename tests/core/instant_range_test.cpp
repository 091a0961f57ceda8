// The instant range (issue 11 item 7b), declared once in core/time.hpp: years 0001..9999.
// Parsing refuses outside it, and the clock can never be moved outside it (clock.advance checks
// the instant it would reach), so writes keep working whatever the clock did.
#include <catch2/catch.hpp>

#include "core/time.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

TEST_CASE("the declared range is exactly years 0001..9999 of the ISO form") {
  CHECK(ec::format_instant(ec::kMinInstant) == "0001-01-01T00:00:00.000Z");
  CHECK(ec::format_instant(ec::kMaxInstant) == "9999-12-31T23:59:59.999Z");
  CHECK(ec::parse_instant("0001-01-01T00:00:00.000Z") == ec::kMinInstant);
  CHECK(ec::parse_instant("9999-12-31T23:59:59.999Z") == ec::kMaxInstant);
  CHECK(ec::kMinInstant == ec::days_from_civil({1, 1, 1}) * ec::kMsPerDay);
  CHECK(ec::kMaxInstant == ec::days_from_civil({10000, 1, 1}) * ec::kMsPerDay - 1);
  // One step outside through an offset.
  CHECK_FALSE(ec::parse_instant("0001-01-01T00:00:00+00:01"));
  CHECK_FALSE(ec::parse_instant("9999-12-31T23:59:59-00:01"));
  CHECK(ec::in_instant_range(0));
  CHECK_FALSE(ec::in_instant_range(ec::kMinInstant - 1));
  CHECK_FALSE(ec::in_instant_range(ec::kMaxInstant + 1));
}

TEST_CASE("clock.advance cannot leave the years 0001..9999; writes keep working") {
  World w;
  struct Case {
    const char* at;
    int64_t seconds;
    bool ok;
  };
  const std::vector<Case> cases{
      {"9999-12-31T23:59:59.000Z", 1, false},            // the kind: past 9999
      {"9999-12-31T23:59:58.999Z", 1, true},             // lands on the last millisecond
      {"9995-06-01T00:00:00.000Z", 315'576'000, false},  // the largest step allowed
      {"0001-01-01T00:00:00.000Z", -1, false},
      {"0001-01-01T00:00:01.000Z", -1, true},
      {"2025-08-15T09:00:00.000Z", -315'576'000, true},
  };
  for (const auto& c : cases) {
    INFO(c.at << " + " << c.seconds);
    REQUIRE(w.core.call_json({{"op", "clock.set"}, {"as", w.a.system.as()}, {"params", {{"now", c.at}}}})["ok"] == true);
    json r = w.core.call_json({{"op", "clock.advance"}, {"as", w.a.system.as()}, {"params", {{"seconds", c.seconds}}}});
    INFO(r.dump());
    CHECK(r["ok"] == c.ok);
    const json clock = w.core.call_json({{"op", "clock.get"}, {"as", w.a.system.as()}})["result"];
    if (!c.ok) {
      CHECK(r["error"]["code"] == "invalid");
      CHECK(r["error"]["path"] == json::array({"seconds"}));
      CHECK(clock["now"] == c.at);  // unchanged
    }
    CHECK(ec::parse_instant(clock["now"].get<std::string>()).has_value());
  }
  // A write still works at the clock the refused moves left.
  REQUIRE(w.core.call_json({{"op", "clock.set"}, {"as", w.a.system.as()}, {"params", {{"now", "9999-12-31T23:59:59.000Z"}}}})["ok"] == true);
  (void)w.core.call_json({{"op", "clock.advance"}, {"as", w.a.system.as()}, {"params", {{"seconds", 100}}}});
  const json r = w.core.call_json({{"op", "project.create"},
                                   {"as", w.a.owner.as()},
                                   {"params", {{"name", "Late"}, {"cadenceConfig", cadence()}}}});
  INFO(r.dump());
  CHECK(r["ok"] == true);
}

TEST_CASE("clock.set and a request's now refuse instants outside the range") {
  World w;
  for (const char* bad : {"10000-01-01T00:00:00Z", "0000-12-31T23:59:59Z", "+10000-01-01T00:00:00Z",
                          "9999-12-31T23:59:59-01:00"}) {
    INFO(bad);
    CHECK(w.core.call_json({{"op", "clock.set"}, {"as", w.a.system.as()}, {"params", {{"now", bad}}}})["ok"] == false);
  }
  ec::store::Store& s = *w.core.store();
  CHECK_THROWS_AS(s.set_clock(ec::kMaxInstant + 1), ec::Error);
  CHECK_THROWS_AS(s.set_clock(ec::kMinInstant - 1), ec::Error);
  s.set_clock(ec::kMaxInstant);
  CHECK(s.now() == ec::kMaxInstant);
}
