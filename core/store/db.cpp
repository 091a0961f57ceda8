#include "core/store/db.hpp"

#include <sqlite3.h>

namespace ec::store {

Stmt::~Stmt() {
  sqlite3_finalize(stmt_);
}

Stmt& Stmt::bind(int i, const SqlValue& v) {
  int rc = SQLITE_OK;
  if (std::holds_alternative<std::nullptr_t>(v)) {
    rc = sqlite3_bind_null(stmt_, i);
  } else if (auto* n = std::get_if<int64_t>(&v)) {
    rc = sqlite3_bind_int64(stmt_, i, *n);
  } else if (auto* d = std::get_if<double>(&v)) {
    rc = sqlite3_bind_double(stmt_, i, *d);
  } else {
    const auto& s = std::get<std::string>(v);
    rc = sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  if (rc != SQLITE_OK) db_.fail(rc, "bind");
  return *this;
}

Stmt& Stmt::bind_all(const std::vector<SqlValue>& values) {
  for (size_t i = 0; i < values.size(); ++i) bind(static_cast<int>(i + 1), values[i]);
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const char* sql = sqlite3_sql(stmt_);
  sqlite3_reset(stmt_);
  db_.fail(rc, sql ? sql : "");
}

int Stmt::run() {
  while (step()) {
  }
  return static_cast<int>(db_.changes());
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Stmt::columns() const {
  return sqlite3_column_count(stmt_);
}
std::string Stmt::column_name(int i) const {
  return sqlite3_column_name(stmt_, i);
}

SqlValue Stmt::value(int i) const {
  switch (sqlite3_column_type(stmt_, i)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt_, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt_, i);
    case SQLITE_NULL:
      return nullptr;
    default:
      return text(i);
  }
}

int64_t Stmt::int64(int i) const {
  return sqlite3_column_int64(stmt_, i);
}

std::string Stmt::text(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
}

bool Stmt::is_null(int i) const {
  return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
}

Db::Db(const std::string& path, bool create) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(code::io, "cannot open database '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Touch the file: a non-SQLite file fails here, with a clear error, before anything is written.
  char* err = nullptr;
  const int rc2 = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &err);
  if (rc2 != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    sqlite3_close(db_);
    db_ = nullptr;
    if ((rc2 & 0xff) == SQLITE_NOTADB || (rc2 & 0xff) == SQLITE_CORRUPT)
      throw Error(code::not_a_database,
                  "'" + path + "' is not an episodes-core SQLite database (" + msg + ")");
    throw Error(code::io, "cannot read database '" + path + "': " + msg);
  }
  exec("PRAGMA foreign_keys = ON");
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  if (db_) sqlite3_close(db_);
}

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "";
    sqlite3_free(err);
    fail(rc, msg);
  }
}

Stmt& Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) fail(rc, sql);
  auto [pos, _] = cache_.emplace(sql, std::make_unique<Stmt>(*this, raw));
  return *pos->second;
}

int64_t Db::query_int(const std::string& sql, const std::vector<SqlValue>& params) {
  Stmt& st = prepare(sql);
  st.bind_all(params);
  const int64_t v = st.step() ? st.int64(0) : 0;
  st.reset();
  return v;
}

void Db::transaction(const std::function<void()>& fn) {
  const std::string name = "sp" + std::to_string(depth_);
  exec(depth_ == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT " + name);
  ++depth_;
  try {
    fn();
  } catch (...) {
    --depth_;
    // Rollback never throws past here: the original error is what the caller needs.
    if (depth_ == 0) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(db_, ("ROLLBACK TO " + name + "; RELEASE " + name).c_str(), nullptr, nullptr,
                   nullptr);
    }
    throw;
  }
  --depth_;
  exec(depth_ == 0 ? "COMMIT" : "RELEASE " + name);
}

int64_t Db::changes() const {
  return sqlite3_changes64(db_);
}

void Db::fail(int rc, const std::string& context) {
  std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      throw Error(code::conflict, "already exists: " + msg);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      throw Error(code::conflict, "a referenced row does not exist or is still referenced");
    case SQLITE_CONSTRAINT_TRIGGER:
      // ON DELETE RESTRICT is reported as a trigger constraint; our own triggers RAISE text.
      if (msg.find("FOREIGN KEY") != std::string::npos)
        throw Error(code::conflict, "the row is still referenced by other rows");
      throw Error(code::forbidden, msg);
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
      throw Error(code::invalid, "the database refused a value: " + msg);
    default:
      break;
  }
  if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT)
    throw Error(code::not_a_database, "database is corrupt or not SQLite: " + msg);
  throw Error(code::internal, "SQLite error " + std::to_string(rc) + ": " + msg +
                                  (context.empty() ? "" : " (" + context.substr(0, 200) + ")"));
}

}  // namespace ec::store
