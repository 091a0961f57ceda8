#pragma once
// The one place where a C++ failure becomes error JSON at the wasm boundary. Every bound
// function runs its body through `guard`, so no C++ exception reaches JS (where Emscripten
// would deliver it as a bare number). bindings/js/core.mjs turns the JSON into a CoreError.
#include <exception>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"

namespace ec::bindings {

// Serialises without ever throwing: invalid UTF-8 (e.g. a lone surrogate that came in through
// embind's string conversion and is echoed in a message) is replaced instead of raising.
inline std::string safe_dump(const nlohmann::json& j) {
  return ec::dump_text(j);
}

inline std::string error_json(const std::string& code, const std::string& message) {
  try {
    return ec::error_response_text(ec::Error(code, message));
  } catch (...) {  // out of memory while building the error: a fixed answer
    return R"({"ok":false,"error":{"code":"internal","message":"out of memory","path":[],"issues":[]}})";
  }
}

// Runs `body` (returning a JSON string) and converts anything it throws into error JSON, through
// the core's one exception -> code mapping (ec::to_error in core/errors.hpp).
template <class F>
std::string guard(F&& body) noexcept {
  try {
    return std::forward<F>(body)();
  } catch (...) {
    return ec::error_response_text(ec::to_error(std::current_exception()));
  }
}

}  // namespace ec::bindings
