#pragma once
// The IANA time zone database, embedded at build time from the build machine's
// /usr/share/zoneinfo (see tools/gen_tzdb.py and docs/adr/0002-time-and-timezones.md), so the
// native and wasm builds answer identically and need no files at run time.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/time.hpp"
#include "core/tz/posix_tz.hpp"

namespace ec::tz {

/// The local time rules in force at one instant.
struct Period {
  int offset_seconds = 0;         ///< UTC offset (east positive), e.g. 3600 for BST
  bool is_dst = false;            ///< daylight saving time (Europe/Dublin: winter is DST-negative)
  std::string_view abbreviation;  ///< "BST", "+0545"; static storage
};

/// How a local wall time maps to UTC under the "compatible" rule (RFC 5545, Temporal):
/// a time skipped by a gap moves forward by the gap length (02:30 -> 03:30); a time that
/// occurs twice takes the earlier instant.
struct LocalResolution {
  int64_t utc_seconds = 0;  ///< the chosen instant, seconds since the epoch
  int offset_seconds = 0;   ///< offset in force at that instant
  bool in_gap = false;      ///< the wall time does not exist; it was moved forward
  bool ambiguous = false;   ///< the wall time occurs twice; the earlier instant was taken
  int shift_seconds = 0;    ///< in_gap: gap length (wall time moved by this much);
                            ///< ambiguous: length of the repeated hour (later = utc + this)
};

/// One time zone. Zones live for the whole program; pointers from find() never dangle.
class Zone {
 public:
  /// Canonical IANA name (a link such as "US/Eastern" resolves to "America/New_York").
  std::string_view name() const { return name_; }
  /// UTC offset in seconds at a UTC instant (milliseconds).
  int offset_at(Instant utc) const {
    return period_at_seconds(floor_div(utc, 1000)).offset_seconds;
  }
  /// Offset, DST flag and abbreviation at a UTC instant (milliseconds).
  Period period_at(Instant utc) const { return period_at_seconds(floor_div(utc, 1000)); }
  /// Same as period_at for seconds since the epoch.
  Period period_at_seconds(int64_t utc_seconds) const;
  /// Maps a local wall time (seconds since 1970-01-01T00:00 local) to UTC, compatible rule.
  LocalResolution resolve_local(int64_t local_seconds) const;

  // Built once by the database; not for direct use.
  struct Type {
    int32_t offset;
    bool is_dst;
    std::string_view abbreviation;
  };
  Zone(std::string_view name, std::vector<int64_t> transitions, std::vector<uint8_t> type_of,
       std::vector<Type> types, PosixTz footer);

 private:
  struct Change {
    int64_t at;   // UTC seconds; the new type applies from here
    Type before;  // in force just before `at`
    Type after;
  };
  Type type_at(int64_t utc_seconds) const;
  // The changes with `at` in [from, to], in order (table and footer combined).
  void changes_between(int64_t from, int64_t to, std::vector<Change>& out) const;

  std::string_view name_;
  std::vector<int64_t> transitions_;  // ascending UTC seconds
  std::vector<uint8_t> type_of_;      // types_ index per transition
  std::vector<Type> types_;           // types_[0] applies before the first transition
  PosixTz footer_;                    // applies after the last transition
};

/// The zone called `name` (exact, case-sensitive IANA name or link; not tzdata's placeholder
/// "Factory"), or nullptr.
const Zone* find(std::string_view name);
/// The UTC zone (never null).
const Zone& utc();
/// Canonical zone names (links such as "US/Eastern" excluded; find() still accepts them),
/// sorted, without "Factory". What a settings page offers.
const std::vector<std::string_view>& zone_names();
/// Every name find() accepts (zones and links, without "Factory"), sorted.
const std::vector<std::string_view>& all_names();
/// The tzdata release the database was built from, e.g. "2025b".
std::string_view tzdata_version();

}  // namespace ec::tz
