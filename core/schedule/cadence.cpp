#include "core/schedule/cadence.hpp"

#include <algorithm>
#include <cstdio>

#include "core/tz/tz.hpp"
#include "core/validate/validate.hpp"

namespace ec::schedule {
namespace {

const char* type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

class Collector {
 public:
  Collector(const json& base, std::vector<Issue>& out) : base_(base), out_(out) {}

  void add(std::initializer_list<json> rel, const char* code, std::string message,
           json params = json::object()) {
    ++added_;
    if (validate::full(out_)) return;  // the issue cap (docs/adr/0012)
    json path = base_.is_array() ? base_ : json::array();
    for (const auto& k : rel) path.push_back(k);
    out_.push_back(Issue{std::move(path), code, std::move(message), std::move(params)});
  }
  void wrong_type(std::initializer_list<json> rel, const std::string& what, const char* expected,
                  const json& v) {
    add(rel, "invalid_type", what + " must be " + (expected[0] == 'a' ? "an " : "a ") + expected,
        {{"expected", expected}, {"received", type_name(v)}});
  }
  size_t added() const { return added_; }

 private:
  const json& base_;
  std::vector<Issue>& out_;
  size_t added_ = 0;
};

std::optional<CivilDate> date_field(const json& v, std::initializer_list<json> rel,
                                    const std::string& what, Collector& c) {
  if (!v.is_string()) {
    c.wrong_type(rel, what, "string", v);
    return std::nullopt;
  }
  auto d = parse_date(v.get_ref<const std::string&>());
  if (!d)
    c.add(rel, "invalid_date", what + " must be a calendar date YYYY-MM-DD",
          validate::kv("received", v));
  return d;
}

void parse_days(const json& v, Cadence& out, Collector& c) {
  if (!v.is_array()) {
    c.wrong_type({"days"}, "days", "array", v);
    return;
  }
  if (v.empty()) {
    c.add({"days"}, "too_small", "days must list at least one weekday", validate::kv("minimum", 1));
    return;
  }
  if (v.size() > kWeekdayNames.size()) {
    c.add({"days"}, "too_big", "days may list at most 7 weekdays", validate::kv("maximum", 7));
    return;  // checked before the entries: one issue, not one per entry
  }
  std::array<int, 7> first_index;
  first_index.fill(-1);
  for (size_t i = 0; i < v.size(); ++i) {
    const json& d = v[i];
    if (!d.is_string()) {
      c.wrong_type({"days", i}, "each day", "string", d);
      continue;
    }
    const auto& s = d.get_ref<const std::string&>();
    const auto it = std::find_if(kWeekdayNames.begin(), kWeekdayNames.end(),
                                 [&](const char* n) { return s == n; });
    if (it == kWeekdayNames.end()) {
      c.add({"days", i}, "invalid_enum", "day must be one of mon, tue, wed, thu, fri, sat, sun",
            {{"options", kWeekdayNames}, {"received", s}});
      continue;
    }
    const auto wd = static_cast<size_t>(it - kWeekdayNames.begin());
    if (first_index[wd] >= 0) {
      c.add({"days", i}, "duplicate", "day '" + s + "' is listed twice",
            {{"value", s}, {"firstIndex", first_index[wd]}});
      continue;
    }
    first_index[wd] = static_cast<int>(i);
    out.days[wd] = true;
  }
}

void parse_skip_dates(const json& v, Cadence& out, Collector& c) {
  if (!v.is_array()) {
    c.wrong_type({"skipDates"}, "skipDates", "array", v);
    return;
  }
  if (v.size() > kMaxSkipDates) {
    c.add({"skipDates"}, "too_big",
          "skipDates may list at most " + std::to_string(kMaxSkipDates) + " dates",
          validate::kv("maximum", kMaxSkipDates));
    return;  // one issue, not hundreds
  }
  for (size_t i = 0; i < v.size(); ++i) {
    auto d = date_field(v[i], {"skipDates", i}, "skip date", c);
    if (!d) continue;
    const auto it = std::find(out.skip_dates.begin(), out.skip_dates.end(), *d);
    if (it != out.skip_dates.end()) {
      c.add({"skipDates", i}, "duplicate", "date " + format_date(*d) + " is listed twice",
            validate::kv("value", v[i]));
      continue;
    }
    out.skip_dates.push_back(*d);
  }
  std::sort(out.skip_dates.begin(), out.skip_dates.end());
}

void parse_paused_until(const json& v, Cadence& out, Collector& c) {
  if (!v.is_string()) {
    c.wrong_type({"pausedUntil"}, "pausedUntil", "string", v);
    return;
  }
  const auto& s = v.get_ref<const std::string&>();
  if (auto d = parse_date(s)) {
    out.paused_until = *d;
  } else if (auto t = s.size() > 10 ? parse_instant(s) : std::nullopt) {
    out.paused_until = *t;
  } else {
    c.add({"pausedUntil"}, "invalid_date",
          "pausedUntil must be a date YYYY-MM-DD (or an ISO instant such as "
          "2025-09-01T00:00:00Z)",
          validate::kv("received", s));
  }
}

}  // namespace

std::optional<Cadence> parse_cadence(const json& j, const json& base_path,
                                     std::vector<Issue>& issues) {
  Collector c(base_path, issues);
  if (!j.is_object()) {
    c.wrong_type({}, "cadence", "object", j);
    return std::nullopt;
  }
  Cadence out;
  for (const auto& [key, v] : j.items()) {
    if (key == "days") {
      parse_days(v, out, c);
    } else if (key == "time") {
      if (!v.is_string()) {
        c.wrong_type({"time"}, "time", "string", v);
      } else if (auto m = parse_hhmm(v.get_ref<const std::string&>())) {
        out.minute_of_day = *m;
      } else {
        c.add({"time"}, "invalid_time", "time must be a 24-hour time HH:MM such as 09:00",
              validate::kv("received", v));
      }
    } else if (key == "timezone") {
      if (!v.is_string()) {
        c.wrong_type({"timezone"}, "timezone", "string", v);
      } else if (tz::find(v.get_ref<const std::string&>()) == nullptr) {
        c.add({"timezone"}, "invalid_timezone",
              "timezone must be an IANA time zone name such as Europe/London",
              validate::kv("received", v));
      } else {
        out.timezone = v.get<std::string>();
      }
    } else if (key == "pausedUntil") {
      if (!v.is_null()) parse_paused_until(v, out, c);  // null = not paused
    } else if (key == "skipDates") {
      parse_skip_dates(v, out, c);
    } else {
      c.add({key}, "unknown_field", "unknown field '" + key + "'", validate::kv("field", key));
    }
  }
  if (!j.contains("days")) c.add({"days"}, "required", "days is required");
  if (!j.contains("time")) c.add({"time"}, "required", "time is required");
  if (c.added() > 0) return std::nullopt;
  return out;
}

json to_json(const Cadence& cad) {
  json days = json::array();
  for (size_t i = 0; i < 7; ++i)
    if (cad.days[i]) days.push_back(kWeekdayNames[i]);
  char time[32];
  std::snprintf(time, sizeof time, "%02d:%02d", cad.minute_of_day / 60, cad.minute_of_day % 60);
  json j{{"days", std::move(days)}, {"time", time}};
  if (!cad.timezone.empty()) j["timezone"] = cad.timezone;
  if (cad.paused_until) {
    if (const auto* d = std::get_if<CivilDate>(&*cad.paused_until)) {
      j["pausedUntil"] = format_date(*d);
    } else {
      j["pausedUntil"] = format_instant(std::get<Instant>(*cad.paused_until));
    }
  }
  if (!cad.skip_dates.empty()) {
    json dates = json::array();
    for (const auto& d : cad.skip_dates) dates.push_back(format_date(d));
    j["skipDates"] = std::move(dates);
  }
  return j;
}

}  // namespace ec::schedule
