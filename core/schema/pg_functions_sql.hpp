#pragma once
// Fixed SQL of the PostgreSQL migration (see pg_functions_sql.cpp).
#include <string>

#include "core/schema/ddl_postgres.hpp"

namespace ec::schema {

/// Emitted before the tables: the private schema's security-definer helpers.
const char* pg_private_helpers_sql();
/// Emitted after the tables: append-only and roll-up triggers.
const char* pg_triggers_and_functions_sql();
/// Emitted after the triggers: queue and budget functions, function privileges.
const char* pg_queue_budget_sql();
/// The budget functions' SQL template (core/schema/pg_budget_sql.cpp), expanded by
/// pg_queue_budget_sql() after the queue functions.
extern const char* const kBudgetSqlTemplate;
/// Expands the markers of a PostgreSQL template (@param, @usage, @const, @state; see
/// pg_queue_sql.cpp); throws std::logic_error on an unknown marker, constant or state.
std::string expand_pg_template(std::string sql);

}  // namespace ec::schema
