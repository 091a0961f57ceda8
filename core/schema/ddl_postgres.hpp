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

/// The file name under supabase/migrations/ of the newest migration (history.hpp).
std::string postgres_migration_name();

/// The migration taking a database from `version` - 1 to `version` (`episodes-core schema
/// --dialect postgres --upgrade-from N`), derived from the declared history (history.hpp): the
/// version's changes as ALTERs (ADD COLUMN, constraint swaps, new tables), then the derived
/// objects (functions, triggers, policies, column defaults) re-created; the result equals
/// postgres_ddl(). Only the newest version is generated (older files are history, byte-frozen
/// by supabase/migrations.sha256); throws ec::Error{bad_request} for any other.
std::string postgres_migration(int version);

/// The PostgreSQL enum type of an Enum field ("project_status"); "" for other fields.
std::string postgres_enum_type(const Entity& e, const Field& f);
/// The code points a not-blank text may not consist of only (kBlankCodePoints), as one
/// PostgreSQL string literal for btrim (the CHECKs and the functions' param checks).
std::string postgres_blank_chars();

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
