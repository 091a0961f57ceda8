#pragma once
// Fixture base for the API tests that act as organization owners: a Core on ":memory:" with its
// store clock fixed at `now` before every call, organizations created with their owner, and call
// helpers (`ok` returns the result of a call that must succeed, `error`/`err` the error object or
// code of one that must fail). Operations the authorization declaration gives to the system run
// as that organization's system principal (principal_for). Include after <catch2/catch.hpp>.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "core/api/api.hpp"
#include "tests/support/principal.hpp"

namespace ectest {

class Owners {
 public:
  using json = nlohmann::json;

  Owners(uint64_t seed, std::string at)
      : core(":memory:", ec::api::Options{seed}), now(std::move(at)) {}

  ec::api::Core core;
  std::string now;
  Who a, b;  ///< the two organizations' owners, set by the derived fixture

  /// Creates an organization (name defaults to the slug; plan and owner time zone to the
  /// product's defaults when null) and returns its owner.
  Who org(const std::string& slug, const char* plan = nullptr, const char* tz = nullptr,
          const char* name = nullptr) {
    fix_clock(core, now);
    json params{{"name", name ? std::string(name) : slug},
                {"slug", slug},
                {"ownerEmail", "o@" + slug + ".io"},
                {"ownerName", "Owner"}};
    if (plan) params["plan"] = plan;
    if (tz) params["ownerTimezone"] = tz;
    json r = core.call_json({{"op", "organization.create"}, {"params", params}});
    REQUIRE(r["ok"] == true);
    return {r["result"]["organization"]["id"], r["result"]["owner"]["id"]};
  }
  /// The full response of one request as `w` (or its system principal, see above).
  json call(const std::string& op, const json& params, const Who& w) {
    fix_clock(core, now);
    return core.call_json(
        {{"op", op}, {"params", params}, {"as", principal_for(op, w.org, w.user)}});
  }
  json ok(const std::string& op, const json& params, const Who& w) {
    json r = call(op, params, w);
    INFO(op << " " << params.dump().substr(0, 300) << " -> " << r.dump().substr(0, 2000));
    REQUIRE(r["ok"] == true);
    return r["result"];
  }
  json ok(const std::string& op, const json& params) { return ok(op, params, a); }
  json error(const std::string& op, const json& params, const Who& w) {
    json r = call(op, params, w);
    INFO(op << " " << params.dump().substr(0, 300) << " -> " << r.dump().substr(0, 2000));
    REQUIRE(r["ok"] == false);
    return r["error"];
  }
  json error(const std::string& op, const json& params) { return error(op, params, a); }
  std::string err(const std::string& op, const json& params, const Who& w) {
    return error(op, params, w)["code"];
  }
  std::string err(const std::string& op, const json& params) { return err(op, params, a); }
};

}  // namespace ectest
