#pragma once
// Schema-driven row writing for mock data: one cached INSERT per entity whose column list is
// derived from core/schema (never hand-written), rows as SQL values in field order, sampled
// validation against validate::entity(Mode::Record), and progress reporting.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/mock/mock.hpp"
#include "core/schema/schema.hpp"
#include "core/store/db.hpp"
#include "core/store/store.hpp"

namespace ec::mock {

using store::SqlValue;
using Row = std::vector<SqlValue>;

class Writer;

/// One entity's INSERT and field positions.
class Table {
 public:
  Table(Writer& w, const char* entity_name);
  /// Position of a field (JSON name) in a Row; throws Error{internal} if the schema lacks it.
  size_t col(std::string_view field) const;
  /// A row with every field at its schema default (or NULL).
  Row row() const { return defaults_; }
  /// Inserts the row (validating it when sampled).
  void insert(const Row& r);
  /// The row in JSON form (exactly what a read returns).
  json to_json(const Row& r) const;
  const schema::Entity& entity() const { return *entity_; }

 private:
  /// to_json(r) in a JSON object kept between rows: the object and its keys are made for the
  /// first row; later rows only replace the values, walking the object in its key order
  /// (json_order_: the field behind each key), so no key is looked up or allocated again.
  const json& refill_json(const Row& r);

  Writer& w_;
  const schema::Entity* entity_;
  Row defaults_;
  json row_json_;
  std::vector<size_t> json_order_;
  store::Stmt* stmt_ = nullptr;
  int64_t written_ = 0;
};

class Writer {
 public:
  Writer(store::Store& s, int64_t validate_every, Progress progress);
  store::Db& db() { return store_.db(); }
  void set_total(int64_t total) { total_ = total; }
  void phase(const std::string& name);
  void count(const schema::Entity& e);
  int64_t validate_every() const { return validate_every_; }
  int64_t validated = 0;
  int64_t written = 0;
  std::map<std::string, int64_t> per_table;  // rows written, by entity name

 private:
  store::Store& store_;
  int64_t validate_every_;
  Progress progress_;
  std::string phase_;
  int64_t total_ = 0;
};

/// Throws Error{internal} listing the issues when `row` does not validate as a stored record.
void require_valid(const schema::Entity& e, const json& row);

}  // namespace ec::mock
