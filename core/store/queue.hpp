#pragma once
// The episode schedule queue (EpisodeScheduleQueue): planning a horizon of a project's cadence,
// claiming due items under a lease with a fencing token, completing, failing with backoff,
// and the by-hand retry/cancel. Every change writes its audit row in the caller's transaction.
// Design and trade-offs: docs/adr/0003-schedule-queue.md.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rules.hpp"
#include "core/schedule/cadence.hpp"
#include "core/schedule/preview.hpp"
#include "core/store/repo.hpp"
#include "core/store/store.hpp"

namespace ec::store::queue {

// The queue's rule constants (horizon, backoff, attempts, leases) are declared in core/rules.hpp.
using rules::kDefaultHorizonDays;

/// How a project's cadence runs: parsed cadence, zone (cadence, else owner, else UTC), and
/// whether the project produces episodes at all (active and not soft-deleted).
struct ProjectSchedule {
  std::optional<schedule::Cadence> cadence;  ///< nullopt: the stored config does not parse
  const tz::Zone* zone = nullptr;            ///< never null
  std::string zone_name;                     ///< as configured, or "UTC"
  std::string zone_source;                   ///< "cadence", "owner" or "default"
  bool active = false;
};
ProjectSchedule project_schedule(Store& s, const std::string& org, const json& project);
/// The same, with the owner's time zone already read by the caller (nullopt: no owner row).
ProjectSchedule project_schedule(const json& project, const std::optional<std::string>& owner_tz);

/// The next occurrence at or after `now` for a project row, or nullopt (inactive, no cadence).
std::optional<schedule::Occurrence> next_occurrence(Store& s, const std::string& org,
                                                    const json& project, Instant now);
/// The same from a project's columns (the overview, docs/adr/0041): its stored cadenceConfig
/// text (nullopt: NULL), whether it is active (status active, not soft-deleted) and the owner's
/// time zone (nullopt: no owner row). Memoised by its inputs (the text and the zone name: a pure
/// function of them, so no write can make it stale); the next time found is reused while `now`
/// stays between the `now` it was found for and that time (no occurrence lies between them).
std::optional<schedule::Occurrence> next_occurrence(std::optional<std::string_view> cadence_json,
                                                    bool active,
                                                    std::optional<std::string_view> owner_tz,
                                                    Instant now);

struct PlanCounts {
  int64_t added = 0;      ///< new items, or slots planned again after a replan had cancelled them
  int64_t cancelled = 0;  ///< pending items that no longer match the cadence
  int64_t kept = 0;       ///< pending items that still match
  PlanCounts& operator+=(const PlanCounts& o) {
    added += o.added;
    cancelled += o.cancelled;
    kept += o.kept;
    return *this;
  }
  json to_json() const { return json{{"added", added}, {"cancelled", cancelled}, {"kept", kept}}; }
};

/// Makes the pending items of one project match its cadence over [now, now + horizon) (or up
/// to its furthest pending item, if that is later: a replan keeps the reach of earlier plans):
/// enqueues missing occurrences, cancels pending items (at or after `now`) that no longer
/// match. Inactive/deleted projects get all their pending items cancelled. Processing,
/// completed, failed (and by-hand cancelled) items are never touched. Idempotent.
PlanCounts plan_project(Store& s, const Actor& as, const json& project, Instant now,
                        int64_t horizon_days = kDefaultHorizonDays);
/// plan_project for every project of the organization (soft-deleted ones only get cancelled).
PlanCounts plan_all(Store& s, const Actor& as, Instant now,
                    int64_t horizon_days = kDefaultHorizonDays);
/// Cancels every pending item of a project (pause, archive, soft delete). Returns the count.
int64_t cancel_pending(Store& s, const Actor& as, const std::string& project_id, Instant now);

// The queue's rows are held in their SQL form (repo::Row: typed values straight from the
// columns) and the results written as text (docs/adr: queue rows as typed values): write()
// appends what dump_text writes for the JSON form (rows as repo::to_json gives them).
struct Claimed {
  repo::Row item;
  repo::Row episode;
  int64_t token = 0;  ///< fencing token: the item's attempts after this claim
};
struct ClaimResult {
  std::vector<Claimed> items;
  std::optional<std::string> blocked_reason;  ///< set when the circuit breaker is open
  /// {"items":[{"item","episode","token"}…], "blocked"?: {"reason","organizationId"}}
  void write(const std::string& org, std::string& out) const;
};
struct Completed {
  repo::Row item;
  repo::Row episode;
  json usage;  ///< the TokenUsage recorded, or null
  /// {"item","episode","usage"}
  void write(std::string& out) const;
};
/// Takes up to `limit` due items of the organization (pending with runAfter <= now, or
/// processing with an expired lease, whose expired attempt's reservations are released),
/// oldest slot first, skipping inactive projects; none when the organization's circuit breaker
/// is open (items dead on an expired last lease are failed first all the same). Must run
/// inside one write transaction.
ClaimResult claim(Store& s, const Actor& as, const std::string& worker, int64_t limit,
                  int64_t lease_seconds, Instant now);

/// Finishes a claimed item: item completed, episode ready; `usage` (optional, TokenUsage
/// fields) is recorded through budget::settle_for_item (covered by the item's open
/// reservations, else a grant). Error{stale_lease} when the token is not the current one or the
/// item is not processing; Error{budget_exceeded} as budget::record_usage.
Completed complete(Store& s, const Actor& as, const std::string& id, int64_t token,
                   const json& usage, Instant now);
/// Records a failed attempt on the Episode; retries after backoff, or marks the item (and
/// episode) failed when attempts reached maxAttempts. Error{stale_lease} as complete.
json fail(Store& s, const Actor& as, const std::string& id, int64_t token,
          const std::string& error_code, const std::string& message, Instant now);
/// Extends a held lease to now + lease_seconds; the item's open reservations expire no earlier.
/// Error{stale_lease} as complete.
json extend(Store& s, const Actor& as, const std::string& id, int64_t token, int64_t lease_seconds,
            Instant now);
/// By hand: a failed item goes back to pending (runAfter now). Attempts are kept (the fencing
/// token never goes backwards); maxAttempts is raised to attempts + extra_attempts.
json retry(Store& s, const Actor& as, const std::string& id, int64_t extra_attempts, Instant now);
/// By hand: cancels a pending, processing or failed item (its episode, unless finished,
/// becomes cancelled; open reservations are released). Completed items cannot be cancelled.
json cancel(Store& s, const Actor& as, const std::string& id, Instant now);

/// Retry delay after failed attempt `attempt` (1-based) of an item: rules::backoff_ms (min(cap,
/// base * 2^(attempt-1)) minus a jitter derived from (item id, attempt): deterministic, so tests
/// and replays are stable, yet different items spread out).
using rules::backoff_ms;

}  // namespace ec::store::queue
