// The wasm module's free functions as plain C exports: wiring only, no rules. Every answer is
// JSON text handed over as UTF-8 (bindings/wire.hpp); a C++ exception never crosses into JS
// (boundary.hpp). bindings/js/boundary.js gives them their JS names (validate, schemaSql, …) and
// bindings/js/core.mjs parses the JSON and throws CoreError for {"ok":false,"error":…}.
#include <emscripten/emscripten.h>
#if __has_include(<emscripten/version.h>)
#include <emscripten/version.h>
#endif
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "bindings/boundary.hpp"
#include "bindings/storage.hpp"
#include "bindings/wire.hpp"
#include "core/api/api.hpp"
#include "core/api/mock_seed.hpp"
#include "core/json/codec.hpp"
#include "core/schema/ddl.hpp"

namespace ec::bindings {

Block& input_slot() {
  static Block block;
  return block;
}

uint32_t& answer_size() {
  static uint32_t size = 0;
  return size;
}

}  // namespace ec::bindings

namespace {

using ec::bindings::answer;
using ec::bindings::Args;
using ec::bindings::guard;

// The free functions' last answer (a handle keeps its own; core_handle.cpp).
std::string g_answer;

// ============================================================================================
// Validation
// ============================================================================================

// {"ok":true} | {"ok":false,"issues":[…]} | {"ok":false,"error":{…}}
std::string validate(const Args& args, const char* entity, size_t entity_length,
                     const char* document, size_t document_length, const char* mode,
                     size_t mode_length) {
  return guard([&] {
    return ec::api::validate_json(args.text(entity, entity_length),
                                  args.text(document, document_length),
                                  args.text(mode, mode_length));
  });
}

// ============================================================================================
// Schema
// ============================================================================================

// {"ok":true,"result":"<SQLite DDL>"}, written as text (see version()).
std::string schema_sql() {
  return guard([] {
    std::string out = R"({"ok":true,"result":)";
    ec::codec::append_json_string(out, ec::schema::sqlite_ddl());
    out += "}";
    return out;
  });
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
// Exports
// ============================================================================================

extern "C" {

// The input buffer, at least `capacity` bytes (kept between calls up to 1 MiB); null when that
// much cannot be had (JS then reports out of memory without calling the export).
EMSCRIPTEN_KEEPALIVE char* ec_input(double capacity) {
  if (!(capacity >= 0) || capacity > 2147483647.0) return nullptr;
  const size_t want = capacity < 256 ? size_t{256} : static_cast<size_t>(capacity);
  ec::bindings::Block& slot = ec::bindings::input_slot();
  if (slot.data && slot.size >= want) return slot.data.get();
  slot.data.reset();
  slot.size = 0;
  slot.data.reset(new (std::nothrow) char[want]);
  if (slot.data) slot.size = want;
  return slot.data.get();
}

// The address of the size slot: the byte count of the last text answer.
EMSCRIPTEN_KEEPALIVE uint32_t* ec_size() {
  return &ec::bindings::answer_size();
}

EMSCRIPTEN_KEEPALIVE const char* ec_validate(const char* entity, size_t entity_length,
                                             const char* document, size_t document_length,
                                             const char* mode, size_t mode_length) {
  const Args args;
  return answer(g_answer, validate(args, entity, entity_length, document, document_length, mode,
                                   mode_length));
}

EMSCRIPTEN_KEEPALIVE const char* ec_schema_sql() {
  return answer(g_answer, schema_sql());
}

EMSCRIPTEN_KEEPALIVE const char* ec_version() {
  return answer(g_answer, version());
}

// False in the browser core, whose mock.seed runs in the mock module (bindings/CMakeLists.txt).
EMSCRIPTEN_KEEPALIVE int ec_has_mock_generator() {
  return ec::api::mock_generator_linked() ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE const char* ec_inspect_database(const char* path, size_t path_length) {
  const Args args;
  return answer(g_answer,
                guard([&] { return ec::bindings::inspect_database(args.str(path, path_length)); }));
}

EMSCRIPTEN_KEEPALIVE const char* ec_copy_database(const char* src, size_t src_length,
                                                  const char* dst, size_t dst_length) {
  const Args args;
  return answer(g_answer, guard([&] {
                  return ec::bindings::copy_database(args.str(src, src_length),
                                                     args.str(dst, dst_length));
                }));
}

EMSCRIPTEN_KEEPALIVE const char* ec_memory_stats() {
  return answer(g_answer, ec::bindings::memory_stats());
}

}  // extern "C"
