// `episodes-core validate ENTITY`: validates one JSON document from stdin against an entity.
// Prints {"ok":true} (exit 0) or {"ok":false,"issues":[...]} (exit 1); usage errors exit 2.
#include <iostream>
#include <iterator>

#include "core/api/api.hpp"
#include "core/schema/schema.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int run(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args);
  if (flags.positional.size() != 1) throw UsageError{"expected exactly one ENTITY name"};
  if (!schema::find_entity(flags.positional[0])) {
    std::string known;
    for (const auto& e : schema::entities()) known += (known.empty() ? "" : ", ") + e.name;
    throw UsageError{"unknown entity '" + flags.positional[0] + "' (known: " + known + ")"};
  }
  const std::string mode = flags.get("mode") ? *flags.get("mode") : "record";
  if (mode != "record" && mode != "create" && mode != "patch")
    throw UsageError{"--mode must be record, create or patch"};
  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  const std::string result = api::validate_json(flags.positional[0], input, mode);
  std::cout << result << "\n";
  return result == R"({"ok":true})" ? 0 : 1;
}

const Register reg{{"validate", "validate ENTITY [--mode record|create|patch] < doc.json", &run}};

}  // namespace
}  // namespace ec::cli
