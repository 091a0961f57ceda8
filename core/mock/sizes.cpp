#include "core/mock/sizes.hpp"

#include "core/validate/validate.hpp"

namespace ec::mock {

std::string_view size_name(Size s) {
  switch (s) {
    case Size::Demo:
      return "demo";
    case Size::Small:
      return "small";
    case Size::Large:
      return "large";
  }
  return "demo";
}

std::optional<Size> parse_size(std::string_view s) {
  if (s == "demo") return Size::Demo;
  if (s == "small") return Size::Small;
  if (s == "large") return Size::Large;
  return std::nullopt;
}

Counts counts_for(Size s) {
  switch (s) {
    case Size::Demo:  // what the dashboard opens on: two organizations, six projects, ~10 weeks
      return Counts{.organizations = 2,
                    .users = 8,
                    .projects = 6,
                    .episodes = 130,
                    .token_usage = 1500,
                    .weeks_ahead = 3,
                    .chat_sessions = 12};
    case Size::Small:
      return Counts{.organizations = 6,
                    .users = 30,
                    .projects = 30,
                    .episodes = 2000,
                    .token_usage = 20'000,
                    .weeks_ahead = 3,
                    .chat_sessions = 60};
    case Size::Large:  // the benchmark set of issue 5
      return Counts{.organizations = 120,
                    .users = 600,
                    .projects = 1000,
                    .episodes = 100'000,
                    .token_usage = 1'000'000,
                    .weeks_ahead = 2,
                    .chat_sessions = 2000};
  }
  return {};
}

namespace {

struct Key {
  const char* name;
  int64_t Counts::*member;
  int64_t min;
  int64_t max;
};

constexpr Key kKeys[] = {
    {"organizations", &Counts::organizations, 1, 10'000},
    {"users", &Counts::users, 1, 1'000'000},
    {"projects", &Counts::projects, 1, 1'000'000},
    {"episodes", &Counts::episodes, 0, 10'000'000},
    {"tokenUsage", &Counts::token_usage, 0, 100'000'000},
    {"weeksAhead", &Counts::weeks_ahead, 0, 8},
    {"chatSessions", &Counts::chat_sessions, 0, 1'000'000},
};

}  // namespace

Counts counts_from_json(const json& j, Counts c) {
  std::vector<Issue> issues;
  const json base = key_path("counts");
  auto at = [&](const std::string& k) {
    json p = base;
    p.push_back(k);
    return p;
  };
  if (!j.is_object())
    throw Error::invalid(
        {validate::make_issue(base, validate::issue::invalid_type, "counts must be an object")});
  for (const auto& [k, v] : j.items()) {
    if (validate::full(issues)) break;  // the issue cap (docs/adr/0012)
    const Key* key = nullptr;
    for (const auto& cand : kKeys)
      if (k == cand.name) key = &cand;
    if (!key) {
      issues.push_back(validate::make_issue(at(k), validate::issue::unknown_field,
                                            "unknown count '" + k + "'", {{"field", k}}));
      continue;
    }
    if (!v.is_number_integer()) {
      issues.push_back(
          validate::make_issue(at(k), validate::issue::invalid_type, k + " must be an integer"));
      continue;
    }
    const int64_t n = v.get<int64_t>();
    if (n < key->min || n > key->max) {
      issues.push_back(validate::make_issue(
          at(k), n < key->min ? validate::issue::too_small : validate::issue::too_big,
          k + " must be between " + std::to_string(key->min) + " and " + std::to_string(key->max),
          {{"minimum", key->min}, {"maximum", key->max}}));
      continue;
    }
    c.*(key->member) = n;
  }
  if (issues.empty() && c.users < c.organizations)
    issues.push_back(validate::make_issue(at("users"), validate::issue::too_small,
                                          "every organization needs at least one user (its owner)",
                                          {{"minimum", c.organizations}}));
  // Plan limits ("limit projects, not frequency"): at most 100 live projects per organization.
  if (issues.empty() && c.projects > c.organizations * 100)
    issues.push_back(
        validate::make_issue(at("projects"), validate::issue::too_big,
                             "at most 100 projects per organization (the team plan's limit)",
                             {{"maximum", c.organizations * 100}}));
  if (!issues.empty()) throw Error::invalid(std::move(issues));
  return c;
}

json to_json(const Counts& c) {
  json j = json::object();
  for (const auto& k : kKeys) j[k.name] = c.*(k.member);
  return j;
}

}  // namespace ec::mock
