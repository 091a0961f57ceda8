#pragma once
// A project's cadence: on which local weekdays, at what local time, in which zone episodes
// are generated, plus a pause and skipped dates. Parsed from Project.cadenceConfig JSON:
//   {"days":["mon","wed"], "time":"09:00", "timezone":"Europe/London",
//    "pausedUntil":"2025-09-01", "skipDates":["2025-08-20"]}
#include <array>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/errors.hpp"
#include "core/time.hpp"

namespace ec::schedule {

/// Most skipDates a cadence may list (a year's worth).
inline constexpr size_t kMaxSkipDates = 366;

/// Weekday names as used in JSON, index 0 = Monday (matches ec::weekday_from_days).
inline constexpr std::array<const char*, 7> kWeekdayNames = {"mon", "tue", "wed", "thu",
                                                             "fri", "sat", "sun"};

/// A validated cadence.
struct Cadence {
  std::array<bool, 7> days{};  ///< days[weekday], 0 = Monday; at least one set
  int minute_of_day = 0;       ///< local wall time, 0..1439
  /// IANA name exactly as given (links such as "US/Eastern" kept); empty = not set, use
  /// the owner's zone (see resolve_zone).
  std::string timezone;
  /// Paused until: a local date (the first date episodes run again, in the cadence's zone)
  /// or a UTC instant (occurrences before it are suppressed). Dates are the normal form;
  /// instants are accepted because JS clients send Date.toISOString().
  std::optional<std::variant<CivilDate, Instant>> paused_until;
  std::vector<CivilDate> skip_dates;  ///< local dates with no episode, sorted, unique

  bool operator==(const Cadence&) const = default;
};

/// Parses and validates a cadence config, appending EVERY problem to `issues` with paths
/// under `base_path` (a JSON array such as ["cadenceConfig"]). Returns nullopt iff it
/// appended at least one issue. Codes: invalid_type, required, unknown_field, too_small,
/// too_big, invalid_enum, duplicate, invalid_time, invalid_timezone, invalid_date.
std::optional<Cadence> parse_cadence(const json& j, const json& base_path,
                                     std::vector<Issue>& issues);

/// Canonical JSON: days in mon..sun order, skipDates sorted, optional keys omitted when unset.
/// parse_cadence(to_json(c)) == c.
json to_json(const Cadence& c);

}  // namespace ec::schedule
