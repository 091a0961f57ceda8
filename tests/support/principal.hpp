#pragma once
// For tests of queue/budget/clock behaviour: the principal an operation is run with. System
// operations (core/schema/authz.hpp levels) run as the system principal of the user's
// organization; everything else as the user. Authorization itself is tested in
// tests/core/authz_test.cpp, which never uses this.
#include <string>

#include "core/api/registry.hpp"
#include "core/time.hpp"

namespace ectest {

/// A principal: a user of an organization, or the system acting in it.
struct Who {
  std::string org;
  std::string user;
  bool system = false;
  nlohmann::json as() const {
    if (system) return nlohmann::json{{"system", true}, {"organizationId", org}};
    return nlohmann::json{{"organizationId", org}, {"userId", user}};
  }
};

inline nlohmann::json principal_for(const std::string& op, const std::string& org,
                                    const std::string& user) {
  const ec::api::Operation* o = ec::api::find_operation(op);
  if (o && o->access.level == ec::schema::authz::Level::System)
    return {{"system", true}, {"organizationId", org}};
  return {{"organizationId", org}, {"userId", user}};
}

/// Fixes the store clock at an ISO instant (instead of a request-level `now`).
inline void fix_clock(ec::api::Core& core, const std::string& iso) {
  core.store()->set_clock(ec::parse_instant(iso).value());  // throws on a bad instant
}

}  // namespace ectest
