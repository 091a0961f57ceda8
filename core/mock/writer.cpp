#include "core/mock/writer.hpp"

#include "core/json/codec.hpp"
#include "core/validate/validate.hpp"

namespace ec::mock {

Table::Table(Writer& w, const char* entity_name)
    : w_(w), entity_(schema::find_entity(entity_name)) {
  if (!entity_) throw Error(code::internal, std::string("mock: unknown entity ") + entity_name);
  std::string cols, marks;
  for (const auto& f : entity_->fields) {
    cols += (cols.empty() ? "" : ", ") + f.column;
    marks += marks.empty() ? "?" : ", ?";
    defaults_.push_back(f.default_value ? codec::to_sql(f, *f.default_value) : SqlValue(nullptr));
  }
  stmt_ =
      &w_.db().prepare("INSERT INTO " + entity_->table + " (" + cols + ") VALUES (" + marks + ")");
}

size_t Table::col(std::string_view field) const {
  for (size_t i = 0; i < entity_->fields.size(); ++i)
    if (entity_->fields[i].name == field) return i;
  throw Error(code::internal, "mock: " + entity_->name + " has no field " + std::string(field));
}

json Table::to_json(const Row& r) const {
  json j = json::object();
  for (size_t i = 0; i < entity_->fields.size(); ++i)
    j[entity_->fields[i].name] = codec::from_sql(entity_->fields[i], r[i]);
  return j;
}

const json& Table::refill_json(const Row& r) {
  if (!row_json_.is_object()) {
    row_json_ = to_json(r);
    for (auto it = row_json_.begin(); it != row_json_.end(); ++it)
      json_order_.push_back(col(it.key()));
    return row_json_;
  }
  size_t k = 0;
  for (auto it = row_json_.begin(); it != row_json_.end(); ++it, ++k) {
    const size_t i = json_order_[k];
    *it = codec::from_sql(entity_->fields[i], r[i]);
  }
  return row_json_;
}

void require_valid(const schema::Entity& e, const json& row) {
  auto issues = validate::entity(e, row, validate::Mode::Record);
  if (issues.empty()) return;
  json list = json::array();
  for (const auto& i : issues) list.push_back(ec::to_json(i));
  throw Error(code::internal, "mock data: a " + e.name + " row failed validation: " + list.dump() +
                                  " row: " + row.dump().substr(0, 600));
}

void Table::insert(const Row& r) {
  if (w_.validate_every() > 0 && written_ % w_.validate_every() == 0) {
    require_valid(*entity_, refill_json(r));
    ++w_.validated;
  }
  ++written_;
  stmt_->reset();
  stmt_->bind_all(r);
  stmt_->run();
  stmt_->reset();
  w_.count(*entity_);
}

Writer::Writer(store::Store& s, int64_t validate_every, Progress progress)
    : store_(s), validate_every_(validate_every), progress_(std::move(progress)) {}

void Writer::phase(const std::string& name) {
  phase_ = name;
  if (progress_) progress_(written, total_, phase_);
}

void Writer::count(const schema::Entity& e) {
  ++written;
  ++per_table[e.name];
  if (progress_ && written % 20'000 == 0) progress_(written, total_, phase_);
}

}  // namespace ec::mock
