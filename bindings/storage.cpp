// Storage wiring for the JS client (export, import, inspection, memory statistics). Only SQLite
// plumbing: opening, checking and copying whole database files. No rules: what an imported
// file must contain is decided by ec::api::Core when the JS client opens the copy.
//
//   inspectDatabase(path)      ->
//   {"ok":true,"result":{applicationId,userVersion,pageSize,pageCount,quickCheck}}
//   copyDatabase(src, dst)     -> {"ok":true}  dst becomes a page-for-page copy of src, in one
//                                 transaction of dst (its rollback journal makes it atomic)
//   memoryStats()              -> {"ok":true,"result":{heapBytes,inUseBytes,freeBytes}}
#include "bindings/storage.hpp"

#include <malloc.h>
#include <sqlite3.h>

#include <string>

#include "bindings/boundary.hpp"
#include "core/json/codec.hpp"
#include "core/store/db.hpp"

namespace ec::bindings {
namespace {

// An owned connection that is always closed.
struct Conn {
  sqlite3* db = nullptr;
  ~Conn() {
    if (db) sqlite3_close_v2(db);
  }
};

// SQLite's code -> the core's one mapping (plain words, busy is retryable); `what` says which
// file operation failed. A failure that is not about the file (internal) is reported as io here.
[[noreturn]] void fail_sqlite(sqlite3* db, int rc, const std::string& what) {
  const ec::Error e = ec::store::sqlite_error(db, rc);
  const std::string& c = e.code();
  throw ec::Error(c == ec::code::internal ? std::string(ec::code::io) : c,
                  what + ": " + e.message());
}

void open_conn(Conn& c, const std::string& path, int flags, const std::string& what) {
  const int rc = sqlite3_open_v2(path.c_str(), &c.db, flags, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(c.db, rc, what);
  sqlite3_extended_result_codes(c.db, 1);
}

int64_t query_int(sqlite3* db, const char* sql, const std::string& what) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(db, rc, what);
  rc = sqlite3_step(st);
  int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail_sqlite(db, rc, what);
  return v;
}

std::string quick_check(sqlite3* db, const std::string& what) {
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(5)", -1, &st, nullptr);
  if (rc != SQLITE_OK) fail_sqlite(db, rc, what);
  std::string out;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    if (!out.empty()) out += "; ";
    out += t ? t : "";
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) fail_sqlite(db, rc, what);
  return out;
}

// Copies every page of `src` (schema "main") into `dst` in one step: one write transaction on
// dst, so a failure (or a crash) leaves dst as it was.
void backup(sqlite3* src, sqlite3* dst, const std::string& what) {
  sqlite3_backup* b = sqlite3_backup_init(dst, "main", src, "main");
  if (!b) fail_sqlite(dst, sqlite3_errcode(dst), what);
  const int rc = sqlite3_backup_step(b, -1);
  const int rc2 = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) fail_sqlite(dst, rc, what);
  if (rc2 != SQLITE_OK) fail_sqlite(dst, rc2, what);
}

}  // namespace

std::string export_connection(sqlite3* src, const std::string& dst_path) {
  return guard([&] {
    Conn dst;
    open_conn(dst, dst_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
              "export to '" + dst_path + "'");
    backup(src, dst.db, "export to '" + dst_path + "'");
    return std::string(R"({"ok":true})");
  });
}

std::string import_into_connection(sqlite3* dst, const std::string& src_path) {
  return guard([&] {
    Conn src;
    open_conn(src, src_path, SQLITE_OPEN_READONLY, "import from '" + src_path + "'");
    backup(src.db, dst, "import from '" + src_path + "'");
    return std::string(R"({"ok":true})");
  });
}

std::string tune_connection(sqlite3* db, const std::string& journal_mode,
                            const std::string& synchronous) {
  return guard([&] {
    static const char* const kJournal[] = {"DELETE", "TRUNCATE", "PERSIST", "MEMORY"};
    static const char* const kSync[] = {"OFF", "NORMAL", "FULL", "EXTRA"};
    auto allowed = [](const std::string& v, const auto& list) {
      for (const char* s : list)
        if (v == s) return true;
      return false;
    };
    if (!journal_mode.empty() && !allowed(journal_mode, kJournal))
      throw ec::Error(ec::code::bad_request,
                      "journalMode must be DELETE, TRUNCATE, PERSIST or MEMORY");
    if (!synchronous.empty() && !allowed(synchronous, kSync))
      throw ec::Error(ec::code::bad_request, "synchronous must be OFF, NORMAL, FULL or EXTRA");
    auto exec = [&](const std::string& sql) {
      char* err = nullptr;
      const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
      sqlite3_free(err);
      if (rc != SQLITE_OK) fail_sqlite(db, rc, "storage tuning");
    };
    if (!journal_mode.empty()) exec("PRAGMA journal_mode = " + journal_mode);
    if (!synchronous.empty()) exec("PRAGMA synchronous = " + synchronous);
    return std::string(R"({"ok":true})");
  });
}

std::string inspect_database(const std::string& path) {
  return guard([&] {
    const std::string what = "inspect '" + path + "'";
    Conn c;
    open_conn(c, path, SQLITE_OPEN_READONLY, what);
    const int64_t app = query_int(c.db, "PRAGMA application_id", what);
    const int64_t version = query_int(c.db, "PRAGMA user_version", what);
    const int64_t page_size = query_int(c.db, "PRAGMA page_size", what);
    const int64_t page_count = query_int(c.db, "PRAGMA page_count", what);
    const std::string check = quick_check(c.db, what);
    // Written directly (the text dump_text would write: keys in byte order), not through a json
    // value: the browser core is smaller without the json construction here (docs/BENCHMARKS.md,
    // "Session 7: browser core without Emscripten's FS").
    std::string out = R"({"ok":true,"result":{"applicationId":)";
    ec::codec::append_json_int(out, app);
    out += R"(,"pageCount":)";
    ec::codec::append_json_int(out, page_count);
    out += R"(,"pageSize":)";
    ec::codec::append_json_int(out, page_size);
    out += R"(,"quickCheck":)";
    ec::codec::append_json_string(out, check);
    out += R"(,"userVersion":)";
    ec::codec::append_json_int(out, version);
    out += "}}";
    return out;
  });
}

std::string copy_database(const std::string& src_path, const std::string& dst_path) {
  return guard([&] {
    const std::string what = "copy '" + src_path + "' to '" + dst_path + "'";
    Conn src;
    Conn dst;
    open_conn(src, src_path, SQLITE_OPEN_READONLY, what);
    open_conn(dst, dst_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, what);
    backup(src.db, dst.db, what);
    return std::string(R"({"ok":true})");
  });
}

std::string memory_stats() {
  return guard([] {
    const struct mallinfo mi = mallinfo();
    std::string out = R"({"ok":true,"result":{"freeBytes":)";  // as inspect_database
    ec::codec::append_json_int(out, static_cast<int64_t>(static_cast<size_t>(mi.fordblks)));
    out += R"(,"heapBytes":)";
    ec::codec::append_json_int(out, static_cast<int64_t>(static_cast<size_t>(mi.arena)));
    out += R"(,"inUseBytes":)";
    ec::codec::append_json_int(out, static_cast<int64_t>(static_cast<size_t>(mi.uordblks)));
    out += "}}";
    return out;
  });
}

}  // namespace ec::bindings
