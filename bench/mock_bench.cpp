// Mock data at scale: seeds `large` (1,000 projects, 100,000 episodes, 1,000,000 token usage
// rows) into a new file and prints wall time, database size and peak memory.
//   build/m-native/bench/mock_bench [FILE] [demo|small|large] [seed]
//   node build/m-wasm/bench/mock_bench.js [FILE] [demo|small|large] [seed]
// FILE defaults to build/mock_bench_<size>.db (run from the repository root). The write path
// and pragmas are those of `episodes-core seed`.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/mock/mock.hpp"
#include "core/store/store.hpp"

#ifdef __EMSCRIPTEN__
// Linear memory only grows, so its size at the end is the peak of the wasm heap.
static double peak_mib() {
  return static_cast<double>(__builtin_wasm_memory_size(0)) * 65536.0 / 1048576.0;
}
static const char* kTarget = "wasm (Node)";
#else
#include <sys/resource.h>
static double peak_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}
static const char* kTarget = "native";
#endif

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const std::string size_name = argc > 2 ? argv[2] : "large";
  const auto size = ec::mock::parse_size(size_name);
  if (!size) {
    std::fprintf(stderr, "size must be demo, small or large\n");
    return 2;
  }
  const std::string path = argc > 1 ? argv[1] : "build/mock_bench_" + size_name + ".db";
  std::error_code ec;
  std::filesystem::remove(path, ec);
  ec::mock::Options o;
  o.seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 42;
  o.size = *size;
  std::string phase;
  Clock::time_point phase_start = Clock::now();
  const auto t0 = Clock::now();
  o.progress = [&](int64_t, int64_t, const std::string& p) {
    if (p == phase) return;
    const auto now = Clock::now();
    if (!phase.empty())
      std::printf("  %-22s %7.2f s\n", phase.c_str(),
                  std::chrono::duration<double>(now - phase_start).count());
    phase = p;
    phase_start = now;
  };
  try {
    ec::store::Store store(path, 1);
    store.db().exec(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; "
        "PRAGMA temp_store = MEMORY");
    const auto r = ec::mock::seed(store, o);
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    int64_t rows = 0;
    for (const auto& [t, n] : r.rows) rows += n;
    std::printf(
        "mock_bench %s: size=%s seed=%llu rows=%lld (Episode %lld, TokenUsage %lld, "
        "TokenUsageDaily %lld)\n",
        kTarget, size_name.c_str(), static_cast<unsigned long long>(o.seed),
        static_cast<long long>(rows), static_cast<long long>(r.rows.at("Episode")),
        static_cast<long long>(r.rows.at("TokenUsage")),
        static_cast<long long>(r.rows.at("TokenUsageDaily")));
    std::printf("  time %.2f s, %.0f rows/s, validated %lld rows\n", secs,
                static_cast<double>(rows) / secs, static_cast<long long>(r.validated));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mock_bench: %s\n", e.what());
    return 1;
  }
  const auto bytes = std::filesystem::file_size(path, ec);
  std::printf("  database %s: %.1f MiB\n", path.c_str(), static_cast<double>(bytes) / 1048576.0);
  std::printf("  peak memory: %.0f MiB (%s)\n", peak_mib(),
#ifdef __EMSCRIPTEN__
              "wasm linear memory"
#else
              "max RSS"
#endif
  );
  return 0;
}
