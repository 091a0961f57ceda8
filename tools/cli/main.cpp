// episodes-core: the command-line face of the core. Subcommands live in cmd_*.cpp.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>

#include "core/errors.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {

std::vector<Command>& registry() {
  static std::vector<Command> commands;
  return commands;
}

Flags Flags::parse(const std::vector<std::string>& args, const std::vector<std::string>& switches) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) == 0 && a.size() > 2) {
      std::string name = a.substr(2);
      std::string value;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (std::find(switches.begin(), switches.end(), name) != switches.end()) {
        value = "true";
      } else {
        if (i + 1 >= args.size()) throw UsageError{"--" + name + " needs a value"};
        value = args[++i];
      }
      f.values.emplace_back(name, value);
    } else {
      f.positional.push_back(a);
    }
  }
  return f;
}

const std::string* Flags::get(const std::string& name) const {
  for (const auto& [k, v] : values)
    if (k == name) return &v;
  return nullptr;
}

uint64_t parse_uint_flag(const std::string& flag, const std::string& value, uint64_t min,
                         uint64_t max) {
  const UsageError bad{"--" + flag + " must be an integer " + std::to_string(min) + ".." +
                       std::to_string(max) + " (got '" + value + "')"};
  if (value.empty() || value.size() > 20 ||
      value.find_first_not_of("0123456789") != std::string::npos)
    throw bad;
  uint64_t v = 0;
  for (char c : value) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) throw bad;
    v = v * 10 + d;
  }
  if (v < min || v > max) throw bad;
  return v;
}

std::string Flags::require(const std::string& name) const {
  if (const auto* v = get(name)) return *v;
  throw UsageError{"missing --" + name};
}

}  // namespace ec::cli

namespace {

void usage(std::FILE* to) {
  std::fprintf(to, "usage: episodes-core <command> [options]\n\ncommands:\n");
  for (const auto& c : ec::cli::registry()) std::fprintf(to, "  %s\n", c.usage);
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    usage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("episodes-core %s\n", EC_VERSION);
    return 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const auto& c : ec::cli::registry()) {
    if (name != c.name) continue;
    try {
      return c.run(args);
    } catch (const ec::cli::UsageError& e) {
      std::fprintf(stderr, "episodes-core %s: %s\nusage: %s\n", c.name, e.message.c_str(), c.usage);
      return 2;
    } catch (...) {
      // The one exception -> code mapping (core/errors.cpp): refused input prints its error
      // JSON (exit 1); only a real internal failure exits 3.
      const ec::Error e = ec::to_error(std::current_exception());
      if (e.code() == ec::code::internal) {
        std::fprintf(stderr, "episodes-core %s: internal error: %s\n", c.name, e.message().c_str());
        return 3;
      }
      std::cout << ec::error_response_text(e) << std::endl;
      return 1;
    }
  }
  std::fprintf(stderr, "episodes-core: unknown command '%s'\n", name.c_str());
  usage(stderr);
  return 2;
}
