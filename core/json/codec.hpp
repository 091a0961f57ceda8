#pragma once
// JSON <-> SQL value mapping for every field type, derived from the schema; plus bounded
// JSON parsing for untrusted input (size and depth limits, errors as ec::Error).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/errors.hpp"
#include "core/schema/schema.hpp"
#include "core/time.hpp"

namespace ec::codec {

/// A value as SQLite stores it.
using SqlValue = std::variant<std::nullptr_t, int64_t, double, std::string>;

/// JSON form -> SQL form. The value must already be valid for the field (see core/validate).
SqlValue to_sql(const schema::Field& f, const json& v);
/// SQL form -> JSON form (exact inverse of to_sql).
json from_sql(const schema::Field& f, const SqlValue& v);

/// Rewrites every instant field present in `row` into its stored form, the one a read returns
/// (from_sql(to_sql(v)): UTC with milliseconds, 2025-08-14T19:00:00.000Z), so that a write
/// answers, diffs and audits exactly what the next read gives (docs/INVARIANTS.md I3). Every
/// other field type is stored as written (dates, UUIDs and e-mails are checked, not rewritten;
/// JSON keeps its values). A value that is not an instant is left as is, for validation.
void canonicalize(const schema::Entity& e, json& row);
/// The same for one field's value.
void canonicalize(const schema::Field& f, json& value);

/// Appends `s` as a JSON string, byte-identical to dump_text(json(s)) (invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view s);
/// Appends an instant as JSON, byte-identical to dump_text(json(format_instant(t))).
void append_json_instant(std::string& out, Instant t);
/// True when `text` is exactly what dump_text writes for the value it holds (no whitespace,
/// object keys in byte order and unescaped, the serializer's string escapes, well-formed UTF-8,
/// integers only): then dump_text(json::parse(text)) == text and the text can be copied into a
/// response as is. False for anything else (floats included), which then takes parse + dump.
bool is_dump_form(std::string_view text);
/// Appends j as JSON text, byte-identical to j.dump() and to dump_text(j) (keys in byte order,
/// the serializer's escapes and numbers), without the serializer's per-byte string walk. False
/// when j holds what only the serializer decides (invalid UTF-8 in a string or key, binary):
/// `out` then holds a partial text and the caller dumps j with the serializer instead.
bool append_dump(std::string& out, const json& j);
/// Appends an integer as JSON (as dump_text writes it).
void append_json_int(std::string& out, int64_t v);

/// SQL literal for a field's default (DDL); "" when the field has no default.
std::string default_sql_literal(const schema::Field& f);

struct ParseLimits {
  size_t max_bytes = 4 * 1024 * 1024;
  int max_depth = 64;
};

/// Parses untrusted JSON text. Throws ec::Error{bad_request} with a readable message (byte
/// position included) for malformed, too large or too deeply nested input. Never aborts.
json parse(std::string_view text, ParseLimits limits = {});
/// Parses JSON the core wrote itself (a stored JSON column, a write_result's text): no limits,
/// nlohmann's own exceptions. Every parse goes through the same `const char*` range, so the
/// browser module holds one copy of nlohmann's parser and lexer.
json parse_own(std::string_view text);

/// Length (2-4) of the well-formed multi-byte UTF-8 sequence at s[i] (Unicode 15, table 3-7: what
/// nlohmann's lexer accepts and its serializer copies as is), 0 when the bytes there are not one
/// (an ASCII byte, or i past the end, included).
size_t utf8_sequence(std::string_view s, size_t i);
/// Number of Unicode code points of a UTF-8 string: how every length bound is counted, in
/// validation, SQLite length() and PostgreSQL char_length() alike.
size_t code_points(std::string_view utf8);
/// Number of UTF-16 code units of a UTF-8 string (what JavaScript's .length reports).
size_t utf16_length(std::string_view utf8);
/// Byte offset in `utf8` of UTF-16 code unit offset `units`; npos if it falls inside a
/// surrogate pair or past the end.
size_t utf8_offset_of_utf16(std::string_view utf8, size_t units);

}  // namespace ec::codec
