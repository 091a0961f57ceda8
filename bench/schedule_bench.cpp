// Cadence preview throughput: one year of occurrences for 10,000 projects with seeded random
// cadences and zones (what planning a year-long horizon for a large org costs).
//   build/native/bench/schedule_bench [projects]
//   node build/wasm/bench/schedule_bench.js [projects]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/schedule/preview.hpp"

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const size_t projects = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 10'000;
  std::mt19937_64 rng(20250815);

  const auto t0 = Clock::now();
  const ec::tz::Zone* warm = ec::tz::find("Europe/London");  // decodes the database
  const auto t1 = Clock::now();
  const auto& names = ec::tz::zone_names();

  std::vector<ec::schedule::Cadence> cadences(projects);
  std::vector<const ec::tz::Zone*> zones(projects);
  for (size_t i = 0; i < projects; ++i) {
    auto& c = cadences[i];
    const auto mask = 1 + rng() % 127;
    for (size_t d = 0; d < 7; ++d) c.days[d] = (mask >> d) & 1;
    c.minute_of_day = static_cast<int>(rng() % 1440);
    zones[i] = ec::tz::find(names[rng() % names.size()]);
  }

  const ec::Instant from = *ec::parse_instant("2025-01-01T00:00:00Z");
  const ec::Instant until = *ec::parse_instant("2026-01-01T00:00:00Z");
  size_t total = 0, shifted = 0, ambiguous = 0;
  const auto t2 = Clock::now();
  for (size_t i = 0; i < projects; ++i) {
    const auto v = ec::schedule::occurrences(cadences[i], *zones[i], {from, std::nullopt, until});
    total += v.size();
    for (const auto& o : v) {
      shifted += o.shifted;
      ambiguous += o.ambiguous;
    }
  }
  const auto t3 = Clock::now();

  const auto us = [](auto d) { return std::chrono::duration<double, std::micro>(d).count(); };
  std::printf("schedule_bench: tzdata %s, %zu zones, first lookup (decode) %.1f ms%s\n",
              std::string(ec::tz::tzdata_version()).c_str(), names.size(), us(t1 - t0) / 1000,
              warm ? "" : " (London missing!)");
  std::printf(
      "  %zu projects x 1 year: %.1f ms total, %.1f us/project, %zu occurrences "
      "(%.0f ns each; %zu shifted, %zu ambiguous)\n",
      projects, us(t3 - t2) / 1000, us(t3 - t2) / static_cast<double>(projects), total,
      us(t3 - t2) * 1000 / static_cast<double>(total ? total : 1), shifted, ambiguous);
  return 0;
}
