#pragma once
// The per-table PostgreSQL access SQL of the generated migration (tools library): Row Level
// Security policies and the role trigger from the authorization declaration
// (core/schema/authz.cpp), and the fields trigger from the field declarations (system and fixed
// fields, same-project references, text formats). Used by ddl_postgres.cpp, which also provides
// the two SQL helpers declared here.
#include <sstream>
#include <string>

#include "core/schema/schema.hpp"

namespace ec::schema::pgddl {

/// A PostgreSQL string literal ('' doubles a quote).
std::string quote(const std::string& s);
/// The PostgreSQL default expression of a column ("" when none).
std::string default_expr(const Entity& e, const Field& f);

/// RLS: enable it and one policy per kind of change users may make
/// (docs/adr/0010-authorization.md).
void emit_rls(std::ostringstream& os, const Entity& e);
/// The role trigger: per-row and per-field rules, at least one owner per organization.
void emit_role_trigger(std::ostringstream& os, const Entity& e);
/// The fields trigger: system and fixed fields, same-project references, text formats, JSON
/// fields.
void emit_fields_trigger(std::ostringstream& os, const Entity& e);

/// The validators of the JSON fields and of the core's text forms (pg_json_checks.cpp),
/// emitted once before the fields triggers: private.json_value_issues, json_<rule>_issues,
/// parse_instant_text, is_date_text, is_uuid_text, …
std::string json_checks_sql();
/// Whether the fields trigger of `e` checks JSON fields (users may write the table).
bool has_json_checks(const Entity& e);
/// The fields trigger's JSON part of `e`: every JSON field written by this statement checked
/// as the core's validation does (type, entries, numbers, bytes, the rule's shape), its issues
/// added to the trigger's v_issues.
std::string json_field_check_sql(const Entity& e);
/// Raises the trigger's v_issues, if any, at once as `invalid` (SQLSTATE 22023) with DETAIL
/// {"path", "issues": [{path, code, message?}]}: path is the one issue's path, or [] for several,
/// as the core answers.
std::string issues_raise_sql();

}  // namespace ec::schema::pgddl
