#pragma once
// Helpers shared by the benchmark programs: a stopwatch and an API call that stops the program
// on a failed request (a benchmark of failing calls measures nothing).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "core/api/api.hpp"
#include "core/api/registry.hpp"
#include "core/store/store.hpp"

namespace bench {

using ec::json;
using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

/// Runs one request. A benchmark's `now` fixes the store clock (only the system may send a
/// request-level now), and system operations (queue, budget, clock) run as the system of the
/// request's organization.
inline json call(ec::api::Core& core, json req) {
  if (auto it = req.find("now"); it != req.end()) {
    core.store()->set_clock(*ec::parse_instant(it->get<std::string>()));
    req.erase("now");
  }
  const auto* op = ec::api::find_operation(req.value("op", std::string()));
  if (op && op->access.level == ec::schema::authz::Level::System && req.contains("as"))
    req["as"] = {{"system", true}, {"organizationId", req["as"]["organizationId"]}};
  json r = core.call_json(req);
  if (!r["ok"].get<bool>()) {
    std::fprintf(stderr, "request failed: %s\n%s\n", req.dump().c_str(), r.dump().c_str());
    std::exit(1);
  }
  return r["result"];
}

}  // namespace bench
