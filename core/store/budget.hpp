#pragma once
// The daily cost budget of an organization: today's spend (TokenUsageDaily, kept by triggers),
// open reservations (BudgetReservation) and the circuit breaker that stops new generations.
// Money is integer micro-pounds everywhere (docs/adr/0001-money.md); reservations are
// described in docs/adr/0004-budget-reservations.md.
#include <optional>
#include <string>

#include "core/store/store.hpp"

namespace ec::store::budget {

/// "£1,234.56" for 1'234'560'000 micro-pounds; "-£0.01" for -10'000. Rounded half away from
/// zero to the penny with integer arithmetic only (no floats anywhere).
std::string format_gbp(int64_t micros);

/// The UTC day of an instant ("YYYY-MM-DD"): the day a cost counts against.
std::string utc_day(Instant t);

/// An organization's budget for one UTC day, as seen at `now`.
struct Status {
  std::string date;
  int64_t limit_micros = 0;
  int64_t spent_micros = 0;      ///< TokenUsageDaily.costMicros of that day
  int64_t reserved_micros = 0;   ///< open reservations of that day not expired at `now`
  int64_t remaining_micros = 0;  ///< limit - spent - reserved, never below 0
  int64_t call_count = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  bool blocked = false;               ///< the circuit breaker is open: spent >= limit
  std::optional<std::string> reason;  ///< why it is blocked, for the dashboard

  json to_json() const;
};

/// Budget of organization `org` for UTC day `date` (default: the day of `now`).
Status status(Store& s, const std::string& org, Instant now,
              std::optional<std::string> date = std::nullopt);

/// Holds `estimate_micros` of today's budget until `now + ttl_seconds`. Refused with
/// Error{budget_exceeded} (one issue with params spent, reserved, limit, estimate) when
/// spent + reserved + estimate would pass the daily limit. Returns the BudgetReservation row.
json reserve(Store& s, const Actor& as, int64_t estimate_micros,
             const std::optional<std::string>& queue_item_id, int64_t ttl_seconds, Instant now);

/// Records one LLM call (a TokenUsage row; TokenUsageDaily follows by trigger). `usage` holds
/// model, inputTokens, outputTokens, costMicros and optionally projectId, episodeId,
/// chatSessionId, occurredAt; `defaults` fills projectId/episodeId when absent. Validation
/// issues are reported under `path`. Returns the TokenUsage row.
json record_usage(Store& s, const Actor& as, const json& usage, const json& defaults, Instant now,
                  const json& path = json::array({"usage"}));

/// Marks an open reservation settled by `usage` (recorded as TokenUsage). Returns
/// {reservation, usage}. Error{conflict} when the reservation is not open.
json settle(Store& s, const Actor& as, const std::string& reservation_id, const json& usage,
            Instant now);
/// Releases an open reservation (the generation did not happen). Error{conflict} unless open.
json release(Store& s, const Actor& as, const std::string& reservation_id, Instant now);

/// Changes every open reservation of a queue item to `status` ("settled" or "released");
/// returns how many changed.
int64_t close_for_item(Store& s, const Actor& as, const std::string& queue_item_id,
                       const std::string& status, Instant now);

/// The last `days` UTC days up to the day of `now`, oldest first, zeros filled:
/// [{date, costMicros, inputTokens, outputTokens, callCount}].
json daily(Store& s, const std::string& org, Instant now, int64_t days);

}  // namespace ec::store::budget
