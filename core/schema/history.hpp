#pragma once
// The schema's history, declared once: every version and what it changed. The SQLite upgrade
// steps (core/store/migrate.cpp), the next PostgreSQL migration file (ddl_postgres.cpp) and
// kSchemaVersion are derived from it. How to add a field: docs/MIGRATIONS.md.
#include <cstddef>
#include <string_view>

namespace ec::schema {

/// What one version changed. Each change is derived into both engines' steps.
enum class Change {
  AddTable,   // a new entity: CREATE TABLE (+ indexes, enum types) in both engines
  AddColumn,  // a new nullable or defaulted field: ALTER TABLE … ADD COLUMN in both engines
  Checks,     // a field's CHECK changed (bounds, enum values, not-blank): SQLite rebuilds the
              // table (https://www.sqlite.org/lang_altertable.html#otheralter); PostgreSQL
              // drops and re-adds the named constraint. Blank values of a not-blank field are
              // first rewritten to kBlankPlaceholder (docs/adr/0015-blank-names.md).
  Rebuild,    // every table rebuilt from the declaration (SQLite), every CHECK re-added (v3)
  AddIndex,   // a declared index (by its name) new on an existing table: CREATE INDEX in both
              // engines (SQLite: skipped when the table is created by a later step)
  DropIndex,  // an index (by its name) no longer declared: DROP INDEX IF EXISTS in both engines
};

struct SchemaChange {
  int version;
  Change change;
  std::string_view entity;  // "Project" ("" for Rebuild)
  std::string_view field;   // "tagline" ("" for AddTable / Rebuild); for AddIndex / DropIndex
                            // the index's name (schema::index_name: "ix_<table>_<columns>")
};

struct SchemaVersion {
  int version;
  /// The PostgreSQL migration under supabase/migrations/ ("" = none: v1 predates Supabase).
  /// Files are history: never rewritten (supabase/migrations.sha256); the newest one is
  /// generated when missing (scripts/generate.sh).
  std::string_view pg_file;
  std::string_view doc;
};

inline constexpr SchemaVersion kVersions[] = {
    {1, "", "The product team's original model."},
    {2, "20250815090000_episodes_core_v2.sql",
     "The expert review: User.timezone, Episode generation tracking, the queue, usage, notes, "
     "memories, events, audit, blocks and highlights."},
    {3, "20250901090000_episodes_core_v3.sql",
     "Every bound in both engines' CHECKs (docs/adr/0012-bounds-and-value-parity.md)."},
    {4, "20261129233000_episodes_core_v4.sql",
     "Names and titles must not be blank (docs/adr/0015-blank-names.md); Project.tagline."},
    {5, "20261130033000_episodes_core_v5.sql",
     "PostgreSQL keeps the core's promises: the plan limit, one owner under concurrent role "
     "changes, queue_retry / queue_cancel, leases capped at the end of the instant range; users "
     "cannot set system fields nor change fixed ones; same-project references; domain formats."},
    {6, "20261130063000_episodes_core_v6.sql",
     "PostgreSQL checks the JSON fields as the core does (cadence, memories, generationErrors, "
     "event data: shapes, entries, bytes, JSON numbers), the core's text forms of instants and "
     "UUIDs inside them and in the functions' jsonb params, and refuses a request whose user is "
     "not a current member of its organization."},
    {7, "20261130190000_episodes_core_v7.sql",
     "Indexes for the dashboard's reads (docs/adr/0038-read-indexes.md): a project's live "
     "episodes by status (the overview's counts, the episode list's count) and its token usage "
     "by time (the usage list), which replaces the usage index on (organization, project)."},
};

inline constexpr SchemaChange kChanges[] = {
    {2, Change::AddColumn, "User", "timezone"},
    {2, Change::AddColumn, "Episode", "generationAttempts"},
    {2, Change::AddColumn, "Episode", "generationErrors"},
    {2, Change::AddTable, "EpisodeScheduleQueue", ""},
    {2, Change::AddTable, "ChatSession", ""},
    {2, Change::AddTable, "ChatMessage", ""},
    {2, Change::AddTable, "TokenUsage", ""},
    {2, Change::AddTable, "TokenUsageDaily", ""},
    {2, Change::AddTable, "BudgetReservation", ""},
    {2, Change::AddTable, "PlanningNote", ""},
    {2, Change::AddTable, "AgentMemory", ""},
    {2, Change::AddTable, "UserEvent", ""},
    {2, Change::AddTable, "AuditLog", ""},
    {2, Change::AddTable, "Block", ""},
    {2, Change::AddTable, "Highlight", ""},
    {3, Change::Rebuild, "", ""},
    {4, Change::Checks, "Organization", "name"},
    {4, Change::Checks, "User", "name"},
    {4, Change::Checks, "Project", "name"},
    {4, Change::Checks, "Episode", "title"},
    {4, Change::Checks, "ChatSession", "title"},
    {4, Change::AddColumn, "Project", "tagline"},
    {7, Change::AddIndex, "Episode", "ix_episodes_organization_id_project_id_deleted_at_status"},
    {7, Change::DropIndex, "TokenUsage", "ix_token_usage_organization_id_project_id"},
    {7, Change::AddIndex, "TokenUsage", "ix_token_usage_organization_id_project_id_occurred_at_id"},
};

/// The schema version stored in the database (PRAGMA user_version; PostgreSQL
/// private.schema_info): the newest declared version.
inline constexpr int kSchemaVersion = kVersions[std::size(kVersions) - 1].version;

/// Fields added by AddColumn after this version are stored after every other column (an ALTER
/// TABLE … ADD COLUMN appends), in both engines and in a fresh install alike, so an upgraded
/// database and a fresh one have the same column order.
inline constexpr int kColumnOrderBaseline = 3;

}  // namespace ec::schema
