// Organizations and their members: creating a tenant with its first owner (the one operation
// that runs without `as`), reading and changing the caller's own organization.
#include "core/api/entity_ops.hpp"
#include "core/rules.hpp"
#include "core/store/audit.hpp"
#include "core/store/repo.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT
namespace repo = store::repo;

namespace {

const schema::Entity& org_entity() {
  return *schema::find_entity("Organization");
}
const schema::Entity& user_entity() {
  return *schema::find_entity("User");
}

// Copies an entity's field declaration under another parameter name (one source of truth).
schema::Field as_param(const schema::Entity& e, const std::string& field, const std::string& name) {
  schema::Field f = *e.field(field);
  f.name = name;
  f.origin = schema::Origin::Input;
  return f;
}

}  // namespace

void add_org_ops(std::vector<Operation>& ops) {
  const auto& org = org_entity();
  const auto& user = user_entity();
  ops.emplace_back(OpDecl{
      .name = "organization.create",
      .doc = "Creates an organization with its first owner. The one operation that needs no `as`.",
      .access = {schema::authz::Level::Public},
      .params = {*org.field("name"), *org.field("slug"), *org.field("plan"),
                 *org.field("dailyCostLimitMicros"), as_param(user, "email", "ownerEmail"),
                 as_param(user, "name", "ownerName"), as_param(user, "timezone", "ownerTimezone")},
      .result = result::named("OrganizationCreated"),
      .errors = {code::conflict},
      .handler = [](Context& ctx, const json& p) {
        const std::string org_id = ctx.store.new_id();
        const std::string user_id = ctx.store.new_id();
        ctx.as = {org_id, user_id, rules::name(rules::Role::owner)};
        const std::string ts = format_instant(ctx.now);
        json o = repo::with_defaults(org_entity(), json{{"id", org_id},
                                                        {"name", p["name"]},
                                                        {"slug", p["slug"]},
                                                        {"plan", p["plan"]},
                                                        {"createdAt", ts},
                                                        {"updatedAt", ts}});
        o["dailyCostLimitMicros"] = p["dailyCostLimitMicros"];
        repo::insert(ctx.store, org_entity(), o);
        json u = repo::with_defaults(user_entity(), json{{"id", user_id},
                                                         {"organizationId", org_id},
                                                         {"email", p["ownerEmail"]},
                                                         {"name", p["ownerName"]},
                                                         {"role", rules::name(rules::Role::owner)},
                                                         {"timezone", p["ownerTimezone"]},
                                                         {"createdAt", ts},
                                                         {"updatedAt", ts}});
        repo::insert(ctx.store, user_entity(), u);
        store::audit(ctx.store, ctx.as, "create", org_entity(), org_id,
                     repo::diff(org_entity(), nullptr, o), ctx.now);
        store::audit(ctx.store, ctx.as, "create", user_entity(), user_id,
                     repo::diff(user_entity(), nullptr, u), ctx.now);
        return json{{"organization", o}, {"owner", u}};
      }});
  ops.emplace_back(OpDecl{.name = "organization.get",
                          .doc = "The caller's organization.",
                          .result = result::entity("Organization"),
                          .writes = false,
                          .handler = [](Context& ctx, const json&) {
                            return repo::get(ctx.store, org_entity(), ctx.as.organization_id,
                                             ctx.as.organization_id);
                          }});
  ops.emplace_back(OpDecl{.name = "organization.update",
                          .doc = "Changes the caller's organization (owner or admin; the plan: "
                                 "owner only).",
                          .access = {schema::authz::Level::Admin},
                          .entity = "Organization",
                          .entity_mode = validate::Mode::Patch,
                          .entity_key = "patch",
                          .result = result::entity("Organization"),
                          .errors = {code::forbidden, code::conflict},
                          .handler = [](Context& ctx, const json& p) {
                            return update_row(ctx, org_entity(), ctx.as.organization_id,
                                              p["patch"]);
                          }});
}

}  // namespace ec::api
