#pragma once
// How strings cross the wasm boundary (plain C exports, no embind; docs/adr/
// 0033-plain-exports-boundary.md). Wiring only, no rules.
//
//   in:  JS asks for the module's input buffer (ec_input(capacity) -> pointer), writes the UTF-8
//        of every string argument into it with TextEncoder.encodeInto, and passes each argument
//        as (pointer, length) to an export. Bytes are taken as they are: NUL is an ordinary byte.
//   out: every export that answers text returns a pointer to its UTF-8 and puts the byte count
//        in the one size slot (ec_size() -> its address); JS decodes that view with TextDecoder
//        before anything else enters the module. The bytes stay owned by the module (a handle's
//        last answer, or the module's last answer) until the next call. A handle's call()
//        answers in ASCII (non-ASCII characters as JSON \u escapes, core/json/ascii.hpp;
//        an answer dense in non-ASCII, or over 64 MiB, stays UTF-8): the
//        decode then takes the engine's one-byte path: 14-16x faster in Node 20, 1.9x in Chromium
//        156, than UTF-8 with characters above U+007F
//        (docs/adr/0043-ascii-answers-at-the-wasm-boundary.md).
// The JS side is bindings/js/boundary.js (linked into every module with --post-js).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "core/errors.hpp"

namespace ec::bindings {

/// A heap block whose address stays put when it is moved (unlike a short std::string).
struct Block {
  std::unique_ptr<char[]> data;
  size_t size = 0;
};

/// The module's input buffer (one per module; the wasm core is single-threaded).
Block& input_slot();
/// The size slot of the last text answer.
uint32_t& answer_size();

/// Takes the input buffer out of its slot for the length of one export call, so that a call a
/// progress callback makes meanwhile gets a buffer of its own instead of resizing this one.
/// Gives it back afterwards unless it is large (a huge request's memory is released).
class Args {
 public:
  Args() : block_(std::move(input_slot())) {}
  ~Args() {
    Block& slot = input_slot();
    if (block_.size <= kKeepBytes && !slot.data) slot = std::move(block_);
  }
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;

  /// The argument at [ptr, ptr + length), which must lie inside the input buffer.
  std::string_view text(const char* ptr, size_t length) const {
    const auto begin = reinterpret_cast<std::uintptr_t>(block_.data.get());
    const auto at = reinterpret_cast<std::uintptr_t>(ptr);
    if (!begin || at < begin || length > block_.size || at - begin > block_.size - length)
      throw ec::Error(ec::code::bad_request, "an argument lies outside the input buffer");
    return {ptr, length};
  }
  std::string str(const char* ptr, size_t length) const { return std::string(text(ptr, length)); }

  /// A buffer kept between calls up to this size (a larger one is given back after its call).
  static constexpr size_t kKeepBytes = size_t{1} << 20;

 private:
  Block block_;
};

/// Hands a text answer to JS: its bytes stay in `owner` until the next call.
inline const char* answer(std::string& owner, std::string&& text) noexcept {
  owner = std::move(text);
  answer_size() = static_cast<uint32_t>(owner.size());
  return owner.data();
}

}  // namespace ec::bindings
