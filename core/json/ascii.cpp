#include "core/json/ascii.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>

namespace ec::codec {

namespace {

// Index of the first byte >= 0x80 in s[from, n), or n: eight bytes at a time.
size_t next_high(const unsigned char* s, size_t from, size_t n) {
  size_t i = from;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ULL) break;
  }
  for (; i < n; ++i)
    if (s[i] & 0x80) return i;
  return n;
}

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Decodes the well-formed UTF-8 sequence at s[i] (RFC 3629, table 3-7 of the Unicode standard)
// into `cp` and its length into `len`; false when it is not one.
bool decode(const unsigned char* s, size_t i, size_t n, uint32_t& cp, size_t& len) {
  const unsigned char c = s[i];
  if (c >= 0xC2 && c <= 0xDF) {
    if (i + 1 >= n || !continuation(s[i + 1])) return false;
    cp = (uint32_t{c} & 0x1F) << 6 | (s[i + 1] & 0x3F);
    len = 2;
    return true;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (i + 2 >= n || !continuation(s[i + 1]) || !continuation(s[i + 2])) return false;
    if (c == 0xE0 && s[i + 1] < 0xA0) return false;  // overlong
    if (c == 0xED && s[i + 1] > 0x9F) return false;  // a surrogate
    cp = (uint32_t{c} & 0x0F) << 12 | uint32_t{s[i + 1] & 0x3Fu} << 6 | (s[i + 2] & 0x3F);
    len = 3;
    return true;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (i + 3 >= n || !continuation(s[i + 1]) || !continuation(s[i + 2]) || !continuation(s[i + 3]))
      return false;
    if (c == 0xF0 && s[i + 1] < 0x90) return false;  // overlong
    if (c == 0xF4 && s[i + 1] > 0x8F) return false;  // above U+10FFFF
    cp = (uint32_t{c} & 0x07) << 18 | uint32_t{s[i + 1] & 0x3Fu} << 12 |
         uint32_t{s[i + 2] & 0x3Fu} << 6 | (s[i + 3] & 0x3F);
    len = 4;
    return true;
  }
  return false;
}

void append_unit(std::string& out, uint32_t unit) {
  static constexpr char hex[] = "0123456789abcdef";
  const char esc[6] = {
      '\\',           'u', hex[(unit >> 12) & 0xF], hex[(unit >> 8) & 0xF], hex[(unit >> 4) & 0xF],
      hex[unit & 0xF]};
  out.append(esc, sizeof esc);
}

}  // namespace

bool to_ascii_json(std::string& text, AsciiLimits limits) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const size_t first = next_high(s, 0, n);
  if (first == n) return true;
  if (n > limits.max_bytes) return false;
  // First pass: every sequence well-formed, and what the escapes add (6 bytes for 2 or 3, 12 for
  // 4).
  size_t extra = 0;
  for (size_t i = first; i < n;) {
    uint32_t cp = 0;
    size_t len = 0;
    if (!decode(s, i, n, cp, len)) return false;
    extra += (cp > 0xFFFF ? 12 : 6) - len;
    i = next_high(s, i + len, n);
  }
  if (limits.growth_divisor != 0 && extra > n / limits.growth_divisor) return false;
  try {
    std::string out;
    out.reserve(n + extra);
    size_t copied = 0;
    for (size_t i = first; i < n;) {
      uint32_t cp = 0;
      size_t len = 0;
      decode(s, i, n, cp, len);
      out.append(text, copied, i - copied);
      if (cp > 0xFFFF) {
        cp -= 0x10000;
        append_unit(out, 0xD800 + (cp >> 10));
        append_unit(out, 0xDC00 + (cp & 0x3FF));
      } else {
        append_unit(out, cp);
      }
      copied = i + len;
      i = next_high(s, copied, n);
    }
    out.append(text, copied, n - copied);
    text.swap(out);
    return true;
  } catch (const std::exception&) {  // std::bad_alloc, std::length_error: the text stays UTF-8
    return false;
  }
}

}  // namespace ec::codec
