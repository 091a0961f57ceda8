#pragma once
// The one project error type. Everything the core refuses is an ec::Error carrying a
// machine code, a path and a readable message (plus, for validation, every issue found).
#include <exception>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ec {

using json = nlohmann::json;

/// One problem found in an input: where (path of keys/indexes), what (code), why (message).
struct Issue {
  json path = json::array();
  std::string code;
  std::string message;
  json params = json::object();
};

json to_json(const Issue& issue);

/// Error codes used across the core (stable: the JS client and docs/API.md rely on them).
namespace code {
inline constexpr const char* invalid = "invalid";          // input failed validation (see issues)
inline constexpr const char* bad_request = "bad_request";  // malformed request / JSON
inline constexpr const char* not_found = "not_found";
inline constexpr const char* conflict = "conflict";  // unique rule or state conflict
inline constexpr const char* plan_limit = "plan_limit";
inline constexpr const char* forbidden = "forbidden";
inline constexpr const char* budget_exceeded = "budget_exceeded";
inline constexpr const char* stale_lease = "stale_lease";
inline constexpr const char* schema_too_new = "schema_too_new";
inline constexpr const char* not_a_database = "not_a_database";
inline constexpr const char* io = "io";
inline constexpr const char* internal = "internal";
}  // namespace code

/// The project's single exception type.
class Error : public std::exception {
 public:
  Error(std::string code, std::string message, json path = json::array(),
        std::vector<Issue> issues = {});
  /// A validation failure: code "invalid", message summarising the issues.
  static Error invalid(std::vector<Issue> issues);

  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const json& path() const { return path_; }
  const std::vector<Issue>& issues() const { return issues_; }
  const char* what() const noexcept override { return message_.c_str(); }
  /// {"code","message","path","issues":[...]} as used in API responses.
  json to_json() const;

 private:
  std::string code_;
  std::string message_;
  json path_;
  std::vector<Issue> issues_;
};

}  // namespace ec
