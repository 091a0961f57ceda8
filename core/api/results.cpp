// The named result shapes (declared once: the TypeScript interfaces, docs/API.md and the
// result-conformance test derive from them), their TypeScript text and the conformance check.
#include <algorithm>
#include <cstdlib>

#include "core/api/result.hpp"
#include "core/schedule/cadence.hpp"
#include "core/schema/authz.hpp"
#include "core/schema/schema.hpp"
#include "core/time.hpp"
#include "core/validate/validate.hpp"

namespace ec::api::result {

Ref::operator Shape() const {
  Shape s;
  s.kind = kind;
  s.ref = ref;
  s.nullable = nullable;
  s.optional = optional;
  if (in == Kind::Json) return s;
  Shape outer;
  outer.kind = in;
  outer.of.push_back(std::move(s));
  return outer;
}

R enum_of(std::string_view entity, std::string_view field) {
  const schema::Entity* e = schema::find_entity(entity);
  const schema::Field* f = e ? e->field(field) : nullptr;
  if (!f || f->type != schema::Type::Enum) std::abort();  // a declaration error, found at start
  return enumeration(f->enum_values);
}

namespace {

std::vector<std::string> weekdays() {
  return {schedule::kWeekdayNames.begin(), schedule::kWeekdayNames.end()};
}

std::vector<std::string> access_levels() {
  using schema::authz::Level;
  std::vector<std::string> out;
  for (Level l : {Level::Public, Level::Member, Level::Admin, Level::Owner, Level::System})
    out.emplace_back(schema::authz::level_name(l));
  return out;
}

using Fields = std::vector<std::pair<std::string, Shape>>;
/// store::queue::PlanCounts::to_json: the counts of one replan.
Fields replan_fields() {
  return {{"added", integer()}, {"cancelled", integer()}, {"kept", integer()}};
}
Fields with(Fields a, const Fields& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<NamedShape> declare() {
  const auto q = [] { return entity("EpisodeScheduleQueue"); };
  return {
      {"Purged", "A row removed for good.", obj({{"id", uuid()}, {"purged", boolean()}})},
      {"OrganizationCreated", "A new organization with its first owner.",
       obj({{"organization", entity("Organization")}, {"owner", entity("User")}})},
      {"VersionInfo", "Core and schema versions.",
       obj({{"core", str()}, {"schemaVersion", integer()}})},
      {"OperationInfo", "One operation of the catalogue (meta.operations).",
       obj({{"name", str()},
            {"doc", str()},
            {"needsAs", boolean()},
            {"access", enumeration(access_levels())},
            {"systemToo", boolean()},
            {"demo", boolean()}})},
      {"DemoOrganization", "An organization in the demo's actor picker.",
       obj({{"id", uuid()},
            {"name", str()},
            {"slug", str()},
            {"plan", enum_of("Organization", "plan")}})},
      {"DemoUser", "A current member in the demo's actor picker.",
       obj({{"id", uuid()},
            {"name", str()},
            {"email", str()},
            {"role", enum_of("User", "role")},
            {"timezone", str()}})},
      {"DemoActor", "An organization with its current members (owners first).",
       obj({{"organization", named("DemoOrganization")}, {"users", array(named("DemoUser"))}})},
      {"TimeZones", "The IANA zones the core knows and the tzdata version.",
       obj({{"version", str()}, {"zones", array(str())}})},
      {"SeedReport", "What mock.seed wrote.",
       obj({{"rows", map(integer()).doc("Rows written per table.")},
            {"validated", integer().doc("Rows checked against the declarations.")},
            {"now", instant().doc("The dataset's 'now'.")},
            {"overBudgetOrganizationId", str()},
            {"digest", str().doc("Digest of the whole dataset.")}})},
      {"EventSummary", "Whether a user recorded an event, how often, first and last time.",
       obj({{"has", boolean()},
            {"count", integer()},
            {"firstAt", instant().null()},
            {"lastAt", instant().null()}})},
      {"MemoryMigration", "Memories copied into AgentMemory rows, and those already there.",
       obj({{"migrated", integer()}, {"skipped", integer()}})},
      {"LastEpisode", "The newest episode of a project (project.overview).",
       obj({{"id", uuid()},
            {"number", integer()},
            {"title", str()},
            {"status", enum_of("Episode", "status")},
            {"scheduledFor", instant().null()}})},
      {"ProjectOverview", "One row of the projects page read model (project.overview).",
       obj({{"project", entity("Project")},
            {"episodeCount", integer()},
            {"readyCount", integer()},
            {"failedCount", integer()},
            {"openNotes", integer()},
            {"lastEpisode", named("LastEpisode").null()},
            {"nextEpisodeAt",
             instant().null().doc("Next episode time from the cadence (UTC instant), null when "
                                  "paused/archived or none.")},
            {"nextEpisodeLocal",
             str().null().doc("The same time as local wall time with offset in the project's "
                              "zone.")}})},
      {"Weekday", "A day of the week.", enumeration(weekdays())},
      {"Occurrence", "One episode time of a cadence, DST-correct.",
       obj({{"utc", instant()},
            {"local", str().doc("Local wall time with offset.")},
            {"date", date().doc("Local date.")},
            {"weekday", named("Weekday")},
            {"offsetMinutes", integer()},
            {"shifted", boolean().doc("Moved by a DST gap.")},
            {"shiftMinutes", integer()},
            {"ambiguous", boolean().doc("In a DST overlap (the first instant is used).")}})},
      {"SchedulePreview", "The next episode times of a cadence (schedule.preview).",
       obj({{"timezone", str()},
            {"timezoneSource", enumeration({"cadence", "owner", "param", "default"})},
            {"projectStatus", str().opt().doc("With projectId: the project's status or deleted.")},
            {"active", boolean()},
            {"items", array(named("Occurrence"))},
            {"truncated", boolean()}})},
      {"ReplanCounts", "What one project's replan changed (store::queue::PlanCounts).",
       obj(replan_fields())},
      {"PlanCounts", "What queue.plan changed: the replan counts summed over `projects` projects.",
       obj(with(replan_fields(), {{"projects", integer()}}))},
      {"ClaimedItem", "A queue item taken under a lease, its episode and fencing token.",
       obj({{"item", q()}, {"episode", entity("Episode")}, {"token", integer()}})},
      {"ClaimBlocked", "Why nothing was claimed (the daily budget is spent).",
       obj({{"reason", str()}, {"organizationId", uuid()}})},
      {"ClaimResult", "What queue.claim took.",
       obj({{"items", array(named("ClaimedItem"))}, {"blocked", named("ClaimBlocked").opt()}})},
      {"CompleteResult", "A finished queue item, its ready episode and the recorded usage.",
       obj({{"item", q()},
            {"episode", entity("Episode")},
            {"usage", entity("TokenUsage").null()}})},
      {"FailResult", "A failed attempt: dead for good, or retried at retryAt.",
       obj({{"item", q()},
            {"episode", entity("Episode")},
            {"dead", boolean()},
            {"retryAt", instant().null()}})},
      {"SettleResult", "A settled reservation and the usage recorded.",
       obj({{"reservation", entity("BudgetReservation")}, {"usage", entity("TokenUsage")}})},
      {"BudgetStatus", "An organization's budget for one UTC day.",
       obj({{"date", date()},
            {"limitMicros", integer()},
            {"spentMicros", integer()},
            {"reservedMicros", integer()},
            {"remainingMicros", integer()},
            {"callCount", integer()},
            {"inputTokens", integer()},
            {"outputTokens", integer()},
            {"blocked", boolean()},
            {"reason", str().null().doc("Why new generations are blocked, to show.")}})},
      {"DailyUsage", "Cost and tokens of one UTC day.",
       obj({{"date", date()},
            {"costMicros", integer()},
            {"inputTokens", integer()},
            {"outputTokens", integer()},
            {"callCount", integer()}})},
      {"ClockState", "The core's clock.",
       obj({{"now", instant()}, {"fixed", boolean().doc("Demo/test time.")}})},
  };
}

std::string union_text(const std::vector<std::string>& values) {
  std::string t;
  for (const auto& v : values) t += (t.empty() ? "\"" : " | \"") + v + "\"";
  return t;
}

std::string problem(const std::string& path, const std::string& what, const json& v) {
  std::string shown = v.dump();
  if (shown.size() > 80) shown = shown.substr(0, 77) + "...";
  return path + ": " + what + ", got " + shown;
}

void check_field(const schema::Field& f, const json& v, const std::string& path,
                 std::vector<std::string>& out) {
  if (v.is_null()) {
    if (!f.nullable) out.push_back(problem(path, "not nullable", v));
    return;
  }
  using schema::Type;
  bool ok = true;
  switch (f.type) {
    case Type::Uuid:
      ok = v.is_string() && validate::is_uuid(v.get<std::string>());
      break;
    case Type::String:
    case Type::Text:
      ok = v.is_string();
      break;
    case Type::Int:
    case Type::Money:
      ok = v.is_number_integer();
      break;
    case Type::Bool:
      ok = v.is_boolean();
      break;
    case Type::Instant:
      ok = v.is_string() && parse_instant(v.get<std::string>()).has_value();
      break;
    case Type::Date:
      ok = v.is_string() && parse_date(v.get<std::string>()).has_value();
      break;
    case Type::Enum:
      ok = v.is_string() && std::find(f.enum_values.begin(), f.enum_values.end(),
                                      v.get<std::string>()) != f.enum_values.end();
      break;
    case Type::Json:
      ok = v.is_object() || v.is_array();
      break;
  }
  if (!ok) out.push_back(problem(path, "not a valid " + f.name, v));
}

}  // namespace

const std::vector<NamedShape>& named_shapes() {
  static const std::vector<NamedShape> all = declare();
  return all;
}

const NamedShape* find_named(std::string_view name) {
  for (const auto& n : named_shapes())
    if (n.name == name) return &n;
  return nullptr;
}

std::string ts(const Shape& s) {
  std::string t;
  switch (s.kind) {
    case Kind::String:
    case Kind::Instant:
    case Kind::Date:
    case Kind::Uuid:
      t = "string";
      break;
    case Kind::Int:
    case Kind::Number:
      t = "number";
      break;
    case Kind::Bool:
      t = "boolean";
      break;
    case Kind::Enum:
      t = union_text(s.values);
      break;
    case Kind::Json:
      t = "unknown";
      break;
    case Kind::Object:
      t = "{ ";
      for (const auto& f : s.fields) t += f.name + (f.optional ? "?: " : ": ") + ts(f) + "; ";
      t += "}";
      break;
    case Kind::Array: {
      const std::string e = ts(s.of.at(0));
      const bool wrap = e.find(" | ") != std::string::npos;
      t = (wrap ? "(" + e + ")" : e) + "[]";
      break;
    }
    case Kind::Map:
      t = "Record<string, " + ts(s.of.at(0)) + ">";
      break;
    case Kind::Page:
      t = "Page<" + ts(s.of.at(0)) + ">";
      break;
    case Kind::Entity:
      t = s.ref;
      if (!s.fields.empty()) {  // the entity's row with extra keys (entity_with)
        t += " & { ";
        for (const auto& f : s.fields) t += f.name + (f.optional ? "?: " : ": ") + ts(f) + "; ";
        t += "}";
      }
      break;
    case Kind::Named:
      t = s.ref;
      break;
  }
  return s.nullable ? t + " | null" : t;
}

void references(const Shape& s, std::vector<std::string>& entities,
                std::vector<std::string>& named) {
  if (s.kind == Kind::Entity) entities.push_back(s.ref);
  if (s.kind == Kind::Named) named.push_back(s.ref);
  for (const auto& f : s.fields) references(f, entities, named);
  for (const auto& o : s.of) references(o, entities, named);
}

std::vector<std::string> check(const Shape& s, const json& v, const std::string& path) {
  std::vector<std::string> out;
  if (v.is_null()) {
    if (!s.nullable) out.push_back(problem(path, "not nullable", v));
    return out;
  }
  const auto expect = [&](bool ok, const char* what) {
    if (!ok) out.push_back(problem(path, std::string("expected ") + what, v));
    return ok;
  };
  switch (s.kind) {
    case Kind::String:
      expect(v.is_string(), "a string");
      break;
    case Kind::Instant:
      expect(v.is_string() && parse_instant(v.get<std::string>()).has_value(), "an instant");
      break;
    case Kind::Date:
      expect(v.is_string() && parse_date(v.get<std::string>()).has_value(), "a date");
      break;
    case Kind::Uuid:
      expect(v.is_string() && validate::is_uuid(v.get<std::string>()), "a uuid");
      break;
    case Kind::Int:
      expect(v.is_number_integer(), "an integer");
      break;
    case Kind::Number:
      expect(v.is_number(), "a number");
      break;
    case Kind::Bool:
      expect(v.is_boolean(), "a boolean");
      break;
    case Kind::Enum:
      expect(v.is_string() && std::find(s.values.begin(), s.values.end(), v.get<std::string>()) !=
                                  s.values.end(),
             ("one of " + union_text(s.values)).c_str());
      break;
    case Kind::Json:
      break;
    case Kind::Object:
      if (!expect(v.is_object(), "an object")) break;
      for (const auto& f : s.fields) {
        const std::string p = path + "." + f.name;
        if (!v.contains(f.name)) {
          if (!f.optional) out.push_back(p + ": missing");
          continue;
        }
        for (auto& x : check(f, v[f.name], p)) out.push_back(std::move(x));
      }
      for (const auto& item : v.items()) {
        const std::string& key = item.key();  // (clang 14 cannot capture a structured binding)
        if (std::none_of(s.fields.begin(), s.fields.end(),
                         [&](const Shape& f) { return f.name == key; }))
          out.push_back(path + "." + key + ": not declared");
      }
      break;
    case Kind::Array:
      if (!expect(v.is_array(), "an array")) break;
      for (size_t i = 0; i < v.size(); ++i)
        for (auto& x : check(s.of.at(0), v[i], path + "[" + std::to_string(i) + "]"))
          out.push_back(std::move(x));
      break;
    case Kind::Map:
      if (!expect(v.is_object(), "an object")) break;
      for (const auto& [k, x] : v.items())
        for (auto& y : check(s.of.at(0), x, path + "." + k)) out.push_back(std::move(y));
      break;
    case Kind::Page: {
      Shape p = obj({{"items", array(s.of.at(0))},
                     {"total", integer()},
                     {"limit", integer()},
                     {"offset", integer()}});
      out = check(p, v, path);
      break;
    }
    case Kind::Named: {
      const NamedShape* n = find_named(s.ref);
      if (!n) {
        out.push_back(path + ": unknown result type " + s.ref);
        break;
      }
      Shape inner = n->shape;
      inner.nullable = s.nullable;
      out = check(inner, v, path);
      break;
    }
    case Kind::Entity: {
      const schema::Entity* e = schema::find_entity(s.ref);
      if (!e) {
        out.push_back(path + ": unknown entity " + s.ref);
        break;
      }
      if (!expect(v.is_object(), ("a " + s.ref).c_str())) break;
      for (const auto& f : e->fields) {
        const std::string p = path + "." + f.name;
        if (!v.contains(f.name))
          out.push_back(p + ": missing");
        else
          check_field(f, v[f.name], p, out);
      }
      for (const auto& x : s.fields) {  // extra keys of entity_with
        const std::string p = path + "." + x.name;
        if (!v.contains(x.name)) {
          if (!x.optional) out.push_back(p + ": missing");
        } else {
          for (auto& m : check(x, v[x.name], p)) out.push_back(std::move(m));
        }
      }
      for (const auto& [k, x] : v.items()) {
        const bool extra = std::any_of(s.fields.begin(), s.fields.end(),
                                       [&k = k](const Shape& f) { return f.name == k; });
        if (!e->field(k) && !extra) out.push_back(path + "." + k + ": not declared in " + s.ref);
      }
      break;
    }
  }
  return out;
}

}  // namespace ec::api::result
