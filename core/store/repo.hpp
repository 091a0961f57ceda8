#pragma once
// Generic, schema-driven row access. SQL text is assembled only from names declared in
// core/schema (never from caller strings); every value is bound to a prepared statement.
// Every function is scoped to one organization: another org's ids behave as missing ids.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/schema/schema.hpp"
#include "core/store/store.hpp"

namespace ec::store::repo {

using schema::Entity;

struct ListQuery {
  std::vector<std::pair<std::string, json>> equals;  // JSON field name -> value (null = IS NULL)
  bool include_deleted = false;        // also soft-deleted rows (and rows of soft-deleted parents)
  bool only_deleted = false;           // the trash
  std::string order_by = "createdAt";  // JSON field name
  bool descending = false;
  int64_t limit = 100;
  int64_t offset = 0;
};

/// One row by id, or nullopt (missing, other organization, or hidden by soft delete).
std::optional<json> find(Store& s, const Entity& e, const std::string& org, const std::string& id,
                         bool include_deleted = false);
/// Like find, but throws Error{not_found} naming the entity and `path`.
json get(Store& s, const Entity& e, const std::string& org, const std::string& id,
         bool include_deleted = false, const json& path = json::array());
std::vector<json> list(Store& s, const Entity& e, const std::string& org, const ListQuery& q);
/// The rows of list(), each handed to `row` as the statement positioned on it (columns as
/// select_columns); returns how many.
int64_t list_each(Store& s, const Entity& e, const std::string& org, const ListQuery& q,
                  const std::function<void(Stmt&)>& row);
/// list() written as a JSON array into `out`, byte-identical to dumping list()'s rows.
void list_json(Store& s, const Entity& e, const std::string& org, const ListQuery& q,
               std::string& out);
int64_t count(Store& s, const Entity& e, const std::string& org, const ListQuery& q);

/// Inserts a complete row (JSON form, every column present or defaulted).
void insert(Store& s, const Entity& e, const json& row);
/// insert() with the row already in its SQL form: one value per field, in declaration order
/// (what codec::to_sql gives for each field; null for a field the row leaves out).
void insert_values(Store& s, const Entity& e, const std::vector<SqlValue>& values);
/// Sets the given fields (JSON names) of one row; returns false if no such row.
bool set_fields(Store& s, const Entity& e, const std::string& org, const std::string& id,
                const json& fields);
/// Removes a row for good.
bool purge(Store& s, const Entity& e, const std::string& org, const std::string& id);

/// Applies JSON defaults of every field missing from `input` (create).
json with_defaults(const Entity& e, json input);
/// {field: {before, after}} for the fields that differ (system timestamps excluded).
json diff(const Entity& e, const json& before, const json& after);

/// SQL condition hiding soft-deleted rows and rows whose (transitive) parent is soft-deleted.
std::string visible_sql(const Entity& e, const std::string& alias, int depth = 0);
/// The SELECT column list of an entity in declaration order, qualified by alias.
std::string select_columns(const Entity& e, const std::string& alias);
/// Reads a row selected with select_columns (starting at column `first`).
json read_row(const Entity& e, Stmt& st, int first = 0);
/// Appends the row read_row() would build as JSON text, byte-identical to dump_text of it
/// (keys in std::map order), without building it (docs/adr: raw JSON results).
void write_row(const Entity& e, Stmt& st, std::string& out, int first = 0);

/// A row in its SQL form (docs/adr: queue rows as typed values): one value per field of `e`, in
/// declaration order, as the columns give them (instants as epoch milliseconds, JSON columns as
/// their stored text). What read_row builds is to_json(row); what it writes is write_row(row).
struct Row {
  const Entity* e = nullptr;
  std::vector<SqlValue> v;
};
/// An entity's fields in the byte order of their names (the order dump_text writes a row's keys
/// and std::map keeps an object's): (field index, key text "\"name\":").
const std::vector<std::pair<size_t, std::string>>& fields_by_name(const Entity& e);
/// The index of a declared field in Row::v (the field must exist).
size_t slot(const Entity& e, std::string_view field);
/// find() as a Row: the same statement, the same binds.
std::optional<Row> find_row(Store& s, const Entity& e, const std::string& org,
                            const std::string& id);
/// get() as a Row: the same statement, the same not_found error.
Row get_row(Store& s, const Entity& e, const std::string& org, const std::string& id,
            const json& path = json::array());
/// Reads a row selected with select_columns (starting at column `first`) in its SQL form.
Row read_values(const Entity& e, Stmt& st, int first = 0);
/// The row as read_row() builds it.
json to_json(const Row& r);
/// Appends the row as JSON text, byte-identical to dump_text(to_json(r)).
void write_row(const Row& r, std::string& out);
/// Appends one value as JSON text, as append_dump writes codec::from_sql(f, v); false (with a
/// partial text in `out`) where append_dump refuses (invalid UTF-8).
bool append_value(const schema::Field& f, const SqlValue& v, std::string& out);
/// set_fields() with the values in their SQL form, fields in the order set_fields iterates a
/// JSON object's keys (byte order of the names): the same statement, binds and errors.
bool set_values(Store& s, const Entity& e, const std::string& org, const std::string& id,
                const std::vector<std::pair<const schema::Field*, SqlValue>>& fields);

}  // namespace ec::store::repo
