#include "core/json/codec.hpp"

#include <charconv>
#include <cstring>

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
    case Type::Json: {
      std::string text;
      if (append_dump(text, v)) return text;
      return v.dump();  // invalid UTF-8 throws here, as it always did
    }
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

size_t utf8_sequence(std::string_view s, size_t i) {
  const auto at = [&](size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const auto cont = [](unsigned c, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return c >= lo && c <= hi;
  };
  const unsigned c = at(0);
  if (c >= 0xC2 && c <= 0xDF) return cont(at(1)) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return cont(at(1), lo, hi) && cont(at(2)) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(at(1), lo, hi) && cont(at(2)) && cont(at(3)) ? 4 : 0;
  }
  return 0;
}

namespace {

// A byte the serializer writes as is inside a string (ensure_ascii off): printable ASCII and
// DEL, except '"' and '\\'.
bool plain_byte(unsigned char u) {
  return u >= 0x20 && u < 0x80 && u != '"' && u != '\\';
}

// The serializer's escape of a control character: the five short forms, else \u00xx (lower
// case hex).
void append_control_escape(std::string& out, unsigned char u) {
  switch (u) {
    case '\b':
      out.append("\\b", 2);
      return;
    case '\t':
      out.append("\\t", 2);
      return;
    case '\n':
      out.append("\\n", 2);
      return;
    case '\f':
      out.append("\\f", 2);
      return;
    case '\r':
      out.append("\\r", 2);
      return;
    default: {
      static constexpr char hex[] = "0123456789abcdef";
      const char esc[6] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0xF]};
      out.append(esc, sizeof esc);
    }
  }
}

// Bytes [i, n) of s up to the first one plain_byte refuses, eight at a time (SWAR: a byte at or
// above 0x80, below 0x20, '"' or '\\' in a 64-bit word sets its lane's top bit).
size_t plain_prefix(const char* s, size_t i, size_t n) {
  constexpr uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, s + i, 8);
    const uint64_t quote = x ^ (ones * '"'), slash = x ^ (ones * '\\');
    const uint64_t special =
        (x | ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) &
        high;
    if (special) break;
  }
  while (i < n && plain_byte(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

}  // namespace

namespace {

// append_json_string for well-formed UTF-8: false (nothing appended) when `s` holds invalid
// UTF-8, which the serializer replaces or refuses depending on its error handler.
bool append_valid_json_string(std::string& out, std::string_view s) {
  // Runs of bytes the serializer copies as is are appended at once; '"', '\\' and control
  // characters are escaped as dump_text escapes them; well-formed UTF-8 is copied.
  const size_t n = s.size();
  const size_t i = plain_prefix(s.data(), 0, n);
  if (i == n) {  // the common case: one copy
    const size_t at = out.size();
    out.resize(at + n + 2);
    char* d = out.data() + at;
    d[0] = '"';
    if (n) std::memcpy(d + 1, s.data(), n);
    d[n + 1] = '"';
    return true;
  }
  for (size_t k = i; k < n;) {
    const auto u = static_cast<unsigned char>(s[k]);
    if (u < 0x80) {
      ++k;
      continue;
    }
    const size_t len = utf8_sequence(s, k);
    if (len == 0) return false;
    k += len;
  }
  out.reserve(out.size() + n + 2);
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied as is
  for (size_t k = i; k < n; ++k) {
    const auto u = static_cast<unsigned char>(s[k]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;  // printable, DEL or UTF-8: as is
    out.append(s.data() + run, k - run);
    run = k + 1;
    if (u == '"' || u == '\\') {
      const char esc[2] = {'\\', static_cast<char>(u)};
      out.append(esc, 2);
    } else {
      append_control_escape(out, u);
    }
  }
  out.append(s.data() + run, n - run);
  out += '"';
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  // Invalid UTF-8 (replaced by U+FFFD) goes through the serializer itself, so the bytes are the
  // same either way.
  if (!append_valid_json_string(out, s))
    out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

bool append_dump(std::string& out, const json& j) {
  switch (j.type()) {
    case json::value_t::null:
      out.append("null", 4);
      return true;
    case json::value_t::boolean:
      if (j.get_ref<const json::boolean_t&>())
        out.append("true", 4);
      else
        out.append("false", 5);
      return true;
    case json::value_t::string:
      return append_valid_json_string(out, j.get_ref<const std::string&>());
    case json::value_t::number_integer:
      append_json_int(out, j.get_ref<const json::number_integer_t&>());
      return true;
    case json::value_t::number_unsigned: {
      char buf[24];
      const auto r =
          std::to_chars(buf, buf + sizeof buf, j.get_ref<const json::number_unsigned_t&>());
      out.append(buf, r.ptr);
      return true;
    }
    case json::value_t::number_float:
      out += j.dump();  // a number's text does not depend on where it stands
      return true;
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : j.get_ref<const json::object_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_valid_json_string(out, key)) return false;
        out += ':';
        if (!append_dump(out, value)) return false;
      }
      out += '}';
      return true;
    }
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& value : j.get_ref<const json::array_t&>()) {
        if (!first) out += ',';
        first = false;
        if (!append_dump(out, value)) return false;
      }
      out += ']';
      return true;
    }
    default:  // binary, discarded: the serializer's
      return false;
  }
}

void append_json_instant(std::string& out, Instant t) {
  char text[24];
  if (!format_instant_to(t, text)) return append_json_string(out, format_instant(t));
  const size_t at = out.size();
  out.resize(at + sizeof text + 2);
  char* d = out.data() + at;
  d[0] = '"';
  std::memcpy(d + 1, text, sizeof text);
  d[sizeof text + 1] = '"';
}

namespace {

// dump_form: recognises text that dump_text writes (nlohmann, no indent, ensure_ascii off) for
// a value without floating-point numbers, so that dump_text(json::parse(text)) == text.
// Anything it does not recognise is left to parse + dump (it answers "no", never "error").
constexpr int kDumpFormDepth = 32;

struct DumpForm {
  const char* p;
  const char* end;

  // A string in the serializer's form; `plain` says it has no escape (its bytes are its value).
  bool string(bool* plain) {
    if (p == end || *p != '"') return false;
    ++p;
    bool escaped = false;
    const char* const begin = p;
    while (p != end) {
      p = begin +
          plain_prefix(begin, static_cast<size_t>(p - begin), static_cast<size_t>(end - begin));
      if (p == end) break;
      const auto u = static_cast<unsigned char>(*p);
      if (u == '"') {
        ++p;
        if (plain) *plain = !escaped;
        return true;
      }
      if (u == '\\') {
        escaped = true;
        if (end - p < 2) return false;
        const char e = p[1];
        if (e == '"' || e == '\\' || e == 'b' || e == 't' || e == 'n' || e == 'f' || e == 'r') {
          p += 2;
          continue;
        }
        // \u00xx, lower case hex, only for the control characters without a short form.
        if (e != 'u' || end - p < 6 || p[2] != '0' || p[3] != '0') return false;
        const char hi = p[4], lo = p[5];
        if (hi != '0' && hi != '1') return false;
        const bool lo_hex = (lo >= '0' && lo <= '9') || (lo >= 'a' && lo <= 'f');
        if (!lo_hex) return false;
        const int v = (hi - '0') * 16 + (lo <= '9' ? lo - '0' : lo - 'a' + 10);
        if (v == '\b' || v == '\t' || v == '\n' || v == '\f' || v == '\r') return false;
        p += 6;
        continue;
      }
      if (u < 0x20) return false;
      if (u < 0x80) {
        ++p;
        continue;
      }
      const size_t len = utf8_sequence(std::string_view(p, static_cast<size_t>(end - p)), 0);
      if (len == 0) return false;
      p += len;
    }
    return false;
  }

  // An integer as the serializer writes one: no "-0", no leading zero, at most 18 digits (so
  // it parses back to the same int64/uint64 whatever its sign).
  bool integer() {
    const bool negative = p != end && *p == '-';
    if (negative) ++p;
    const char* digits = p;
    while (p != end && *p >= '0' && *p <= '9') ++p;
    const auto count = p - digits;
    if (count == 0 || count > 18) return false;
    if (*digits == '0' && (count > 1 || negative)) return false;
    // A fraction or an exponent makes it a float: not recognised.
    return p == end || (*p != '.' && *p != 'e' && *p != 'E');
  }

  bool literal(std::string_view word) {
    if (static_cast<size_t>(end - p) < word.size() || std::string_view(p, word.size()) != word)
      return false;
    p += word.size();
    return true;
  }

  bool value(int depth) {
    if (p == end) return false;
    switch (*p) {
      case '"':
        return string(nullptr);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      case '[': {
        if (depth >= kDumpFormDepth) return false;
        ++p;
        if (p != end && *p == ']') return ++p, true;
        for (;;) {
          if (!value(depth + 1)) return false;
          if (p == end) return false;
          if (*p == ']') return ++p, true;
          if (*p++ != ',') return false;
        }
      }
      case '{': {
        if (depth >= kDumpFormDepth) return false;
        ++p;
        if (p != end && *p == '}') return ++p, true;
        std::string_view last;
        bool first = true;
        for (;;) {
          // Keys in the order of the object's std::map (byte order), each once, unescaped (an
          // escaped key's bytes are not its value: left to the parser).
          const char* key = p + 1;
          bool plain = false;
          if (!string(&plain) || !plain) return false;
          const std::string_view name(key, static_cast<size_t>(p - 1 - key));
          if (!first && !(last < name)) return false;
          last = name;
          first = false;
          if (p == end || *p++ != ':') return false;
          if (!value(depth + 1)) return false;
          if (p == end) return false;
          if (*p == '}') return ++p, true;
          if (*p++ != ',') return false;
        }
      }
      default:
        return integer();
    }
  }
};

}  // namespace

bool is_dump_form(std::string_view text) {
  DumpForm f{text.data(), text.data() + text.size()};
  return f.value(0) && f.p == f.end;
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
