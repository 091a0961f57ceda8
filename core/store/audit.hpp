#pragma once
// AuditLog writes. Called inside the same transaction as the change it records.
#include <string>

#include "core/schema/schema.hpp"
#include "core/store/store.hpp"

namespace ec::store {

/// Appends one AuditLog row: `actor` did `action` ("create", "update", …) to entity `id`.
void audit(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
           const std::string& id, const json& changes, Instant at);

}  // namespace ec::store
