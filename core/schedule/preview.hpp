#pragma once
// Cadence -> concrete UTC instants: the episode times a cadence produces in a zone.
#include <optional>
#include <string_view>
#include <vector>

#include "core/schedule/cadence.hpp"
#include "core/tz/tz.hpp"

namespace ec::schedule {

/// Hard cap on the occurrences one preview returns (a daily cadence over ~13 years).
inline constexpr size_t kMaxOccurrences = 5000;

/// One scheduled episode time.
struct Occurrence {
  Instant utc = 0;
  int offset_seconds = 0;  ///< zone offset at `utc`
  CivilDate date;          ///< the scheduled local date (before any gap shift)
  int weekday = 0;         ///< of `date`, 0 = Monday
  bool shifted = false;    ///< the wall time fell in a gap and was moved forward
  int shift_seconds = 0;   ///< by how much (0 unless shifted)
  bool ambiguous = false;  ///< the wall time occurred twice; the earlier instant was taken
};

/// Which occurrences to list: those with from <= utc < until, at most `count` of them.
/// At least one of count/until should be set; either way kMaxOccurrences bounds the result.
/// For "the next N strictly after t", pass from = t + 1 (instants are milliseconds).
struct Window {
  Instant from = 0;
  std::optional<size_t> count;
  std::optional<Instant> until;
};

/// The occurrences of `cadence` in `zone` inside `window`, ascending. Honours skipDates
/// (scheduled local dates), pausedUntil, and `project_active` (pass false for a paused or
/// archived project: no occurrences). Two scheduled times that resolve to the same instant
/// (a gap swallowing a whole day, as in Pacific/Apia on 2011-12-30) yield one occurrence,
/// the first. `truncated` (optional) is set when kMaxOccurrences cut the list short.
std::vector<Occurrence> occurrences(const Cadence& cadence, const tz::Zone& zone,
                                    const Window& window, bool project_active = true,
                                    bool* truncated = nullptr);

/// The zone a cadence runs in, and why.
struct ZoneChoice {
  const tz::Zone* zone = nullptr;  ///< never null
  std::string_view name;           ///< as configured ("US/Eastern" stays), or "UTC"
  std::string_view source;         ///< "cadence", "owner" or "default"
};

/// The project's cadence timezone, else the owner's timezone, else UTC. Unknown or empty
/// names are passed over (the validation layer reports them).
ZoneChoice resolve_zone(const Cadence& cadence,
                        std::optional<std::string_view> owner_timezone = {});

/// {"utc","local","date","weekday","offsetMinutes","shifted","shiftMinutes","ambiguous"};
/// "local" is "YYYY-MM-DDTHH:MM:SS±HH:MM" (the actual wall time, after any shift).
json to_json(const Occurrence& o);

}  // namespace ec::schedule
