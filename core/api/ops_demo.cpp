// Operations for the offline demo and settings pages: who can be acted as in this local
// database, and the core's time zone list.
#include "core/api/registry.hpp"
#include "core/rules.hpp"
#include "core/store/repo.hpp"
#include "core/tz/tz.hpp"

namespace ec::api {

json demo_actors(store::Store& s) {
  // The local file belongs to whoever holds it, so listing its tenants is not a tenancy leak;
  // production (PostgreSQL with RLS) has no such operation.
  json out = json::array();
  auto& orgs = s.db().prepare("SELECT id, name, slug, plan FROM organizations ORDER BY name, id");
  std::vector<json> list;
  while (orgs.step())
    list.push_back({{"id", orgs.text(0)},
                    {"name", orgs.text(1)},
                    {"slug", orgs.text(2)},
                    {"plan", orgs.text(3)}});
  orgs.reset();
  for (auto& org : list) {
    auto& users = s.db().prepare(
        "SELECT id, name, email, role, timezone FROM users WHERE organization_id = ? AND "
        "deleted_at IS NULL "
        "ORDER BY CASE role WHEN '" +
        std::string(rules::name(rules::Role::owner)) + "' THEN 0 WHEN '" +
        rules::name(rules::Role::admin) + "' THEN 1 ELSE 2 END, name, id");
    users.bind(1, org["id"].get<std::string>());
    json members = json::array();
    while (users.step())
      members.push_back({{"id", users.text(0)},
                         {"name", users.text(1)},
                         {"email", users.text(2)},
                         {"role", users.text(3)},
                         {"timezone", users.text(4)}});
    users.reset();
    out.push_back({{"organization", org}, {"users", members}});
  }
  return out;
}

void add_demo_ops(std::vector<Operation>& ops) {
  ops.emplace_back(OpDecl{
      .name = "demo.actors",
      .doc = "The offline demo's actor picker: every organization in this local database "
             "with its current "
             "members (owners first). Demo only, as the system; production has no equivalent.",
      .access = {schema::authz::Level::System, false, true},
      .result = result::array(result::named("DemoActor")),
      .writes = false,
      .handler = [](Context& ctx, const json&) { return demo_actors(ctx.store); }});
  ops.emplace_back(
      OpDecl{.name = "tz.list",
             .doc = "The IANA time zone names the core knows (canonical zones, sorted) and the "
                    "tzdata version.",
             .access = {schema::authz::Level::Public},
             .result = result::named("TimeZones"),
             .writes = false,
             .handler = [](Context&, const json&) {
               json zones = json::array();
               for (auto name : tz::zone_names()) zones.push_back(std::string(name));
               return json{{"version", std::string(tz::tzdata_version())}, {"zones", zones}};
             }});
}

}  // namespace ec::api
