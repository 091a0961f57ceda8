// User events replace boolean flags: record with userEvent.create, list with userEvent.list,
// and ask "has this user done X?" with userEvent.has.
#include "core/api/entity_ops.hpp"
#include "core/store/repo.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT
namespace repo = store::repo;

void add_event_ops(std::vector<Operation>& ops) {
  const schema::Entity& ev = *schema::find_entity("UserEvent");
  schema::Field user = *ev.field("userId");
  user.immutable = false;
  schema::Field type = *ev.field("eventType");
  type.immutable = false;
  ops.emplace_back(OpDecl{
      .name = "userEvent.has",
      .doc =
          "Whether a user (default: the caller) has recorded an event, e.g. onboarding.completed.",
      .params = {user, type},
      .result = result::named("EventSummary"),
      .errors = {code::not_found},
      .writes = false,
      .prefill =
          [](Context& ctx, json& p) {
            if (!p.contains("userId")) p["userId"] = ctx.as.user_id;
          },
      .handler =
          [](Context& ctx, const json& p) {
            repo::get(ctx.store, *schema::find_entity("User"), ctx.as.organization_id, p["userId"],
                      false, key_path("userId"));
            auto& st = ctx.store.db().prepare(
                "SELECT count(*), min(occurred_at), max(occurred_at) FROM user_events "
                "WHERE organization_id = ? AND user_id = ? AND event_type = ?");
            st.bind(1, ctx.as.organization_id)
                .bind(2, p["userId"].get<std::string>())
                .bind(3, p["eventType"].get<std::string>());
            st.step();
            const int64_t n = st.int64(0);
            json out{{"has", n > 0},
                     {"count", n},
                     {"firstAt", n ? json(format_instant(st.int64(1))) : json(nullptr)},
                     {"lastAt", n ? json(format_instant(st.int64(2))) : json(nullptr)}};
            st.reset();
            return out;
          }});
}

}  // namespace ec::api
