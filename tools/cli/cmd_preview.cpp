// `episodes-core preview`: the episode times a cadence produces (core/schedule).
//   preview --cadence JSON [--tz ZONE] --from ISO (--count N | --until ISO | both)
// --count alone lists the next N strictly after --from; --until lists [from, until) (capped
// by --count when both are given). --tz is the fallback zone when the cadence has none
// (the owner's zone); without either, UTC. Hidden: `preview --batch` reads one JSON request
// per stdin line ({"cadence":{...},"tz":..,"from":..,"count":..,"until":..}) and prints one
// result per line; the oracle test uses it to check thousands of cases in one process.
#include <iostream>
#include <string>

#include "core/errors.hpp"
#include "core/schedule/preview.hpp"
#include "tools/cli/command.hpp"

namespace {

using ec::Issue;
using ec::json;

struct Request {
  json cadence;
  std::optional<std::string> tz;
  std::string from;
  std::optional<size_t> count;
  std::optional<std::string> until;
};

void issue(std::vector<Issue>& out, const char* field, const char* code, std::string message,
           json received) {
  out.push_back(Issue{json::array({field}), code, std::move(message), {{"received", received}}});
}

// Input problems (as opposed to usage problems) are collected as issues, all at once.
json run(const Request& req) {
  std::vector<Issue> issues;
  auto cadence = ec::schedule::parse_cadence(req.cadence, json::array({"cadence"}), issues);
  if (req.tz && ec::tz::find(*req.tz) == nullptr)
    issue(issues, "tz", "invalid_timezone",
          "tz must be an IANA time zone name such as Europe/London", *req.tz);
  const auto from = ec::parse_instant(req.from);
  if (!from)
    issue(issues, "from", "invalid_format",
          "from must be an ISO instant such as 2025-08-15T09:00:00Z", req.from);
  std::optional<ec::Instant> until;
  if (req.until) {
    until = ec::parse_instant(*req.until);
    if (!until)
      issue(issues, "until", "invalid_format",
            "until must be an ISO instant such as 2025-09-15T00:00:00Z", *req.until);
  }
  if (!issues.empty()) throw ec::Error::invalid(std::move(issues));

  const auto choice = ec::schedule::resolve_zone(*cadence, req.tz);
  ec::schedule::Window window;
  // Count alone: strictly after `from`; with until: the half-open range [from, until).
  window.from = until ? *from : *from + 1;
  window.count = req.count;
  window.until = until;
  bool truncated = false;
  const auto items = ec::schedule::occurrences(*cadence, *choice.zone, window, true, &truncated);
  json out{{"ok", true},
           {"timezone", choice.name},
           {"timezoneSource", choice.source},
           {"tzdata", ec::tz::tzdata_version()},
           {"items", json::array()}};
  for (const auto& o : items) out["items"].push_back(ec::schedule::to_json(o));
  if (truncated) out["truncated"] = true;
  return out;
}

size_t parse_count(const std::string& s) {
  size_t pos = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(s, &pos);
  } catch (const std::exception&) {
    pos = 0;
  }
  if (pos == 0 || pos != s.size() || s[0] == '-' || v < 1 || v > ec::schedule::kMaxOccurrences)
    throw ec::cli::UsageError{"--count must be an integer 1.." +
                              std::to_string(ec::schedule::kMaxOccurrences)};
  return v;
}

json parse_cadence_text(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded())
    throw ec::Error(ec::code::bad_request, "--cadence is not valid JSON", json::array({"cadence"}));
  return j;
}

int run_batch() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json out;
    try {
      const json in = json::parse(line);
      Request req{in.at("cadence"), std::nullopt, in.at("from").get<std::string>(), std::nullopt,
                  std::nullopt};
      if (in.contains("tz") && !in["tz"].is_null()) req.tz = in["tz"].get<std::string>();
      if (in.contains("count") && !in["count"].is_null()) req.count = in["count"].get<size_t>();
      if (in.contains("until") && !in["until"].is_null())
        req.until = in["until"].get<std::string>();
      out = run(req);
    } catch (const ec::Error& e) {
      out = json{{"ok", false}, {"error", e.to_json()}};
    } catch (const json::exception& e) {
      out =
          json{{"ok", false}, {"error", {{"code", ec::code::bad_request}, {"message", e.what()}}}};
    }
    std::cout << out.dump() << '\n';
  }
  std::cout.flush();
  return 0;
}

int run_preview(const std::vector<std::string>& args) {
  const auto flags = ec::cli::Flags::parse(args, {"batch"});
  if (flags.has("batch")) return run_batch();
  if (!flags.positional.empty())
    throw ec::cli::UsageError{"unexpected argument '" + flags.positional[0] + "'"};
  for (const auto& [name, value] : flags.values)
    if (name != "cadence" && name != "tz" && name != "from" && name != "count" && name != "until")
      throw ec::cli::UsageError{"unknown option --" + name};
  Request req;
  req.cadence = parse_cadence_text(flags.require("cadence"));
  req.from = flags.require("from");
  if (const auto* tz = flags.get("tz")) req.tz = *tz;
  if (const auto* c = flags.get("count")) req.count = parse_count(*c);
  if (const auto* u = flags.get("until")) req.until = *u;
  if (!req.count && !req.until)
    throw ec::cli::UsageError{"give --count N or --until ISO (or both)"};
  std::cout << run(req).dump() << std::endl;
  return 0;
}

ec::cli::Register reg{{"preview",
                       "preview --cadence JSON [--tz ZONE] --from ISO (--count N | --until ISO)",
                       &run_preview}};

}  // namespace
