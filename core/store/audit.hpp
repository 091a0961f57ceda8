#pragma once
// AuditLog writes. Called inside the same transaction as the change it records.
#include <string>

#include "core/schema/schema.hpp"
#include "core/store/store.hpp"

namespace ec::store {

/// Appends one AuditLog row: `actor` did `action` ("create", "update", …) to entity `id`.
void audit(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
           const std::string& id, const json& changes, Instant at);
/// The same with `changes` already as the text audit() stores (codec::to_sql of the object).
void audit_text(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
                const std::string& id, std::string changes, Instant at);

/// Sets `fields` on the row `before` (plus updatedAt) and audits the changed fields as `action`,
/// in the caller's transaction. Returns the row after the change (unchanged: no write, no audit;
/// *changed says which). `before` is a row as read (instants in their stored form); pass it
/// moved when the caller no longer needs it.
json audited_change(Store& s, const Actor& as, const schema::Entity& e, json before,
                    const json& fields, const std::string& action, Instant now,
                    bool* changed = nullptr);

}  // namespace ec::store
