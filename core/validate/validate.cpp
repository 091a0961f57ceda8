#include "core/validate/validate.hpp"

#include "core/json/codec.hpp"
#include "core/time.hpp"

namespace ec::validate {

using schema::Field;
using schema::Origin;
using schema::Type;

Issue make_issue(const json& path, std::string code, std::string message, json params) {
  return Issue{path, std::move(code), std::move(message), std::move(params)};
}

namespace {

json child(const json& base, const json& key) {
  json p = base;
  p.push_back(key);
  return p;
}

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

void field(const Field& f, const json& v, const json& path, std::vector<Issue>& out) {
  if (v.is_null()) {
    if (!f.nullable)
      out.push_back(make_issue(path, issue::invalid_type, f.name + " must not be null",
                               {{"expected", expected_kind(f.type)}, {"received", "null"}}));
    return;
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
                                 {{"maximum", f.max.value_or(INT64_MAX)}}));
      } else if (f.min && n < *f.min) {
        out.push_back(make_issue(path, issue::too_small,
                                 f.name + " must be at least " + std::to_string(*f.min),
                                 {{"minimum", *f.min}}));
      } else if (f.max && n > *f.max) {
        out.push_back(make_issue(path, issue::too_big,
                                 f.name + " must be at most " + std::to_string(*f.max),
                                 {{"maximum", *f.max}}));
      }
      break;
    }
    case Type::String:
    case Type::Text: {
      const auto& s = v.get_ref<const std::string&>();
      // Lengths are counted as users see them in the browser: UTF-16 code units.
      const auto len = static_cast<int64_t>(codec::utf16_length(s));
      if (f.min && len < *f.min) {
        out.push_back(make_issue(
            path, *f.min == 1 && len == 0 ? issue::required : issue::too_short,
            *f.min == 1 ? f.name + " must not be empty"
                        : f.name + " must be at least " + std::to_string(*f.min) + " characters",
            {{"minimum", *f.min}}));
      } else if (f.max && len > *f.max) {
        out.push_back(
            make_issue(path, issue::too_long,
                       f.name + " must be at most " + std::to_string(*f.max) + " characters",
                       {{"maximum", *f.max}, {"length", len}}));
      }
      if (f.type == Type::String && s.find_first_of("\r\n") != std::string::npos)
        out.push_back(make_issue(path, issue::invalid_format, f.name + " must be a single line"));
      break;
    }
    case Type::Uuid:
      if (!is_uuid(v.get_ref<const std::string&>()))
        out.push_back(make_issue(path, issue::invalid_format,
                                 f.name + " must be a UUID (8-4-4-4-12 lower-case hex)",
                                 {{"format", "uuid"}}));
      break;
    case Type::Instant:
      if (!parse_instant(v.get_ref<const std::string&>()))
        out.push_back(
            make_issue(path, issue::invalid_format,
                       f.name + " must be an ISO-8601 instant such as 2025-08-15T09:00:00.000Z",
                       {{"format", "date-time"}}));
      break;
    case Type::Date:
      if (!parse_date(v.get_ref<const std::string&>()))
        out.push_back(make_issue(path, issue::invalid_date,
                                 f.name + " must be a calendar date YYYY-MM-DD",
                                 {{"format", "date"}}));
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
    case Type::Json:
      if (f.max) {
        const auto size = static_cast<int64_t>(v.dump().size());
        if (size > *f.max)
          out.push_back(make_issue(path, issue::too_big,
                                   f.name + " is too large (" + std::to_string(size) +
                                       " bytes, limit " + std::to_string(*f.max) + ")",
                                   {{"maximum", *f.max}, {"size", size}}));
      }
      break;
    case Type::Bool:
      break;
  }
  rule(f, v, path, out);
}

std::vector<Issue> entity(const schema::Entity& e, const json& doc, Mode mode, const json& base) {
  std::vector<Issue> out;
  if (!doc.is_object()) {
    out.push_back(make_issue(base, issue::invalid_type, e.name + " must be a JSON object",
                             {{"expected", "object"}, {"received", json_kind(doc)}}));
    return out;
  }
  for (const auto& [key, value] : doc.items()) {
    const Field* f = e.field(key);
    const json path = child(base, key);
    if (!f) {
      out.push_back(make_issue(path, issue::unknown_field,
                               "unknown field '" + key + "' for " + e.name, {{"field", key}}));
      continue;
    }
    if (mode == Mode::Create && f->origin == Origin::System) {
      out.push_back(
          make_issue(path, issue::read_only, f->name + " is set by the system", {{"field", key}}));
      continue;
    }
    if (mode == Mode::Patch && (f->origin == Origin::System || f->immutable)) {
      out.push_back(
          make_issue(path, issue::read_only, f->name + " cannot be changed", {{"field", key}}));
      continue;
    }
    field(*f, value, path, out);
  }
  if (mode != Mode::Patch) {
    for (const auto& f : e.fields) {
      const bool needed = mode == Mode::Record ? !f.nullable && !f.default_value.has_value()
                                               : f.required_on_create();
      if (needed && !doc.contains(f.name))
        out.push_back(make_issue(child(base, f.name), issue::required, f.name + " is required",
                                 {{"field", f.name}}));
    }
  }
  entity_rules(e, doc, base, out);
  return out;
}

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

}  // namespace ec::validate
