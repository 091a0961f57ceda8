#include "core/json/ascii.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>

#include "core/json/codec.hpp"

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

// The code point of the well-formed sequence of `len` bytes (2-4, codec::utf8_sequence) at p.
uint32_t code_point(const unsigned char* p, size_t len) {
  uint32_t cp = p[0] & (0xFFu >> (len + 1));
  for (size_t k = 1; k < len; ++k) cp = cp << 6 | (p[k] & 0x3Fu);
  return cp;
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
  // 4: a surrogate pair).
  size_t extra = 0;
  for (size_t i = first; i < n;) {
    const size_t len = utf8_sequence(text, i);
    if (len == 0) return false;
    extra += (len == 4 ? 12 : 6) - len;
    i = next_high(s, i + len, n);
  }
  if (limits.growth_divisor != 0 && extra > n / limits.growth_divisor) return false;
  try {
    std::string out;
    out.reserve(n + extra);
    size_t copied = 0;
    for (size_t i = first; i < n;) {
      const size_t len = utf8_sequence(text, i);
      uint32_t cp = code_point(s + i, len);
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
