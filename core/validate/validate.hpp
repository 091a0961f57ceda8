#pragma once
// Validation derived from the schema: every problem at once, each an ec::Issue with a path,
// a machine code, a readable message and params (in the spirit of Zod / Ajv). Never throws
// for bad input; only returns issues.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/errors.hpp"
#include "core/schema/schema.hpp"

namespace ec::validate {

enum class Mode {
  Record,  // a complete stored row (e.g. `episodes-core validate Project`): system fields required
  Create,  // caller input for a new row: system fields are refused, defaults fill the gaps
  Patch,   // caller input changing some fields: nothing required, immutable fields refused
};

/// Issue codes (stable; the dashboard maps them to field messages).
namespace issue {
inline constexpr const char* required = "required";
inline constexpr const char* invalid_type = "invalid_type";
inline constexpr const char* unknown_field = "unknown_field";
inline constexpr const char* read_only = "read_only";
inline constexpr const char* invalid_enum = "invalid_enum";
inline constexpr const char* invalid_format = "invalid_format";
inline constexpr const char* too_short = "too_short";
inline constexpr const char* blank = "blank";  // only white space (schema::kBlankCodePoints)
inline constexpr const char* too_long = "too_long";
inline constexpr const char* too_small = "too_small";
inline constexpr const char* too_big = "too_big";
inline constexpr const char* duplicate = "duplicate";
inline constexpr const char* invalid_timezone = "invalid_timezone";
inline constexpr const char* invalid_date = "invalid_date";
inline constexpr const char* invalid_time = "invalid_time";
inline constexpr const char* invalid_range = "invalid_range";
inline constexpr const char* invalid_chars = "invalid_chars";  // U+0000 or ill-formed UTF-8
}  // namespace issue

/// Where a value sits: an Issue's path (a JSON array of keys and indexes), made into JSON only
/// when an issue is reported. The validators pass one down for every value they look at, and most
/// values have no issue, so building the array for each of them was most of a valid row's cost
/// (docs/BENCHMARKS.md, "Issue 13, session 14"). A Path refers to its parent and its key: both
/// must outlive it (it lives on its caller's stack), as must a JSON array it wraps (a JSON array
/// converts to a Path implicitly: pass one, never keep a Path made from a temporary).
class Path {
 public:
  Path(const json& whole) : given_(&whole) {}  // NOLINT(google-explicit-constructor)
  Path(const Path& parent, std::string_view key) : parent_(&parent), key_(key) {}
  Path(const Path& parent, size_t index) : parent_(&parent), index_(index), is_index_(true) {}
  Path(const Path&) = delete;
  Path& operator=(const Path&) = delete;

  /// The document's root: the empty path.
  static const Path& root();
  /// The path as a JSON array (built on the first call, then kept).
  const json& get() const;

 private:
  const json* given_ = nullptr;
  const Path* parent_ = nullptr;
  std::string_view key_;
  size_t index_ = 0;
  bool is_index_ = false;
  mutable std::optional<json> built_;
};

/// Validates a JSON document against an entity. `base` prefixes every issue path. Stops at the
/// issue cap (see full(): at most kMaxIssues + 1 issues are returned).
std::vector<Issue> entity(const schema::Entity& e, const json& doc, Mode mode, const Path& base);
/// The same with issue paths from the document's root.
std::vector<Issue> entity(const schema::Entity& e, const json& doc, Mode mode);

/// Validates one value against one field (type, bounds, enum, domain rule).
void field(const schema::Field& f, const json& value, const Path& path, std::vector<Issue>& out);

/// Cross-field rules of an entity that need more than one field (e.g. Highlight offsets vs quote).
void entity_rules(const schema::Entity& e, const json& doc, const Path& base,
                  std::vector<Issue>& out);

/// Domain rule checks (core/validate/rules.cpp).
void rule(const schema::Field& f, const json& value, const Path& path, std::vector<Issue>& out);

bool is_uuid(std::string_view s);
bool is_email(std::string_view s);
bool is_slug(std::string_view s);
bool is_event_type(std::string_view s);
bool is_valid_utf8(std::string_view s);

/// Text rule of every string anywhere (fields, JSON contents and keys, params): well-formed
/// UTF-8 without U+0000, which PostgreSQL text/jsonb cannot store. Adds an invalid_chars issue.
bool check_text(std::string_view s, const Path& path, std::vector<Issue>& out);
/// Every string, key and number inside a JSON field (see check_text; numbers that jsonb or
/// JavaScript would change are refused). Stops at schema::kMaxIssues.
bool check_json_values(const json& v, const Path& path, std::vector<Issue>& out);

/// The issue cap (docs/adr/0012): collectors stop adding once a list holds more than
/// schema::kMaxIssues issues. The one issue beyond the cap tells Error::invalid, which cuts every
/// answer to kMaxIssues, that the list is not complete.
inline bool full(const std::vector<Issue>& out) {
  return out.size() > schema::kMaxIssues;
}

/// Builds an issue at `path` (made into its JSON array here).
Issue make_issue(const Path& path, std::string code, std::string message,
                 json params = json::object());
/// An issue's params with one key, {key: value}: one out-of-line call instead of the
/// initializer-list construction at every site.
json kv(const char* key, json value);
/// The same for an `issue::` code, with or without params: the code string and the default
/// params are made out of line, not at every one of the many call sites.
Issue make_issue(const Path& path, const char* code, std::string message);
Issue make_issue(const Path& path, const char* code, std::string message, json params);

}  // namespace ec::validate
