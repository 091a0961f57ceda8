#pragma once
// Shared test helpers for the API tests: a Core on ":memory:" whose store clock is fixed at
// `now` before every call (users may not send a request-level `now`), two organizations (A on
// the free plan, B on the pro plan) each with an owner, an admin, a member and the system
// principal, and call helpers that return the JSON response. Include after <catch2/catch.hpp>.
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "core/api/api.hpp"
#include "core/store/db.hpp"
#include "core/store/store.hpp"
#include "core/time.hpp"
#include "tests/support/principal.hpp"

namespace ectest {

using json = nlohmann::json;

inline constexpr const char* kNow = "2025-08-15T09:00:00.000Z";
inline constexpr const char* kMissingId = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f";

inline Who system_of(const std::string& org) {
  return Who{org, "", true};
}

struct Tenant {
  std::string id;
  Who owner, admin, member, system;
};

inline json cadence(std::initializer_list<const char*> days = {"mon", "wed"},
                    const char* time = "09:00") {
  json d = json::array();
  for (const char* x : days) d.push_back(x);
  return json{{"days", d}, {"time", time}};
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

/// A unique temporary path under build/ (cwd = repo root in both native and wasm runs).
inline std::string temp_path(const std::string& stem) {
  static int n = 0;
  const std::string p = "build/ectest_" + stem + "_" + std::to_string(++n) + ".db";
  std::remove(p.c_str());
  std::remove((p + "-journal").c_str());
  return p;
}

class World {
 public:
  explicit World(const std::string& path = ":memory:", uint64_t seed = 42)
      : core(path, ec::api::Options{seed}) {
    a = tenant("Acme Research", "acme", "free", "ada@acme.io");
    b = tenant("Globex Ltd", "globex", "pro", "hank@globex.com");
  }

  ec::api::Core core;
  std::string now = kNow;
  Tenant a, b;

  /// The full response of one request.
  json call(const std::string& op, const json& params, const Who& who) {
    fix_clock(core, now);
    json req{{"op", op}, {"params", params}, {"as", who.as()}};
    return core.call_json(req);
  }
  json call_noas(const std::string& op, const json& params) {
    fix_clock(core, now);
    return core.call_json(json{{"op", op}, {"params", params}});
  }
  /// The result of a request that must succeed.
  json ok(const std::string& op, const json& params, const Who& who) {
    json r = call(op, params, who);
    INFO(op << " " << params.dump() << " -> " << r.dump());
    REQUIRE(r.value("ok", false) == true);
    return r["result"];
  }
  /// The error object of a request that must fail.
  json fail(const std::string& op, const json& params, const Who& who) {
    json r = call(op, params, who);
    INFO(op << " " << params.dump() << " -> " << r.dump());
    REQUIRE(r.value("ok", true) == false);
    REQUIRE(r.contains("error"));
    return r["error"];
  }
  std::string code(const std::string& op, const json& params, const Who& who) {
    json r = call(op, params, who);
    if (r.value("ok", true)) return "ok";
    return r["error"]["code"].get<std::string>();
  }

  int64_t rows(const std::string& table, const std::string& where = "1") {
    return core.store()->db().query_int("SELECT count(*) FROM " + table + " WHERE " + where, {});
  }
  ec::store::Db& db() { return core.store()->db(); }

  std::string project(const Who& who, const std::string& name = "Project",
                      json extra = json::object()) {
    json p{{"name", name}, {"cadenceConfig", cadence()}};
    for (auto& [k, v] : extra.items()) p[k] = v;
    return ok("project.create", p, who)["id"];
  }
  std::string episode(const Who& who, const std::string& project_id, json extra = json::object()) {
    json p{{"projectId", project_id}, {"title", "An episode"}};
    for (auto& [k, v] : extra.items()) p[k] = v;
    return ok("episode.create", p, who)["id"];
  }
  std::string block(const Who& who, const std::string& episode_id, const std::string& content,
                    int pos = 0) {
    return ok("block.create", {{"episodeId", episode_id}, {"content", content}, {"position", pos}},
              who)["id"];
  }

 private:
  Tenant tenant(const char* name, const char* slug, const char* plan, const char* email) {
    fix_clock(core, now);
    json r = core.call_json(json{{"op", "organization.create"},
                                 {"params",
                                  {{"name", name},
                                   {"slug", slug},
                                   {"plan", plan},
                                   {"ownerEmail", email},
                                   {"ownerName", "Owner of " + std::string(name)}}}});
    REQUIRE(r.value("ok", false) == true);
    Tenant t;
    t.id = r["result"]["organization"]["id"];
    t.owner = {t.id, r["result"]["owner"]["id"]};
    t.system = system_of(t.id);
    const std::string domain = std::string(slug) + ".example";
    t.admin = {t.id, ok("user.create",
                        {{"email", "admin@" + domain}, {"name", "Admin"}, {"role", "admin"}},
                        t.owner)["id"]};
    t.member = {t.id, ok("user.create",
                         {{"email", "member@" + domain}, {"name", "Member"}, {"role", "member"}},
                         t.owner)["id"]};
    return t;
  }
};

}  // namespace ectest
