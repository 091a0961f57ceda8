#pragma once
// JSON text made pure ASCII: what the wasm boundary hands to JavaScript (docs/adr/
// 0043-ascii-answers-at-the-wasm-boundary.md). A JavaScript engine decodes ASCII bytes into a
// one-byte string at memcpy speed; one character above U+007F anywhere in the text sends the
// whole decode down the slow UTF-8 path and makes a two-byte string (14-16x slower
// in Node 20, 1.9x in Chromium 156: bench/peers/decode.mjs).
#include <string>

namespace ec::codec {

/// Rewrites the JSON text `text` (UTF-8) so that every byte is below 0x80: each multi-byte UTF-8
/// sequence becomes its JSON escape, \uXXXX with lower-case hex, and a code point above U+FFFF
/// a surrogate pair (\ud83d\ude00), as nlohmann's dump(ensure_ascii) writes them. Valid JSON
/// holds such bytes only inside strings, so the parsed value is unchanged. Text without them is
/// left as it is, untouched (one word-wise scan). Returns false, leaving `text` unchanged, when
/// a sequence is not well-formed UTF-8 (overlong, a surrogate, above U+10FFFF, cut short).
bool to_ascii_json(std::string& text);

}  // namespace ec::codec
