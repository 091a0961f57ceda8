#pragma once
// A thin RAII layer over SQLite: one connection, prepared statements (cached by SQL text),
// nested transactions via savepoints, and SQLite errors mapped to ec::Error.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/errors.hpp"
#include "core/json/codec.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace ec::store {

using codec::SqlValue;

/// How long a statement waits for another connection's lock before answering code `busy`
/// (declared once; api::Options::busy_timeout_ms overrides it per handle).
inline constexpr int kBusyTimeoutMs = 5000;

/// The ec::Error a SQLite result code means, in plain words: never SQL text nor SQLite's own
/// message for anything but our triggers' RAISE text. Busy/locked -> busy (retryable);
/// unique -> conflict naming the field (path [field], params {field}, derived from the schema's
/// unique Index declarations); foreign key -> conflict; check/not null -> invalid; damaged ->
/// not_a_database; disk problems -> io; the rest -> internal.
Error sqlite_error(sqlite3* db, int rc);

class Db;

/// A prepared statement. Obtained from Db::prepare (cached) and reset automatically.
class Stmt {
 public:
  Stmt(Db& db, sqlite3_stmt* stmt, std::vector<std::string> reads = {})
      : db_(db), stmt_(stmt), reads_(std::move(reads)) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& bind(int index, const SqlValue& v);  // 1-based
  Stmt& bind_all(const std::vector<SqlValue>& values);
  /// Steps once: true if a row is available.
  bool step();
  /// Runs to completion (for writes); returns sqlite3_changes().
  int run();
  void reset();

  int columns() const;
  std::string column_name(int i) const;
  SqlValue value(int i) const;
  int64_t int64(int i) const;
  std::string text(int i) const;
  /// The text of column i without copying: valid until the next step/reset.
  std::string_view text_view(int i) const;
  double real(int i) const;
  /// The SQLite storage class of column i: one of the k* values below.
  int type(int i) const;
  static constexpr int kInteger = 1, kFloat = 2, kText = 3, kBlob = 4, kNull = 5;
  bool is_null(int i) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_;
  std::vector<std::string> reads_;  // tables this statement reads (found when it was prepared)
  uint64_t noted_ = 0;              // the tracking round its reads were last noted in
  bool fresh_ = true;               // no step since the last reset (Db::set_trace)
  std::vector<SqlValue> traced_;    // bound values, kept only while a trace is set
};

/// Benchmark hook (bench/peers): every statement is reported once per execution with its bound
/// values, so the same SQL can be replayed raw and by other engines. Unset in the product.
using Trace = std::function<void(std::string_view sql, const std::vector<SqlValue>& binds)>;

/// One SQLite connection. Not thread-safe (neither is the wasm module); one per store.
class Db {
 public:
  /// Opens (creating if needed) a database file, or ":memory:". Throws Error{io|not_a_database}.
  /// Statements wait up to kBusyTimeoutMs for another connection's lock.
  explicit Db(const std::string& path, bool create = true);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  /// Runs one or more statements without parameters (DDL, pragmas).
  void exec(std::string_view sql);
  /// A cached prepared statement for this SQL text, reset and with bindings cleared.
  Stmt& prepare(const std::string& sql);
  /// Convenience: first column of the first row as an integer (0 if no row).
  int64_t query_int(const std::string& sql, const std::vector<SqlValue>& params);

  /// Runs fn inside a transaction (a savepoint when nested): commits when fn returns,
  /// rolls back when it throws, then rethrows. A COMMIT that fails (e.g. busy: a reader
  /// still holds the file) rolls back too, so the connection never stays inside a failed
  /// transaction nor keeps its lock.
  void transaction(const std::function<void()>& fn);
  bool in_transaction() const { return depth_ > 0; }

  /// How long to wait for a lock held by another connection before failing with `busy`.
  void set_busy_timeout(int ms);
  /// Resets every statement still stepping (a read left half-done holds a shared lock on the
  /// file in autocommit mode). Called between requests.
  void release_reads();

  int64_t changes() const;

  /// Starts noting which tables the statements read (found by an authorizer when a statement is
  /// prepared) and which tables rows were inserted into, updated in or deleted from
  /// (sqlite3_update_hook), until take_tracked(). Used to tell clients what a request changed.
  void track();
  struct Tracked {
    std::set<std::string, std::less<>> reads;
    std::set<std::string, std::less<>> changed;
  };
  /// What was noted since track() (sorted names; internal tables left out); stops noting.
  Tracked take_tracked();
  /// Reports every statement run from now on (empty: stop). See Trace.
  void set_trace(Trace trace) { trace_ = std::move(trace); }
  const Trace& trace() const { return trace_; }
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

  /// Throws the ec::Error matching a SQLite result code (constraint -> conflict, ...).
  [[noreturn]] void fail(int rc, const std::string& context = "");

 private:
  friend class Stmt;
  sqlite3* db_ = nullptr;
  std::string path_;
  int depth_ = 0;
  bool tracking_ = false;
  uint64_t round_ = 0;
  Tracked tracked_;
  Trace trace_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

}  // namespace ec::store
