#pragma once
// The one project error type. Everything the core refuses is an ec::Error carrying a
// machine code, a path and a readable message (plus, for validation, every issue found).
#include <exception>
#include <string>
#include <string_view>
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
inline constexpr const char* closed = "closed";  // the handle was closed
/// The database stayed locked by another connection for the whole busy timeout; retry later.
inline constexpr const char* busy = "busy";
/// The wasm module aborted (out of memory, trap); the JS wrapper refuses every later call.
inline constexpr const char* aborted = "aborted";
}  // namespace code

/// Codes whose failure is transient: the same request may succeed later ("retryable": true).
bool is_retryable(std::string_view code);

/// The path `[key]` of a top-level key of a request or its params (`["id"]`, `["patch"]`): one
/// out-of-line call instead of the array built from an initializer list at every site.
json key_path(const char* key);

/// The project's single exception type.
class Error : public std::exception {
 public:
  Error(std::string code, std::string message, json path = json::array(),
        std::vector<Issue> issues = {}, json params = json::object());
  /// The same with a literal message and nothing else (most call sites): one out-of-line call
  /// instead of the strings, defaults and their clean-up at every throw.
  Error(const char* code, const char* message);
  /// The same for a built message, with or without a path (the code a `code::` constant): the
  /// defaults of the other members are made once, out of line, not at every throw.
  Error(const char* code, std::string message);
  Error(const char* code, std::string message, json path);
  /// The same with the path [key] (a request's or params' top-level key: `["as"]`, `["id"]`):
  /// one out-of-line call instead of the path array and the strings built at every throw.
  static Error at(const char* code, const char* message, const char* key);
  static Error at(const char* code, std::string message, const char* key);
  /// A validation failure: code "invalid", message summarising the issues.
  static Error invalid(std::vector<Issue> issues);

  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const json& path() const { return path_; }
  const std::vector<Issue>& issues() const { return issues_; }
  /// Machine-readable details (e.g. a unique conflict's {field, deleted, id}); {} when none.
  const json& params() const { return params_; }
  const char* what() const noexcept override { return message_.c_str(); }
  /// {"code","message","path","issues":[...]} as used in API responses, plus "params" when
  /// there are any and "retryable": true for a transient failure (see is_retryable).
  json to_json() const;

 private:
  std::string code_;
  std::string message_;
  json path_;
  std::vector<Issue> issues_;
  json params_;
};

/// THE error boundary: whatever was thrown -> the one Error it means. Bad input reported by a
/// library (nlohmann::json parse/type/range errors, std::out_of_range, std::invalid_argument,
/// std::length_error) -> bad_request; std::bad_alloc -> internal "out of memory"; any other
/// exception -> internal. An ec::Error passes through unchanged. Never throws.
Error to_error(std::exception_ptr e) noexcept;

/// {"ok":false,"error":{…}} of an error.
json error_response(const Error& e);
/// error_response(e) as JSON text; never throws (invalid UTF-8 is replaced, and a fixed answer
/// is used if even that fails).
std::string error_response_text(const Error& e) noexcept;
/// JSON text of any value; never throws (invalid UTF-8 replaced). On failure: internal error text.
std::string dump_text(const json& j) noexcept;

}  // namespace ec
