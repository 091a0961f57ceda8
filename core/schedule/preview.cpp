#include "core/schedule/preview.hpp"

#include <algorithm>
#include <limits>

namespace ec::schedule {
namespace {

// Scanning stops after this many local days even with a count left to fill; a valid
// cadence yields one occurrence a week, so only a hand-made empty cadence gets here.
constexpr int64_t kMaxScanDays = 400 * 366;

bool skipped(const Cadence& c, CivilDate d) {
  return std::binary_search(c.skip_dates.begin(), c.skip_dates.end(), d);
}

}  // namespace

std::vector<Occurrence> occurrences(const Cadence& cadence, const tz::Zone& zone,
                                    const Window& window, bool project_active, bool* truncated) {
  std::vector<Occurrence> out;
  if (truncated) *truncated = false;
  if (!project_active) return out;
  const size_t limit = std::min(window.count.value_or(kMaxOccurrences), kMaxOccurrences);
  const Instant until = window.until.value_or(std::numeric_limits<Instant>::max());
  if (limit == 0 || window.from >= until) return out;

  Instant from = window.from;
  std::optional<CivilDate> resume_date;
  if (cadence.paused_until) {
    if (const auto* d = std::get_if<CivilDate>(&*cadence.paused_until)) {
      resume_date = *d;
    } else {
      from = std::max(from, std::get<Instant>(*cadence.paused_until));
    }
  }
  // Start two local days early: a gap shift can move an earlier date's time past `from`.
  int64_t day = floor_div(floor_div(from, 1000) + zone.offset_at(from), 86400) - 2;
  if (resume_date) day = std::max(day, days_from_civil(*resume_date));
  const int64_t end_day = window.until
                              ? floor_div(floor_div(until, 1000) + zone.offset_at(until), 86400) + 2
                              : day + kMaxScanDays;

  Instant last = std::numeric_limits<Instant>::min();
  for (; day <= end_day; ++day) {
    const int wd = weekday_from_days(day);
    if (!cadence.days[static_cast<size_t>(wd)]) continue;
    const CivilDate date = civil_from_days(day);
    if (skipped(cadence, date)) continue;
    const tz::LocalResolution r =
        zone.resolve_local(day * 86400 + static_cast<int64_t>(cadence.minute_of_day) * 60);
    const Instant utc = r.utc_seconds * 1000;
    // Occurrences stay inside years 0001-9999, in UTC and in local time (kMinInstant..
    // kMaxInstant, core/time.hpp): past the end the preview, and so queue.plan, simply stops.
    if (utc > kMaxInstant || date.year > 9999) break;
    if (utc < from || utc <= last || date.year < 1) continue;
    if (utc >= until) break;
    if (out.size() == limit) {
      // Only the hard cap counts as truncation; a requested count is simply met.
      if (truncated && limit == kMaxOccurrences && window.count.value_or(limit + 1) > limit)
        *truncated = true;
      break;
    }
    out.push_back(
        {utc, r.offset_seconds, date, wd, r.in_gap, r.in_gap ? r.shift_seconds : 0, r.ambiguous});
    last = utc;
  }
  return out;
}

ZoneChoice resolve_zone(const Cadence& cadence, std::optional<std::string_view> owner_timezone) {
  if (!cadence.timezone.empty()) {
    if (const auto* z = tz::find(cadence.timezone)) return {z, cadence.timezone, "cadence"};
  }
  if (owner_timezone && !owner_timezone->empty()) {
    if (const auto* z = tz::find(*owner_timezone)) return {z, *owner_timezone, "owner"};
  }
  return {&tz::utc(), "UTC", "default"};
}

json to_json(const Occurrence& o) {
  return json{{"utc", format_instant(o.utc)},
              {"local", format_local(o.utc, o.offset_seconds)},
              {"date", format_date(o.date)},
              {"weekday", kWeekdayNames[static_cast<size_t>(o.weekday)]},
              {"offsetMinutes", o.offset_seconds / 60},
              {"shifted", o.shifted},
              {"shiftMinutes", o.shift_seconds / 60},
              {"ambiguous", o.ambiguous}};
}

}  // namespace ec::schedule
