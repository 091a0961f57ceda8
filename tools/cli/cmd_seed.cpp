// `episodes-core seed --db FILE --seed N --size demo|small|large [--reference-date YYYY-MM-DD]
//  [--counts JSON] [--replace] [--quiet]`: writes the deterministic mock dataset into a NEW
// SQLite file (the stock sqlite3 CLI opens it). An existing file is refused unless --replace.
// Prints a JSON summary on stdout; progress goes to stderr (large runs, or --progress).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/json/codec.hpp"
#include "core/mock/mock.hpp"
#include "core/schema/schema.hpp"
#include "core/store/store.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int run(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args, {"replace", "quiet", "progress", "digest"});
  const std::string db = flags.require("db");
  mock::Options o;
  const std::string seed = flags.require("seed");
  // The same range as mock.seed's `seed` (0..2^53-1): a seed the JavaScript client can pass too.
  if (seed.empty() || seed.find_first_not_of("0123456789") != std::string::npos ||
      seed.size() > 16 || std::stoll(seed) > schema::kMaxSafeInteger)
    throw UsageError{"--seed must be an integer 0.." + std::to_string(schema::kMaxSafeInteger)};
  o.seed = std::stoull(seed);
  const std::string size = flags.get("size") ? *flags.get("size") : "demo";
  const auto s = mock::parse_size(size);
  if (!s) throw UsageError{"--size must be demo, small or large"};
  o.size = *s;
  if (const auto* d = flags.get("reference-date")) {
    const auto date = parse_date(*d);
    if (!date) throw UsageError{"--reference-date must be a date YYYY-MM-DD"};
    o.reference_date = *date;
  }
  if (const auto* c = flags.get("counts"))
    o.counts = mock::counts_from_json(codec::parse(*c), mock::counts_for(o.size));
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(db, ec)) {
    if (!flags.has("replace"))
      throw Error(
          code::conflict,
          "'" + db + "' already exists; seed writes a new file (use --replace to overwrite it)");
    fs::remove(db, ec);
    fs::remove(db + "-journal", ec);
  }
  const bool show = !flags.has("quiet") && (flags.has("progress") || o.size != mock::Size::Demo);
  const auto t0 = std::chrono::steady_clock::now();
  if (show) {
    // o.progress outlives this block, so it owns everything it uses (captured by value; the
    // reference captures of earlier versions dangled: ASan stack-use-after-scope).
    o.progress = [t0, last_phase = std::string(), last_pct = -1](int64_t done, int64_t total,
                                                                 const std::string& phase) mutable {
      const int pct = total > 0 ? static_cast<int>(std::min<int64_t>(100, done * 100 / total)) : 0;
      if (pct == last_pct && phase == last_phase) return;
      last_pct = pct;
      last_phase = phase;
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "seed: %3d%%  %-22s %10lld rows  %6.1f s\n", pct, phase.c_str(),
                   static_cast<long long>(done), secs);
    };
  }
  json out;
  try {
    store::Store store(db, 1);
    // A brand-new file: no rollback journal and no fsync while it is written (on failure the
    // file is removed below, so nothing half-written is left behind).
    store.db().exec(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA "
        "temp_store = MEMORY");
    const mock::Report r = mock::seed(store, o);
    out = r.to_json();
    // The content digest reads every row back: by default only for demo and small.
    if (flags.has("digest") || o.size != mock::Size::Large)
      out["digest"] = mock::dataset_digest(store.db());
  } catch (...) {
    fs::remove(db, ec);
    throw;
  }
  out["ok"] = true;
  out["db"] = db;
  out["seed"] = o.seed;
  out["size"] = size;
  out["referenceDate"] = format_date(o.reference_date);
  out["seconds"] = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - t0)
                                           .count()) /
                   1000.0;
  std::cout << out.dump() << std::endl;
  return 0;
}

const Register reg{
    {"seed",
     "seed --db FILE --seed N [--size demo|small|large] [--reference-date YYYY-MM-DD] "
     "[--counts JSON] [--replace] [--digest] [--quiet|--progress]   deterministic mock data into a "
     "new file",
     &run}};

}  // namespace
}  // namespace ec::cli
