#pragma once
// Time primitives shared by every layer: UTC instants as milliseconds since the Unix epoch,
// proleptic Gregorian civil dates, and the ISO-8601 text forms used in JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ec {

/// Milliseconds since 1970-01-01T00:00:00Z.
using Instant = int64_t;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm; valid for all int years).
int64_t days_from_civil(CivilDate d);
CivilDate civil_from_days(int64_t days);
/// 0 = Monday .. 6 = Sunday (ISO weekday minus one).
int weekday_from_days(int64_t days);
bool is_leap_year(int y);
int days_in_month(int y, int m);

/// "YYYY-MM-DD", a real calendar date, years 0001..9999.
std::optional<CivilDate> parse_date(std::string_view s);
std::string format_date(CivilDate d);

/// Accepts "YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)"; the canonical output form is
/// "YYYY-MM-DDTHH:MM:SS.mmmZ". Returns nullopt for anything else.
std::optional<Instant> parse_instant(std::string_view s);
std::string format_instant(Instant t);
/// format_instant's common case (years 0000..9999) into a buffer, without allocating; false
/// (buffer untouched) for any other year.
bool format_instant_to(Instant t, char (&out)[24]);
/// Local wall time with offset: "YYYY-MM-DDTHH:MM:SS±HH:MM".
std::string format_local(Instant utc, int offset_seconds);

/// "HH:MM" 24h -> minutes since midnight.
std::optional<int> parse_hhmm(std::string_view s);

/// Floor division helpers (C++ '/' truncates toward zero).
constexpr int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr int64_t floor_mod(int64_t a, int64_t b) {
  return a - floor_div(a, b) * b;
}

inline constexpr int64_t kMsPerSecond = 1000;
inline constexpr int64_t kMsPerDay = 86'400'000;

/// The instants the core represents: years 0001..9999 (what the ISO text form holds), i.e.
/// 0001-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z. Declared once: parsing, the clock and
/// every instant computed from a request are checked against it.
inline constexpr Instant kMinInstant = -62'135'596'800'000;
inline constexpr Instant kMaxInstant = 253'402'300'799'999;
constexpr bool in_instant_range(Instant t) {
  return t >= kMinInstant && t <= kMaxInstant;
}
/// now + d (d >= 0) held at kMaxInstant: a lease end, a reservation expiry or a retry time
/// computed from the clock never leaves the range (PostgreSQL: least(…, private.max_instant())).
constexpr Instant capped(Instant now, int64_t d) {
  return d > kMaxInstant - now ? kMaxInstant : now + d;
}

}  // namespace ec
