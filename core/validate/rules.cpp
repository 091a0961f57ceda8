// Domain rules on top of the structural types: e-mail, slug, event names, timezones, cadence,
// the JSON shapes kept inside rows, and cross-field rules such as highlight offsets.
#include "core/json/codec.hpp"
#include "core/schema/json_shapes.hpp"
#include "core/time.hpp"
#include "core/validate/validate.hpp"
#include "core/validate/zone_rules.hpp"

namespace ec::validate {

using schema::Field;
using schema::Rule;

namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

void check_string(const json& obj, const char* key, const Path& path, size_t max, bool required,
                  std::vector<Issue>& out) {
  if (!obj.contains(key)) {
    if (required)
      out.push_back(
          make_issue(Path(path, key), issue::required, std::string(key) + " is required"));
    return;
  }
  const auto& v = obj[key];
  if (!v.is_string()) {
    out.push_back(
        make_issue(Path(path, key), issue::invalid_type, std::string(key) + " must be a string"));
  } else if (v.get_ref<const std::string&>().empty() && required) {
    out.push_back(
        make_issue(Path(path, key), issue::required, std::string(key) + " must not be empty"));
  } else if (codec::code_points(v.get_ref<const std::string&>()) > max) {
    out.push_back(
        make_issue(Path(path, key), issue::too_long,
                   std::string(key) + " must be at most " + std::to_string(max) + " characters",
                   kv("maximum", max)));
  }
}

void check_instant(const json& obj, const char* key, const Path& path, bool required,
                   std::vector<Issue>& out) {
  if (!obj.contains(key)) {
    if (required)
      out.push_back(
          make_issue(Path(path, key), issue::required, std::string(key) + " is required"));
    return;
  }
  const auto& v = obj[key];
  if (!v.is_string() || !parse_instant(v.get_ref<const std::string&>()))
    out.push_back(make_issue(Path(path, key), issue::invalid_format,
                             std::string(key) + " must be an ISO-8601 instant",
                             kv("format", "date-time")));
}

// A list of objects declared in core/schema/json_shapes.hpp (Project.memories,
// Episode.generationErrors); the PostgreSQL validators are generated from the same declaration.
void check_object_list(const schema::json_shape::ObjectList& l, const json& v, const Path& path,
                       std::vector<Issue>& out) {
  using schema::json_shape::Kind;
  const std::string field(l.field);
  if (!v.is_array()) {
    out.push_back(make_issue(path, issue::invalid_type, field + " must be an array"));
    return;
  }
  const size_t cap = l.max_items > 0 ? static_cast<size_t>(l.max_items) : v.size();
  if (v.size() > cap)
    out.push_back(make_issue(path, issue::too_big, "at most " + std::to_string(cap) + " " + field,
                             kv("maximum", l.max_items)));
  std::vector<std::string> seen_uuids;
  for (size_t i = 0; i < v.size() && i < cap && !full(out); ++i) {
    const Path p(path, i);
    const auto& m = v[i];
    if (!m.is_object()) {
      out.push_back(
          make_issue(p, issue::invalid_type, std::string(l.entry) + " must be an object"));
      continue;
    }
    for (const auto& [k, x] : m.items()) {
      bool known = false;
      for (size_t j = 0; j < l.key_count; ++j) known = known || k == l.keys[j].name;
      if (!known)
        out.push_back(make_issue(Path(p, k), issue::unknown_field, "unknown field '" + k + "'",
                                 kv("field", k)));
    }
    for (size_t j = 0; j < l.key_count; ++j) {
      const auto& key = l.keys[j];
      const std::string name(key.name);
      switch (key.kind) {
        case Kind::Uuid:
          if (!m.contains(name) || !m[name].is_string() || !is_uuid(m[name].get<std::string>())) {
            out.push_back(make_issue(Path(p, name), issue::invalid_format, name + " must be a UUID",
                                     kv("format", "uuid")));
          } else {
            const auto id = m[name].get<std::string>();
            for (const auto& s : seen_uuids)
              if (s == id)
                out.push_back(
                    make_issue(Path(p, name), issue::duplicate,
                               std::string(l.entry).substr(2) + " " + name + " repeated"));
            seen_uuids.push_back(id);
          }
          break;
        case Kind::String:
          check_string(m, name.c_str(), p, static_cast<size_t>(key.max), key.required, out);
          break;
        case Kind::Instant:
          check_instant(m, name.c_str(), p, key.required, out);
          break;
        case Kind::Int:
          if (m.contains(name) &&
              !(m[name].is_number_integer() && m[name].get<int64_t>() >= key.min &&
                m[name].get<int64_t>() <= key.max))
            out.push_back(make_issue(Path(p, name), issue::invalid_type,
                                     name + " must be an integer from " + std::to_string(key.min) +
                                         " to " + std::to_string(key.max),
                                     {{"minimum", key.min}, {"maximum", key.max}}));
          break;
      }
    }
  }
}

void check_changes(const json& v, const Path& path, std::vector<Issue>& out) {
  if (!v.is_object()) {
    out.push_back(make_issue(path, issue::invalid_type, "changes must be an object"));
    return;
  }
  for (const auto& [k, c] : v.items()) {
    if (full(out)) return;
    if (!c.is_object() || !c.contains("before") || !c.contains("after") || c.size() != 2)
      out.push_back(
          make_issue(Path(path, k), issue::invalid_format, "each change must be {before, after}"));
  }
}

}  // namespace

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 ||
      s.find('@', at + 1) != std::string_view::npos)
    return false;
  const auto local = s.substr(0, at);
  const auto domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos)
    return false;
  for (char c : local) {
    const auto u = static_cast<unsigned char>(c);
    // ASCII only: SQLite's NOCASE and PostgreSQL's lower() then fold the same letters, so
    // "unique per organization, case-insensitive" means the same in both engines.
    if (u <= 0x20 || u >= 0x7F || c == '(' || c == ')' || c == '<' || c == '>' || c == ',' ||
        c == ';' || c == ':' || c == '\\' || c == '"' || c == '[' || c == ']')
      return false;
  }
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos) return false;
  size_t label = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      if (label == 0 || label > 63 || domain[i - 1] == '-' || domain[i - label] == '-')
        return false;
      label = 0;
      continue;
    }
    const char c = domain[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-';  // internationalised domains in their ASCII (punycode) form
    if (!ok) return false;
    ++label;
  }
  // The top-level domain is not numeric.
  const auto tld = domain.substr(domain.rfind('.') + 1);
  return tld.find_first_not_of("0123456789") != std::string_view::npos;
}

bool is_slug(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '-') {
      if (s[i - 1] == '-') return false;
    } else if (!is_lower_alnum(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_event_type(std::string_view s) {
  // segment(.segment)+ where segment = [a-z][a-z0-9_]*
  size_t segments = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      if (i == start || !(s[start] >= 'a' && s[start] <= 'z')) return false;
      ++segments;
      start = i + 1;
    } else if (!is_lower_alnum(s[i]) && s[i] != '_') {
      return false;
    }
  }
  return segments >= 2;
}

void rule(const Field& f, const json& v, const Path& path, std::vector<Issue>& out) {
  switch (f.rule) {
    case Rule::None:
      break;
    case Rule::Email:
      if (!is_email(v.get_ref<const std::string&>()))
        out.push_back(make_issue(path, issue::invalid_format, f.name + " must be an e-mail address",
                                 kv("format", "email")));
      break;
    case Rule::Slug:
      if (!is_slug(v.get_ref<const std::string&>()))
        out.push_back(
            make_issue(path, issue::invalid_format,
                       f.name + " may contain only a-z, 0-9 and single dashes (not at the ends)",
                       kv("format", "slug")));
      break;
    case Rule::EventType:
      if (!is_event_type(v.get_ref<const std::string&>()))
        out.push_back(
            make_issue(path, issue::invalid_format,
                       f.name + " must be a dotted lower-case name such as onboarding.completed",
                       kv("format", "event-type")));
      break;
    case Rule::Model: {
      const auto& s = v.get_ref<const std::string&>();
      if (s.find_first_not_of(
              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/@-") !=
          std::string::npos)
        out.push_back(make_issue(path, issue::invalid_format,
                                 f.name + " must be a model identifier", kv("format", "model")));
      break;
    }
    case Rule::Timezone:
      check_timezone(f.name, v.get_ref<const std::string&>(), path, out);
      break;
    case Rule::Cadence:
      check_cadence(v, path, out);
      break;
    case Rule::Memories:
    case Rule::GenErrors:
      check_object_list(*schema::json_shape::object_list(f.rule), v, path, out);
      break;
    case Rule::JsonObject:
      if (!v.is_object())
        out.push_back(make_issue(path, issue::invalid_type, f.name + " must be an object"));
      break;
    case Rule::JsonChanges:
      check_changes(v, path, out);
      break;
  }
}

void entity_rules(const schema::Entity& e, const json& doc, const Path& base,
                  std::vector<Issue>& out) {
  if (e.name != "Highlight") return;
  const auto s = doc.find("startOffset");
  const auto en = doc.find("endOffset");
  if (s == doc.end() || en == doc.end() || !s->is_number_integer() || !en->is_number_integer())
    return;
  const int64_t start = s->get<int64_t>();
  const int64_t end = en->get<int64_t>();
  if (end <= start) {
    out.push_back(make_issue(Path(base, "endOffset"), issue::invalid_range,
                             "endOffset must be greater than startOffset",
                             {{"startOffset", start}, {"endOffset", end}}));
    return;
  }
  const auto q = doc.find("quote");
  if (q != doc.end() && q->is_string()) {
    const auto len = static_cast<int64_t>(codec::utf16_length(q->get_ref<const std::string&>()));
    if (len != end - start)
      out.push_back(make_issue(Path(base, "quote"), issue::invalid_range,
                               "quote is " + std::to_string(len) +
                                   " UTF-16 code units long but the range covers " +
                                   std::to_string(end - start),
                               {{"length", len}, {"range", end - start}}));
  }
}

}  // namespace ec::validate
