// `episodes-core call --db FILE`: JSON-lines requests on stdin, one response line each.
// A bad line gets an error line and the following lines still run.
#include <cstdint>
#include <iostream>
#include <string>

#include "core/api/api.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int run(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args);
  const std::string db = flags.require("db");
  api::Options options;
  if (const auto* seed = flags.get("id-seed"))
    options.id_seed = parse_uint_flag("id-seed", *seed, 0, UINT64_MAX);
  if (const auto* ms = flags.get("busy-timeout"))
    options.busy_timeout_ms = static_cast<int>(parse_uint_flag("busy-timeout", *ms, 0, 3'600'000));
  for (const auto& [name, value] : flags.values)
    if (name != "db" && name != "id-seed" && name != "busy-timeout")
      throw UsageError{"unknown option --" + name};
  if (!flags.positional.empty())
    throw UsageError{"unexpected argument '" + flags.positional[0] + "'"};
  api::Core core(db, options);  // an unopenable database throws ec::Error: printed by main, exit 1
  std::string line;
  int failures = 0;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string response = core.call(line);
    if (response.find(R"("ok":false)") != std::string::npos &&
        response.rfind(R"({"error":)", 0) == 0)
      ++failures;
    std::cout << response << '\n';
  }
  std::cout.flush();
  return failures == 0 ? 0 : 1;
}

const Register reg{
    {"call", "call --db FILE [--id-seed N] [--busy-timeout MS]   JSON-lines requests on stdin",
     &run}};

}  // namespace
}  // namespace ec::cli
