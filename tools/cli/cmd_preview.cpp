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
#include "core/json/codec.hpp"
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
  return static_cast<size_t>(
      ec::cli::parse_uint_flag("count", s, 1, ec::schedule::kMaxOccurrences));
}

json parse_cadence_text(const std::string& text) {
  try {
    return ec::codec::parse(text);
  } catch (...) {
    const ec::Error e = ec::to_error(std::current_exception());
    throw ec::Error(ec::code::bad_request, "--cadence is not valid JSON: " + e.message(),
                    json::array({"cadence"}));
  }
}

// A batch line's text field: absent/null -> nullopt; anything but a string is refused.
std::optional<std::string> text_field(const json& in, const char* key) {
  auto it = in.find(key);
  if (it == in.end() || it->is_null()) return std::nullopt;
  if (!it->is_string())
    throw ec::Error(ec::code::bad_request, std::string(key) + " must be a string",
                    json::array({key}));
  return it->get<std::string>();
}

int run_batch() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json out;
    try {
      const json in = ec::codec::parse(line);
      if (!in.is_object()) throw ec::Error(ec::code::bad_request, "a line must be a JSON object");
      const auto from = text_field(in, "from");
      if (!from || !in.contains("cadence"))
        throw ec::Error(ec::code::bad_request, "cadence and from are required");
      Request req{in["cadence"], text_field(in, "tz"), *from, std::nullopt,
                  text_field(in, "until")};
      if (in.contains("count") && !in["count"].is_null()) {
        const json& c = in["count"];
        // Only an exact integer 1..kMaxOccurrences (a negative or fractional number is refused,
        // not converted).
        if (!c.is_number_unsigned() || c.get<uint64_t>() < 1 ||
            c.get<uint64_t>() > ec::schedule::kMaxOccurrences)
          throw ec::Error(
              ec::code::bad_request,
              "count must be an integer 1.." + std::to_string(ec::schedule::kMaxOccurrences),
              json::array({"count"}));
        req.count = c.get<size_t>();
      }
      out = run(req);
    } catch (...) {
      out = ec::error_response(ec::to_error(std::current_exception()));
    }
    std::cout << ec::dump_text(out) << '\n';
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
  std::cout << ec::dump_text(run(req)) << std::endl;
  return 0;
}

ec::cli::Register reg{{"preview",
                       "preview --cadence JSON [--tz ZONE] --from ISO (--count N | --until ISO)",
                       &run_preview}};

}  // namespace
