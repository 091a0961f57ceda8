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
#include "core/json/codec.hpp"
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

// {"ok":true,"result":{"core":"0.1.0","emscripten":"3.1.6","schemaVersion":3,"sqlite":"3.53.0"}}
// (keys in the order a json object dumps them). Written as text: a json literal here costs ~2 KB
// of the browser module for one constant answer.
std::string version() {
  return guard([] {
    std::string ems = "unknown";
#if defined(__EMSCRIPTEN_major__)
    ems = std::to_string(__EMSCRIPTEN_major__) + "." + std::to_string(__EMSCRIPTEN_minor__) + "." +
          std::to_string(__EMSCRIPTEN_tiny__);
#endif
    std::string out = R"({"ok":true,"result":{"core":)";
    ec::codec::append_json_string(out, EC_VERSION);
    out += R"(,"emscripten":)";
    ec::codec::append_json_string(out, ems);
    out += R"(,"schemaVersion":)";
    ec::codec::append_json_int(out, ec::schema::kSchemaVersion);
    out += R"(,"sqlite":)";
    ec::codec::append_json_string(out, sqlite3_libversion());
    out += "}}";
    return out;
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
