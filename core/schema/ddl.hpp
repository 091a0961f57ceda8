#pragma once
// DDL generated from the entity declarations.
#include <string>

#include "core/schema/schema.hpp"

namespace ec::schema {

/// The SQLite schema (STRICT tables, composite same-organization foreign keys, indexes, the
/// TokenUsageDaily roll-up triggers and the AuditLog append-only triggers). Idempotent
/// (IF NOT EXISTS) so it can be applied to an empty database with the sqlite3 CLI.
std::string sqlite_ddl();

/// The application_id stamped into every database this core creates ('EPC1'), so a foreign
/// SQLite file is recognised on import.
inline constexpr int kApplicationId = 0x45504331;

}  // namespace ec::schema
