// Tests for core/rules: the rule functions (backoff, money format), the state lists feeding the
// entity declarations, and the PostgreSQL template markers that splice them (an unknown marker,
// constant, state or error code stops generation).
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "core/error_codes.hpp"
#include "core/rules.hpp"
#include "core/schema/pg_functions_sql.hpp"
#include "core/schema/schema.hpp"
#include "core/store/queue.hpp"

namespace rules = ec::rules;
using ec::schema::expand_pg_template;

TEST_CASE("backoff_ms: the declared base, cap and jitter; the queue uses this very function") {
  CHECK(&ec::store::queue::backoff_ms == &rules::backoff_ms);
  for (int64_t attempt = 1; attempt <= 30; ++attempt) {
    const int64_t full =
        std::min(rules::kBackoffCapMs, rules::kBackoffBaseMs << std::min<int64_t>(attempt - 1, 20));
    const int64_t d = rules::backoff_ms("item", attempt);
    CHECK(d <= full);
    CHECK(d >= full - full / rules::kBackoffJitterDivisor);
  }
  // Pinned (the PostgreSQL test compares private.backoff_ms with `episodes-core rules backoff`).
  CHECK(rules::backoff_ms("0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f", 1) ==
        rules::backoff_ms("0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f", 1));
  CHECK(rules::backoff_ms("x", 0) <= rules::kBackoffBaseMs);
}

TEST_CASE("format_gbp: the one money format") {
  CHECK(rules::format_gbp(0) == "£0.00");
  CHECK(rules::format_gbp(-10'000) == "\u2212£0.01");
  CHECK(rules::format_gbp(-4'999) == "£0.00");
  CHECK(rules::format_gbp(-5'000) == "\u2212£0.01");
  CHECK(rules::format_gbp(1'234'567'890'000) == "£1,234,567.89");
  CHECK(std::string(rules::kMinusSign) == "\u2212");
}

TEST_CASE("state lists: the entity enums are the declared lists, names unique") {
  using ec::schema::find_entity;
  CHECK(find_entity("EpisodeScheduleQueue")->field("status")->enum_values ==
        rules::names<rules::QueueStatus>());
  CHECK(find_entity("Episode")->field("status")->enum_values ==
        rules::names<rules::EpisodeStatus>());
  CHECK(find_entity("BudgetReservation")->field("status")->enum_values ==
        rules::names<rules::ReservationStatus>());
  CHECK(find_entity("User")->field("role")->enum_values == rules::names<rules::Role>());
  CHECK(find_entity("Organization")->field("plan")->enum_values == rules::names<rules::Plan>());
  CHECK(find_entity("EpisodeScheduleQueue")->field("maxAttempts")->max == rules::kMaxAttempts);
  std::set<std::string> lists;
  for (const auto& l : rules::state_lists()) {
    CHECK(lists.insert(l.name).second);
    CHECK(std::set<std::string>(l.values.begin(), l.values.end()).size() == l.values.size());
  }
  std::set<std::string> consts;
  for (const auto& c : rules::constants()) CHECK(consts.insert(c.name).second);
  rules::QueueStatus q{};
  CHECK(rules::parse("failed", q));
  CHECK(q == rules::QueueStatus::failed);
  CHECK_FALSE(rules::parse("nope", q));
}

TEST_CASE("PostgreSQL templates: markers splice the declarations, anything unknown throws") {
  CHECK(expand_pg_template("x @const:backoffBaseMs@ y") == "x 60000 y");
  CHECK(expand_pg_template("'@state:QueueStatus.pending@'") == "'pending'");
  CHECK(expand_pg_template("errcode = '@sqlstate:stale_lease@'") == "errcode = 'EC409'");
  CHECK(expand_pg_template("'@const:minusSign@@const:currencySymbol@'") == "'\u2212£'");
  CHECK(expand_pg_template("a@b.c and @ alone and 'x@'") == "a@b.c and @ alone and 'x@'");
  CHECK_THROWS_AS(expand_pg_template("@const:noSuchRule@"), std::logic_error);
  CHECK_THROWS_AS(expand_pg_template("'@state:QueueStatus.done@'"), std::logic_error);
  CHECK_THROWS_AS(expand_pg_template("'@state:Nope.pending@'"), std::logic_error);
  CHECK_THROWS_AS(expand_pg_template("'@sqlstate:internal@'"), std::logic_error);
  CHECK_THROWS_AS(expand_pg_template("@cosnt:backoffBaseMs@"), std::logic_error);
  CHECK_THROWS_AS(expand_pg_template("  @parm(queue.claim,limit,p_limit)"), std::logic_error);
  // The whole migration expands (no marker is left).
  const std::string sql = std::string(ec::schema::pg_queue_budget_sql()) +
                          ec::schema::pg_triggers_and_functions_sql() +
                          ec::schema::pg_private_helpers_sql();
  CHECK(sql.find("@const:") == std::string::npos);
  CHECK(sql.find("@state:") == std::string::npos);
  CHECK(sql.find("@sqlstate:") == std::string::npos);
}

TEST_CASE("SQLSTATE mapping: one raised state per code, every code declared") {
  std::set<std::string> codes;
  for (const auto& c : ec::error_codes()) codes.insert(c.code);
  std::set<std::string> raised;
  for (const auto& s : ec::pg_states()) {
    CHECK(codes.count(s.code) == 1);
    if (s.raised) CHECK(raised.insert(s.code).second);
  }
  CHECK(std::string(ec::pg_raised_state(ec::code::stale_lease)) == "EC409");
  CHECK(ec::pg_raised_state(ec::code::internal) == nullptr);
}
