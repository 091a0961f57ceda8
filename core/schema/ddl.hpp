#pragma once
// DDL generated from the entity declarations.
#include <string>

#include "core/schema/schema.hpp"

namespace ec::schema {

/// The SQLite schema (STRICT tables, composite same-organization foreign keys, indexes, the
/// TokenUsageDaily roll-up triggers and the AuditLog append-only triggers). Idempotent
/// (IF NOT EXISTS) so it can be applied to an empty database with the sqlite3 CLI.
std::string sqlite_ddl();

/// CREATE TABLE IF NOT EXISTS `name` (columns, CHECKs, foreign keys) of one entity; the table
/// rebuild of core/store/migrate.cpp creates the new table under a temporary name.
std::string sqlite_create_table(const Entity& e, const std::string& name);

/// The CHECK clause of one column (" CHECK (...)" or ""), derived from its declaration.
std::string sqlite_column_checks(const Field& f);

/// The application_id stamped into every database this core creates ('EPC1'), so a foreign
/// SQLite file is recognised on import.
inline constexpr int kApplicationId = 0x45504331;

}  // namespace ec::schema
