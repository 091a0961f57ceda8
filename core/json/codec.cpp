#include "core/json/codec.hpp"

#include <charconv>

#include "core/time.hpp"

namespace ec::codec {

using schema::Field;
using schema::Type;

SqlValue to_sql(const Field& f, const json& v) {
  if (v.is_null()) return nullptr;
  switch (f.type) {
    case Type::Int:
    case Type::Money:
      return v.get<int64_t>();
    case Type::Bool:
      return static_cast<int64_t>(v.get<bool>() ? 1 : 0);
    case Type::Instant: {
      auto t = parse_instant(v.get<std::string>());
      if (!t) throw Error(code::invalid, "not an ISO-8601 instant", json::array({f.name}));
      return *t;
    }
    case Type::Json:
      return v.dump();
    case Type::Uuid:
    case Type::String:
    case Type::Text:
    case Type::Date:
    case Type::Enum:
      return v.get<std::string>();
  }
  return nullptr;
}

json from_sql(const Field& f, const SqlValue& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
  switch (f.type) {
    case Type::Int:
    case Type::Money:
      if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
      return std::get<int64_t>(v);
    case Type::Bool:
      return std::get<int64_t>(v) != 0;
    case Type::Instant:
      return format_instant(std::get<int64_t>(v));
    case Type::Json:
      return parse_own(std::get<std::string>(v));
    default:
      if (auto* s = std::get_if<std::string>(&v)) return *s;
      if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
      return nullptr;
  }
}

void canonicalize(const schema::Field& f, json& value) {
  if (f.type != Type::Instant || !value.is_string()) return;
  if (auto t = parse_instant(value.get_ref<const std::string&>())) value = format_instant(*t);
}

void canonicalize(const schema::Entity& e, json& row) {
  if (!row.is_object()) return;
  for (const auto& f : e.fields) {
    if (f.type != Type::Instant) continue;
    auto it = row.find(f.name);
    if (it != row.end()) canonicalize(f, *it);
  }
}

void append_json_string(std::string& out, std::string_view s) {
  // Fast path: printable ASCII needs only '"' and '\\' escaped. Anything else (control
  // characters, UTF-8 to validate) goes through the serializer dump_text uses, so the bytes are
  // the same either way.
  size_t escapes = 0;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x80) {
      out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
      return;
    }
    if (c == '"' || c == '\\') ++escapes;
  }
  out.reserve(out.size() + s.size() + escapes + 2);
  out += '"';
  if (escapes == 0) {
    out.append(s);
  } else {
    for (const char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  out += '"';
}

void append_json_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::string default_sql_literal(const Field& f) {
  if (!f.default_value) return "";
  SqlValue v = to_sql(f, *f.default_value);
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* s = std::get_if<std::string>(&v)) {
    std::string out = "'";
    for (char c : *s) {
      if (c == '\'') out += '\'';
      out += c;
    }
    return out + "'";
  }
  return "NULL";
}

namespace {

// Depth pre-scan: rejects pathological nesting before the parser allocates anything.
void check_depth(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw Error(code::bad_request, "JSON nested deeper than " + std::to_string(max_depth) +
                                           " levels (at byte " + std::to_string(i) + ")");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace

json parse_own(std::string_view text) {
  // What json::parse(first, last) does without a callback, minus its callback branch: that
  // branch instantiates nlohmann's second DOM builder (json_sax_dom_callback_parser), which no
  // caller uses. Same tokens, same strict end-of-input check, same exceptions.
  using Input = nlohmann::detail::iterator_input_adapter<const char*>;
  json result;
  nlohmann::detail::json_sax_dom_parser<json> dom(result, /*allow_exceptions=*/true);
  nlohmann::detail::parser<json, Input>(Input(text.data(), text.data() + text.size()))
      .sax_parse(&dom, /*strict=*/true);
  return result;
}

json parse(std::string_view text, ParseLimits limits) {
  if (text.size() > limits.max_bytes)
    throw Error(code::bad_request, "JSON input too large: " + std::to_string(text.size()) +
                                       " bytes (limit " + std::to_string(limits.max_bytes) + ")");
  check_depth(text, limits.max_depth);
  try {
    return parse_own(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for numbers like 1e400
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] "; keep the readable part.
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    throw Error(code::bad_request, "malformed JSON: " + what);
  }
}

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

size_t utf16_length(std::string_view s) {
  size_t units = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += (c >= 0xF0) ? 2 : 1;      // 4-byte sequences are surrogate pairs in UTF-16
  }
  return units;
}

size_t utf8_offset_of_utf16(std::string_view s, size_t units) {
  size_t u = 0;
  size_t i = 0;
  while (i < s.size() && u < units) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    u += (len == 4) ? 2 : 1;
    i += len;
  }
  if (u != units) return std::string_view::npos;  // inside a surrogate pair, or past the end
  return i > s.size() ? std::string_view::npos : i;
}

}  // namespace ec::codec
