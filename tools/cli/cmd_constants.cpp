// `episodes-core constants --lang ts`: web/src/core/constants.generated.ts (rule constants, state
// names, error codes, SQLSTATE mapping); `--json`: the same for the node test suites.
// `episodes-core rules backoff <key> <attempt>...` and `rules gbp <micros>...`: the core's own
// rule functions, one answer per line, so other engines' tests compare against the core.
#include <iostream>

#include "core/api/constants_ts.hpp"
#include "core/rules.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int constants(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args, {"json"});
  if (flags.has("json")) {
    std::cout << api::constants_json().dump() << "\n";
    return 0;
  }
  const std::string lang = flags.get("lang") ? *flags.get("lang") : "ts";
  if (lang != "ts") throw UsageError{"unknown --lang '" + lang + "' (supported: ts)"};
  std::cout << api::constants_typescript();
  return 0;
}

int64_t parse_int(const std::string& s) {
  const bool neg = !s.empty() && s[0] == '-';
  const uint64_t mag = parse_uint_flag("value", neg ? s.substr(1) : s, 0,
                                       neg ? 9'223'372'036'854'775'808ULL : INT64_MAX);
  return neg ? static_cast<int64_t>(0 - mag) : static_cast<int64_t>(mag);
}

int rules_cmd(const std::vector<std::string>& args) {
  if (args.empty())
    throw UsageError{"expected: rules backoff <key> <attempt>... | rules gbp <micros>..."};
  if (args[0] == "gbp") {
    for (size_t i = 1; i < args.size(); ++i)
      std::cout << rules::format_gbp(parse_int(args[i])) << "\n";
    return 0;
  }
  if (args[0] == "backoff") {
    if (args.size() < 3 || args.size() % 2 == 0)
      throw UsageError{"expected: rules backoff <key> <attempt> [<key> <attempt>]..."};
    for (size_t i = 1; i + 1 < args.size(); i += 2)
      std::cout << rules::backoff_ms(args[i], parse_int(args[i + 1])) << "\n";
    return 0;
  }
  throw UsageError{"unknown rule '" + args[0] + "' (supported: backoff, gbp)"};
}

const Register reg_constants{
    {"constants", "constants --lang ts | --json      rule constants, states, error codes",
     &constants}};
const Register reg_rules{
    {"rules", "rules backoff <key> <attempt>... | rules gbp <micros>...  the core's rules",
     &rules_cmd}};

}  // namespace
}  // namespace ec::cli
