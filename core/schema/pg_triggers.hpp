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
/// The fields trigger: system and fixed fields, same-project references, text formats.
void emit_fields_trigger(std::ostringstream& os, const Entity& e);

}  // namespace ec::schema::pgddl
