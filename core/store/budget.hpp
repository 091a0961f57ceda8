#pragma once
// The daily cost budget of an organization: today's spend (TokenUsageDaily, kept by triggers),
// open reservations (BudgetReservation) and the circuit breaker that stops new generations.
// Money is integer micro-pounds everywhere (docs/adr/0001-money.md); reservations are
// described in docs/adr/0004-budget-reservations.md.
#include <optional>
#include <string>

#include "core/rules.hpp"
#include "core/store/store.hpp"

namespace ec::store::budget {

/// "£1,234.56" for 1'234'560'000 micro-pounds; "−£0.01" for -10'000: rules::format_gbp (the one
/// money format, core/rules.hpp).
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

// The cap invariant (docs/INVARIANTS.md): for every organization and UTC day D, the settled
// spend attributed to D (TokenUsage rows whose occurredAt is on D) never exceeds the daily limit
// in force at D's last grant, whatever the clock does, as long as every settled cost is within
// its reservation. The rules that keep it (the PostgreSQL functions follow them one for one):
//  - a *grant* (a reservation, or usage recorded without one) first releases (audit action
//    "expire") the open reservations of D that expired at `now`, then admits the amount only if
//    spent(D) + open reservations of D + amount <= limit. So every reservation still open was
//    counted by every grant of its day since it was made: settling it is always safe, whatever
//    time it is; one that expired and was passed over can no longer be settled (conflict).
//  - a reservation of a queue item never expires before the item's lease: reserve sets
//    expiresAt >= lockedUntil of a processing item, and queue.extend raises it with the lease.
//  - a settle is refused above the reservation's estimate (budget_exceeded, path
//    [...,"costMicros"], params {estimateMicros}) and is attributed to the reservation's day:
//    its occurredAt (given, else now) is clamped into that UTC day.

/// A grant of `amount_micros` against UTC day `date` at `now` (see above): releases the
/// reservations of that day expired at `now`, then refuses with Error{budget_exceeded} at
/// `path` (one issue with params spent, reserved, limit, `amount_key`: amount, date) when
/// spent + open reservations + amount would pass the limit. Returns the status before the grant.
Status admit(Store& s, const Actor& as, const std::string& date, int64_t amount_micros, Instant now,
             const json& path, const char* verb = "reserving", const char* amount_key = "estimate");

/// Holds `estimate_micros` of today's budget until `now + ttl_seconds` (or the lease of the
/// processing queue item it is for, if later). A grant: refused with Error{budget_exceeded}
/// (params spent, reserved, limit, estimate, date) when spent + reserved + estimate would pass
/// the daily limit. Returns the BudgetReservation row.
json reserve(Store& s, const Actor& as, int64_t estimate_micros,
             const std::optional<std::string>& queue_item_id, int64_t ttl_seconds, Instant now);

/// What pays for recorded usage: open reservations of one UTC day and their summed estimate.
/// Without a cover, recording usage is itself a grant on the day of its occurredAt.
struct Cover {
  std::string date;
  int64_t estimate_micros = 0;
};

/// Records one LLM call (a TokenUsage row; TokenUsageDaily follows by trigger). `usage` holds
/// model, inputTokens, outputTokens, costMicros and optionally projectId, episodeId,
/// chatSessionId, occurredAt; `defaults` fills projectId/episodeId when absent. Validation
/// issues are reported under `path`. With `cover`: costMicros above its estimate is refused
/// (budget_exceeded at path + costMicros, params {estimateMicros}) and occurredAt is clamped
/// into its day; without: a grant of costMicros on the day of occurredAt. Returns the row.
json record_usage(Store& s, const Actor& as, const json& usage, const json& defaults, Instant now,
                  const json& path = json::array({"usage"}), const Cover* cover = nullptr);

/// Marks an open reservation settled by `usage` (recorded as TokenUsage, covered by the
/// reservation). Returns {reservation, usage}. Error{conflict} when the reservation is not open
/// (settled, released, or expired and passed over by a later grant).
json settle(Store& s, const Actor& as, const std::string& reservation_id, const json& usage,
            Instant now);
/// Releases an open reservation (the generation did not happen). Error{conflict} unless open.
json release(Store& s, const Actor& as, const std::string& reservation_id, Instant now);

/// Changes every open reservation of a queue item to `status` (settled or released); returns
/// how many changed.
int64_t close_for_item(Store& s, const Actor& as, const std::string& queue_item_id,
                       rules::ReservationStatus status, Instant now);

/// Records the usage of a queue item's generation (queue.complete): covered by the item's open
/// reservations of their latest day (settled; those of other days are released), else a grant.
json settle_for_item(Store& s, const Actor& as, const json& item, const json& usage,
                     const json& defaults, Instant now);

/// queue.extend: the item's open reservations expire no earlier than its new lease.
void extend_for_item(Store& s, const Actor& as, const std::string& queue_item_id,
                     Instant locked_until, Instant now);

/// The last `days` UTC days up to the day of `now`, oldest first, zeros filled:
/// [{date, costMicros, inputTokens, outputTokens, callCount}].
json daily(Store& s, const std::string& org, Instant now, int64_t days);

}  // namespace ec::store::budget
