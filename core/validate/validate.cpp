#include "core/validate/validate.hpp"

#include <cmath>

#include "core/json/codec.hpp"
#include "core/time.hpp"

namespace ec::validate {

using schema::Field;
using schema::Origin;
using schema::Type;

const Path& Path::root() {
  static const json empty = json::array();
  static const Path root(empty);
  return root;
}

const json& Path::get() const {
  if (given_) return *given_;
  if (!built_) {
    json p = parent_->get();
    if (is_index_)
      p.push_back(index_);
    else
      p.push_back(std::string(key_));
    built_ = std::move(p);
  }
  return *built_;
}

Issue make_issue(const Path& path, std::string code, std::string message, json params) {
  return Issue{path.get(), std::move(code), std::move(message), std::move(params)};
}

Issue make_issue(const Path& path, const char* code, std::string message) {
  return Issue{path.get(), code, std::move(message), json::object()};
}

Issue make_issue(const Path& path, const char* code, std::string message, json params) {
  return Issue{path.get(), code, std::move(message), std::move(params)};
}

json kv(const char* key, json value) {
  json o = json::object();
  o[key] = std::move(value);
  return o;
}

namespace {

const char* json_kind(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    case json::value_t::number_float:
      return "number";
    default:
      return "integer";
  }
}

std::string expected_kind(Type t) {
  switch (t) {
    case Type::Int:
    case Type::Money:
      return "integer";
    case Type::Bool:
      return "boolean";
    case Type::Json:
      return "object or array";
    default:
      return "string";
  }
}

bool type_matches(Type t, const json& v) {
  switch (t) {
    case Type::Int:
    case Type::Money:
      return v.is_number_integer();
    case Type::Bool:
      return v.is_boolean();
    case Type::Json:
      return v.is_object() || v.is_array();
    default:
      return v.is_string();
  }
}

}  // namespace

void field(const Field& f, const json& v, const Path& path, std::vector<Issue>& out) {
  if (v.is_null()) {
    if (!f.nullable)
      out.push_back(make_issue(path, issue::invalid_type, f.name + " must not be null",
                               {{"expected", expected_kind(f.type)}, {"received", "null"}}));
    return;
  }
  if ((f.type == Type::Int || f.type == Type::Money) && v.is_number_float()) {
    // A number beyond the 64-bit integer range is too large (or too small) for an integer
    // field however it is written: 1e30, or an integer literal past 2^64 (or below -2^63) that
    // the parser could keep only as a double, answers as 2^63 written out does.
    const double d = v.get<double>();
    if (d >= 9223372036854775808.0) {
      out.push_back(make_issue(path, issue::too_big, f.name + " is too large",
                               kv("maximum", f.max.value_or(INT64_MAX))));
      return;
    }
    if (d <= -9223372036854775808.0) {
      out.push_back(make_issue(path, issue::too_small, f.name + " is too small",
                               kv("minimum", f.min.value_or(INT64_MIN))));
      return;
    }
  }
  if (!type_matches(f.type, v)) {
    out.push_back(make_issue(path, issue::invalid_type,
                             f.name + " must be " + expected_kind(f.type) + ", not " + json_kind(v),
                             {{"expected", expected_kind(f.type)}, {"received", json_kind(v)}}));
    return;
  }
  switch (f.type) {
    case Type::Int:
    case Type::Money: {
      const int64_t n = v.get<int64_t>();
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        out.push_back(make_issue(path, issue::too_big, f.name + " is too large",
                                 kv("maximum", f.max.value_or(INT64_MAX))));
      } else if (f.min && n < *f.min) {
        out.push_back(make_issue(path, issue::too_small,
                                 f.name + " must be at least " + std::to_string(*f.min),
                                 kv("minimum", *f.min)));
      } else if (f.max && n > *f.max) {
        out.push_back(make_issue(path, issue::too_big,
                                 f.name + " must be at most " + std::to_string(*f.max),
                                 kv("maximum", *f.max)));
      }
      break;
    }
    case Type::String:
    case Type::Text: {
      const auto& s = v.get_ref<const std::string&>();
      if (!check_text(s, path, out)) return;
      // Lengths are counted in Unicode code points, as SQLite length() and PostgreSQL
      // char_length() count them, so a bound means the same in the core and both engines.
      const auto len = static_cast<int64_t>(codec::code_points(s));
      if (f.min && len < *f.min) {
        out.push_back(make_issue(
            path, *f.min == 1 && len == 0 ? issue::required : issue::too_short,
            *f.min == 1 ? f.name + " must not be empty"
                        : f.name + " must be at least " + std::to_string(*f.min) + " characters",
            kv("minimum", *f.min)));
      } else if (f.max && len > *f.max) {
        out.push_back(
            make_issue(path, issue::too_long,
                       f.name + " must be at most " + std::to_string(*f.max) + " characters",
                       {{"maximum", *f.max}, {"length", len}}));
      }
      if (f.not_blank && len > 0 && schema::is_blank(s))
        out.push_back(make_issue(path, issue::blank, f.name + " must not be blank"));
      if (f.type == Type::String && s.find_first_of("\r\n") != std::string::npos)
        out.push_back(make_issue(path, issue::invalid_format, f.name + " must be a single line"));
      break;
    }
    case Type::Uuid:
    case Type::Instant:
    case Type::Date:
    case Type::Enum:
      if (!check_text(v.get_ref<const std::string&>(), path, out)) return;
      break;
    case Type::Json:
    case Type::Bool:
      break;
  }
  switch (f.type) {
    case Type::Uuid:
      if (!is_uuid(v.get_ref<const std::string&>()))
        out.push_back(make_issue(path, issue::invalid_format,
                                 f.name + " must be a UUID (8-4-4-4-12 lower-case hex)",
                                 kv("format", "uuid")));
      break;
    case Type::Instant:
      if (!parse_instant(v.get_ref<const std::string&>()))
        out.push_back(
            make_issue(path, issue::invalid_format,
                       f.name + " must be an ISO-8601 instant such as 2025-08-15T09:00:00.000Z",
                       kv("format", "date-time")));
      break;
    case Type::Date:
      if (!parse_date(v.get_ref<const std::string&>()))
        out.push_back(make_issue(path, issue::invalid_date,
                                 f.name + " must be a calendar date YYYY-MM-DD",
                                 kv("format", "date")));
      break;
    case Type::Enum: {
      const auto& s = v.get_ref<const std::string&>();
      bool found = false;
      for (const auto& e : f.enum_values) found = found || e == s;
      if (!found) {
        std::string list;
        for (const auto& e : f.enum_values) list += (list.empty() ? "" : ", ") + e;
        out.push_back(make_issue(path, issue::invalid_enum, f.name + " must be one of: " + list,
                                 {{"allowed", f.enum_values}, {"received", s}}));
      }
      break;
    }
    case Type::Json: {
      // Entry cap first: a hostile list is refused before any entry is looked at.
      if (f.max_entries && static_cast<int64_t>(v.size()) > *f.max_entries) {
        out.push_back(make_issue(
            path, issue::too_big,
            f.name + " may have at most " + std::to_string(*f.max_entries) + " entries",
            {{"maximumEntries", *f.max_entries}, {"entries", static_cast<int64_t>(v.size())}}));
        return;
      }
      if (!check_json_values(v, path, out)) return;  // before dump(): it needs valid UTF-8
      if (f.max) {
        const auto size = static_cast<int64_t>(v.dump().size());
        if (size > *f.max) {
          out.push_back(make_issue(path, issue::too_big,
                                   f.name + " is too large (" + std::to_string(size) +
                                       " bytes, limit " + std::to_string(*f.max) + ")",
                                   {{"maximum", *f.max}, {"size", size}}));
          return;
        }
      }
      break;
    }
    default:
      break;
  }
  rule(f, v, path, out);
}

std::vector<Issue> entity(const schema::Entity& e, const json& doc, Mode mode) {
  return entity(e, doc, mode, Path::root());
}

std::vector<Issue> entity(const schema::Entity& e, const json& doc, Mode mode, const Path& base) {
  std::vector<Issue> out;
  if (!doc.is_object()) {
    out.push_back(make_issue(base, issue::invalid_type, e.name + " must be a JSON object",
                             {{"expected", "object"}, {"received", json_kind(doc)}}));
    return out;
  }
  for (const auto& [key, value] : doc.items()) {
    if (full(out)) break;
    const Path path(base, key);
    if (!check_text(key, path, out)) continue;
    const Field* f = e.field(key);
    if (!f) {
      out.push_back(make_issue(path, issue::unknown_field,
                               "unknown field '" + key + "' for " + e.name, kv("field", key)));
      continue;
    }
    if (mode == Mode::Create && f->origin == Origin::System) {
      out.push_back(
          make_issue(path, issue::read_only, f->name + " is set by the system", kv("field", key)));
      continue;
    }
    if (mode == Mode::Patch && (f->origin == Origin::System || f->immutable)) {
      out.push_back(
          make_issue(path, issue::read_only, f->name + " cannot be changed", kv("field", key)));
      continue;
    }
    field(*f, value, path, out);
  }
  if (mode != Mode::Patch) {
    for (const auto& f : e.fields) {
      const bool needed = mode == Mode::Record ? !f.nullable && !f.default_value.has_value()
                                               : f.required_on_create();
      if (needed && !doc.contains(f.name))
        out.push_back(make_issue(Path(base, f.name), issue::required, f.name + " is required",
                                 kv("field", f.name)));
    }
  }
  entity_rules(e, doc, base, out);
  if (out.size() > schema::kMaxIssues + 1) out.resize(schema::kMaxIssues + 1);
  return out;
}

bool check_text(std::string_view s, const Path& path, std::vector<Issue>& out) {
  if (!is_valid_utf8(s)) {
    out.push_back(
        make_issue(path, issue::invalid_chars, "text must be valid UTF-8", kv("reason", "utf8")));
    return false;
  }
  if (s.find('\0') != std::string_view::npos) {
    out.push_back(make_issue(path, issue::invalid_chars,
                             "text must not contain the character U+0000", kv("reason", "nul")));
    return false;
  }
  return true;
}

namespace {

// Walks every value of a JSON field: strings and object keys are text (no U+0000), numbers are
// what PostgreSQL jsonb and JavaScript keep exactly: integers within +-(2^53 - 1), finite
// floats other than -0. Stops at the issue cap.
bool walk_json(const json& v, const Path& path, std::vector<Issue>& out) {
  if (full(out)) return false;
  switch (v.type()) {
    case json::value_t::string:
      return check_text(v.get_ref<const std::string&>(), path, out);
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: {
      const bool ok = v.is_number_unsigned()
                          ? v.get<uint64_t>() <= static_cast<uint64_t>(schema::kMaxSafeInteger)
                          : v.get<int64_t>() >= -schema::kMaxSafeInteger &&
                                v.get<int64_t>() <= schema::kMaxSafeInteger;
      if (!ok)
        out.push_back(make_issue(path, issue::too_big,
                                 "numbers must be within +-9007199254740991 (JavaScript's safe "
                                 "integers)",
                                 kv("maximum", schema::kMaxSafeInteger)));
      return ok;
    }
    case json::value_t::number_float: {
      const double d = v.get<double>();
      const bool ok = std::isfinite(d) && !(d == 0 && std::signbit(d)) && std::fabs(d) <= 1e300;
      if (!ok)
        out.push_back(make_issue(path, issue::invalid_format, "numbers must be finite and not -0",
                                 kv("format", "number")));
      return ok;
    }
    case json::value_t::array: {
      bool ok = true;
      for (size_t i = 0; i < v.size(); ++i) {
        const Path at(path, i);
        ok = walk_json(v[i], at, out) && ok;
        if (full(out)) return false;
      }
      return ok;
    }
    case json::value_t::object: {
      bool ok = true;
      for (const auto& [k, x] : v.items()) {
        const Path at(path, k);
        ok = check_text(k, at, out) && ok;
        ok = walk_json(x, at, out) && ok;
        if (full(out)) return false;
      }
      return ok;
    }
    default:
      return true;
  }
}

}  // namespace

bool check_json_values(const json& v, const Path& path, std::vector<Issue>& out) {
  return walk_json(v, path, out);
}

bool is_valid_utf8(std::string_view s) {
  // Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800-U+DFFF), nothing
  // above U+10FFFF. PostgreSQL refuses exactly these.
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    const size_t len = (c >= 0xC2 && c <= 0xDF)   ? 2
                       : (c >= 0xE0 && c <= 0xEF) ? 3
                       : (c >= 0xF0 && c <= 0xF4) ? 4
                                                  : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 >= 0x90))
      return false;
    i += len;
  }
  return true;
}

}  // namespace ec::validate
