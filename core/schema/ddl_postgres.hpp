#pragma once
// PostgreSQL (Supabase) DDL generated from the entity declarations (core/schema/entities.cpp).
#include <string>

#include "core/schema/schema.hpp"

namespace ec::schema {

/// The Supabase migration of schema version kSchemaVersion: enum types, every table
/// (uuid / timestamptz / jsonb / bigint micro-pounds), composite same-organization foreign
/// keys, unique keys and indexes, the TokenUsageDaily roll-up triggers, the AuditLog
/// append-only trigger, Row Level Security on every table (one organization per user,
/// users.id = auth.uid()), and the queue/budget functions (claim with FOR UPDATE SKIP LOCKED,
/// fenced complete/fail/extend, atomic budget reservation). One transaction; a second apply
/// is refused by a guard without any change. See docs/adr/0005-postgres-rls.md.
std::string postgres_ddl();

/// The file name under supabase/migrations/ of the newest migration (an upgrade when
/// kSchemaVersion > 2: the v2 file is history, byte-frozen).
std::string postgres_migration_name();

/// The upgrade migration from schema version `from` to kSchemaVersion (`episodes-core schema
/// --dialect postgres --upgrade-from 2`): drops and re-creates every function, trigger, policy,
/// column default and CHECK constraint from the declarations; the result equals postgres_ddl().
/// Throws ec::Error{bad_request} for an unsupported `from`.
std::string postgres_upgrade(int from);
/// Its file name under supabase/migrations/.
std::string postgres_upgrade_name(int from);

/// The PostgreSQL enum type of an Enum field ("project_status"); "" for other fields.
std::string postgres_enum_type(const Entity& e, const Field& f);

/// Names of the PostgreSQL functions callable by the service role, in emission order.
struct PgFunctionArg {
  std::string name;
  std::string pg_type;  // "uuid", "text", "integer", "bigint", "jsonb", "timestamptz"
  bool has_default = false;
};
struct PgFunction {
  std::string name;  // "queue_claim" (schema public)
  std::vector<PgFunctionArg> args;
  std::string returns_table;  // setof this table's rows, or "" when returns_json
  bool returns_set = false;
  bool returns_json = false;  // returns jsonb
  std::string doc;
};
const std::vector<PgFunction>& postgres_functions();

}  // namespace ec::schema
