#pragma once
// AuditLog writes. Called inside the same transaction as the change it records.
#include <string>

#include "core/schema/schema.hpp"
#include "core/store/repo.hpp"
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

/// (field, value) pairs in their SQL form, as codec::to_sql gives them.
using SqlFields = std::vector<std::pair<const schema::Field*, SqlValue>>;

/// audited_change on a row in its SQL form (repo::Row; docs/adr: queue rows as typed values):
/// `fields` hold the values as codec::to_sql gives them for what the JSON form would be given
/// (instants as epoch milliseconds). The same comparison, UPDATE, binds and audit text as the
/// JSON audited_change; `row` becomes the row after the change. Returns whether it changed.
bool audited_change(Store& s, const Actor& as, repo::Row& row, const SqlFields& fields,
                    const std::string& action, Instant now);
/// The audit row of a created row (`action` on every field that is not null, as
/// audit(…, repo::diff(e, nullptr, to_json(row)), …) writes it).
void audit_created(Store& s, const Actor& as, const std::string& action, const repo::Row& row,
                   Instant at);

}  // namespace ec::store
