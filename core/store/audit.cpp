#include "core/store/audit.hpp"

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

}  // namespace ec::store
