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

/// CREATE [UNIQUE] INDEX IF NOT EXISTS of one declared index (no ";").
std::string sqlite_create_index(const Entity& e, const Index& ix);

/// One column of CREATE TABLE / ALTER TABLE … ADD COLUMN: name, type, NOT NULL, DEFAULT, CHECK.
std::string sqlite_column_def(const Field& f);

/// `column` with the blank code points trimmed from both ends (schema::kBlankCodePoints): a
/// not-blank field's CHECK is `<this> <> ''`.
std::string sqlite_trimmed(const std::string& column);

/// The CHECK clause of one column (" CHECK (...)" or ""), derived from its declaration.
std::string sqlite_column_checks(const Field& f);

/// One step of the SQLite upgrade from a version to kSchemaVersion, derived from the history
/// (history.hpp). core/store/migrate.cpp runs them in order inside one transaction.
struct SqliteStep {
  enum Kind {
    AddColumn,  // `sql` is ALTER TABLE … ADD COLUMN; skipped when the column is there
    Repair,     // `sql` rewrites blank values of `field` (skipped when the column is missing)
    Rebuild,    // the generic table rebuild of `entity` (sqlite_rebuild_sql)
    AddIndex,   // `sql` is CREATE INDEX IF NOT EXISTS; skipped when the table is missing (a
                // table added later: the DDL step creates it with its indexes)
    DropIndex,  // `sql` is DROP INDEX IF EXISTS
    Ddl,        // the idempotent DDL: new tables, indexes, triggers (sqlite_ddl())
  } kind;
  const Entity* entity = nullptr;
  const Field* field = nullptr;
  std::string sql;
};
std::vector<SqliteStep> sqlite_upgrade_steps(int from);

/// The statements of the generic rebuild of `e` copying `columns` (SQLite's documented
/// procedure, https://www.sqlite.org/lang_altertable.html#otheralter): CREATE the new table
/// under a temporary name, INSERT … SELECT, DROP the old one, RENAME. Separated by ";\n".
std::vector<std::string> sqlite_rebuild_sql(const Entity& e,
                                            const std::vector<std::string>& columns);

/// The upgrade from `from` to kSchemaVersion as SQL text, for people (`episodes-core schema
/// --dialect sqlite --upgrade-from N`, docs/MIGRATIONS.md); what migrate.cpp runs.
std::string sqlite_upgrade_sql(int from);

/// The application_id stamped into every database this core creates ('EPC1'), so a foreign
/// SQLite file is recognised on import.
inline constexpr int kApplicationId = 0x45504331;

}  // namespace ec::schema
