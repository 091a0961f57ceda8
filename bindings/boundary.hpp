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
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline std::string error_json(const std::string& code, const std::string& message) {
  try {
    return safe_dump({{"ok", false},
                      {"error",
                       {{"code", code},
                        {"message", message},
                        {"path", nlohmann::json::array()},
                        {"issues", nlohmann::json::array()}}}});
  } catch (...) {  // out of memory while building the JSON: a fixed answer
    return R"({"ok":false,"error":{"code":"internal","message":"out of memory","path":[],"issues":[]}})";
  }
}

// Runs `body` (returning a JSON string) and converts anything it throws into error JSON.
template <class F>
std::string guard(F&& body) noexcept {
  try {
    return std::forward<F>(body)();
  } catch (const ec::Error& e) {
    try {
      return safe_dump({{"ok", false}, {"error", e.to_json()}});
    } catch (...) {
      return error_json(e.code(), e.message());
    }
  } catch (const std::bad_alloc&) {
    return error_json(ec::code::internal, "out of memory");
  } catch (const std::exception& e) {
    return error_json(ec::code::internal, std::string("unexpected C++ exception: ") + e.what());
  } catch (...) {
    return error_json(ec::code::internal, "unexpected non-standard C++ exception");
  }
}

}  // namespace ec::bindings
