#pragma once
// Helpers shared by the benchmark programs: a stopwatch and an API call that stops the program
// on a failed request (a benchmark of failing calls measures nothing).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/api/api.hpp"

namespace bench {

using ec::json;
using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

inline json call(ec::api::Core& core, const json& req) {
  json r = core.call_json(req);
  if (!r["ok"].get<bool>()) {
    std::fprintf(stderr, "request failed: %s\n%s\n", req.dump().c_str(), r.dump().c_str());
    std::exit(1);
  }
  return r["result"];
}

}  // namespace bench
