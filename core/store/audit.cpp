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

}  // namespace ec::store
