// codec: JSON <-> SQL mapping for every field type of every entity (full rows round-trip
// exactly through repo::insert / repo::find), UTF-16 helpers and SQL default literals.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>

#include "core/json/codec.hpp"
#include "core/schema/schema.hpp"
#include "core/store/repo.hpp"
#include "core/store/store.hpp"
#include "core/validate/validate.hpp"

using namespace ec;
using schema::Field;
using schema::Rule;
using schema::Type;

namespace {

constexpr const char* kOtherUuid = "5a5a5a5a-5a5a-4a5a-8a5a-5a5a5a5a5a5a";

json string_for(const Field& f) {
  switch (f.rule) {
    case Rule::Email:
      return "Ada.Lovelace+test@example.co.uk";
    case Rule::Timezone:
      return "America/Argentina/Buenos_Aires";
    case Rule::Slug:
      return "acme-research-2";
    case Rule::EventType:
      return "onboarding.step_2.completed";
    case Rule::Model:
      return "claude-3-5-sonnet@20241022";
    default:
      break;
  }
  std::string s = "Ünïcödé ‘curly’ 'single' \"double\" \\ back 🚀 ✓";
  if (f.max && static_cast<int64_t>(codec::utf16_length(s)) > *f.max) s = "Ünï ‘q’ 🚀 'x'";
  return s;
}

json json_for(const Field& f, int n) {
  switch (f.rule) {
    case Rule::Cadence:
      return {{"days", {"mon", "sun"}},
              {"time", "23:59"},
              {"timezone", "Pacific/Chatham"},
              {"pausedUntil", "2025-09-01"},
              {"skipDates", {"2024-02-29", "2025-12-25"}}};
    case Rule::Memories:
      return json::array({{{"id", kOtherUuid},
                           {"content", "Readers are 🚀 engineers; say \"hi\""},
                           {"createdAt", "2025-08-15T09:00:00.000Z"},
                           {"updatedAt", "2025-08-16T09:00:00.000Z"}}});
    case Rule::GenErrors:
      return json::array({{{"at", "2025-08-15T09:00:00.000Z"},
                           {"code", "timeout"},
                           {"message", "LLM timed out"},
                           {"attempt", 2}}});
    case Rule::JsonChanges:
      return {{"name", {{"before", nullptr}, {"after", "x"}}},
              {"n", {{"before", 1}, {"after", {1, 2}}}}};
    default:
      return {
          {"n", n},
          {"big", 9'007'199'254'740'991LL},  // the largest JSON integer kept exactly (ADR 0012)
          {"neg", -42},
          {"float", 0.1},
          {"tiny", 5e-324},
          {"huge", 1e300},
          {"unicode", "é🚀\u0001"},
          {"nested", {{"a", json::array()}, {"b", json::object()}, {"c", nullptr}, {"d", true}}}};
  }
}

/// A complete, valid row of `e` whose parents are the rows already made (ids by entity name).
json full_row(store::Store& s, const schema::Entity& e, std::map<std::string, std::string>& ids,
              int n) {
  json row = json::object();
  int k = 0;
  for (const auto& f : e.fields) {
    ++k;
    if (f.name == "id") {
      row[f.name] = s.new_id();
      ids[e.name] = row[f.name];  // a row may name itself (User.deletedBy)
    } else if (f.name == "organizationId") {
      row[f.name] = ids.at("Organization");
    } else if (!f.references.empty()) {
      row[f.name] = ids.at(f.references);
    } else if (f.name == "deletedBy") {
      row[f.name] = ids.at("User");
    } else {
      switch (f.type) {
        case Type::Uuid:
          row[f.name] = kOtherUuid;
          break;
        case Type::String:
          row[f.name] = string_for(f);
          break;
        case Type::Text:
          row[f.name] =
              // U+0000 is refused everywhere (docs/adr/0012-bounds-and-value-parity.md); U+0001 is
              // the lowest character text may hold.
              "# Heading\n\nLine 2 with 🚀 and é\ttab\r\nCRLF and a control:" +
              std::string(1, '\x01') + "!";
          break;
        case Type::Int:
          row[f.name] = f.max ? *f.max : 9'007'199'254'740'993LL;
          break;
        case Type::Money:
          row[f.name] = f.max ? *f.max - 1 : 123'456'789'012LL;
          break;
        case Type::Bool:
          row[f.name] = true;
          break;
        case Type::Instant:
          // Distinct per field, with milliseconds; the TokenUsage day differs from the Daily row's
          // date.
          row[f.name] = format_instant(*parse_instant("2025-08-15T09:00:00.000Z") + n * 1000 + k);
          break;
        case Type::Date:
          row[f.name] = "2024-02-29";
          break;
        case Type::Enum:
          row[f.name] = f.enum_values.back();
          break;
        case Type::Json:
          row[f.name] = json_for(f, n);
          break;
      }
    }
  }
  if (e.name == "Highlight") {  // the range must cover the quote exactly (UTF-16 units)
    const auto len = static_cast<int64_t>(codec::utf16_length(row["quote"].get<std::string>()));
    row["startOffset"] = *e.field("endOffset")->max - len;  // ends at the maximum
    row["endOffset"] = row["startOffset"].get<int64_t>() + len;
  }
  ids[e.name] = row["id"];
  return row;
}

}  // namespace

TEST_CASE("every field type of every entity round-trips exactly through the store") {
  store::Store s(":memory:", 99);
  std::map<std::string, std::string> ids;
  int n = 0;
  for (const auto& e : schema::entities()) {
    INFO(e.name);
    const json row = full_row(s, e, ids, ++n);
    // The generated row is itself valid (sanity check of the generator and the rules).
    auto issues = validate::entity(e, row, validate::Mode::Record);
    for (const auto& i : issues) UNSCOPED_INFO(to_json(i).dump());
    CHECK(issues.empty());
    REQUIRE_NOTHROW(store::repo::insert(s, e, row));
    const std::string org = e.tenant_scoped ? ids.at("Organization") : row["id"].get<std::string>();
    auto back = store::repo::find(s, e, org, row["id"], /*include_deleted=*/true);
    REQUIRE(back.has_value());
    CHECK(back->dump() == row.dump());
    CHECK(*back == row);
    // Every field is present, none lost or added.
    CHECK(back->size() == e.fields.size());
  }
}

TEST_CASE("nullable fields round-trip as null") {
  store::Store s(":memory:", 98);
  std::map<std::string, std::string> ids;
  int n = 0;
  for (const auto& e : schema::entities()) {
    INFO(e.name);
    json row = full_row(s, e, ids, ++n);
    for (const auto& f : e.fields)
      if (f.nullable) row[f.name] = nullptr;
    REQUIRE_NOTHROW(store::repo::insert(s, e, row));
    const std::string org = e.tenant_scoped ? ids.at("Organization") : row["id"].get<std::string>();
    auto back = store::repo::find(s, e, org, row["id"], true);
    REQUIRE(back.has_value());
    CHECK(*back == row);
  }
}

TEST_CASE("to_sql / from_sql per type") {
  auto field = [](Type t) {
    Field f;
    f.name = "x";
    f.column = "x";
    f.type = t;
    return f;
  };
  using codec::SqlValue;
  CHECK(codec::to_sql(field(Type::Int), json(nullptr)) == SqlValue(nullptr));
  CHECK(codec::to_sql(field(Type::Int), json(-5)) == SqlValue(int64_t{-5}));
  CHECK(codec::to_sql(field(Type::Money), json(INT64_MAX)) == SqlValue(int64_t{INT64_MAX}));
  CHECK(codec::to_sql(field(Type::Bool), json(true)) == SqlValue(int64_t{1}));
  CHECK(codec::to_sql(field(Type::Bool), json(false)) == SqlValue(int64_t{0}));
  CHECK(codec::from_sql(field(Type::Bool), SqlValue(int64_t{1})) == json(true));
  CHECK(codec::from_sql(field(Type::Bool), SqlValue(int64_t{0})) == json(false));
  // Instants are stored as ms since the epoch, whatever offset they were given with.
  CHECK(codec::to_sql(field(Type::Instant), json("1970-01-01T00:00:00.001Z")) ==
        SqlValue(int64_t{1}));
  CHECK(codec::to_sql(field(Type::Instant), json("1970-01-01T01:00:00+01:00")) ==
        SqlValue(int64_t{0}));
  CHECK(codec::to_sql(field(Type::Instant), json("1969-12-31T23:59:59.999Z")) ==
        SqlValue(int64_t{-1}));
  CHECK(codec::from_sql(field(Type::Instant), SqlValue(int64_t{-1})) ==
        json("1969-12-31T23:59:59.999Z"));
  CHECK(codec::from_sql(field(Type::Instant), SqlValue(int64_t{1755248400000})) ==
        json("2025-08-15T09:00:00.000Z"));
  CHECK_THROWS_AS(codec::to_sql(field(Type::Instant), json("not a time")), Error);
  CHECK(codec::to_sql(field(Type::Json), json{{"b", 1}, {"a", {1, 2}}}) ==
        SqlValue(std::string(R"({"a":[1,2],"b":1})")));
  CHECK(codec::from_sql(field(Type::Json), SqlValue(std::string("[]"))) == json::array());
  CHECK(codec::to_sql(field(Type::Date), json("2024-02-29")) ==
        SqlValue(std::string("2024-02-29")));
  CHECK(codec::to_sql(field(Type::Text), json(std::string("a\0b", 3))) ==
        SqlValue(std::string("a\0b", 3)));
  CHECK(codec::from_sql(field(Type::Text), SqlValue(nullptr)).is_null());
  // Integers stored by other tools as REAL are read back as integers.
  CHECK(codec::from_sql(field(Type::Money), SqlValue(3.0)) == json(3));
  for (Type t : {Type::Uuid, Type::String, Type::Text, Type::Int, Type::Bool, Type::Instant,
                 Type::Date, Type::Enum, Type::Json, Type::Money})
    CHECK(codec::from_sql(field(t), SqlValue(nullptr)).is_null());
}

TEST_CASE("SQL default literals") {
  Field f;
  f.name = "x";
  f.type = Type::String;
  CHECK(codec::default_sql_literal(f).empty());
  f.default_value = "it's";
  CHECK(codec::default_sql_literal(f) == "'it''s'");
  f.type = Type::Int;
  f.default_value = 42;
  CHECK(codec::default_sql_literal(f) == "42");
  f.type = Type::Json;
  f.default_value = json::array();
  CHECK(codec::default_sql_literal(f) == "'[]'");
  f.type = Type::Bool;
  f.default_value = true;
  CHECK(codec::default_sql_literal(f) == "1");
  // The schema's defaults all produce literals.
  for (const auto& e : schema::entities())
    for (const auto& fld : e.fields)
      if (fld.default_value) {
        INFO(e.name << "." << fld.name);
        CHECK_FALSE(codec::default_sql_literal(fld).empty());
      }
}

TEST_CASE("UTF-16 length and offsets") {
  CHECK(codec::utf16_length("") == 0);
  CHECK(codec::utf16_length("abc") == 3);
  CHECK(codec::utf16_length("é") == 1);            // 2 bytes
  CHECK(codec::utf16_length("€") == 1);            // 3 bytes
  CHECK(codec::utf16_length("🚀") == 2);            // 4 bytes: a surrogate pair
  CHECK(codec::utf16_length("👩‍💻") == 5);  // woman + ZWJ + laptop
  CHECK(codec::utf16_length("Café 🚀 rocks") == 13);
  const std::string s = "aé🚀b";
  CHECK(codec::utf8_offset_of_utf16(s, 0) == 0);
  CHECK(codec::utf8_offset_of_utf16(s, 1) == 1);
  CHECK(codec::utf8_offset_of_utf16(s, 2) == 3);
  CHECK(codec::utf8_offset_of_utf16(s, 3) == std::string::npos);  // inside the pair
  CHECK(codec::utf8_offset_of_utf16(s, 4) == 7);
  CHECK(codec::utf8_offset_of_utf16(s, 5) == 8);
  CHECK(codec::utf8_offset_of_utf16(s, 6) == std::string::npos);  // past the end
  CHECK(validate::is_valid_utf8(s));
  CHECK_FALSE(validate::is_valid_utf8("\xc3"));
  CHECK_FALSE(validate::is_valid_utf8("\xff"));
  CHECK_FALSE(validate::is_valid_utf8("a\x80"));
}

namespace {

std::string dumped(const json& v) {
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A small deterministic generator (the same strings on every run).
struct Lcg {
  uint64_t s;
  uint32_t next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(s >> 33);
  }
};

}  // namespace

TEST_CASE("append_json_string writes what the serializer writes") {
  std::vector<std::string> cases = {"",
                                    "plain",
                                    "q\"uote",
                                    "back\\slash",
                                    "tab\there",
                                    "nl\n",
                                    "\b\f\r",
                                    std::string("nul\0x", 5),
                                    "\x01\x1f\x7f",
                                    "caf\xC3\xA9",
                                    "\xE2\x82\xAC euro",
                                    "\xF0\x9F\x98\x80",
                                    "bad \xC3",
                                    "bad \xFF",
                                    "overlong \xC0\xAF",
                                    "surrogate \xED\xA0\x80",
                                    "max \xF4\x8F\xBF\xBF",
                                    "past \xF4\x90\x80\x80",
                                    "\xE0\x9F\x80",
                                    "mix \"\xC3\xA9\\\n\x02"};
  Lcg g{42};
  const char alphabet[] = {'a',    '"',    '\\',   '\n',   '\x01', '\x7f', '\xC3', '\xA9', '\xE2',
                           '\x82', '\xAC', '\xF0', '\x9F', '\x98', '\x80', '\xED', '\xFF', ' '};
  for (int n = 0; n < 5000; ++n) {
    std::string s;
    const int len = static_cast<int>(g.next() % 12);
    for (int i = 0; i < len; ++i) s += alphabet[g.next() % sizeof alphabet];
    cases.push_back(s);
  }
  for (const auto& s : cases) {
    std::string out = "prefix";
    codec::append_json_string(out, s);
    CHECK(out == "prefix" + dumped(json(s)));
  }
}

// A random JSON value: every kind the core builds (objects, arrays, strings with escapes and
// UTF-8, valid or not, signed and unsigned integers at their edges, floats, booleans, null).
json random_json(Lcg& g, int depth) {
  const char alphabet[] = {'a',    'Z',    '"',    '\\',   '\n',   '\x01', '\x7f',
                           '\xC3', '\xA9', '\xE2', '\x82', '\xAC', '\xF0', '\x9F',
                           '\x98', '\x80', '\xFF', ' ',    '/'};
  const auto str = [&] {
    std::string s;
    const int len = static_cast<int>(g.next() % 14);
    // Mostly plain text (the common case), else any byte of the alphabet.
    const bool plain = g.next() % 3 != 0;
    for (int i = 0; i < len; ++i)
      s += plain ? static_cast<char>('a' + g.next() % 26) : alphabet[g.next() % sizeof alphabet];
    return s;
  };
  const uint32_t kind = g.next() % (depth > 0 ? 10 : 7);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return g.next() % 2 == 0;
    case 2: {
      static const int64_t edges[] = {0, -1, 1, INT64_MIN, INT64_MAX, -9'007'199'254'740'993};
      return g.next() % 2 ? json(edges[g.next() % 6])
                          : json(static_cast<int64_t>(g.next()) - 2'000'000'000);
    }
    case 3:
      return g.next() % 2 ? json(static_cast<uint64_t>(UINT64_MAX - g.next()))
                          : json(static_cast<uint64_t>(g.next()));
    case 4: {
      static const double floats[] = {0.5, -0.0, 1e300, 3.141592653589793, 1e-7, 100.0};
      return floats[g.next() % 6];
    }
    case 5:
    case 6:
      return str();
    case 7:
    case 8: {
      json o = json::object();
      const int n = static_cast<int>(g.next() % 6);
      for (int i = 0; i < n; ++i) o[str()] = random_json(g, depth - 1);
      return o;
    }
    default: {
      json a = json::array();
      const int n = static_cast<int>(g.next() % 6);
      for (int i = 0; i < n; ++i) a.push_back(random_json(g, depth - 1));
      return a;
    }
  }
}

TEST_CASE("append_dump and dump_text write what the serializer writes") {
  Lcg g{7};
  int fast = 0;
  for (int n = 0; n < 20000; ++n) {
    const json v = random_json(g, 4);
    std::string out = "pre";
    const bool ok = codec::append_dump(out, v);
    if (ok) {
      ++fast;
      CHECK(out == "pre" + v.dump());
      CHECK(out == "pre" + dumped(v));
    } else {
      // Only invalid UTF-8 is left to the serializer: strict dump refuses it.
      CHECK_THROWS(v.dump());
    }
    CHECK(dump_text(v) == dumped(v));
  }
  CHECK(fast > 10000);  // most generated values take the fast path
  // The rows and responses the core builds.
  const json row = {{"id", "0b7e3c1a-1d2f-4a5b-8c9d-0e1f2a3b4c5d"},
                    {"attempts", 3},
                    {"lockedBy", nullptr},
                    {"payload", {{"b", {1, 2.5, "x"}}, {"a", true}}},
                    {"title", "caf\xC3\xA9 \"q\" \\ \n"}};
  std::string out;
  CHECK(codec::append_dump(out, row));
  CHECK(out == dumped(row));
  CHECK(dump_text(json{{"ok", true}, {"result", row}}) ==
        dumped(json{{"ok", true}, {"result", row}}));
}

TEST_CASE("append_json_instant writes what the serializer writes") {
  for (const Instant t :
       {kMinInstant, kMaxInstant, Instant{0}, Instant{-1}, Instant{1'700'000'000'123},
        Instant{-62'167'219'200'000}, Instant{-62'167'219'200'001}, Instant{253'402'300'800'000}}) {
    std::string out = "x";
    codec::append_json_instant(out, t);
    CHECK(out == "x" + dumped(json(format_instant(t))));
  }
}

TEST_CASE("is_dump_form recognises exactly the texts parse + dump gives back") {
  const std::vector<std::string> yes = {
      "{}",
      "[]",
      "null",
      "true",
      "false",
      "0",
      "-1",
      "123456789012345678",
      "\"\"",
      "\"a\\\"b\\\\c\\n\\u0001\\u001f\\b\\t\\f\\r\"",
      "\"\x7f\xC3\xA9\xF0\x9F\x98\x80\"",
      R"({"a":1,"b":[1,2,{"c":null}],"d":{"":true,"e":"f"}})",
      R"({"frequency":"weekly","time":"09:00","weekdays":[1,3,5]})"};
  for (const auto& t : yes) {
    INFO(t);
    CHECK(codec::is_dump_form(t));
    CHECK(dumped(json::parse(t)) == t);
  }
  const std::vector<std::string> no = {"",
                                       " {}",
                                       "{} ",
                                       "{ }",
                                       "[1, 2]",
                                       R"({"b":1,"a":2})",
                                       R"({"a":1,"a":2})",
                                       "-0",
                                       "01",
                                       "1.5",
                                       "1e3",
                                       "1E3",
                                       "1234567890123456789",
                                       "\"\\/\"",
                                       "\"\\u0041\"",
                                       "\"\\u000a\"",
                                       "\"\\u001F\"",
                                       "\"\\ud83d\\ude00\"",
                                       "\"\x01\"",
                                       "\"\xC3\"",
                                       "\"\xED\xA0\x80\"",
                                       "tru",
                                       "nul",
                                       "[1,]",
                                       "{\"a\":}",
                                       R"({"\u0061":1})",
                                       "\"abc",
                                       "[",
                                       "{\"a\"1}",
                                       "[1]x",
                                       std::string(40, '[') + std::string(40, ']')};
  for (const auto& t : no) {
    INFO(t);
    CHECK_FALSE(codec::is_dump_form(t));
  }
  // Whatever it accepts, parse + dump gives back byte for byte (mutations of valid texts).
  Lcg g{7};
  const std::string base = R"({"a":[1,-2,"x\"y",{"b":null,"c":true}],"d":"\u0001\u00e9","e":{}})";
  const char alphabet[] = {'{', '}', '[', ']', '"', ',', ':', '\\',   'u',    '0', '1',
                           '-', 'a', 'b', ' ', '.', 'e', 'n', '\xC3', '\xA9', 'z'};
  int accepted = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string t = base;
    const int edits = 1 + static_cast<int>(g.next() % 3);
    for (int k = 0; k < edits; ++k) {
      const size_t at = g.next() % (t.size() + 1);
      switch (g.next() % 3) {
        case 0:
          t.insert(at, 1, alphabet[g.next() % sizeof alphabet]);
          break;
        case 1:
          if (at < t.size()) t.erase(at, 1);
          break;
        default:
          if (at < t.size()) t[at] = alphabet[g.next() % sizeof alphabet];
      }
    }
    if (!codec::is_dump_form(t)) continue;
    ++accepted;
    INFO(t);
    CHECK(dumped(json::parse(t)) == t);
  }
  CHECK(accepted > 100);
}
