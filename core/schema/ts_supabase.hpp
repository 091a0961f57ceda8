#pragma once
// The typed Supabase `Database` definition (as `supabase gen types typescript` writes it) derived
// from the same declarations as the PostgreSQL migration (core/schema/ddl_postgres.cpp): the
// product's schema-final.ts. `episodes-core types --lang ts --target supabase`.
#include <string>

namespace ec::schema {

/// `export type Json`, `export type Database` (public: Tables with Row/Insert/Update/
/// Relationships, Views, Functions, Enums, CompositeTypes) and the Tables/TablesInsert/
/// TablesUpdate/Enums helper types. Columns in snake_case as the database names them.
std::string supabase_types_ts();

}  // namespace ec::schema
