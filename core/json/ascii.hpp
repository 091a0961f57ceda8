#pragma once
// JSON text made pure ASCII: what the wasm boundary hands to JavaScript (docs/adr/
// 0043-ascii-answers-at-the-wasm-boundary.md). A JavaScript engine decodes ASCII bytes into a
// one-byte string at memcpy speed; one character above U+007F anywhere in the text sends the
// whole decode down the slow UTF-8 path and makes a two-byte string (14-16x slower
// in Node 20, 1.9x in Chromium 156: bench/peers/decode.mjs).
#include <cstddef>
#include <string>

namespace ec::codec {

/// When to_ascii_json rewrites a text.
struct AsciiLimits {
  /// Texts longer than this (bytes) are left as they are: the escaped copy is made while the
  /// original is held, and a JS string has at most 2^29 - 24 units (V8).
  size_t max_bytes = size_t{64} << 20;
  /// The escapes may add at most size / growth_divisor bytes (0: no limit). A text dense in
  /// non-ASCII (CJK, emoji) is left as UTF-8: its two-byte JS string is smaller than its escapes
  /// (6 bytes per character, 12 per emoji).
  size_t growth_divisor = 8;
};

/// Rewrites the JSON text `text` (UTF-8) so that every byte is below 0x80: each multi-byte UTF-8
/// sequence becomes its JSON escape, \uXXXX with lower-case hex, and a code point above U+FFFF
/// a surrogate pair (\ud83d\ude00), as nlohmann's dump(ensure_ascii) writes them. Valid JSON
/// holds such bytes only inside strings, so the parsed value is unchanged. Text without them is
/// left as it is, untouched (one word-wise scan). Returns true when `text` is ASCII afterwards.
/// Returns false, leaving `text` unchanged, when a sequence is not well-formed UTF-8 (overlong,
/// a surrogate, above U+10FFFF, cut short), when the text or its growth is over `limits`, or
/// when memory runs out. Never throws.
bool to_ascii_json(std::string& text, AsciiLimits limits = {}) noexcept;

}  // namespace ec::codec
