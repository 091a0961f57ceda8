// The native half of the peers benchmark (issue 13; driven by `node bench/peers/run.mjs`, which
// also runs the wasm core and the other SQLite engines in the same process and prints medians).
//   peers_bench prepare <dir> <scale>  seeds the product-shaped dataset through the API with a
//                                      statement trace on, writes the API requests of every phase
//                                      (<phase>.req.jsonl) and the SQL they ran (<phase>.sql.jsonl)
//   peers_bench raw <dir>              replays the traced SQL through our own store::Db
//   peers_bench api <dir>              replays the requests through api::Core::call (text in/out)
//   peers_bench verify <dir>           checks call() against call_json() on every read
// Both replay modes print one JSON line {"load":ms,"reads":ms,"writes":ms,"queue":ms,
// "cpu":{…}} (the phase clock, then process CPU time per phase).
// Trace file format (also read by bench/peers/run.mjs): line 1 is the JSON array of distinct SQL
// texts, every further line one execution: [sqlIndex, boundValue1, boundValue2, ...].
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define PEERS_BENCH_CALLGRIND 1
#endif

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include "bench/bench_support.hpp"
#include "core/api/api.hpp"
#include "core/json/codec.hpp"
#include "core/schema/history.hpp"
#include "core/store/db.hpp"
#include "core/store/store.hpp"

using ec::json;
using ec::store::SqlValue;

namespace {

constexpr uint64_t kIdSeed = 42;
const char* const kPhases[] = {"load", "reads", "writes", "queue"};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "peers_bench: %s\n", what.c_str());
  std::exit(1);
}

json value_json(const SqlValue& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
  if (auto* n = std::get_if<int64_t>(&v)) return *n;
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::get<std::string>(v);
}

SqlValue sql_value(const json& j) {
  if (j.is_null()) return nullptr;
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number_float()) return j.get<double>();
  if (j.is_boolean()) return int64_t{j.get<bool>() ? 1 : 0};
  return j.get<std::string>();
}

// One phase's trace being recorded.
struct Recorder {
  std::vector<std::string> texts;
  std::unordered_map<std::string, size_t> index;
  std::string lines;
  void add(std::string_view sql, const std::vector<SqlValue>& binds) {
    const std::string s(sql);
    auto it = index.find(s);
    if (it == index.end()) {
      it = index.emplace(s, texts.size()).first;
      texts.push_back(s);
    }
    json line = json::array({it->second});
    for (const auto& b : binds) line.push_back(value_json(b));
    lines += line.dump();
    lines += '\n';
  }
  void write(const std::string& path) const {
    std::ofstream out(path, std::ios::binary);
    out << json(texts).dump() << '\n' << lines;
    if (!out) die("cannot write " + path);
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path + " (run `peers_bench prepare` first)");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

json must(ec::api::Core& core, const json& req, std::string* log) {
  const std::string text = req.dump();
  json r = json::parse(core.call(text));
  if (!r["ok"].get<bool>()) die("request failed: " + text + "\n" + r.dump());
  if (log) *log += text + '\n';
  return r["result"];
}

int64_t scaled(double scale, int64_t full, int64_t min) {
  return std::max<int64_t>(min,
                           static_cast<int64_t>(std::llround(static_cast<double>(full) * scale)));
}

int prepare(const std::string& dir, double scale) {
  ec::api::Core core(":memory:", {.id_seed = kIdSeed});
  ec::store::Db& db = core.store()->db();
  // The schema as the store created it, for the engines that replay the SQL.
  {
    Recorder schema;
    schema.add("PRAGMA foreign_keys = ON", {});
    auto& st = db.prepare(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid");
    std::vector<std::string> ddl;
    while (st.step()) ddl.push_back(st.text(0));
    st.reset();
    for (const auto& d : ddl) schema.add(d, {});
    schema.write(dir + "/schema.sql.jsonl");
  }
  std::map<std::string, Recorder> traces;
  std::map<std::string, std::string> requests;
  std::string phase;
  db.set_trace([&](std::string_view sql, const std::vector<SqlValue>& binds) {
    traces[phase].add(sql, binds);
  });
  const json counts = {{"organizations", scaled(scale, 100, 1)},
                       {"users", scaled(scale, 500, 5)},
                       {"projects", scaled(scale, 2000, 20)},
                       {"episodes", scaled(scale, 100'000, 1000)},
                       {"tokenUsage", scaled(scale, 500'000, 5000)},
                       {"chatSessions", scaled(scale, 1000, 10)},
                       {"weeksAhead", 2}};
  phase = "load";
  must(core,
       {{"op", "mock.seed"},
        {"as", {{"system", true}}},
        {"params", {{"seed", 7}, {"size", "small"}, {"counts", counts}}}},
       &requests[phase]);
  // Who acts: each organization's owner; what they read and write.
  struct Org {
    std::string id, owner;
    std::vector<std::string> projects, episodes;
  };
  std::vector<Org> orgs;
  {
    const auto trace = db.trace();
    db.set_trace({});
    auto& st = db.prepare(
        "SELECT o.id, (SELECT u.id FROM users u WHERE u.organization_id = o.id AND u.role = "
        "'owner' AND u.deleted_at IS NULL ORDER BY u.id LIMIT 1) FROM organizations o ORDER BY "
        "o.id");
    while (st.step())
      if (!st.is_null(1)) orgs.push_back({st.text(0), st.text(1), {}, {}});
    st.reset();
    for (auto& o : orgs) {
      auto& p = db.prepare(
          "SELECT id FROM projects WHERE organization_id = ? AND deleted_at IS NULL ORDER BY id");
      p.bind(1, o.id);
      while (p.step()) o.projects.push_back(p.text(0));
      p.reset();
      auto& e = db.prepare(
          "SELECT e.id FROM episodes e JOIN projects p ON p.organization_id = e.organization_id "
          "AND p.id = e.project_id WHERE e.organization_id = ? AND e.deleted_at IS NULL AND "
          "p.deleted_at IS NULL ORDER BY e.id LIMIT 200");
      e.bind(1, o.id);
      while (e.step()) o.episodes.push_back(e.text(0));
      e.reset();
    }
    std::erase_if(orgs, [](const Org& o) { return o.projects.empty() || o.episodes.empty(); });
    if (orgs.empty()) die("the seed made no organization with projects and episodes");
    db.set_trace(trace);
  }
  auto as = [](const Org& o) { return json{{"organizationId", o.id}, {"userId", o.owner}}; };
  // Still part of the load: every organization's queue planned 60 days ahead, so the queue phase
  // finds enough due items.
  for (const auto& o : orgs)
    must(core,
         {{"op", "queue.plan"},
          {"as", {{"system", true}, {"organizationId", o.id}}},
          {"now", "2025-08-15T12:00:00.000Z"},
          {"params", {{"horizonDays", 60}}}},
         &requests[phase]);
  // 600 dashboard reads: the projects page, a project's episodes, a project's usage.
  phase = "reads";
  for (int i = 0; i < 600; ++i) {
    const Org& o = orgs[static_cast<size_t>(i / 3) % orgs.size()];
    const std::string& project =
        o.projects[static_cast<size_t>(i / 3 / orgs.size()) % o.projects.size()];
    if (i % 3 == 0)
      must(core, {{"op", "project.overview"}, {"as", as(o)}, {"params", {{"limit", 20}}}},
           &requests[phase]);
    else if (i % 3 == 1)
      must(core,
           {{"op", "episode.list"},
            {"as", as(o)},
            {"params",
             {{"projectId", project}, {"orderBy", "number"}, {"descending", true}, {"limit", 50}}}},
           &requests[phase]);
    else
      must(core,
           {{"op", "tokenUsage.list"},
            {"as", as(o)},
            {"params",
             {{"projectId", project},
              {"orderBy", "occurredAt"},
              {"descending", true},
              {"limit", 50}}}},
           &requests[phase]);
  }
  // 5,000 one-row write transactions (each with its audit row).
  phase = "writes";
  for (int i = 0; i < 5000; ++i) {
    const Org& o = orgs[static_cast<size_t>(i) % orgs.size()];
    const size_t k = static_cast<size_t>(i) / orgs.size();
    if (i % 2 == 0)
      must(core,
           {{"op", "project.update"},
            {"as", as(o)},
            {"params",
             {{"id", o.projects[k % o.projects.size()]},
              {"patch", {{"description", "bench write " + std::to_string(i)}}}}}},
           &requests[phase]);
    else
      must(core,
           {{"op", "episode.update"},
            {"as", as(o)},
            {"params",
             {{"id", o.episodes[k % o.episodes.size()]},
              {"patch", {{"title", "Bench episode " + std::to_string(i)}}}}}},
           &requests[phase]);
  }
  // 1,000 rounds of claim 10 due items and complete them, a week after the seed's "now".
  phase = "queue";
  const std::string later = "2025-09-30T12:00:00.000Z";
  size_t claimed = 0;
  for (int i = 0; i < 1000; ++i) {
    const Org& o = orgs[static_cast<size_t>(i) % orgs.size()];
    const json sys = {{"system", true}, {"organizationId", o.id}};
    json r = must(core,
                  {{"op", "queue.claim"},
                   {"as", sys},
                   {"now", later},
                   {"params", {{"workerId", "bench"}, {"limit", 10}}}},
                  &requests[phase]);
    for (const auto& c : r["items"]) {
      ++claimed;
      must(core,
           {{"op", "queue.complete"},
            {"as", sys},
            {"now", later},
            {"params", {{"id", c["item"]["id"]}, {"token", c["token"]}}}},
           &requests[phase]);
    }
  }
  db.set_trace({});
  for (const char* p : kPhases) {
    traces[p].write(dir + "/" + p + ".sql.jsonl");
    std::ofstream out(dir + "/" + p + ".req.jsonl", std::ios::binary);
    out << requests[p];
  }
  std::printf("{\"organizations\":%zu,\"claimed\":%zu", orgs.size(), claimed);
  for (const char* p : kPhases)
    std::printf(
        ",\"%s_statements\":%zu", p,
        static_cast<size_t>(std::count(traces[p].lines.begin(), traces[p].lines.end(), '\n')));
  // run.mjs prepares the dataset again when the schema (its schema.sql.jsonl, which the peers
  // load) is older than the core's.
  std::printf(",\"schema_version\":%d}\n", ec::schema::kSchemaVersion);
  return 0;
}

struct Trace {
  std::vector<std::string> texts;
  std::vector<std::pair<size_t, std::vector<SqlValue>>> runs;
};

Trace load_trace(const std::string& path) {
  Trace t;
  auto lines = lines_of(read_file(path));
  if (lines.empty()) die("empty trace " + path);
  t.texts = json::parse(lines[0]).get<std::vector<std::string>>();
  t.runs.reserve(lines.size());
  for (size_t i = 1; i < lines.size(); ++i) {
    json line = json::parse(lines[i]);
    std::vector<SqlValue> binds;
    for (size_t k = 1; k < line.size(); ++k) binds.push_back(sql_value(line[k]));
    t.runs.emplace_back(line[0].get<size_t>(), std::move(binds));
  }
  return t;
}

// Runs each statement through Db::prepare (its statement cache), binds, steps every row and
// reads every column, as the API's own reads do.
void replay(ec::store::Db& db, const Trace& t) {
  size_t sink = 0;
  for (const auto& [idx, binds] : t.runs) {
    auto& st = db.prepare(t.texts[idx]);
    st.bind_all(binds);
    while (st.step()) {
      const int n = st.columns();
      for (int c = 0; c < n; ++c) sink += st.value(c).index();
    }
    st.reset();
  }
  if (sink == 1) std::printf(" ");  // keeps the reads from being optimised away
}

// Milliseconds on the phase clock: wall time, or with PEERS_BENCH_CLOCK=cpu the process's CPU
// time (less disturbed by other processes on a loaded machine; see docs/BENCHMARKS.md).
double phase_ms() {
  static const bool cpu = [] {
    const char* c = std::getenv("PEERS_BENCH_CLOCK");
    return c && std::string(c) == "cpu";
  }();
  timespec ts{};
  clock_gettime(cpu ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Profiling one phase: `perf record --control=fifo:<ctl> -D -1 …` with PEERS_BENCH_PERF_CTL=<ctl>
// and PEERS_BENCH_PERF_PHASE=<phase> samples only that phase (docs/BENCHMARKS.md).
// Counting one phase's instructions (machines without hardware counters, or too loaded for
// timings): `valgrind --tool=callgrind --collect-atstart=no …` with PEERS_BENCH_PERF_PHASE=<phase>
// collects only that phase (client requests; no-ops outside valgrind).
// The wasm build under Node (`perf record … node --perf-basic-prof peers_bench.js raw <dir>`)
// reads the two variables from Node's process.env: Emscripten's getenv sees only its defaults.
#ifdef __EMSCRIPTEN__
EM_JS(void, node_env, (const char* name, char* buf, int size),
      { stringToUTF8(process.env[UTF8ToString(name)] || "", buf, size); });
// perf's control FIFO written by Node itself: the file system layer writes at a position, which a
// FIFO refuses.
EM_JS(void, node_ctl, (const char* path, const char* what),
      { require("fs").writeFileSync(UTF8ToString(path), UTF8ToString(what) + "\n"); });
#endif
std::string env(const char* name) {
#ifdef __EMSCRIPTEN__
  char buf[1024] = {};
  node_env(name, buf, sizeof buf);
  return buf;
#else
  const char* v = std::getenv(name);
  return v ? v : "";
#endif
}

void perf_ctl(size_t phase, const char* what) {
  const std::string path = env("PEERS_BENCH_PERF_CTL");
  if (env("PEERS_BENCH_PERF_PHASE") != kPhases[phase]) return;
#ifdef PEERS_BENCH_CALLGRIND
  CALLGRIND_TOGGLE_COLLECT;
#endif
  if (path.empty()) return;
#ifdef __EMSCRIPTEN__
  node_ctl(path.c_str(), what);
#else
  std::ofstream ctl(path);
  ctl << what << '\n';
#endif
}

// Process CPU time: on a loaded machine (other builds running) wall time mostly measures the
// scheduler; run.mjs --clock cpu compares CPU times instead.
// Under Node (the wasm build: "ec wasm raw SQL" of run.mjs) Emscripten's clock() is wall time,
// so the Node process's own CPU time (user + system, as run.mjs measures its in-process engines).
double cpu_now_ms() {
#ifdef __EMSCRIPTEN__
  return EM_ASM_DOUBLE({
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  });
#else
  return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
#endif
}
double cpu_ms_since(double c0) {
  return cpu_now_ms() - c0;
}

// {"load":ms,…,"cpu":{"load":ms,…}}: wall clock per phase, then process CPU time per phase.
void print_phases(const std::vector<double>& ms, const std::vector<double>& cpu) {
  std::printf(
      "{\"load\":%.1f,\"reads\":%.1f,\"writes\":%.1f,\"queue\":%.1f,"
      "\"cpu\":{\"load\":%.1f,\"reads\":%.1f,\"writes\":%.1f,\"queue\":%.1f}}\n",
      ms[0], ms[1], ms[2], ms[3], cpu[0], cpu[1], cpu[2], cpu[3]);
}

int raw(const std::string& dir) {
  const Trace schema = load_trace(dir + "/schema.sql.jsonl");
  std::vector<Trace> traces;
  for (const char* p : kPhases) traces.push_back(load_trace(dir + "/" + p + ".sql.jsonl"));
  double t0 = phase_ms();
  double c0 = cpu_now_ms();
  ec::store::Db db(":memory:");
  for (const auto& [idx, binds] : schema.runs) db.exec(schema.texts[idx]);
  std::vector<double> ms, cpu;
  for (size_t i = 0; i < traces.size(); ++i) {
    if (i > 0) t0 = phase_ms(), c0 = cpu_now_ms();
    perf_ctl(i, "enable");
    replay(db, traces[i]);
    perf_ctl(i, "disable");
    ms.push_back(phase_ms() - t0);
    cpu.push_back(cpu_ms_since(c0));
  }
  print_phases(ms, cpu);
  return 0;
}

int api(const std::string& dir) {
  std::vector<std::vector<std::string>> reqs;
  for (const char* p : kPhases) reqs.push_back(lines_of(read_file(dir + "/" + p + ".req.jsonl")));
  std::vector<double> ms, cpu;
  double t0 = phase_ms();
  double c0 = cpu_now_ms();
  ec::api::Core core(":memory:", {.id_seed = kIdSeed});
  for (const auto& phase : reqs) {
    if (!ms.empty()) t0 = phase_ms(), c0 = cpu_now_ms();
    perf_ctl(ms.size(), "enable");
    for (const auto& r : phase) {
      const std::string out = core.call(r);
      if (out.compare(0, 10, "{\"ok\":true") != 0) die("request failed: " + r + "\n" + out);
    }
    perf_ctl(ms.size(), "disable");
    ms.push_back(phase_ms() - t0);
    cpu.push_back(cpu_ms_since(c0));
  }
  print_phases(ms, cpu);
  return 0;
}

// Checks that the text a read answers through Core::call (rows written straight as text) is
// byte-identical to dumping the JSON call_json builds for it: the reads phase runs both ways.
int verify(const std::string& dir) {
  ec::api::Core core(":memory:", {.id_seed = kIdSeed});
  size_t checked = 0;
  for (const char* p : kPhases) {
    for (const auto& r : lines_of(read_file(dir + "/" + p + ".req.jsonl"))) {
      const std::string text = core.call(r);
      if (text.compare(0, 10, "{\"ok\":true") != 0) die("request failed: " + r + "\n" + text);
      if (std::string(p) != "reads") continue;
      const std::string again = ec::dump_text(core.call_json(json::parse(r)));
      if (again != text) die("call and call_json differ for " + r + "\n" + text + "\n" + again);
      ++checked;
    }
  }
  std::printf("{\"verified\":%zu}\n", checked);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "prepare" && argc == 4) return prepare(argv[2], std::atof(argv[3]));
  if (mode == "raw" && argc == 3) return raw(argv[2]);
  if (mode == "api" && argc == 3) return api(argv[2]);
  if (mode == "verify" && argc == 3) return verify(argv[2]);
  if (mode == "schema-version" && argc == 2)
    return std::printf("%d\n", ec::schema::kSchemaVersion) < 0;
  std::fprintf(stderr,
               "usage: peers_bench prepare <dir> <scale> | raw <dir> | api <dir> | verify <dir> | "
               "schema-version\n"
               "  (normally run by: node bench/peers/run.mjs)\n");
  return 2;
}
