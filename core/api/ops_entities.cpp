// Generic entity operations derived from the schema: <prefix>.create/get/list/update/delete/
// restore/purge. Which operations an entity gets follows from its declaration.
#include <algorithm>

#include "core/api/entity_ops.hpp"
#include "core/json/codec.hpp"
#include "core/store/audit.hpp"
#include "core/store/repo.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT: parameter declarations read as a table
using schema::Entity;
using schema::Field;
namespace repo = store::repo;

std::string op_prefix(const Entity& e) {
  if (e.name == "EpisodeScheduleQueue") return "queue";
  if (e.name == "TokenUsageDaily") return "usageDaily";
  if (e.name == "BudgetReservation") return "budgetReservation";
  std::string p = e.name;
  p[0] = static_cast<char>(p[0] - 'A' + 'a');
  return p;
}

void write_page_start(std::string& out, int64_t limit) {
  // ~0.4 to 0.9 KB per item in the dashboard's pages (docs/BENCHMARKS.md, "Session 10: API
  // reads"); at most 256 KB reserved ahead, a larger page grows as it is written.
  constexpr int64_t kItemBytes = 1024, kMaxReserve = 256 * 1024;
  out.reserve(
      out.size() +
      static_cast<size_t>(std::clamp<int64_t>(limit, 0, kMaxReserve / kItemBytes) * kItemBytes));
  out += "{\"items\":";
}

void write_page_end(std::string& out, int64_t total, int64_t limit, int64_t offset) {
  out += ",\"limit\":";
  codec::append_json_int(out, limit);
  out += ",\"offset\":";
  codec::append_json_int(out, offset);
  out += ",\"total\":";
  codec::append_json_int(out, total);
  out += '}';
}

void check_parents(Context& ctx, const Entity& e, const json& row, const json& only_fields) {
  for (const auto& f : e.fields) {
    if (f.references.empty() || f.name == "organizationId") continue;
    if (only_fields.is_object() && !only_fields.contains(f.name)) continue;
    auto it = row.find(f.name);
    if (it == row.end() || it->is_null()) continue;
    const Entity& parent = *schema::find_entity(f.references);
    // Another organization's id behaves exactly like an id that does not exist.
    if (!repo::find(ctx.store, parent, ctx.as.organization_id, it->get<std::string>()))
      throw Error(code::not_found, parent.name + " " + it->get<std::string>() + " not found",
                  json::array({f.name}));
  }
}

void authorize_row(Context& ctx, const Entity& e, schema::authz::Action a, const json& before,
                   const json& after, const json& path) {
  namespace authz = schema::authz;
  // The system (worker, demo) is not bound by the users' role rules, as service_role in
  // PostgreSQL is not.
  if (ctx.as.system) return;
  const authz::Decision d = authz::check_row(e.name, a, ctx.as.role, ctx.as.user_id, before, after);
  if (!d.allowed) {
    json p = path;
    if (!d.field.empty()) p = json::array({"patch", d.field});
    throw Error(code::forbidden, d.reason, p);
  }
  // An organization keeps at least `count` current rows with field == value (>= 1 owner).
  for (const auto& k : authz::keep_rules()) {
    if (k.entity != e.name || !before.is_object()) continue;
    const bool was = before.value(k.field, json()) == k.value &&
                     (!before.contains("deletedAt") || before["deletedAt"].is_null());
    const bool stays = after.is_object() && after.value(k.field, json()) == k.value &&
                       (!after.contains("deletedAt") || after["deletedAt"].is_null());
    if (!was || stays) continue;
    repo::ListQuery q;
    q.equals.emplace_back(k.field, k.value);
    if (repo::count(ctx.store, e, ctx.as.organization_id, q) - 1 < k.count)
      throw Error(code::forbidden,
                  "an organization keeps at least " + std::to_string(k.count) + " " + k.value,
                  after.is_object() ? json::array({"patch", k.field}) : path);
  }
}

json create_row(Context& ctx, const Entity& e, const json& input, const EntityHooks& hooks) {
  json row = repo::with_defaults(e, input);
  codec::canonicalize(e, row);  // answered and audited as the next read returns it
  const std::string ts = format_instant(ctx.now);
  row["id"] = ctx.store.new_id();
  if (e.tenant_scoped) row["organizationId"] = ctx.as.organization_id;
  row["createdAt"] = ts;
  row["updatedAt"] = ts;
  for (const auto& f : e.fields) {
    if (f.origin == schema::Origin::System && !row.contains(f.name))
      row[f.name] = f.default_value ? *f.default_value : json(nullptr);
  }
  check_parents(ctx, e, row);
  authorize_row(ctx, e, schema::authz::Action::Create, nullptr, row, json::array());
  if (hooks.before_create) hooks.before_create(ctx, row);
  repo::insert(ctx.store, e, row);
  store::audit(ctx.store, ctx.as, "create", e, row["id"].get<std::string>(),
               repo::diff(e, nullptr, row), ctx.now);
  return row;
}

json update_row(Context& ctx, const Entity& e, const std::string& id, const json& patch,
                const EntityHooks& hooks) {
  const json before = repo::get(ctx.store, e, ctx.as.organization_id, id, false, key_path("id"));
  json after = before;
  for (const auto& [k, v] : patch.items()) after[k] = v;
  // Another spelling of the same instant is no change; a change is answered and audited as
  // the next read returns it.
  codec::canonicalize(e, after);
  std::vector<Issue> issues;
  validate::entity_rules(e, after, key_path("patch"), issues);
  if (!issues.empty()) throw Error::invalid(std::move(issues));
  check_parents(ctx, e, after, patch);
  authorize_row(ctx, e, schema::authz::Action::Update, before, after, key_path("patch"));
  if (hooks.before_update) hooks.before_update(ctx, before, after);
  bool changed = false;
  json written =
      store::audited_change(ctx.store, ctx.as, e, before, after, "update", ctx.now, &changed);
  if (!changed) return before;  // nothing changed: no write, no audit row
  after = std::move(written);
  if (hooks.after_update) {
    const json extra = hooks.after_update(ctx, before, after);
    if (extra.is_object())
      for (const auto& [k, v] : extra.items()) after[k] = v;
  }
  return after;
}

namespace {

constexpr F id_param() {
  return uuid("id").doc("Row id.");
}

std::vector<Field> list_params(const Entity& e) {
  std::vector<Field> p;
  std::vector<std::string> orderable;
  for (const auto& f : e.fields) {
    const bool filter =
        (!f.references.empty() && f.name != "organizationId") || f.type == schema::Type::Enum;
    if (filter) {
      Field copy = f;
      copy.nullable = true;
      copy.default_value.reset();
      copy.origin = schema::Origin::Input;
      copy.immutable = false;
      copy.actor_default = false;
      if constexpr (kWithDocs) copy.doc = "Only rows with this " + f.name + ".";
      p.push_back(copy);
    }
    if (f.type == schema::Type::Instant || f.type == schema::Type::Int ||
        f.type == schema::Type::Date || f.name == "name" || f.name == "title")
      orderable.push_back(f.name);
  }
  if (e.soft_delete) {
    p.push_back(boolean("includeDeleted").def(false).doc("Also soft-deleted rows."));
    p.push_back(boolean("onlyDeleted").def(false).doc("Only soft-deleted rows (the trash)."));
  }
  Field order_by = F("orderBy", schema::Type::Enum).def("createdAt");
  order_by.enum_values = std::move(orderable);
  p.push_back(std::move(order_by));
  p.push_back(boolean("descending").def(false));
  p.push_back(integer("limit", 1, 1000).def(100));
  p.push_back(integer("offset", 0, 1'000'000'000).def(0));
  return p;
}

void prefill_actor(const Entity& e, Context& ctx, json& params) {
  if (!params.is_object()) return;
  for (const auto& f : e.fields)
    if (f.actor_default && !params.contains(f.name)) params[f.name] = ctx.as.user_id;
}

// The entity a generic operation acts on (set by add_entity_ops).
const Entity& target(const Context& ctx) {
  return *ctx.op->target;
}

// A generic operation: the declaration's constant parts (OpDecl: one call, no inlined string,
// vector and field constructions per operation), its name `<prefix><suffix>` and its doc
// `<before><entity name><after>` (`before` alone when `after` is null). Returns the operation for
// the parts that depend on the entity.
Operation& push(std::vector<Operation>& ops, OpDecl&& d, const std::string& prefix,
                const char* suffix, const Entity& e, const char* before, const char* after) {
  Operation& op = ops.emplace_back(std::move(d));
  op.name = prefix;
  op.name += suffix;
  op.doc = before;
  if (after) {
    op.doc += e.name;
    op.doc += after;
  }
  return op;
}

void add_for(std::vector<Operation>& ops, const Entity& e) {
  const std::string p = op_prefix(e);
  if (e.name == "Organization") return;  // tenant itself: see ops_org.cpp
  using schema::authz::Level;
  const schema::authz::EntityAccess acc = schema::authz::entity_access(e.name);

  json (*const get)(Context&, const json&) = [](Context& ctx, const json& params) {
    return repo::get(ctx.store, target(ctx), ctx.as.organization_id,
                     params["id"].get<std::string>(), params.value("includeDeleted", false),
                     key_path("id"));
  };
  if (e.soft_delete)
    push(ops,
         {.access = {acc.read},
          .params = {id_param(), boolean("includeDeleted").def(false)},
          .result = result::entity(e.name.c_str()),
          .errors = {code::not_found},
          .writes = false,
          .handler = get},
         p, ".get", e, "One ", " by id.");
  else
    push(ops,
         {.access = {acc.read},
          .params = {id_param()},
          .result = result::entity(e.name.c_str()),
          .errors = {code::not_found},
          .writes = false,
          .handler = get},
         p, ".get", e, "One ", " by id.");
  push(ops,
       {.access = {acc.read},
        .result = result::page(result::entity(e.name.c_str())),
        .writes = false,
        .write_result =
            [](Context& ctx, const json& params, std::string& out) {
              repo::ListQuery q;
              for (const auto& f : target(ctx).fields) {
                auto it = params.find(f.name);
                if (it == params.end() || it->is_null()) continue;
                q.equals.emplace_back(f.name, *it);
              }
              q.include_deleted = params.value("includeDeleted", false);
              q.only_deleted = params.value("onlyDeleted", false);
              q.order_by = params.value("orderBy", std::string("createdAt"));
              q.descending = params.value("descending", false);
              q.limit = params.value("limit", int64_t{100});
              q.offset = params.value("offset", int64_t{0});
              const auto& org = ctx.as.organization_id;
              write_page_start(out, q.limit);
              repo::list_json(ctx.store, target(ctx), org, q, out);
              write_page_end(out, repo::count(ctx.store, target(ctx), org, q), q.limit, q.offset);
            }},
       p, ".list", e, "A page of ", " rows of the organization, filtered and ordered.")
      .params = list_params(e);
  // Rows only the system writes have no generic write operations at all.
  if (!e.api_writable || acc.create == Level::System) return;

  push(ops,
       {.access = {acc.create},
        .entity = e.name.c_str(),
        .entity_mode = validate::Mode::Create,
        .result = result::entity(e.name.c_str()),
        .errors = {code::not_found, code::conflict},
        .writes = true,
        .prefill =
            [](Context& ctx, json& params) {
              prefill_actor(target(ctx), ctx, params);
              if (const auto& h = hooks_for(target(ctx)); h.prefill_create)
                h.prefill_create(ctx, params);
            },
        .handler =
            [](Context& ctx, const json& params) {
              return create_row(ctx, target(ctx), params, hooks_for(target(ctx)));
            }},
       p, ".create", e, "Creates a ", "; the audit row is written in the same transaction.");

  if (e.api_updatable && acc.update != Level::System) {
    Operation& op =
        push(ops,
             {.access = {acc.update},
              .params = {id_param()},
              .entity = e.name.c_str(),
              .entity_mode = validate::Mode::Patch,
              .entity_key = "patch",
              .result = result::entity(e.name.c_str()),
              .errors = {code::not_found, code::conflict},
              .handler =
                  [](Context& ctx, const json& params) {
                    return update_row(ctx, target(ctx), params["id"].get<std::string>(),
                                      params["patch"], hooks_for(target(ctx)));
                  }},
             p, ".update", e, "Changes some fields of a ", " (only changed fields are audited).");
    if (!hooks_for(e).update_extra.empty())
      op.result = result::entity_with(e.name, hooks_for(e).update_extra);
  }

  if (acc.remove == Level::System) return;
  if (e.soft_delete) {
    push(ops,
         {.access = {acc.remove},
          .params = {id_param()},
          .result = result::entity(e.name.c_str()),
          .errors = {code::not_found},
          .handler =
              [](Context& ctx, const json& params) {
                const std::string id = params["id"].get<std::string>();
                json row = repo::get(ctx.store, target(ctx), ctx.as.organization_id, id, false,
                                     key_path("id"));
                authorize_row(ctx, target(ctx), schema::authz::Action::Remove, row, nullptr,
                              key_path("id"));
                json fields{
                    {"deletedAt", format_instant(ctx.now)},
                    {"deletedBy", ctx.as.user_id.empty() ? json(nullptr) : json(ctx.as.user_id)},
                    {"updatedAt", format_instant(ctx.now)}};
                repo::set_fields(ctx.store, target(ctx), ctx.as.organization_id, id, fields);
                store::audit(ctx.store, ctx.as, "delete", target(ctx), id,
                             {{"deletedAt", {{"before", nullptr}, {"after", fields["deletedAt"]}}}},
                             ctx.now);
                for (const auto& [k, v] : fields.items()) row[k] = v;
                if (const auto& h = hooks_for(target(ctx)); h.after_delete)
                  h.after_delete(ctx, row);
                return row;
              }},
         p, ".delete", e, "Soft-deletes a ", ": hidden from reads until restored.");
    push(ops,
         {.access = {acc.remove},
          .params = {id_param()},
          .result = result::entity(e.name.c_str()),
          .errors = {code::not_found, code::plan_limit},
          .handler =
              [](Context& ctx, const json& params) {
                const std::string id = params["id"].get<std::string>();
                json row = repo::get(ctx.store, target(ctx), ctx.as.organization_id, id, true,
                                     key_path("id"));
                if (row["deletedAt"].is_null()) return row;  // not deleted: nothing to do
                authorize_row(ctx, target(ctx), schema::authz::Action::Remove, row, nullptr,
                              key_path("id"));
                if (const auto& h = hooks_for(target(ctx)); h.before_restore)
                  h.before_restore(ctx, row);
                json fields{{"deletedAt", nullptr},
                            {"deletedBy", nullptr},
                            {"updatedAt", format_instant(ctx.now)}};
                repo::set_fields(ctx.store, target(ctx), ctx.as.organization_id, id, fields);
                store::audit(ctx.store, ctx.as, "restore", target(ctx), id,
                             {{"deletedAt", {{"before", row["deletedAt"]}, {"after", nullptr}}}},
                             ctx.now);
                for (const auto& [k, v] : fields.items()) row[k] = v;
                if (const auto& h = hooks_for(target(ctx)); h.after_restore)
                  h.after_restore(ctx, row);
                return row;
              }},
         p, ".restore", e, "Undoes a soft delete.", nullptr);
  }

  push(ops,
       {.access = {acc.remove},
        .params = {id_param()},
        .result = result::named("Purged"),
        .errors = {code::not_found, code::conflict},
        .handler =
            [](Context& ctx, const json& params) {
              const std::string id = params["id"].get<std::string>();
              const json row = repo::get(ctx.store, target(ctx), ctx.as.organization_id, id, true,
                                         key_path("id"));
              authorize_row(ctx, target(ctx), schema::authz::Action::Remove, row, nullptr,
                            key_path("id"));
              repo::purge(ctx.store, target(ctx), ctx.as.organization_id, id);
              store::audit(ctx.store, ctx.as, "purge", target(ctx), id,
                           repo::diff(target(ctx), row, nullptr), ctx.now);
              return json{{"id", id}, {"purged", true}};
            }},
       p, e.soft_delete ? ".purge" : ".delete", e, "Removes a ",
       e.soft_delete ? " for good (with the rows that belong to it)." : " for good.");
}

}  // namespace

void add_entity_ops(std::vector<Operation>& ops) {
  for (const auto& e : schema::entities()) {
    const size_t first = ops.size();
    add_for(ops, e);
    for (size_t i = first; i < ops.size(); ++i) ops[i].target = &e;
  }
}

}  // namespace ec::api
