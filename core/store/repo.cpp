#include "core/store/repo.hpp"

#include "core/thread_local.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

namespace ec::store::repo {

using schema::Field;

std::string select_columns(const Entity& e, const std::string& alias) {
  std::string out;
  for (const auto& f : e.fields) out += (out.empty() ? "" : ", ") + alias + "." + f.column;
  return out;
}

json read_row(const Entity& e, Stmt& st, int first) {
  json row = json::object();
  int i = first;
  for (const auto& f : e.fields) row[f.name] = codec::from_sql(f, st.value(i++));
  return row;
}

namespace {

// An entity's fields in the order dump_text writes a row's keys (nlohmann's std::map: byte
// order of the names), each with its key text "\"name\":".
struct RowLayout {
  std::vector<std::pair<size_t, std::string>> keys;
  // Each key as written in a row: after '{' (the first) or ',' (the others).
  std::vector<std::string> written;
};

const RowLayout& layout_of(const Entity& e) {
  static std::unordered_map<const Entity*, RowLayout> layouts;
  auto [it, fresh] = layouts.try_emplace(&e);
  if (fresh) {
    std::vector<size_t> order(e.fields.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return e.fields[a].name < e.fields[b].name; });
    for (size_t i : order) {
      std::string key;
      codec::append_json_string(key, e.fields[i].name);
      key += ':';
      it->second.written.push_back((it->second.keys.empty() ? "{" : ",") + key);
      it->second.keys.emplace_back(i, std::move(key));
    }
  }
  return it->second;
}

// One column's (or one Row value's) storage class and content.
struct Cell {
  int type = Stmt::kNull;
  int64_t i = 0;
  double d = 0;
  std::string_view text;
};

Cell cell_of(Stmt& st, int col) {
  Cell c{st.type(col)};
  if (c.type == Stmt::kInteger)
    c.i = st.int64(col);
  else if (c.type == Stmt::kFloat)
    c.d = st.real(col);
  else if (c.type != Stmt::kNull)
    c.text = st.text_view(col);  // a BLOB as Stmt::value gives it: its bytes as text
  return c;
}

Cell cell_of(const SqlValue& v) {
  if (const auto* n = std::get_if<int64_t>(&v)) return Cell{Stmt::kInteger, *n};
  if (const auto* d = std::get_if<double>(&v)) return Cell{Stmt::kFloat, 0, *d};
  if (const auto* t = std::get_if<std::string>(&v)) return Cell{Stmt::kText, 0, 0, *t};
  return Cell{};
}

// One value as codec::from_sql + dump would write it: the common storage classes directly
// (JSON columns when their text is already in dump form), anything else through from_sql.
void write_value(const Field& f, const Cell& c, std::string& out) {
  if (c.type == Stmt::kNull) {
    out += "null";
    return;
  }
  switch (f.type) {
    case schema::Type::Int:
    case schema::Type::Money:
      if (c.type == Stmt::kInteger) return codec::append_json_int(out, c.i);
      break;
    case schema::Type::Bool:
      if (c.type == Stmt::kInteger) {
        out += c.i != 0 ? "true" : "false";
        return;
      }
      break;
    case schema::Type::Instant:
      if (c.type == Stmt::kInteger) return codec::append_json_instant(out, c.i);
      break;
    case schema::Type::Json:
      // Stored as the core wrote it (to_sql: dump): when the text is in dump form it is what
      // parse + dump would give back, byte for byte, and is copied as is.
      if (c.type == Stmt::kText && codec::is_dump_form(c.text))
        return static_cast<void>(out.append(c.text));
      break;
    default:
      if (c.type == Stmt::kText) return codec::append_json_string(out, c.text);
      break;
  }
  SqlValue v = nullptr;
  if (c.type == Stmt::kInteger)
    v = c.i;
  else if (c.type == Stmt::kFloat)
    v = c.d;
  else
    v = std::string(c.text);
  out += codec::from_sql(f, v).dump(-1, ' ', false, json::error_handler_t::replace);
}

// A row as an object in the key order of its layout, each field's cell from `cell(i)`.
template <class CellOf>
void write_fields(const Entity& e, std::string& out, CellOf cell) {
  const RowLayout& layout = layout_of(e);
  if (layout.keys.empty()) return static_cast<void>(out.append("{}", 2));
  for (size_t k = 0; k < layout.keys.size(); ++k) {
    out += layout.written[k];
    const size_t i = layout.keys[k].first;
    write_value(e.fields[i], cell(i), out);
  }
  out += '}';
}

}  // namespace

void write_row(const Entity& e, Stmt& st, std::string& out, int first) {
  write_fields(e, out, [&](size_t i) { return cell_of(st, first + static_cast<int>(i)); });
}

const std::vector<std::pair<size_t, std::string>>& fields_by_name(const Entity& e) {
  return layout_of(e).keys;
}

size_t slot(const Entity& e, std::string_view field) {
  return static_cast<size_t>(e.field(field) - e.fields.data());
}

Row read_values(const Entity& e, Stmt& st, int first) {
  Row row{&e, {}};
  row.v.reserve(e.fields.size());
  for (const auto& f : e.fields) {
    row.v.push_back(st.value(first++));
    // A value read_row could not convert throws here as it would there (same exception).
    const SqlValue& v = row.v.back();
    bool plain = true;
    switch (f.type) {
      case schema::Type::Json:
        plain = std::holds_alternative<std::nullptr_t>(v) ||
                (std::holds_alternative<std::string>(v) &&
                 codec::is_dump_form(std::get<std::string>(v)));
        break;
      case schema::Type::Int:
      case schema::Type::Money:
        plain = !std::holds_alternative<std::string>(v);
        break;
      case schema::Type::Instant:
      case schema::Type::Bool:
        plain = std::holds_alternative<std::nullptr_t>(v) || std::holds_alternative<int64_t>(v);
        break;
      default:
        break;
    }
    if (!plain) (void)codec::from_sql(f, v);
  }
  return row;
}

json to_json(const Row& r) {
  json row = json::object();
  size_t i = 0;
  for (const auto& f : r.e->fields) row[f.name] = codec::from_sql(f, r.v[i++]);
  return row;
}

void write_row(const Row& r, std::string& out) {
  write_fields(*r.e, out, [&](size_t i) { return cell_of(r.v[i]); });
}

bool append_value(const Field& f, const SqlValue& v, std::string& out) {
  if (std::holds_alternative<std::nullptr_t>(v)) {
    out += "null";
    return true;
  }
  if (const auto* n = std::get_if<int64_t>(&v)) {
    if (f.type == schema::Type::Int || f.type == schema::Type::Money) {
      codec::append_json_int(out, *n);
      return true;
    }
    if (f.type == schema::Type::Instant) {
      codec::append_json_instant(out, *n);
      return true;
    }
  }
  if (const auto* t = std::get_if<std::string>(&v);
      t && f.type == schema::Type::Json && codec::is_dump_form(*t)) {
    out += *t;
    return true;
  }
  return codec::append_dump(out, codec::from_sql(f, v));
}

std::string visible_sql(const Entity& e, const std::string& alias, int depth) {
  // Built with append(): GCC 12 reports a false -Wrestrict on long operator+ chains here.
  std::string cond;
  if (e.soft_delete)
    cond.append(alias).append(".deleted_at IS NULL");
  else
    cond = "1";
  for (const auto& f : e.fields) {
    if (f.references.empty() || f.nullable || !f.cascade || f.name == "organizationId") continue;
    const Entity* parent = schema::find_entity(f.references);
    if (!parent) continue;
    std::string pa("p");
    pa.append(std::to_string(depth)).append("_").append(f.column);
    const std::string inner = visible_sql(*parent, pa, depth + 1);
    if (inner == "1") continue;
    cond.append(" AND EXISTS (SELECT 1 FROM ").append(parent->table).append(" ").append(pa);
    cond.append(" WHERE ").append(pa).append(".id = ").append(alias).append(".").append(f.column);
    cond.append(" AND ").append(inner).append(")");
  }
  return cond;
}

namespace {

std::string org_condition(const Entity& e, const std::string& alias) {
  return e.tenant_scoped ? alias + ".organization_id = ?" : alias + ".id = ?";
}

const Field& require_field(const Entity& e, const std::string& name) {
  const Field* f = e.field(name);
  if (!f)
    throw Error(code::bad_request, "unknown field '" + name + "' for " + e.name,
                json::array({name}));
  return *f;
}

// WHERE clause shared by list and count; bound values go to `params`.
std::string where_clause(const Entity& e, const ListQuery& q) {
  std::string sql = " WHERE " + org_condition(e, "t");
  for (const auto& [name, value] : q.equals) {
    const Field& f = require_field(e, name);
    sql += " AND t." + f.column + (value.is_null() ? " IS NULL" : " = ?");
  }
  if (q.only_deleted && e.soft_delete) {
    sql += " AND t.deleted_at IS NOT NULL";
  } else if (!q.include_deleted) {
    const std::string v = visible_sql(e, "t");
    if (v != "1") sql += " AND " + v;
  }
  return sql;
}

void where_params(const Entity& e, const std::string& org, const ListQuery& q,
                  std::vector<SqlValue>& params) {
  params.push_back(org);
  for (const auto& [name, value] : q.equals)
    if (!value.is_null()) params.push_back(codec::to_sql(require_field(e, name), value));
}

// The SQL text of a list ('l') or count ('c') depends only on the entity and the query's shape
// (which fields are filtered, null or not, the flags, the order): built once per shape.
const std::string& query_sql(const Entity& e, const ListQuery& q, char kind) {
  static std::unordered_map<std::string, std::string> texts;
  std::string key;
  key.reserve(64);
  key += kind;
  key += e.name;
  for (const auto& [name, value] : q.equals) {
    key += value.is_null() ? '~' : '=';
    key += name;
  }
  key += q.include_deleted ? "|i" : "|-";
  key += q.only_deleted ? 'o' : '-';
  if (kind == 'l') {
    key += q.descending ? 'd' : 'a';
    key += q.order_by;
  }
  auto [it, fresh] = texts.try_emplace(std::move(key));
  if (fresh) {
    try {
      if (kind == 'l') {
        const Field& order = require_field(e, q.order_by);
        it->second = "SELECT " + select_columns(e, "t") + " FROM " + e.table + " t" +
                     where_clause(e, q) + " ORDER BY t." + order.column +
                     (q.descending ? " DESC" : " ASC") + ", t.id" +
                     (q.descending ? " DESC" : " ASC") + " LIMIT ? OFFSET ?";
      } else {
        it->second = "SELECT count(*) FROM " + e.table + " t" + where_clause(e, q);
      }
    } catch (...) {
      texts.erase(it);
      throw;
    }
  }
  return it->second;
}

}  // namespace

namespace {

// The statement of find(), positioned on the row (true) or reset (false).
bool find_step(Store& s, const Entity& e, const std::string& org, const std::string& id,
               bool include_deleted, Stmt*& out) {
  if (!e.tenant_scoped && id != org) return false;  // the tenant itself: only one's own
  // The SQL text depends only on the entity and include_deleted: built once per pair.
  static std::map<std::pair<const Entity*, bool>, std::string> texts;
  auto [it, fresh] = texts.try_emplace({&e, include_deleted});
  if (fresh) {
    std::string sql = "SELECT " + select_columns(e, "t") + " FROM " + e.table + " t WHERE t.id = ?";
    if (e.tenant_scoped) sql += " AND t.organization_id = ?";
    if (!include_deleted) {
      const std::string v = visible_sql(e, "t");
      if (v != "1") sql += " AND " + v;
    }
    it->second = std::move(sql);
  }
  Stmt& st = s.db().prepare(it->second);
  st.bind(1, id);
  if (e.tenant_scoped) st.bind(2, org);
  out = &st;
  if (st.step()) return true;
  st.reset();
  return false;
}

}  // namespace

std::optional<json> find(Store& s, const Entity& e, const std::string& org, const std::string& id,
                         bool include_deleted) {
  Stmt* st = nullptr;
  if (!find_step(s, e, org, id, include_deleted, st)) return std::nullopt;
  std::optional<json> row = read_row(e, *st);
  st->reset();
  return row;
}

std::optional<Row> find_row(Store& s, const Entity& e, const std::string& org,
                            const std::string& id) {
  Stmt* st = nullptr;
  if (!find_step(s, e, org, id, false, st)) return std::nullopt;
  std::optional<Row> row = read_values(e, *st);
  st->reset();
  return row;
}

json get(Store& s, const Entity& e, const std::string& org, const std::string& id,
         bool include_deleted, const json& path) {
  auto row = find(s, e, org, id, include_deleted);
  if (!row) throw Error(code::not_found, e.name + " " + id + " not found", path);
  return std::move(*row);
}

Row get_row(Store& s, const Entity& e, const std::string& org, const std::string& id,
            const json& path) {
  auto row = find_row(s, e, org, id);
  if (!row) throw Error(code::not_found, e.name + " " + id + " not found", path);
  return std::move(*row);
}

int64_t list_each(Store& s, const Entity& e, const std::string& org, const ListQuery& q,
                  const std::function<void(Stmt&)>& row) {
  std::vector<SqlValue> params;
  params.reserve(q.equals.size() + 3);
  where_params(e, org, q, params);
  params.emplace_back(q.limit);
  params.emplace_back(q.offset);
  Stmt& st = s.db().prepare(query_sql(e, q, 'l'));
  st.bind_all(params);
  int64_t n = 0;
  try {
    while (st.step()) {
      row(st);
      ++n;
    }
  } catch (...) {
    st.reset();
    throw;
  }
  st.reset();
  return n;
}

std::vector<json> list(Store& s, const Entity& e, const std::string& org, const ListQuery& q) {
  std::vector<json> rows;
  list_each(s, e, org, q, [&](Stmt& st) { rows.push_back(read_row(e, st)); });
  return rows;
}

void list_json(Store& s, const Entity& e, const std::string& org, const ListQuery& q,
               std::string& out) {
  out += '[';
  bool comma = false;
  list_each(s, e, org, q, [&](Stmt& st) {
    if (comma) out += ',';
    comma = true;
    write_row(e, st, out);
  });
  out += ']';
}

int64_t count(Store& s, const Entity& e, const std::string& org, const ListQuery& q) {
  std::vector<SqlValue> params;
  where_params(e, org, q, params);
  return s.db().query_int(query_sql(e, q, 'c'), params);
}

namespace {

// A unique conflict from SQLite names its field (path/params.field, see sqlite_error); here the
// refused values are known, so the row holding them is looked up through the same Index
// declaration: params gain its id and whether it is soft-deleted (restorable with .restore).
// Only inside the tenant: a global index (Organization.slug) reveals nothing about the holder.
Error with_holder(Store& s, const Entity& e, const Error& err,
                  const std::function<SqlValue(const Field&)>& value_of, const std::string& self) {
  if (err.code() != code::conflict || !err.params().contains("field")) return err;
  const std::string field = err.params()["field"].get<std::string>();
  const schema::Index* ix = nullptr;
  for (const auto& i : e.indexes) {
    const Field* last = i.unique ? e.column(i.columns.back()) : nullptr;
    if (last && last->name == field && last->name != "id") ix = &i;
  }
  if (!ix || !e.tenant_scoped) return err;
  std::string sql = "SELECT id, " + std::string(e.soft_delete ? "deleted_at" : "NULL") + " FROM " +
                    e.table + " WHERE id <> ?";
  std::vector<SqlValue> values{self};
  for (size_t i = 0; i < ix->columns.size(); ++i) {
    const Field* f = e.column(ix->columns[i]);
    if (!f) return err;
    sql += " AND " + f->column + " = ?";
    if (ix->nocase_first && i + 1 == ix->columns.size()) sql += " COLLATE NOCASE";
    values.push_back(value_of(*f));
  }
  if (!ix->where.empty()) sql += " AND (" + ix->where + ")";
  sql += " LIMIT 1";
  Stmt& st = s.db().prepare(sql);
  st.bind_all(values);
  if (!st.step()) {
    st.reset();
    return err;
  }
  const std::string holder = st.text(0);
  const bool deleted = !st.is_null(1);
  st.reset();
  json params = err.params();
  params["id"] = holder;
  params["deleted"] = deleted;
  std::string message = err.message();
  if (deleted) message += " (held by a deleted " + e.name + " " + holder + "; restore it instead)";
  return Error(err.code(), message, err.path(), err.issues(), std::move(params));
}

}  // namespace

void insert_values(Store& s, const Entity& e, const std::vector<SqlValue>& values) {
  // The INSERT text depends only on the entity: built once per entity.
  static std::unordered_map<const Entity*, std::string> texts;
  auto [text, fresh] = texts.try_emplace(&e);
  if (fresh) {
    std::string cols, marks;
    for (const auto& f : e.fields) {
      cols += (cols.empty() ? "" : ", ") + f.column;
      marks += marks.empty() ? "?" : ", ?";
    }
    text->second = "INSERT INTO " + e.table + " (" + cols + ") VALUES (" + marks + ")";
  }
  Stmt& st = s.db().prepare(text->second);
  st.bind_all(values);
  try {
    st.run();
  } catch (const Error& err) {
    const auto at = [&](const Field& f) -> SqlValue {
      const auto i = static_cast<size_t>(&f - e.fields.data());
      return i < values.size() ? values[i] : SqlValue(nullptr);
    };
    const Field* id = e.field("id");
    const SqlValue self = id ? at(*id) : SqlValue(nullptr);
    throw with_holder(s, e, err, at,
                      std::holds_alternative<std::string>(self) ? std::get<std::string>(self) : "");
  }
}

void insert(Store& s, const Entity& e, const json& row) {
  std::vector<SqlValue> values;
  values.reserve(e.fields.size());
  for (const auto& f : e.fields) {
    auto it = row.find(f.name);
    values.push_back(it == row.end() ? SqlValue(nullptr) : codec::to_sql(f, *it));
  }
  insert_values(s, e, values);
}

bool set_fields(Store& s, const Entity& e, const std::string& org, const std::string& id,
                const json& fields) {
  if (!e.tenant_scoped && id != org) return false;
  if (fields.empty()) return true;
  std::vector<std::pair<const Field*, SqlValue>> values;
  values.reserve(fields.size());
  for (const auto& [name, value] : fields.items()) {
    const Field& f = require_field(e, name);
    values.emplace_back(&f, codec::to_sql(f, value));
  }
  return set_values(s, e, org, id, values);
}

bool set_values(Store& s, const Entity& e, const std::string& org, const std::string& id,
                const std::vector<std::pair<const Field*, SqlValue>>& fields) {
  if (!e.tenant_scoped && id != org) return false;
  if (fields.empty()) return true;
  // The UPDATE text depends only on the entity and the set of fields: built once per set.
  EC_THREAD_LOCAL std::string key;
  key.assign(e.name);
  for (const auto& [f, value] : fields) {
    key += ',';
    key += f->name;
  }
  static std::unordered_map<std::string, std::string> texts;
  auto text = texts.find(key);
  if (text == texts.end()) {
    std::string sets;
    for (const auto& [f, value] : fields) sets += (sets.empty() ? "" : ", ") + f->column + " = ?";
    std::string sql = "UPDATE " + e.table + " SET " + sets + " WHERE id = ?";
    if (e.tenant_scoped) sql += " AND organization_id = ?";
    text = texts.emplace(key, std::move(sql)).first;
  }
  Stmt& st = s.db().prepare(text->second);
  int i = 1;
  for (const auto& [f, value] : fields) st.bind(i++, value);
  st.bind(i++, id);
  if (e.tenant_scoped) st.bind(i, org);
  try {
    return st.run() > 0;
  } catch (const Error& err) {
    // Values the patch does not change come from the row itself.
    std::optional<json> current;
    const auto value_of = [&](const Field& f) -> SqlValue {
      for (const auto& [g, value] : fields)
        if (g == &f) return value;
      if (!current) current = find(s, e, org, id, true);
      if (!current || !current->contains(f.name)) return nullptr;
      return codec::to_sql(f, (*current)[f.name]);
    };
    throw with_holder(s, e, err, value_of, id);
  }
}

bool purge(Store& s, const Entity& e, const std::string& org, const std::string& id) {
  if (!e.tenant_scoped && id != org) return false;
  std::string sql = "DELETE FROM " + e.table + " WHERE id = ?";
  std::vector<SqlValue> values{id};
  if (e.tenant_scoped) {
    sql += " AND organization_id = ?";
    values.emplace_back(org);
  }
  Stmt& st = s.db().prepare(sql);
  st.bind_all(values);
  return st.run() > 0;
}

json with_defaults(const Entity& e, json input) {
  for (const auto& f : e.fields) {
    if (input.contains(f.name)) continue;
    if (f.default_value)
      input[f.name] = *f.default_value;
    else if (f.nullable)
      input[f.name] = nullptr;
  }
  return input;
}

json diff(const Entity& e, const json& before, const json& after) {
  static const json none = nullptr;
  // Compared in place; only the differing values are copied.
  const auto at = [](const json& row, const std::string& name) -> const json& {
    if (!row.is_object()) return none;
    auto it = row.find(name);
    return it == row.end() ? none : *it;
  };
  json changes = json::object();
  for (const auto& f : e.fields) {
    if (f.name == "updatedAt" || f.name == "createdAt") continue;
    const json& b = at(before, f.name);
    const json& a = at(after, f.name);
    if (a != b) changes[f.name] = {{"before", b}, {"after", a}};
  }
  return changes;
}

}  // namespace ec::store::repo
