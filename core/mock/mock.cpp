// The mock data driver: plan in memory, then write every table in one transaction, parents
// before children, through the schema-derived writer.
#include "core/mock/mock.hpp"

#include <cstdio>
#include <memory>

#include "core/mock/model.hpp"
#include "core/schema/schema.hpp"

namespace ec::mock {

Instant now_of(CivilDate reference_date) {
  return days_from_civil(reference_date) * kDay + kNowMsOfDay;
}

json Report::to_json() const {
  json rows_json = json::object();
  for (const auto& [k, v] : rows) rows_json[k] = v;
  return json{{"rows", rows_json},
              {"validated", validated},
              {"now", format_instant(now)},
              {"overBudgetOrganizationId", over_budget_org}};
}

namespace {

// Drops the secondary indexes of every table but token_usage_daily (its unique index serves the
// roll-up) and the triggers on token_usage; returns their SQL to re-create.
std::vector<std::string> begin_bulk(store::Db& db) {
  std::vector<std::string> saved, drops;
  auto& st = db.prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND "
      "((type = 'index' AND tbl_name != 'token_usage_daily') OR (type = 'trigger' AND tbl_name = "
      "'token_usage')) "
      "ORDER BY rowid");
  while (st.step()) {
    saved.push_back(st.text(2));
    drops.push_back("DROP " + std::string(st.text(0) == "index" ? "INDEX " : "TRIGGER ") +
                    st.text(1));
  }
  st.reset();
  for (const auto& d : drops) db.exec(d);
  return saved;
}

// Re-creates the dropped indexes and triggers (TokenUsageDaily was written by generate_usage).
void end_bulk(store::Db& db, const std::vector<std::string>& saved, Writer& w) {
  w.phase("indexes");
  for (const auto& sql : saved) db.exec(sql);
}

}  // namespace

int64_t estimate_rows(const Plan& p) {
  const int64_t e = static_cast<int64_t>(p.episodes.size());
  return static_cast<int64_t>(p.orgs.size() + p.users.size() + p.projects.size() + p.queue.size()) +
         2 * e + p.counts.token_usage + p.counts.chat_sessions * 6 + e / 2 +
         static_cast<int64_t>(p.projects.size()) * 6;
}

Report seed(store::Store& s, const Options& o) {
  if (o.reference_date < kMinReferenceDate || o.reference_date > kMaxReferenceDate)
    throw Error::at(code::invalid,
                    "referenceDate must be between " + format_date(kMinReferenceDate) + " and " +
                        format_date(kMaxReferenceDate) +
                        " (the dataset's past and future stay inside "
                        "years 0001-9999)",
                    "referenceDate");
  Plan p;
  p.seed = o.seed;
  p.size = o.size;
  p.counts = o.counts.value_or(counts_for(o.size));
  p.demo = o.size == Size::Demo && (!o.counts || *o.counts == counts_for(Size::Demo));
  p.reference_date = o.reference_date;
  p.now = now_of(o.reference_date);
  p.salt = o.stream_salt;

  for (const auto& e : schema::entities()) {
    if (s.db().query_int("SELECT EXISTS (SELECT 1 FROM " + e.table + ")", {}))
      throw Error(code::conflict,
                  "the database already holds data (table " + e.table +
                      "): mock data is only written into an empty database; use a new file");
  }
  const int64_t every = o.validate_every > 0 ? o.validate_every : (o.size == Size::Large ? 64 : 1);
  Writer w(s, every, o.progress);
  w.phase("plan");
  plan_tenants(p);
  plan_schedule(p);
  w.set_total(estimate_rows(p));
  const bool bulk = o.bulk.value_or(o.size == Size::Large);
  p.bulk = bulk;
  // Outside a transaction only (inside one SQLite ignores it); restored below.
  if (bulk && !s.db().in_transaction()) s.db().exec("PRAGMA foreign_keys = OFF");
  struct Restore {
    store::Db& db;
    bool on;
    ~Restore() {
      if (on && !db.in_transaction()) {
        try {
          db.exec("PRAGMA foreign_keys = ON");
        } catch (...) {  // a destructor never throws; the connection stays usable either way
        }
      }
    }
  } restore{s.db(), bulk};
  s.db().transaction([&] {
    std::vector<std::string> deferred;
    if (bulk) deferred = begin_bulk(s.db());
    write_tenants(p, w);
    write_schedule(p, w);
    generate_chat(p, w);
    generate_usage(p, w);
    generate_notes(p, w);
    generate_content(p, w);
    generate_activity(p, w);
    if (bulk) end_bulk(s.db(), deferred, w);
  });
  Report r;
  // Rows as written (a count(*) of a million-row table costs seconds in wasm); the roll-up rows
  // are made by the database, so those are counted.
  for (const auto& e : schema::entities()) {
    auto it = w.per_table.find(e.name);
    r.rows[e.name] = it != w.per_table.end() ? it->second : 0;
  }
  r.rows["TokenUsageDaily"] = s.db().query_int("SELECT count(*) FROM token_usage_daily", {});
  r.validated = w.validated;
  r.now = p.now;
  r.over_budget_org = p.orgs[p.budget_org].id;

  if (o.progress) o.progress(w.written, w.written, "done");
  return r;
}

namespace {

struct Fnv {
  uint64_t h = 0xcbf29ce484222325ULL;
  void bytes(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(p[i]);
      h *= 0x100000001b3ULL;
    }
  }
  void str(const std::string& s) {
    const std::string len = std::to_string(s.size()) + ":";
    bytes(len.data(), len.size());
    bytes(s.data(), s.size());
  }
  std::string hex() const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 0; i < 16; ++i) out[static_cast<size_t>(i)] = kHex[(h >> (60 - 4 * i)) & 0xf];
    return out;
  }
};

void dump_table(store::Db& db, const schema::Entity& e, Fnv& f) {
  f.str(e.table);
  std::string cols;
  for (const auto& fl : e.fields) cols += (cols.empty() ? "" : ", ") + fl.column;
  auto& st = db.prepare("SELECT " + cols + " FROM " + e.table + " ORDER BY id");
  while (st.step()) {
    for (int i = 0; i < st.columns(); ++i) {
      const auto v = st.value(i);
      if (std::holds_alternative<std::nullptr_t>(v))
        f.str("n");
      else if (auto* n = std::get_if<int64_t>(&v))
        f.str("i" + std::to_string(*n));
      else if (auto* s = std::get_if<std::string>(&v))
        f.str("t" + *s);
      else
        f.str("r" + std::to_string(std::get<double>(v)));
    }
  }
  st.reset();
}

}  // namespace

std::string table_digest(store::Db& db, const std::string& table) {
  const schema::Entity* e = schema::find_table(table);
  if (!e) throw Error(code::bad_request, "unknown table " + table);
  Fnv f;
  dump_table(db, *e, f);
  return f.hex();
}

std::string dataset_digest(store::Db& db) {
  Fnv f;
  for (const auto& e : schema::entities()) dump_table(db, e, f);
  return f.hex();
}

std::string file_digest(const std::string& path) {
  // C stdio, not <fstream>: no iostream template in the runtime (the Node build instantiates
  // libc++'s templates in its own code, cmake/speed.cmake EC_SPEED_LIBCPP_INLINE).
  struct Close {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  const std::unique_ptr<std::FILE, Close> in(std::fopen(path.c_str(), "rb"));
  if (!in) throw Error(code::io, "cannot read " + path);
  Fnv f;
  std::vector<char> buf(1 << 16);
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0) f.bytes(buf.data(), n);
  if (std::ferror(in.get())) throw Error(code::io, "cannot read " + path);
  return f.hex();
}

}  // namespace ec::mock
