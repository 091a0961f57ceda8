#include "core/tz/posix_tz.hpp"

#include "core/time.hpp"

namespace ec::tz {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i_;
    return true;
  }

  // "ABC" (3+ letters) or "<...>" (letters, digits, '+', '-').
  std::optional<std::string_view> name() {
    if (eat('<')) {
      const size_t start = i_;
      while (i_ < s_.size() && s_[i_] != '>') ++i_;
      if (i_ == s_.size() || i_ - start < 3) return std::nullopt;
      return s_.substr(start, i_++ - start);
    }
    const size_t start = i_;
    while (i_ < s_.size() && ((s_[i_] >= 'A' && s_[i_] <= 'Z') || (s_[i_] >= 'a' && s_[i_] <= 'z')))
      ++i_;
    if (i_ - start < 3) return std::nullopt;
    return s_.substr(start, i_ - start);
  }

  std::optional<int> number(int max) {
    const size_t start = i_;
    int v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && i_ - start < 4)
      v = v * 10 + (s_[i_++] - '0');
    if (i_ == start || v > max) return std::nullopt;
    return v;
  }

  // [+-]hh[:mm[:ss]]; hours up to 167 (RFC 8536 extension for rule times).
  std::optional<int> hms() {
    int sign = 1;
    if (eat('-')) {
      sign = -1;
    } else {
      eat('+');
    }
    auto h = number(167);
    if (!h) return std::nullopt;
    int secs = *h * 3600;
    if (eat(':')) {
      auto m = number(59);
      if (!m) return std::nullopt;
      secs += *m * 60;
      if (eat(':')) {
        auto sec = number(59);
        if (!sec) return std::nullopt;
        secs += *sec;
      }
    }
    return sign * secs;
  }

  std::optional<PosixTz::Rule> rule() {
    PosixTz::Rule r;
    if (eat('M')) {
      auto m = number(12);
      if (!m || *m < 1 || !eat('.')) return std::nullopt;
      auto w = number(5);
      if (!w || *w < 1 || !eat('.')) return std::nullopt;
      auto d = number(6);
      if (!d) return std::nullopt;
      r.kind = PosixTz::Rule::Kind::kMonthWeekDay;
      r.month = *m;
      r.week = *w;
      r.weekday = *d;
    } else if (eat('J')) {
      auto n = number(365);
      if (!n || *n < 1) return std::nullopt;
      r.kind = PosixTz::Rule::Kind::kJulianNoLeap;
      r.day = *n;
    } else {
      auto n = number(365);
      if (!n) return std::nullopt;
      r.kind = PosixTz::Rule::Kind::kZeroBasedDay;
      r.day = *n;
    }
    if (eat('/')) {
      auto t = hms();
      if (!t) return std::nullopt;
      r.time = *t;
    }
    return r;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// Calendar year containing a UTC instant (seconds); close enough for choosing which
// years' rules to evaluate, since callers look at the neighbouring years too.
int year_of(int64_t utc_seconds) {
  return civil_from_days(floor_div(utc_seconds, 86400)).year;
}

}  // namespace

std::optional<PosixTz> PosixTz::parse(std::string_view text) {
  Parser p(text);
  PosixTz tz;
  auto std_name = p.name();
  if (!std_name) return std::nullopt;
  auto std_off = p.hms();
  if (!std_off || *std_off > 24 * 3600 || *std_off < -24 * 3600) return std::nullopt;
  tz.std_abbreviation = *std_name;
  tz.std_offset = -*std_off;
  if (p.done()) return tz;
  auto dst_name = p.name();
  if (!dst_name) return std::nullopt;
  tz.has_dst = true;
  tz.dst_abbreviation = *dst_name;
  tz.dst_offset = tz.std_offset + 3600;
  if (!p.peek(',')) {
    auto dst_off = p.hms();
    if (!dst_off || *dst_off > 24 * 3600 || *dst_off < -24 * 3600) return std::nullopt;
    tz.dst_offset = -*dst_off;
  }
  // Rules are optional in POSIX ("EST5EDT" alone means US rules); TZif footers always
  // carry them, and guessing a default would be wrong for most zones.
  if (!p.eat(',')) return std::nullopt;
  auto start = p.rule();
  if (!start || !p.eat(',')) return std::nullopt;
  auto end = p.rule();
  if (!end || !p.done()) return std::nullopt;
  tz.dst_start = *start;
  tz.dst_end = *end;
  return tz;
}

int64_t rule_local_seconds(const PosixTz::Rule& r, int year) {
  int64_t day = 0;
  switch (r.kind) {
    case PosixTz::Rule::Kind::kMonthWeekDay: {
      const int64_t first = days_from_civil({year, r.month, 1});
      // weekday_from_days is Monday-based; POSIX counts from Sunday.
      const int first_wd = (weekday_from_days(first) + 1) % 7;
      day = first + (r.weekday - first_wd + 7) % 7 + (r.week - 1) * 7;
      const int64_t past_end = first + days_in_month(year, r.month);
      while (day >= past_end) day -= 7;  // week 5 means "last"
      break;
    }
    case PosixTz::Rule::Kind::kJulianNoLeap:
      day = days_from_civil({year, 1, 1}) + r.day - 1 + (is_leap_year(year) && r.day >= 60 ? 1 : 0);
      break;
    case PosixTz::Rule::Kind::kZeroBasedDay:
      day = days_from_civil({year, 1, 1}) + r.day;
      break;
  }
  return day * 86400 + r.time;
}

int64_t PosixTz::dst_start_utc(int year) const {
  return rule_local_seconds(dst_start, year) - std_offset;
}

int64_t PosixTz::dst_end_utc(int year) const {
  return rule_local_seconds(dst_end, year) - dst_offset;
}

bool PosixTz::dst_at(int64_t t) const {
  if (!has_dst) return false;
  // The latest change at or before t among the neighbouring years decides. On a tie (DST all
  // year: the end of one year meets the start of the next) the start wins.
  const int y = year_of(t);
  int64_t best = INT64_MIN;
  bool dst = false;
  for (int year = y - 1; year <= y + 1; ++year) {
    const int64_t s = dst_start_utc(year);
    const int64_t e = dst_end_utc(year);
    if (e <= t && e > best) {
      best = e;
      dst = false;
    }
    if (s <= t && s >= best) {
      best = s;
      dst = true;
    }
  }
  return dst;
}

}  // namespace ec::tz
