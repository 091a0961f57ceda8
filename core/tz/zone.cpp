#include <algorithm>
#include <array>

#include "core/thread_local.hpp"
#include "core/tz/tz.hpp"

namespace ec::tz {
namespace {

// Offsets in real data stay within +-26 h, so every candidate instant for a wall time lies
// within this distance of the wall time read as UTC.
constexpr int64_t kWindow = 2 * 86400;

bool same(const Zone::Type& a, const Zone::Type& b) {
  return a.offset == b.offset && a.is_dst == b.is_dst && a.abbreviation == b.abbreviation;
}

int year_of(int64_t utc_seconds) {
  return civil_from_days(floor_div(utc_seconds, 86400)).year;
}

}  // namespace

Zone::Zone(std::string_view name, std::vector<int64_t> transitions, std::vector<uint8_t> type_of,
           std::vector<Type> types, PosixTz footer)
    : name_(name),
      transitions_(std::move(transitions)),
      type_of_(std::move(type_of)),
      types_(std::move(types)),
      footer_(footer) {}

Zone::Type Zone::type_at(int64_t t) const {
  if (!transitions_.empty() && t < transitions_.front()) return types_[0];
  if (transitions_.empty() || t >= transitions_.back()) {
    // Past the table the footer rules; zones without a usable footer keep their last type.
    if (footer_.std_abbreviation.empty())
      return transitions_.empty() ? types_[0] : types_[type_of_.back()];
    if (footer_.dst_at(t)) return {footer_.dst_offset, true, footer_.dst_abbreviation};
    return {footer_.std_offset, false, footer_.std_abbreviation};
  }
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t);
  return types_[type_of_[static_cast<size_t>(it - transitions_.begin()) - 1]];
}

Period Zone::period_at_seconds(int64_t utc_seconds) const {
  const Type t = type_at(utc_seconds);
  return {t.offset, t.is_dst, t.abbreviation};
}

void Zone::changes_between(int64_t from, int64_t to, std::vector<Change>& out) const {
  out.clear();
  const int64_t last = transitions_.empty() ? INT64_MIN : transitions_.back();
  if (from < last || transitions_.empty()) {
    auto it = std::lower_bound(transitions_.begin(), transitions_.end(), from);
    for (; it != transitions_.end() && *it <= to; ++it) {
      const size_t i = static_cast<size_t>(it - transitions_.begin());
      const Type before = i == 0 ? types_[0] : types_[type_of_[i - 1]];
      const Type after = types_[type_of_[i]];
      if (!same(before, after)) out.push_back({*it, before, after});
    }
  }
  if (to <= last || !footer_.has_dst) return;
  const Type std_type{footer_.std_offset, false, footer_.std_abbreviation};
  const Type dst_type{footer_.dst_offset, true, footer_.dst_abbreviation};
  // Footer changes strictly after the table's last transition, sorted (ends before starts
  // on a tie, matching PosixTz::dst_at).
  std::array<std::pair<int64_t, bool>, 32> events{};
  size_t n = 0;
  for (int y = year_of(std::max(from, last)) - 1; y <= year_of(to) + 1 && n + 2 <= events.size();
       ++y) {
    events[n++] = {footer_.dst_end_utc(y), false};
    events[n++] = {footer_.dst_start_utc(y), true};
  }
  std::sort(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const auto [at, to_dst] = events[i];
    if (at <= last || at < from || at > to) continue;
    const bool was_dst = footer_.dst_at(at - 1);
    if (was_dst == to_dst) continue;
    out.push_back({at, was_dst ? dst_type : std_type, to_dst ? dst_type : std_type});
  }
}

LocalResolution Zone::resolve_local(int64_t local) const {
  EC_THREAD_LOCAL std::vector<Change> changes;
  changes.reserve(16);
  changes_between(local - kWindow, local + kWindow, changes);
  LocalResolution r;
  if (changes.empty()) {
    r.offset_seconds = type_at(local).offset;
    r.utc_seconds = local - r.offset_seconds;
    return r;
  }
  // Periods: before the first change, between changes, after the last. A wall time is valid
  // in a period when local - offset falls inside it.
  int64_t found[2];
  int found_offsets[2];
  int n = 0;
  for (size_t p = 0; p <= changes.size() && n < 2; ++p) {
    const int offset = p == 0 ? changes[0].before.offset : changes[p - 1].after.offset;
    const int64_t u = local - offset;
    const bool after_start = p == 0 || u >= changes[p - 1].at;
    const bool before_end = p == changes.size() || u < changes[p].at;
    if (after_start && before_end) {
      found[n] = u;
      found_offsets[n++] = offset;
    }
  }
  if (n > 0) {
    // Periods are in time order but a larger later offset can yield an earlier instant.
    const int first = n == 2 && found[1] < found[0] ? 1 : 0;
    r.utc_seconds = found[first];
    r.offset_seconds = found_offsets[first];
    if (n == 2) {
      r.ambiguous = true;
      r.shift_seconds = static_cast<int>(found[1 - first] - found[first]);
    }
    return r;
  }
  // A gap: keep the offset from before the change, which moves the wall time forward by
  // the gap's length (Temporal's "compatible").
  for (const Change& c : changes) {
    if (c.at + c.before.offset <= local && local < c.at + c.after.offset) {
      r.utc_seconds = local - c.before.offset;
      r.offset_seconds = type_at(r.utc_seconds).offset;
      r.in_gap = true;
      r.shift_seconds = c.after.offset - c.before.offset;
      return r;
    }
  }
  r.offset_seconds = type_at(local).offset;  // unreachable with consistent data
  r.utc_seconds = local - r.offset_seconds;
  return r;
}

}  // namespace ec::tz
