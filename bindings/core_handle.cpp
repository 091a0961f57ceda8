// The long-lived database handle: ec::api::Core whose construction failure is data, not an
// exception, behind plain C exports (an opaque pointer for JS). Built only once core/api/core.cpp
// exists (see bindings/CMakeLists.txt). Wiring only: every rule lives in ec::api::Core.
//
// Lifetime (JS, through bindings/js/boundary.js): `new Module.CoreHandle(path, idSeed)` never
// throws; check `openError()` ("" or error JSON). Every handle MUST be released with `delete()`
// (ec_delete); `close()` is idempotent and never throws, and a closed handle answers every
// `call()` with {"ok":false,"error":{"code":"closed"}}. bindings/js/core.mjs wraps all of this so
// JS users only see `await openCore(path)` -> Core with `call()` and `close()` (which deletes).
#include <emscripten/emscripten.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "bindings/boundary.hpp"
#include "bindings/storage.hpp"
#include "bindings/wire.hpp"
#include "core/api/api.hpp"
#include "core/json/ascii.hpp"
#include "core/store/store.hpp"

// The progress callback's way out: a JS-library import (bindings/js/library_boundary.js) that
// calls the function JS registered for this handle (setProgress). It never throws into C++.
extern "C" void ec_progress(const void* handle, double done, double total, const char* phase,
                            size_t phase_length);

namespace ec::bindings {

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
  std::string call(std::string_view request) {
    if (!core_) return closed();
    return guard([&] { return core_->call(request); });
  }

  // progress(done, total, phase) through the JS import ec_progress when `on`, else none.
  std::string set_progress(bool on) {
    if (!core_) return closed();
    return guard([&] {
      if (!on) {
        core_->set_progress({});
      } else {
        core_->set_progress([this](int64_t done, int64_t total, const std::string& phase) {
          ec_progress(this, static_cast<double>(done), static_cast<double>(total), phase.data(),
                      phase.size());
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
  std::string export_to(const std::string& dst_path) {
    if (!core_ || !core_->store()) return closed();
    return ec::bindings::export_connection(core_->store()->db().handle(), dst_path);
  }

  // Replaces this database with a copy of the file at src_path (sqlite3_backup into this
  // connection: one transaction, so all-or-nothing). The caller validates the file first.
  std::string import_from(const std::string& src_path) {
    if (!core_ || !core_->store()) return closed();
    return ec::bindings::import_into_connection(core_->store()->db().handle(), src_path);
  }

  // Storage tuning chosen by the host (the browser worker): journal_mode and synchronous.
  std::string tune(const std::string& journal_mode, const std::string& synchronous) {
    if (!core_ || !core_->store()) return closed();
    return ec::bindings::tune_connection(core_->store()->db().handle(), journal_mode, synchronous);
  }

 private:
  static std::string closed() { return error_json("closed", "the database handle is closed"); }

  std::unique_ptr<ec::api::Core> core_;
  std::string open_error_;

 public:
  std::string answer_;  // this handle's last answer, alive until its next call (wire.hpp)
};

}  // namespace ec::bindings

// ============================================================================================
// Exports
// ============================================================================================

using ec::bindings::answer;
using ec::bindings::Args;
using ec::bindings::CoreHandle;
using ec::bindings::guard;

extern "C" {

// A new handle (never null but when out of memory); its openError() says whether it opened.
EMSCRIPTEN_KEEPALIVE CoreHandle* ec_open(const char* path, size_t path_length, double id_seed) {
  const Args args;
  try {
    return new CoreHandle(args.str(path, path_length), id_seed);
  } catch (...) {  // out of memory, or the path outside the input buffer
    return nullptr;
  }
}

EMSCRIPTEN_KEEPALIVE void ec_delete(CoreHandle* h) {
  delete h;
}

EMSCRIPTEN_KEEPALIVE const char* ec_open_error(CoreHandle* h) {
  return answer(h->answer_, h->open_error());
}

// One JSON request -> one JSON response, in ASCII where that helps (bindings/wire.hpp); never
// throws.
EMSCRIPTEN_KEEPALIVE const char* ec_call(CoreHandle* h, const char* request, size_t length) {
  const Args args;
  std::string text = guard([&] { return h->call(args.text(request, length)); });
  // Never throws; leaves the answer as UTF-8 when dense in non-ASCII, over 64 MiB, or when memory
  // runs out (core/json/ascii.hpp): JS decodes it either way, to the same value.
  ec::codec::to_ascii_json(text);
  return answer(h->answer_, std::move(text));
}

EMSCRIPTEN_KEEPALIVE const char* ec_set_progress(CoreHandle* h, int on) {
  return answer(h->answer_, h->set_progress(on != 0));
}

EMSCRIPTEN_KEEPALIVE const char* ec_close(CoreHandle* h) {
  return answer(h->answer_, h->close());
}

EMSCRIPTEN_KEEPALIVE int ec_is_open(CoreHandle* h) {
  return h->is_open() ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE const char* ec_export_to(CoreHandle* h, const char* path, size_t length) {
  const Args args;
  return answer(h->answer_, guard([&] { return h->export_to(args.str(path, length)); }));
}

EMSCRIPTEN_KEEPALIVE const char* ec_import_from(CoreHandle* h, const char* path, size_t length) {
  const Args args;
  return answer(h->answer_, guard([&] { return h->import_from(args.str(path, length)); }));
}

EMSCRIPTEN_KEEPALIVE const char* ec_tune(CoreHandle* h, const char* journal_mode,
                                         size_t journal_mode_length, const char* synchronous,
                                         size_t synchronous_length) {
  const Args args;
  return answer(h->answer_, guard([&] {
                  return h->tune(args.str(journal_mode, journal_mode_length),
                                 args.str(synchronous, synchronous_length));
                }));
}

}  // extern "C"
