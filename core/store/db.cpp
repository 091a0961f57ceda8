#include "core/store/db.hpp"

#include <sqlite3.h>

#include <cctype>

#include "core/schema/schema.hpp"
#include "core/thread_local.hpp"

namespace ec::store {

namespace {
// Where the authorizer notes the tables a statement being compiled reads (Db::prepare sets it
// around sqlite3_prepare_v3; one connection is used by one thread).
EC_THREAD_LOCAL std::set<std::string>* reads_sink = nullptr;
}  // namespace

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
  if (db_.trace()) {
    if (traced_.size() < static_cast<size_t>(i)) traced_.resize(static_cast<size_t>(i));
    traced_[static_cast<size_t>(i - 1)] = v;
  }
  return *this;
}

Stmt& Stmt::bind_all(const std::vector<SqlValue>& values) {
  for (size_t i = 0; i < values.size(); ++i) bind(static_cast<int>(i + 1), values[i]);
  return *this;
}

bool Stmt::step() {
  if (db_.tracking_ && noted_ != db_.round_) {
    noted_ = db_.round_;
    db_.tracked_.reads.insert(reads_.begin(), reads_.end());
  }
  if (fresh_) {
    fresh_ = false;
    if (db_.trace()) db_.trace()(sqlite3_sql(stmt_), traced_);
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  db_.fail(rc);
}

int Stmt::run() {
  while (step()) {
  }
  return static_cast<int>(db_.changes());
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  fresh_ = true;
  traced_.clear();
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

std::string_view Stmt::text_view(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, i)))
           : std::string_view();
}

double Stmt::real(int i) const {
  return sqlite3_column_double(stmt_, i);
}

int Stmt::type(int i) const {
  return sqlite3_column_type(stmt_, i);
}

bool Stmt::is_null(int i) const {
  return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
}

static_assert(Stmt::kInteger == SQLITE_INTEGER && Stmt::kFloat == SQLITE_FLOAT &&
              Stmt::kText == SQLITE_TEXT && Stmt::kBlob == SQLITE_BLOB &&
              Stmt::kNull == SQLITE_NULL);

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
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // Plans never depend on bound values (SQLite's query planner stability guarantee). Without it a
  // statement whose plan read a bound value (every list's `LIMIT ?`) is marked expired by the
  // next bind or sqlite3_clear_bindings and re-prepared at its next step: once per list read.
  // Same plans for our statements, same rows (docs/BENCHMARKS.md, "Session 8").
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_QPSG, 1, nullptr);
  sqlite3_update_hook(
      db_,
      [](void* self, int, const char*, const char* table, sqlite3_int64) {
        auto* db = static_cast<Db*>(self);
        if (db->tracking_ && !db->tracked_.changed.contains(std::string_view(table)))
          db->tracked_.changed.emplace(table);
      },
      this);
  // Installed once (setting an authorizer expires every prepared statement); it only notes.
  sqlite3_set_authorizer(
      db_,
      [](void*, int action, const char* table, const char*, const char*, const char*) {
        if (reads_sink && action == SQLITE_READ && table) reads_sink->emplace(table);
        return SQLITE_OK;
      },
      nullptr);
  // Touch the file: a non-SQLite file fails here, with a clear error, before anything is written.
  char* err = nullptr;
  const int rc2 = sqlite3_exec(db_, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, &err);
  if (rc2 != SQLITE_OK) {
    sqlite3_free(err);
    Error e = sqlite_error(db_, rc2);
    sqlite3_close(db_);
    db_ = nullptr;
    if (e.code() == code::not_a_database)
      throw Error(code::not_a_database, "'" + path + "' is not an episodes-core SQLite database");
    if (e.code() == code::busy) throw e;
    throw Error(code::io, "cannot read database '" + path + "': " + e.message());
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
  if (trace_) trace_(s, {});
  const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    sqlite3_free(err);
    fail(rc);
  }
}

Stmt& Db::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  sqlite3_stmt* raw = nullptr;
  // The tables a statement reads are known when it is compiled: the authorizer installed by
  // the constructor notes them while reads_sink points somewhere.
  std::set<std::string> reads;
  reads_sink = &reads;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  reads_sink = nullptr;
  if (rc != SQLITE_OK) fail(rc);
  auto [pos, _] = cache_.emplace(
      sql,
      std::make_unique<Stmt>(*this, raw, std::vector<std::string>(reads.begin(), reads.end())));
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
  // Rollback never throws past here: the original error is what the caller needs.
  const auto undo = [&] {
    if (depth_ == 0) {
      if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(db_, ("ROLLBACK TO " + name + "; RELEASE " + name).c_str(), nullptr, nullptr,
                   nullptr);
    }
  };
  try {
    fn();
  } catch (...) {
    --depth_;
    undo();
    throw;
  }
  --depth_;
  const std::string end = depth_ == 0 ? "COMMIT" : "RELEASE " + name;
  if (trace_) trace_(end, {});
  const int rc = sqlite3_exec(db_, end.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    // A failed COMMIT (busy: another connection still reads the file; disk full) leaves the
    // transaction open and the file locked: roll it back, then report the failure.
    Error e = sqlite_error(db_, rc);
    undo();
    throw e;
  }
}

void Db::set_busy_timeout(int ms) {
  sqlite3_busy_timeout(db_, ms < 0 ? 0 : ms);
}

void Db::release_reads() {
  for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st; st = sqlite3_next_stmt(db_, st))
    if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
}

void Db::track() {
  tracking_ = true;
  ++round_;
  tracked_ = {};
}

Db::Tracked Db::take_tracked() {
  tracking_ = false;
  Tracked out = std::move(tracked_);
  tracked_ = {};
  // SQLite's own tables and the core's bookkeeping (names starting "sqlite_" or "ec_") are
  // not data a client shows.
  for (auto* set : {&out.reads, &out.changed})
    std::erase_if(*set, [](const std::string& t) {
      return t.rfind("sqlite_", 0) == 0 || t.rfind("ec_", 0) == 0;
    });
  return out;
}

int64_t Db::changes() const {
  return sqlite3_changes64(db_);
}

void Db::fail(int rc, const std::string&) {
  throw sqlite_error(db_, rc);
}

namespace {

const schema::Field* field_of_column(const schema::Entity& e, std::string_view column) {
  return e.column(column);
}

const schema::Entity* entity_of_table(std::string_view table) {
  for (const auto& e : schema::entities())
    if (e.table == table) return &e;
  return nullptr;
}

// "UNIQUE constraint failed: users.organization_id, users.email" -> (users, [organization_id,
// email]). SQLite's wording of this message is stable; only the names are used.
bool parse_columns(const std::string& msg, std::string& table, std::vector<std::string>& cols) {
  const auto colon = msg.find(": ");
  if (colon == std::string::npos) return false;
  std::string rest = msg.substr(colon + 2);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find(", ", pos);
    if (end == std::string::npos) end = rest.size();
    const std::string item = rest.substr(pos, end - pos);
    const auto dot = item.find('.');
    if (dot == std::string::npos) return false;
    if (table.empty()) table = item.substr(0, dot);
    cols.push_back(item.substr(dot + 1));
    pos = end + 2;
  }
  return !table.empty() && !cols.empty();
}

// The unique index of the schema with exactly these columns (the tenant key (organization_id,
// id) and the primary key count as indexes on "id").
const schema::Index* unique_index(const schema::Entity& e, const std::vector<std::string>& cols) {
  for (const auto& ix : e.indexes)
    if (ix.unique && ix.columns == cols) return &ix;
  return nullptr;
}

// The first identifier of a CHECK expression that is a column of some entity.
const schema::Field* field_in_check(const std::string& msg) {
  const auto colon = msg.find(": ");
  if (colon == std::string::npos) return nullptr;
  size_t i = colon + 2;
  while (i < msg.size()) {
    if (std::isalpha(static_cast<unsigned char>(msg[i])) || msg[i] == '_') {
      size_t j = i;
      while (j < msg.size() && (std::isalnum(static_cast<unsigned char>(msg[j])) || msg[j] == '_'))
        ++j;
      const std::string word = msg.substr(i, j - i);
      for (const auto& e : schema::entities())
        if (const auto* f = e.column(word)) return f;
      i = j;
    } else if (msg[i] == '\'' || msg[i] == '"') {
      const char q = msg[i];  // skip literals
      i = msg.find(q, i + 1);
      if (i == std::string::npos) break;
      ++i;
    } else {
      ++i;
    }
  }
  return nullptr;
}

Error unique_conflict(const std::string& msg) {
  std::string table;
  std::vector<std::string> cols;
  const schema::Entity* e = parse_columns(msg, table, cols) ? entity_of_table(table) : nullptr;
  if (e) {
    const schema::Index* ix = unique_index(*e, cols);
    // The distinguishing column is the last one (the others scope it: organization, project).
    const schema::Field* f = field_of_column(*e, ix ? ix->columns.back() : cols.back());
    if (f)
      return Error(code::conflict,
                   "another " + e->name + " already has this " + f->name +
                       (ix && ix->columns.size() > 1 ? " here" : ""),
                   json::array({f->name}), {}, json{{"field", f->name}});
  }
  return Error(code::conflict, "a row with the same unique values already exists");
}

}  // namespace

Error sqlite_error(sqlite3* db, int rc) {
  const std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return unique_conflict(msg);
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Error(code::conflict, "a referenced row does not exist or is still referenced");
    case SQLITE_CONSTRAINT_TRIGGER:
      // ON DELETE RESTRICT is reported as a trigger constraint; our own triggers RAISE plain
      // words ("audit_logs is append-only"), which are shown as they are.
      if (msg.find("FOREIGN KEY") != std::string::npos)
        return Error(code::conflict, "the row is still referenced by other rows");
      return Error(code::forbidden, msg);
    case SQLITE_CONSTRAINT_NOTNULL: {
      std::string table;
      std::vector<std::string> cols;
      const schema::Entity* e = parse_columns(msg, table, cols) ? entity_of_table(table) : nullptr;
      const schema::Field* f = e ? field_of_column(*e, cols.back()) : nullptr;
      if (f)
        return Error(code::invalid, f->name + " is required", json::array({f->name}), {},
                     json{{"field", f->name}});
      return Error(code::invalid, "a required value is missing");
    }
    case SQLITE_CONSTRAINT_CHECK: {
      if (const schema::Field* f = field_in_check(msg))
        return Error(code::invalid, "the database refused the value of " + f->name,
                     json::array({f->name}), {}, json{{"field", f->name}});
      return Error(code::invalid, "the database refused a value");
    }
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error(code::busy,
                   "the database is busy: another connection holds a lock on it; try again");
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return Error(code::not_a_database, "the database file is damaged or is not SQLite");
    case SQLITE_FULL:
      return Error(code::io, "the disk or the storage quota is full");
    case SQLITE_IOERR:
      return Error(code::io, "reading or writing the database file failed");
    case SQLITE_READONLY:
      return Error(code::io, "the database file is read-only");
    case SQLITE_CANTOPEN:
      return Error(code::io, "the database file cannot be opened");
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Error(code::io, "access to the database file was denied");
    case SQLITE_NOMEM:
      return Error(code::internal, "out of memory");
    case SQLITE_TOOBIG:
      return Error(code::bad_request, "a value is too large for the database");
    case SQLITE_CONSTRAINT:
      return Error(code::conflict, "the change breaks a rule of the database");
    default:
      return Error(code::internal, std::string("database error: ") + sqlite3_errstr(rc) + " (" +
                                       std::to_string(rc) + ")");
  }
}

}  // namespace ec::store
