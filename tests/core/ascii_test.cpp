// to_ascii_json: the wasm boundary's answers made pure ASCII (docs/adr/
// 0043-ascii-answers-at-the-wasm-boundary.md). Oracle: nlohmann's dump with ensure_ascii, and the
// parsed value, for generated documents of random code points in every UTF-8 length.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

#include "core/errors.hpp"
#include "core/json/ascii.hpp"

using namespace ec;

namespace {

// The generated texts are dense in non-ASCII: the growth limit would leave most of them as UTF-8.
constexpr codec::AsciiLimits kNoLimits{SIZE_MAX, 0};

// A code point of 1, 2, 3 or 4 UTF-8 bytes (no surrogates; no DEL, which ensure_ascii escapes
// too while to_ascii_json leaves ASCII alone).
uint32_t random_code_point(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0: {
      const uint32_t c = 0x20 + rng() % 0x5F;  // printable ASCII, '"' and '\\' included
      return c;
    }
    case 1:
      return 0x80 + rng() % (0x800 - 0x80);
    case 2: {
      uint32_t c = 0x800 + rng() % (0x10000 - 0x800);
      if (c >= 0xD800 && c <= 0xDFFF) c -= 0x800;
      return c;
    }
    default:
      return 0x10000 + rng() % (0x110000 - 0x10000);
  }
}

void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | cp >> 6);
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | cp >> 12);
    s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | cp >> 18);
    s += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    s += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string random_text(std::mt19937_64& rng) {
  std::string s;
  const size_t length = rng() % 40;
  for (size_t i = 0; i < length; ++i) append_utf8(s, random_code_point(rng));
  return s;
}

bool all_ascii(const std::string& s) {
  for (const unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

TEST_CASE(
    "to_ascii_json: generated documents equal nlohmann's ensure_ascii text and parse to the same "
    "value") {
  std::mt19937_64 rng(20261201);
  for (int round = 0; round < 2000; ++round) {
    json doc = json::object();
    json list = json::array();
    for (int k = 0; k < 4; ++k) list.push_back(random_text(rng));
    doc[random_text(rng)] = random_text(rng);
    doc["items"] = list;
    doc["n"] = static_cast<int64_t>(rng() % 100000);
    std::string text = doc.dump();
    const std::string expected = doc.dump(-1, ' ', true);
    REQUIRE(codec::to_ascii_json(text, kNoLimits));
    REQUIRE(text == expected);
    REQUIRE(all_ascii(text));
    REQUIRE(json::parse(text) == doc);
  }
}

TEST_CASE("to_ascii_json: ASCII text is left as it is; each UTF-8 length becomes its escape") {
  std::string plain = R"({"ok":true,"result":{"name":"Weekly review \"A\\B\"","n":1}})";
  const std::string before = plain;
  REQUIRE(codec::to_ascii_json(plain));
  REQUIRE(plain == before);

  std::string text =
      "{\"name\":\"caf\xC3\xA9 \xE2\x80\x98q\xE2\x80\x99 \xF0\x9F\x9A\x80\"}";  // café ‘q’ 🚀
  REQUIRE(codec::to_ascii_json(text, kNoLimits));
  REQUIRE(text == R"({"name":"caf\u00e9 \u2018q\u2019 \ud83d\ude80"})");
  REQUIRE(json::parse(text)["name"] == "caf\xC3\xA9 \xE2\x80\x98q\xE2\x80\x99 \xF0\x9F\x9A\x80");

  std::string empty;
  REQUIRE(codec::to_ascii_json(empty));
  REQUIRE(empty.empty());
}

TEST_CASE("to_ascii_json: malformed UTF-8 leaves the text unchanged and says so") {
  for (const std::string& bad :
       {std::string("\"\xC3\""), std::string("\"\xC0\xAF\""), std::string("\"\xE0\x80\xAF\""),
        std::string("\"\xED\xA0\x80\""), std::string("\"\xF4\x90\x80\x80\""),
        std::string("\"\xF0\x9F\x9A\""), std::string("\"ok\x80\""), std::string("\xFF")}) {
    std::string text = bad;
    REQUIRE_FALSE(codec::to_ascii_json(text));
    REQUIRE(text == bad);
  }
}

TEST_CASE(
    "to_ascii_json: text dense in non-ASCII, or too long, stays UTF-8 (its JS string is smaller as "
    "it is)") {
  // A page of names with one accented letter each: 4 extra bytes per ~60: rewritten.
  std::string sparse = "[";
  for (int i = 0; i < 100; ++i)
    sparse += "{\"id\":12345678,\"name\":\"Zo\xC3\xAB Lovelace-Byron\"},";
  sparse.back() = ']';
  const json sparse_value = json::parse(sparse);
  REQUIRE(codec::to_ascii_json(sparse));
  REQUIRE(all_ascii(sparse));
  REQUIRE(json::parse(sparse) == sparse_value);

  // CJK text (3 bytes -> 6) and emoji (4 -> 12): left as they are, with the default limits.
  for (const std::string& unit : {std::string("\xE6\x97\xA5"), std::string("\xF0\x9F\x8E\x89")}) {
    std::string dense = "{\"name\":\"";
    for (int i = 0; i < 1000; ++i) dense += unit;
    dense += "\"}";
    const std::string before = dense;
    REQUIRE_FALSE(codec::to_ascii_json(dense));
    REQUIRE(dense == before);
  }

  // The growth limit is exact: 8 bytes of ASCII per "é" (4 extra) is 1/8 of the text at most.
  std::string edge = "\"\xC3\xA9\"";  // 4 bytes, +4: over 4/8
  REQUIRE_FALSE(codec::to_ascii_json(edge));
  std::string at = "\"\xC3\xA9" + std::string(29, 'a') + "\"";  // 33 bytes, +4 <= 33/8
  REQUIRE(codec::to_ascii_json(at));
  REQUIRE(at == "\"\\u00e9" + std::string(29, 'a') + "\"");

  // Over max_bytes: left as it is (ASCII text needs no copy whatever its length).
  std::string big = "\"" + std::string(100, 'a') + "\xC3\xA9\"";
  REQUIRE_FALSE(codec::to_ascii_json(big, codec::AsciiLimits{64, 8}));
  std::string ascii_big(100, 'a');
  REQUIRE(codec::to_ascii_json(ascii_big, codec::AsciiLimits{64, 8}));
}
