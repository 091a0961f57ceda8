#include "core/store/audit.hpp"

#include <algorithm>

#include "core/json/codec.hpp"
#include "core/store/repo.hpp"

namespace ec::store {

namespace {

const schema::Entity& audit_log() {
  static const schema::Entity& log = *schema::find_entity("AuditLog");
  return log;
}

void write_audit(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
                 const std::string& id, SqlValue changes, Instant at) {
  static const schema::Entity& log = audit_log();
  // The row straight in its SQL form (repo::insert_values), each value as codec::to_sql gives it
  // for the JSON row this writes: no JSON object per audit row.
  static const auto slot = [](const char* name) {
    return static_cast<size_t>(log.field(name) - log.fields.data());
  };
  static const size_t id_at = slot("id"), org_at = slot("organizationId"),
                      actor_at = slot("actorId"), action_at = slot("action"),
                      type_at = slot("entityType"), entity_at = slot("entityId"),
                      changes_at = slot("changes"), occurred_at = slot("occurredAt"),
                      created_at = slot("createdAt"), updated_at = slot("updatedAt");
  const schema::Field& instant = log.fields[occurred_at];
  const SqlValue ts = codec::to_sql(instant, format_instant(at));
  std::vector<SqlValue> values(log.fields.size(), nullptr);
  values[id_at] = s.new_id();
  values[org_at] = e.name == "Organization" ? id : actor.organization_id;
  if (!actor.user_id.empty()) values[actor_at] = actor.user_id;
  values[action_at] = action;
  values[type_at] = e.name;
  values[entity_at] = id;
  values[changes_at] = std::move(changes);
  values[occurred_at] = ts;
  values[created_at] = ts;
  values[updated_at] = ts;
  repo::insert_values(s, log, values);
}

}  // namespace

void audit(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
           const std::string& id, const json& changes, Instant at) {
  write_audit(s, actor, action, e, id, codec::to_sql(*audit_log().field("changes"), changes), at);
}

void audit_text(Store& s, const Actor& actor, const std::string& action, const schema::Entity& e,
                const std::string& id, std::string changes, Instant at) {
  write_audit(s, actor, action, e, id, std::move(changes), at);
}

json audited_change(Store& s, const Actor& as, const schema::Entity& e, json before,
                    const json& fields, const std::string& action, Instant now, bool* changed) {
  // Only the fields given can differ from `before` (a row as read or as returned here: instants
  // in their stored form), so they alone are canonicalized and compared, as repo::diff compares
  // the whole row (system timestamps excluded).
  static const json none = nullptr;
  std::vector<std::pair<const std::string*, json>> given;  // entity fields in `fields`
  given.reserve(fields.size());
  struct Change {
    const std::string* name;
    const json* old;  // in `before`
    size_t value;     // in `given`
  };
  std::vector<Change> diffs;
  json set = json::object();
  for (const auto& f : e.fields) {
    auto v = fields.find(f.name);
    if (v == fields.end()) continue;
    json value = *v;
    codec::canonicalize(f, value);  // written, audited and answered as a read returns it
    if (f.name != "updatedAt" && f.name != "createdAt") {
      auto b = before.find(f.name);
      const json& old = b == before.end() ? none : *b;
      if (old != value) {
        diffs.push_back({&f.name, &old, given.size()});
        set[f.name] = value;
      }
    }
    given.emplace_back(&f.name, std::move(value));
  }
  if (changed) *changed = !diffs.empty();
  if (diffs.empty()) return before;
  // The audit's changes, {"field":{"after":…,"before":…},…}, written as dump_text writes the
  // object (keys in byte order) before `before` and the values move into the result.
  std::sort(diffs.begin(), diffs.end(),
            [](const Change& a, const Change& b) { return *a.name < *b.name; });
  std::string text = "{";
  bool written = true;
  for (const Change& d : diffs) {
    if (text.size() > 1) text += ',';
    codec::append_json_string(text, *d.name);
    text += R"(:{"after":)";
    written = written && codec::append_dump(text, given[d.value].second);
    text += R"(,"before":)";
    written = written && codec::append_dump(text, *d.old);
    text += '}';
  }
  text += '}';
  // Invalid UTF-8 (append_dump refuses it): the object itself goes to audit(), whose dump
  // refuses it as it always did.
  json changes = nullptr;
  if (!written) {
    changes = json::object();
    for (const Change& d : diffs)
      changes[*d.name] = {{"before", *d.old}, {"after", given[d.value].second}};
  }
  json after = std::move(before);
  if (given.size() < fields.size())
    for (const auto& [k, v] : fields.items())
      if (!e.field(k)) after[k] = v;
  for (auto& [name, value] : given) after[*name] = std::move(value);
  after["updatedAt"] = format_instant(now);
  set["updatedAt"] = after["updatedAt"];
  const std::string id = after["id"].get<std::string>();
  repo::set_fields(s, e, as.organization_id, id, set);
  if (written)
    audit_text(s, as, action, e, id, std::move(text), now);
  else
    audit(s, as, action, e, id, changes, now);
  return after;
}

namespace {

// Whether two values of a field in their SQL form hold the same JSON value (what the JSON
// audited_change compares: codec::from_sql of the stored value against the given one).
bool same_value(const schema::Field& f, const SqlValue& a, const SqlValue& b) {
  if (a == b) return true;
  if (a.index() == b.index() && f.type != schema::Type::Json && !std::holds_alternative<double>(a))
    return false;
  return codec::from_sql(f, a) == codec::from_sql(f, b);
}

const std::string& id_of(const repo::Row& row) {
  return std::get<std::string>(row.v[repo::slot(*row.e, "id")]);
}

}  // namespace

bool audited_change(Store& s, const Actor& as, repo::Row& row, const SqlFields& fields,
                    const std::string& action, Instant now) {
  const schema::Entity& e = *row.e;
  const schema::Field* const first = e.fields.data();
  const auto at = [&](const schema::Field* f) { return static_cast<size_t>(f - first); };
  // The given fields that change, in the byte order of their names (the order of the JSON
  // `changes` and `set` objects), each with its key text.
  struct Change {
    const std::pair<const schema::Field*, SqlValue>* given;
    const std::string* key;
  };
  std::vector<Change> diffs;
  diffs.reserve(fields.size());
  for (const auto& [i, key] : repo::fields_by_name(e)) {
    const schema::Field& f = e.fields[i];
    if (f.name == "updatedAt" || f.name == "createdAt") continue;
    for (const auto& given : fields)
      if (given.first == &f) {
        if (!same_value(f, row.v[i], given.second)) diffs.push_back({&given, &key});
        break;
      }
  }
  if (diffs.empty()) return false;
  // The audit's changes, {"field":{"after":…,"before":…},…}, as the JSON audited_change
  // writes them.
  std::string text = "{";
  bool written = true;
  for (const Change& d : diffs) {
    if (text.size() > 1) text += ',';
    text += *d.key;
    text += R"({"after":)";
    written = written && repo::append_value(*d.given->first, d.given->second, text);
    text += R"(,"before":)";
    written = written && repo::append_value(*d.given->first, row.v[at(d.given->first)], text);
    text += '}';
  }
  text += '}';
  // Invalid UTF-8 (append_dump refuses it): the object itself goes to audit(), whose dump
  // refuses it as it always did.
  json changes = nullptr;
  if (!written) {
    changes = json::object();
    for (const Change& d : diffs) {
      const schema::Field& f = *d.given->first;
      changes[f.name] = {{"before", codec::from_sql(f, row.v[at(&f)])},
                         {"after", codec::from_sql(f, d.given->second)}};
    }
  }
  // The UPDATE sets the changed fields and updatedAt, in the byte order of their names.
  const schema::Field* const updated_at = e.field("updatedAt");
  SqlFields set;
  set.reserve(diffs.size() + 1);
  bool placed = false;
  for (const Change& d : diffs) {
    if (!placed && updated_at->name < d.given->first->name) {
      set.emplace_back(updated_at, SqlValue(now));
      placed = true;
    }
    set.push_back(*d.given);
  }
  if (!placed) set.emplace_back(updated_at, SqlValue(now));
  for (const auto& [f, value] : fields) row.v[at(f)] = value;
  row.v[at(updated_at)] = now;
  const std::string& id = id_of(row);
  repo::set_values(s, e, as.organization_id, id, set);
  if (written)
    audit_text(s, as, action, e, id, std::move(text), now);
  else
    audit(s, as, action, e, id, changes, now);
  return true;
}

void audit_created(Store& s, const Actor& as, const std::string& action, const repo::Row& row,
                   Instant at) {
  const schema::Entity& e = *row.e;
  std::string text = "{";
  bool written = true;
  for (const auto& [i, key] : repo::fields_by_name(e)) {
    const std::string& name = e.fields[i].name;
    if (name == "updatedAt" || name == "createdAt") continue;
    if (std::holds_alternative<std::nullptr_t>(row.v[i])) continue;
    if (text.size() > 1) text += ',';
    text += key;
    text += R"({"after":)";
    written = written && repo::append_value(e.fields[i], row.v[i], text);
    text += R"(,"before":null})";
  }
  text += '}';
  if (written)
    audit_text(s, as, action, e, id_of(row), std::move(text), at);
  else
    audit(s, as, action, e, id_of(row), repo::diff(e, nullptr, repo::to_json(row)), at);
}

}  // namespace ec::store
