// The wasm module's surface: wiring only, no rules. Everything answers a JSON string; a C++
// exception never crosses into JS (see boundary.hpp). The JS loader (bindings/js/core.mjs)
// parses the JSON and throws CoreError for {"ok":false,"error":…}.
#include <emscripten/bind.h>
#if __has_include(<emscripten/version.h>)
#include <emscripten/version.h>
#endif
#include <sqlite3.h>

#include <string>

#include "bindings/boundary.hpp"
#include "core/api/api.hpp"
#include "core/schema/ddl.hpp"

namespace {

using ec::bindings::guard;
using ec::bindings::safe_dump;

// ============================================================================================
// Validation
// ============================================================================================

// {"ok":true} | {"ok":false,"issues":[…]} | {"ok":false,"error":{…}}
std::string validate(std::string entity, std::string document, std::string mode) {
  return guard([&] { return ec::api::validate_json(entity, document, mode); });
}

// ============================================================================================
// Schema
// ============================================================================================

// {"ok":true,"result":"<SQLite DDL>"}
std::string schema_sql() {
  return guard([] { return safe_dump({{"ok", true}, {"result", ec::schema::sqlite_ddl()}}); });
}

// ============================================================================================
// Version
// ============================================================================================

// {"ok":true,"result":{"core":"0.1.0","schemaVersion":3,"sqlite":"3.53.0","emscripten":"3.1.6"}}
std::string version() {
  return guard([] {
    std::string ems = "unknown";
#if defined(__EMSCRIPTEN_major__)
    ems = std::to_string(__EMSCRIPTEN_major__) + "." + std::to_string(__EMSCRIPTEN_minor__) + "." +
          std::to_string(__EMSCRIPTEN_tiny__);
#endif
    return safe_dump({{"ok", true},
                      {"result",
                       {{"core", EC_VERSION},
                        {"schemaVersion", ec::schema::kSchemaVersion},
                        {"sqlite", sqlite3_libversion()},
                        {"emscripten", ems}}}});
  });
}

}  // namespace

// ============================================================================================
// Registration
// ============================================================================================

EMSCRIPTEN_BINDINGS(episodes_core) {
  emscripten::function("validate", &validate);
  emscripten::function("schemaSql", &schema_sql);
  emscripten::function("version", &version);
}
