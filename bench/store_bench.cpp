// Store benchmark: the API as the dashboard uses it. Prints figures, never asserts times.
//   native: build/native/bench/store_bench [episodes] [projects]
//   wasm:   node build/wasm/bench/store_bench.js [episodes] [projects]
// scripts/bench.sh runs both and prints the wasm/native ratios.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "core/api/api.hpp"
#include "core/store/store.hpp"

using bench::call;
using bench::Clock;
using bench::ms_since;
using ec::json;

int main(int argc, char** argv) {
  const int episodes = argc > 1 ? std::atoi(argv[1]) : 100'000;
  const int projects = argc > 2 ? std::atoi(argv[2]) : 2'000;
  ec::api::Core core(":memory:", {.id_seed = 42});
  const std::string now = "2025-08-15T09:00:00.000Z";
  json org = call(core, {{"op", "organization.create"},
                         {"now", now},
                         {"params",
                          {{"name", "Bench Ltd"},
                           {"slug", "bench"},
                           {"plan", "team"},
                           {"ownerEmail", "owner@bench.io"},
                           {"ownerName", "Owner"}}}});
  const json as = {{"organizationId", org["organization"]["id"]}, {"userId", org["owner"]["id"]}};
  const json cadence = {
      {"days", {"mon", "wed", "fri"}}, {"time", "09:00"}, {"timezone", "Europe/London"}};

  // 1. Projects: created archived (the plan limit counts active ones), then activated in bulk
  //    so the read model below sees `projects` active projects.
  auto t0 = Clock::now();
  std::string first_project;
  for (int i = 0; i < projects; ++i) {
    json p = call(core, {{"op", "project.create"},
                         {"as", as},
                         {"now", now},
                         {"params",
                          {{"name", "Project " + std::to_string(i)},
                           {"status", "archived"},
                           {"cadenceConfig", cadence}}}});
    if (i == 0) first_project = p["id"];
  }
  const double create_projects = ms_since(t0);
  core.store()->db().exec("UPDATE projects SET status = 'active'");

  // 2. Episodes through the API (number auto-assigned), spread over 50 projects.
  t0 = Clock::now();
  std::vector<std::string> project_ids;  // episodes are spread over (up to) 50 projects
  {
    json page = call(core, {{"op", "project.list"}, {"as", as}, {"params", {{"limit", 50}}}});
    for (size_t i = 0; i < page["items"].size(); ++i) project_ids.push_back(page["items"][i]["id"]);
  }
  for (int i = 0; i < episodes; ++i) {
    call(core, {{"op", "episode.create"},
                {"as", as},
                {"now", now},
                {"params",
                 {{"projectId", project_ids[i % project_ids.size()]},
                  {"title", "Episode " + std::to_string(i)},
                  {"scheduledFor", now}}}});
  }
  const double create_ms = ms_since(t0);

  // 3. One project's episodes, page by page (100 per page).
  t0 = Clock::now();
  int pages = 0, seen = 0;
  for (int offset = 0;; offset += 100) {
    json page = call(core, {{"op", "episode.list"},
                            {"as", as},
                            {"params",
                             {{"projectId", project_ids[0]},
                              {"orderBy", "number"},
                              {"limit", 100},
                              {"offset", offset}}}});
    ++pages;
    seen += static_cast<int>(page["items"].size());
    if (page["items"].size() < 100) break;
  }
  const double page_ms = ms_since(t0);

  // 4. The projects page read model (first page of 100, then all rows), repeated.
  const int reps = 20;
  t0 = Clock::now();
  for (int i = 0; i < reps; ++i)
    call(core, {{"op", "project.overview"}, {"as", as}, {"params", {{"limit", 100}}}});
  const double overview_page_ms = ms_since(t0) / reps;
  t0 = Clock::now();
  for (int i = 0; i < 3; ++i)
    call(core, {{"op", "project.overview"}, {"as", as}, {"params", {{"limit", 1000}}}});
  const double overview_1000_ms = ms_since(t0) / 3;

  std::printf("store_bench: %d projects, %d episodes (in-memory database)\n", projects, episodes);
  std::printf("  project.create        %9.1f ms total  %8.1f us/call\n", create_projects,
              1000.0 * create_projects / projects);
  std::printf("  episode.create        %9.1f ms total  %8.1f us/call\n", create_ms,
              1000.0 * create_ms / episodes);
  std::printf("  episode.list pages    %9.1f ms total  %8.1f us/page (%d pages, %d rows)\n",
              page_ms, 1000.0 * page_ms / pages, pages, seen);
  std::printf("  project.overview 100  %9.2f ms/call\n", overview_page_ms);
  std::printf("  project.overview 1000 %9.2f ms/call\n", overview_1000_ms);
  std::printf(
      "RESULT episode_create_us=%.2f list_page_us=%.2f overview100_ms=%.3f overview1000_ms=%.3f\n",
      1000.0 * create_ms / episodes, 1000.0 * page_ms / pages, overview_page_ms, overview_1000_ms);
  return 0;
}
