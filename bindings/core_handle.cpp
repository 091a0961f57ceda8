// The long-lived database handle, bound as one embind class. Built only once core/api/core.cpp
// exists (see bindings/CMakeLists.txt). Wiring only: every rule lives in ec::api::Core.
//
// Lifetime (JS): `new Module.CoreHandle(path, idSeed)` never throws; check `openError()`
// ("" or error JSON). Every handle MUST be released with `delete()` (embind does not collect
// it); `close()` is idempotent and never throws, and a closed handle answers every `call()`
// with {"ok":false,"error":{"code":"closed"}}. bindings/js/core.mjs wraps all of this so JS
// users only see `await openCore(path)` -> Core with `call()` and `close()` (which deletes).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bindings/boundary.hpp"
#include "bindings/storage.hpp"
#include "core/api/api.hpp"
#include "core/api/mock_seed.hpp"
#include "core/store/store.hpp"

namespace {

using ec::bindings::error_json;
using ec::bindings::guard;

// ============================================================================================
// CoreHandle: ec::api::Core whose construction failure is data, not an exception
// ============================================================================================

class CoreHandle {
 public:
  // idSeed: 0 = random ids; a positive integer (< 2^53) makes generated ids reproducible.
  CoreHandle(std::string path, double id_seed) {
    open_error_ = guard([&] {
      ec::api::Options options;
      if (!(id_seed >= 0) || id_seed > 9007199254740991.0 || std::floor(id_seed) != id_seed)
        throw ec::Error(ec::code::bad_request, "idSeed must be an integer in [0, 2^53)");
      options.id_seed = static_cast<uint64_t>(id_seed);
      core_ = std::make_unique<ec::api::Core>(path, options);
      return std::string();
    });
  }

  // "" when the database opened, else {"ok":false,"error":{…}}.
  std::string open_error() const { return open_error_; }

  // One JSON request -> one JSON response; never throws.
  std::string call(std::string request) {
    if (!core_) return closed();
    return guard([&] { return core_->call(request); });
  }

  // The same call without embind's string conversions (bindings/js/core.mjs uses it; docs/
  // BENCHMARKS.md "Session 4"): JS writes the request's UTF-8 with TextEncoder.encodeInto into
  // the view requestBuffer(capacity) returns, then callBuffer(length) runs it and returns a view
  // of the response's UTF-8, which JS decodes with TextDecoder before anything else enters the
  // module (a view is only valid until the next call or memory growth). Saves embind's per-byte
  // JS loops (the UTF-8 length and encoding of the request, the NUL scan of the response) and
  // two copies. Both views are Uint8Array over the module's memory. An empty requestBuffer view
  // (capacity refused or out of memory) means: use call().
  emscripten::val request_buffer(double capacity) {
    if (!(capacity >= 0) || capacity > kMaxRequestBytes) capacity = 0;
    try {
      request_.resize(static_cast<size_t>(capacity));
    } catch (...) {  // out of memory: an empty view, and JS falls back to call()
      request_ = std::string();
    }
    return emscripten::val(emscripten::typed_memory_view(
        request_.size(), reinterpret_cast<const unsigned char*>(request_.data())));
  }

  emscripten::val call_buffer(double length) {
    if (!(length >= 0) || length > static_cast<double>(request_.size())) {
      response_ = error_json("bad_request", "the request length exceeds its buffer");
    } else if (!core_) {
      response_ = closed();
    } else {
      const std::string_view text(request_.data(), static_cast<size_t>(length));
      response_ = guard([&] { return core_->call(text); });
    }
    if (request_.size() > kKeepBytes) request_ = std::string();  // a huge request: give it back
    return emscripten::val(emscripten::typed_memory_view(
        response_.size(), reinterpret_cast<const unsigned char*>(response_.data())));
  }

  // progress(done, total, phase) or null/undefined to clear. The JS loader wraps the user's
  // callback so it cannot throw through C++ frames (that would skip destructors/rollbacks).
  std::string set_progress(emscripten::val fn) {
    if (!core_) return closed();
    return guard([&] {
      if (fn.isNull() || fn.isUndefined()) {
        core_->set_progress({});
      } else {
        core_->set_progress([fn](int64_t done, int64_t total, const std::string& phase) {
          fn(static_cast<double>(done), static_cast<double>(total), phase);
        });
      }
      return std::string(R"({"ok":true})");
    });
  }

  // Idempotent, never throws. Returns {"ok":true} or the error JSON of a failed close.
  std::string close() {
    return guard([&] {
      if (core_) {
        std::unique_ptr<ec::api::Core> c = std::move(core_);
        c->close();
      }
      return std::string(R"({"ok":true})");
    });
  }

  bool is_open() const { return static_cast<bool>(core_); }

  // Writes a consistent copy of the open database to dst_path (sqlite3_backup from this
  // connection, so it works for ":memory:" too). {"ok":true} or error JSON.
  std::string export_to(std::string dst_path) {
    if (!core_ || !core_->store()) return closed();
    return ec::bindings::export_connection(core_->store()->db().handle(), dst_path);
  }

  // Replaces this database with a copy of the file at src_path (sqlite3_backup into this
  // connection: one transaction, so all-or-nothing). The caller validates the file first.
  std::string import_from(std::string src_path) {
    if (!core_ || !core_->store()) return closed();
    return ec::bindings::import_into_connection(core_->store()->db().handle(), src_path);
  }

  // Storage tuning chosen by the host (the browser worker): journal_mode and synchronous.
  std::string tune(std::string journal_mode, std::string synchronous) {
    if (!core_ || !core_->store()) return closed();
    return ec::bindings::tune_connection(core_->store()->db().handle(), journal_mode, synchronous);
  }

 private:
  static std::string closed() { return error_json("closed", "the database handle is closed"); }

  // The request buffer is kept between calls up to this size (a larger one is released).
  static constexpr size_t kKeepBytes = size_t{1} << 20;
  // requestBuffer's bound: UTF-8 of a JS string is at most 3 bytes per UTF-16 unit, and a JS
  // string has at most 2^29 units in V8; a larger request is refused, not truncated.
  static constexpr double kMaxRequestBytes = 3.0 * (1 << 29);

  std::unique_ptr<ec::api::Core> core_;
  std::string open_error_;
  std::string request_;   // requestBuffer / callBuffer
  std::string response_;  // the last callBuffer answer, alive until the next call
};

}  // namespace

// ============================================================================================
// Registration
// ============================================================================================

EMSCRIPTEN_BINDINGS(episodes_core_handle) {
  // False in the browser core, whose mock.seed runs in the mock module (bindings/CMakeLists.txt).
  emscripten::function("hasMockGenerator", &ec::api::mock_generator_linked);
  emscripten::class_<CoreHandle>("CoreHandle")
      .constructor<std::string, double>()
      .function("openError", &CoreHandle::open_error)
      .function("call", &CoreHandle::call)
      .function("requestBuffer", &CoreHandle::request_buffer)
      .function("callBuffer", &CoreHandle::call_buffer)
      .function("setProgress", &CoreHandle::set_progress)
      .function("close", &CoreHandle::close)
      .function("isOpen", &CoreHandle::is_open)
      .function("exportTo", &CoreHandle::export_to)
      .function("importFrom", &CoreHandle::import_from)
      .function("tune", &CoreHandle::tune);
}
