#pragma once
// The one entry point every surface uses (CLI `call`, the wasm module, the TypeScript client):
// a JSON request in, a JSON response out. Declared operations live in core/api/ops_*.cpp.
//
// Request: {"op":"project.list","as":{"organizationId":"…","userId":"…"},"params":{…},"now"?:"ISO"}
// Response: {"ok":true,"result":…} | {"ok":false,"error":{"code","message","path","issues":[…]}}
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "core/time.hpp"

namespace ec::store {
class Store;
}

namespace ec::api {

struct Options {
  /// Seed for generated ids (0 = random). Deterministic seeds make mock data reproducible.
  uint64_t id_seed = 0;
  /// How long a request waits for a lock held by another connection before answering code
  /// `busy` (retryable); unset: store::kBusyTimeoutMs.
  std::optional<int> busy_timeout_ms;
};

/// Progress callback for long operations (mock.seed, imports): (done, total, phase).
using Progress = std::function<void(int64_t done, int64_t total, const std::string& phase)>;

/// A long-lived handle on one database. Not thread-safe. Closing is idempotent.
class Core {
 public:
  /// Opens or creates the database at `path` (":memory:" for none), migrating older schemas.
  /// Throws ec::Error (not_a_database, schema_too_new, io).
  explicit Core(const std::string& path, Options options = {});
  ~Core();
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  /// Handles one JSON request; never throws: every failure becomes an error response.
  std::string call(std::string_view request_json);
  /// Same, on parsed JSON.
  json call_json(const json& request);
  /// Sets the progress callback used by long operations (empty to clear).
  void set_progress(Progress progress);
  /// Closes the database; later calls answer {"ok":false,"error":{"code":"closed"}}.
  void close();

  store::Store* store() { return store_.get(); }

 private:
  /// call_json's work on a request it may take values from; with `text_result`, an operation
  /// that writes its result as text (Operation::write_result) appends it there, sets *written
  /// and the response has no "result" key (call() puts it in).
  json respond(json& request, std::string* text_result, bool* written);
  std::unique_ptr<store::Store> store_;
  Progress progress_;
};

/// Validates one document against an entity (as `episodes-core validate` does); never throws.
/// Returns {"ok":true} or {"ok":false,"issues":[…]}.
std::string validate_json(std::string_view entity, std::string_view document,
                          std::string_view mode = "record");

/// The fields a request may carry, as prose ("op, as, params, now, requestId and track"): any
/// other one is refused with bad_request at its name (docs/API.md is generated with it).
std::string request_fields_text();

}  // namespace ec::api
