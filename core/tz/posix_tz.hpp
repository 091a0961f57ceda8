#pragma once
// POSIX TZ strings as found in TZif footers (RFC 8536 section 3.3, with its extensions:
// quoted names "<+13>", hours up to 167 in rule times, negative rule times). A zone's
// footer gives its rules after the last listed transition, i.e. for the far future.
#include <cstdint>
#include <optional>
#include <string_view>

namespace ec::tz {

/// A parsed POSIX TZ string such as "GMT0BST,M3.5.0/1,M10.5.0" or "<+0545>-5:45".
/// Abbreviations are views into the parsed text, which must outlive this value.
struct PosixTz {
  /// When a DST change happens: a date rule plus a local time of day (seconds, may be
  /// negative or beyond 24h, e.g. "M3.4.4/26" for Asia/Jerusalem).
  struct Rule {
    enum class Kind { kMonthWeekDay, kJulianNoLeap, kZeroBasedDay };
    Kind kind = Kind::kMonthWeekDay;
    int month = 1;    ///< kMonthWeekDay: 1..12
    int week = 1;     ///< kMonthWeekDay: 1..5 (5 = last)
    int weekday = 0;  ///< kMonthWeekDay: 0 = Sunday .. 6
    int day = 0;      ///< "Jn": 1..365 (Feb 29 never counted); "n": 0..365
    int time = 7200;  ///< local wall time of the change, seconds
  };

  std::string_view std_abbreviation;
  int std_offset = 0;  ///< seconds east of UTC (POSIX writes the opposite sign)
  bool has_dst = false;
  std::string_view dst_abbreviation;
  int dst_offset = 0;  ///< seconds east of UTC; default std_offset + 3600
  Rule dst_start;      ///< the change into DST, in standard local time
  Rule dst_end;        ///< the change out of DST, in DST local time

  /// Parses a footer; nullopt if malformed (an empty string is malformed too).
  static std::optional<PosixTz> parse(std::string_view text);

  /// UTC seconds of the change into DST in `year`, and out of it (for southern zones the
  /// end comes first in the calendar year).
  int64_t dst_start_utc(int year) const;
  int64_t dst_end_utc(int year) const;
  /// Whether DST is in force at a UTC instant (seconds). False when !has_dst.
  bool dst_at(int64_t utc_seconds) const;
};

/// Days since 1970-01-01 of the day a rule selects in `year`, plus its local time (seconds).
int64_t rule_local_seconds(const PosixTz::Rule& rule, int year);

}  // namespace ec::tz
