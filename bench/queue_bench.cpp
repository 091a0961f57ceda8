// Queue benchmark: plan, replan and drain the schedule queue through the API. Prints figures,
// never asserts times.
//   native: build/native/bench/queue_bench [projects] [horizonDays]
//   wasm:   node build/wasm/bench/queue_bench.js [projects] [horizonDays]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_support.hpp"
#include "core/api/api.hpp"

using bench::call;
using bench::Clock;
using bench::ms_since;
using ec::json;

int main(int argc, char** argv) {
  const int projects = argc > 1 ? std::atoi(argv[1]) : 100;  // the team plan allows 100
  const int horizon = argc > 2 ? std::atoi(argv[2]) : 90;
  ec::api::Core core(":memory:", {.id_seed = 42});
  const std::string now = "2025-08-15T09:00:00.000Z";
  json org = call(core, {{"op", "organization.create"},
                         {"now", now},
                         {"params",
                          {{"name", "Bench Ltd"},
                           {"slug", "bench"},
                           {"plan", "team"},
                           {"ownerEmail", "owner@bench.io"},
                           {"ownerName", "Owner"},
                           {"ownerTimezone", "Europe/London"}}}});
  // A generous budget so the breaker never stops the drain.
  const json as = {{"organizationId", org["organization"]["id"]}, {"userId", org["owner"]["id"]}};
  call(core, {{"op", "organization.update"},
              {"as", as},
              {"now", now},
              {"params", {{"patch", {{"dailyCostLimitMicros", 1'000'000'000'000LL}}}}}});
  const json daily = {{"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                      {"time", "09:00"}};
  std::vector<std::string> ids;
  for (int i = 0; i < projects; ++i)
    ids.push_back(call(
        core, {{"op", "project.create"},
               {"as", as},
               {"now", now},
               {"params", {{"name", "P" + std::to_string(i)}, {"cadenceConfig", daily}}}})["id"]);

  auto t0 = Clock::now();
  json r = call(
      core,
      {{"op", "queue.plan"}, {"as", as}, {"now", now}, {"params", {{"horizonDays", horizon}}}});
  std::printf("queue.plan     %6d projects x %d days: %8.1f ms (%lld items)\n", projects, horizon,
              ms_since(t0), static_cast<long long>(r["added"].get<int64_t>()));
  t0 = Clock::now();
  r = call(
      core,
      {{"op", "queue.plan"}, {"as", as}, {"now", now}, {"params", {{"horizonDays", horizon}}}});
  std::printf("queue.plan     again (idempotent):        %8.1f ms (%lld kept)\n", ms_since(t0),
              static_cast<long long>(r["kept"].get<int64_t>()));
  t0 = Clock::now();
  const json weekdays = {{"days", {"mon", "tue", "wed", "thu", "fri"}}, {"time", "10:00"}};
  for (const auto& id : ids)
    call(core, {{"op", "project.update"},
                {"as", as},
                {"now", now},
                {"params", {{"id", id}, {"patch", {{"cadenceConfig", weekdays}}}}}});
  std::printf("project.update cadence change (replan):   %8.3f ms per project\n",
              ms_since(t0) / projects);

  // Drain everything due in the first week: claim 10, complete each.
  const std::string later = "2025-08-22T09:00:00.000Z";
  t0 = Clock::now();
  int done = 0;
  double claim_ms = 0;
  for (;;) {
    const auto tc = Clock::now();
    json c = call(core, {{"op", "queue.claim"},
                         {"as", as},
                         {"now", later},
                         {"params", {{"workerId", "bench"}, {"limit", 10}}}});
    claim_ms += ms_since(tc);
    if (c["items"].empty()) break;
    for (const auto& x : c["items"]) {
      call(core, {{"op", "queue.complete"},
                  {"as", as},
                  {"now", later},
                  {"params",
                   {{"id", x["item"]["id"]},
                    {"token", x["token"]},
                    {"usage",
                     {{"model", "bench-model"},
                      {"inputTokens", 1000},
                      {"outputTokens", 2000},
                      {"costMicros", 12'345}}}}}});
      ++done;
    }
  }
  const double ms = ms_since(t0);
  std::printf(
      "claim+complete %6d items:                 %8.1f ms (%.3f ms per item, claims %.1f ms)\n",
      done, ms, done ? ms / done : 0.0, claim_ms);
  return 0;
}
