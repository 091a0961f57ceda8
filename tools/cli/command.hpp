#pragma once
// CLI subcommands register themselves here; main.cpp dispatches on the first argument.
// Exit codes: 0 ok, 1 the input was refused (issues printed as JSON), 2 usage error.
#include <cstdint>
#include <string>
#include <vector>

namespace ec::cli {

struct Command {
  const char* name;
  const char* usage;                                 // one line, shown by `episodes-core help`
  int (*run)(const std::vector<std::string>& args);  // args exclude the command name
};

std::vector<Command>& registry();

struct Register {
  explicit Register(Command c) { registry().push_back(c); }
};

/// Thrown by commands for a usage error (exit 2, message on stderr).
struct UsageError {
  std::string message;
};

/// Strict unsigned integer of a flag: digits only, within [min, max]; else UsageError naming
/// the flag ("--id-seed must be an integer 0..18446744073709551615").
uint64_t parse_uint_flag(const std::string& flag, const std::string& value, uint64_t min,
                         uint64_t max);

/// Small flag parser: "--name value" pairs and bare "--flag" switches.
struct Flags {
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::string> positional;
  static Flags parse(const std::vector<std::string>& args,
                     const std::vector<std::string>& switches = {});
  const std::string* get(const std::string& name) const;
  std::string require(const std::string& name) const;
  bool has(const std::string& name) const { return get(name) != nullptr; }
};

}  // namespace ec::cli
