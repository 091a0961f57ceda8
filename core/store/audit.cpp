#include "core/store/audit.hpp"

#include "core/json/codec.hpp"
#include "core/store/repo.hpp"

namespace ec::store {

void audit(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
           const std::string& id, const json& changes, Instant at) {
  static const schema::Entity& log = *schema::find_entity("AuditLog");
  const std::string ts = format_instant(at);
  repo::insert(s, log,
               json{{"id", s.new_id()},
                    {"organizationId", e.name == "Organization" ? id : actor.organization_id},
                    {"actorId", actor.user_id.empty() ? json(nullptr) : json(actor.user_id)},
                    {"action", action},
                    {"entityType", e.name},
                    {"entityId", id},
                    {"changes", changes},
                    {"occurredAt", ts},
                    {"createdAt", ts},
                    {"updatedAt", ts}});
}

json audited_change(Store& s, const Actor& as, const schema::Entity& e, const json& before,
                    const json& fields, const std::string& action, Instant now) {
  json after = before;
  for (const auto& [k, v] : fields.items()) after[k] = v;
  codec::canonicalize(e, after);  // written, audited and answered as a read returns it
  json changes = repo::diff(e, before, after);
  if (changes.empty()) return before;
  json set = json::object();
  for (const auto& [k, c] : changes.items()) set[k] = c["after"];
  after["updatedAt"] = format_instant(now);
  set["updatedAt"] = after["updatedAt"];
  repo::set_fields(s, e, as.organization_id, before["id"].get<std::string>(), set);
  audit(s, as, action, e, before["id"].get<std::string>(), changes, now);
  return after;
}

}  // namespace ec::store
