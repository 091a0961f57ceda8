#include "core/time.hpp"

#include <array>
#include <climits>
#include <cstdio>
#include <cstring>

#include "core/thread_local.hpp"

namespace ec {

int64_t days_from_civil(CivilDate d) {
  int64_t y = d.year;
  const int64_t m = d.month;
  y -= m <= 2;
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

int weekday_from_days(int64_t days) {
  // 1970-01-01 was a Thursday (3 when Monday is 0).
  return static_cast<int>(floor_mod(days + 3, 7));
}

bool is_leap_year(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap_year(y)) return 29;
  return kDays[m - 1];
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<CivilDate> parse_date(std::string_view s) {
  CivilDate d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, d.year) || !digits(s, 5, 2, d.month) || !digits(s, 8, 2, d.day))
    return std::nullopt;
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > days_in_month(d.year, d.month))
    return std::nullopt;
  return d;
}

std::string format_date(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<Instant> parse_instant(std::string_view s) {
  if (s.size() < 17) return std::nullopt;
  auto date = parse_date(s.substr(0, 10));
  if (!date || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  int hh = 0, mm = 0, ss = 0, ms = 0;
  if (!digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm)) return std::nullopt;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, ss)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      size_t start = ++pos;
      int scale = 100;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        ms += (s[pos] - '0') * scale;  // digits beyond milliseconds are truncated
        scale /= 10;
        ++pos;
      }
      if (pos == start || pos - start > 9) return std::nullopt;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  int offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const int64_t secs = days_from_civil(*date) * 86400 + hh * 3600 + mm * 60 + ss - offset;
  // An offset may not carry the instant outside years 0001..9999: it must format back.
  const Instant t = secs * 1000 + ms;
  if (!in_instant_range(t)) return std::nullopt;
  return t;
}

namespace {

// "00" to "99": two digits written at once.
constexpr std::array<char, 200> kDigitPairs = [] {
  std::array<char, 200> a{};
  for (int i = 0; i < 100; ++i) {
    a[static_cast<size_t>(2 * i)] = static_cast<char>('0' + i / 10);
    a[static_cast<size_t>(2 * i + 1)] = static_cast<char>('0' + i % 10);
  }
  return a;
}();

void put2(char* p, int v) {
  std::memcpy(p, &kDigitPairs[static_cast<size_t>(2 * v)], 2);
}

// "YYYY-MM-DD" (10 bytes) for a year in 0..9999.
void put_date(char* p, CivilDate d) {
  put2(p, d.year / 100);
  put2(p + 2, d.year % 100);
  p[4] = '-';
  put2(p + 5, d.month);
  p[7] = '-';
  put2(p + 8, d.day);
}

// "THH:MM:SS" (9 bytes).
void put_time(char* p, int h, int m, int s) {
  p[0] = 'T';
  put2(p + 1, h);
  p[3] = ':';
  put2(p + 4, m);
  p[6] = ':';
  put2(p + 7, s);
}

}  // namespace

bool format_instant_to(Instant t, char (&out)[24]) {
  // Without snprintf (hot: every instant of every row read). The date part of the last day
  // formatted is kept: the instants of a page of rows mostly share their days.
  const int64_t days = floor_div(t, kMsPerDay);
  const auto rem = static_cast<int>(t - days * kMsPerDay);
  static EC_THREAD_LOCAL int64_t last_days = INT64_MIN;  // floor_div never gives INT64_MIN
  static EC_THREAD_LOCAL char last_date[10];
  if (days != last_days) {
    const CivilDate d = civil_from_days(days);
    if (d.year < 0 || d.year > 9999) return false;
    put_date(last_date, d);
    last_days = days;
  }
  std::memcpy(out, last_date, sizeof last_date);
  put_time(out + 10, rem / 3'600'000, rem / 60'000 % 60, rem / 1000 % 60);
  out[19] = '.';
  const int ms = rem % 1000;
  out[20] = static_cast<char>('0' + ms / 100);
  put2(out + 21, ms % 100);
  out[23] = 'Z';
  return true;
}

std::string format_instant(Instant t) {
  char out[24];
  if (format_instant_to(t, out)) return std::string(out, sizeof out);
  const int64_t days = floor_div(t, kMsPerDay);
  const int64_t rem = t - days * kMsPerDay;
  const CivilDate d = civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                static_cast<int>(rem / 3'600'000), static_cast<int>(rem / 60'000 % 60),
                static_cast<int>(rem / 1000 % 60), static_cast<int>(rem % 1000));
  return buf;
}

std::string format_local(Instant utc, int offset_seconds) {
  const int64_t local_s = floor_div(utc, 1000) + offset_seconds;
  const int64_t days = floor_div(local_s, 86400);
  const int64_t rem = local_s - days * 86400;
  const CivilDate d = civil_from_days(days);
  const int off = offset_seconds < 0 ? -offset_seconds : offset_seconds;
  if (d.year >= 0 && d.year <= 9999 && off / 3600 <= 99) {
    // Without snprintf (the overview writes one per listed project): the same digits.
    char out[25];
    put_date(out, d);
    put_time(out + 10, static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
             static_cast<int>(rem % 60));
    out[19] = offset_seconds < 0 ? '-' : '+';
    put2(out + 20, off / 3600);
    out[22] = ':';
    put2(out + 23, off / 60 % 60);
    return std::string(out, sizeof out);
  }
  char buf[48];
  // Offsets with seconds (rare, pre-1900 LMT) are rounded down to minutes in this form.
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", d.year, d.month, d.day,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60), offset_seconds < 0 ? '-' : '+', off / 3600,
                off / 60 % 60);
  return buf;
}

std::optional<int> parse_hhmm(std::string_view s) {
  int h = 0, m = 0;
  if (s.size() != 5 || s[2] != ':' || !digits(s, 0, 2, h) || !digits(s, 3, 2, m))
    return std::nullopt;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

}  // namespace ec
