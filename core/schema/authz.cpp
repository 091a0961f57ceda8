// The authorization declaration (see authz.hpp). The tables below are the only place the role
// rules are written down; core/api and the PostgreSQL generator read them.
#include "core/schema/authz.hpp"

#include "core/rules.hpp"
#include "core/text.hpp"

namespace ec::schema::authz {

const char* level_name(Level l) {
  switch (l) {
    case Level::Public:
      return "public";
    case Level::Member:
      return rules::name(rules::Role::member);
    case Level::Admin:
      return rules::name(rules::Role::admin);
    case Level::Owner:
      return rules::name(rules::Role::owner);
    case Level::System:
      return "system";
  }
  return "system";
}

int role_rank(std::string_view role) {
  rules::Role r{};
  if (!rules::parse(role, r)) return 0;
  switch (r) {
    case rules::Role::member:
      return 1;
    case rules::Role::admin:
      return 2;
    case rules::Role::owner:
      return 3;
  }
  return 0;
}

int level_rank(Level l) {
  switch (l) {
    case Level::Public:
      return 0;
    case Level::Member:
      return 1;
    case Level::Admin:
      return 2;
    case Level::Owner:
      return 3;
    case Level::System:
      return 4;  // no user role reaches it
  }
  return 4;
}

bool user_reaches(std::string_view role, Level l) {
  const int r = role_rank(role);
  return r > 0 && r >= level_rank(l);
}

const char* action_name(Action a) {
  switch (a) {
    case Action::Create:
      return "create";
    case Action::Update:
      return "update";
    case Action::Remove:
      return "remove";
  }
  return "remove";
}

const char* scope_name(Scope s) {
  switch (s) {
    case Scope::Any:
      return "any row";
    case Scope::Self:
      return "own row";
    case Scope::NotOwner:
      return "non-owners";
    case Scope::Author:
      return "rows about or by themselves";
  }
  return "any row";
}

// ---------------------------------------------------------------------------------------------
// The declaration.
// ---------------------------------------------------------------------------------------------

namespace {

using L = Level;
constexpr EntityAccess kEntityAccess[] = {
    // read, create, update, remove
    {"Organization", L::Member, L::Public, L::Admin, L::System},
    {"User", L::Member, L::Admin, L::Member, L::Admin},
    // Written only by the system (queue and budget operations, roll-up triggers, audit).
    {"EpisodeScheduleQueue", L::Member, L::System, L::System, L::System},
    {"TokenUsage", L::Member, L::System, L::System, L::System},
    {"TokenUsageDaily", L::Member, L::System, L::System, L::System},
    {"BudgetReservation", L::Member, L::System, L::System, L::System},
    {"AuditLog", L::Member, L::System, L::System, L::System},
};

}  // namespace

std::span<const EntityAccess> entity_access_table() {
  return kEntityAccess;
}

namespace {

constexpr const char* kOwnProfile[] = {"name", "timezone"};
constexpr const char* kOrganizationSettings[] = {"name", "slug", "dailyCostLimitMicros"};
using A = Action;
using S = Scope;
constexpr RowRule kRowRules[] = {
    {"User", A::Create, {}, L::Admin, S::NotOwner, "admins invite members and admins"},
    {"User", A::Create, {}, L::Owner, S::Any, "owners invite anyone, owners too"},
    {"User", A::Update, kOwnProfile, L::Member, S::Self,
     "everyone edits their own name and timezone"},
    {"User", A::Update, {}, L::Admin, S::NotOwner, "admins manage non-owners (role up to admin)"},
    {"User", A::Update, {}, L::Owner, S::Any, "owners change anyone, roles included"},
    {"User", A::Remove, {}, L::Admin, S::NotOwner, "admins remove non-owners"},
    {"User", A::Remove, {}, L::Owner, S::Any, "owners remove anyone"},
    {"Organization", A::Update, kOrganizationSettings, L::Admin, S::Any,
     "admins rename and set the daily cost limit"},
    {"Organization", A::Update, {}, L::Owner, S::Any, "owners change everything, the plan too"},
    {"UserEvent", A::Create, {}, L::Member, S::Author, "everyone records events about themselves"},
    {"UserEvent", A::Create, {}, L::Admin, S::Any, "admins record events about any member"},
    {"PlanningNote", A::Create, {}, L::Member, S::Author, "everyone writes notes as themselves"},
    {"ChatSession", A::Create, {}, L::Member, S::Author, "everyone chats as themselves"},
    {"Highlight", A::Create, {}, L::Member, S::Author, "everyone highlights as themselves"},
    {"UserEvent", A::Remove, {}, L::Member, S::Author, "everyone removes their own events"},
    {"UserEvent", A::Remove, {}, L::Admin, S::Any, "admins remove any event"},
};

}  // namespace

std::span<const RowRule> row_rules() {
  return kRowRules;
}

const std::vector<KeepAtLeast>& keep_rules() {
  static const std::vector<KeepAtLeast> k = {{"User", "role", rules::name(rules::Role::owner), 1}};
  return k;
}

// ---------------------------------------------------------------------------------------------

EntityAccess entity_access(const std::string& entity) {
  for (const auto& a : entity_access_table())
    if (a.entity == entity) return a;
  return EntityAccess{};
}

bool system_written(const std::string& entity) {
  const EntityAccess a = entity_access(entity);
  return a.create == Level::System && a.update == Level::System && a.remove == Level::System;
}

bool has_row_rules(const std::string& entity) {
  for (const auto& r : row_rules())
    if (r.entity == entity) return true;
  return false;
}

bool has_row_rules(const std::string& entity, Action a) {
  for (const auto& r : row_rules())
    if (r.entity == entity && r.action == a) return true;
  return false;
}

std::string author_field(const std::string& entity) {
  if (const Entity* e = find_entity(entity))
    for (const auto& f : e->fields)
      if (f.actor_default) return f.name;
  return "userId";
}

namespace {

bool is_owner_row(const json& row) {
  return row.is_object() && row.value("role", std::string()) == rules::name(rules::Role::owner);
}

bool in_scope(Scope s, const std::string& entity, const std::string& actor_id, const json& before,
              const json& after) {
  switch (s) {
    case Scope::Any:
      return true;
    case Scope::Self: {
      const json& row = before.is_object() ? before : after;
      return row.is_object() && row.value("id", std::string()) == actor_id;
    }
    case Scope::NotOwner:
      return !is_owner_row(before) && !is_owner_row(after);
    case Scope::Author: {
      const json& row = before.is_object() ? before : after;
      return row.is_object() && row.value(author_field(entity), std::string()) == actor_id;
    }
  }
  return false;
}

bool covers(const RowRule& r, const std::string& field) {
  if (r.fields.empty()) return true;
  for (const auto& f : r.fields)
    if (f == field) return true;
  return false;
}

bool allowed(const std::string& entity, Action a, std::string_view role,
             const std::string& actor_id, const json& before, const json& after,
             const std::string& field) {
  for (const auto& r : row_rules()) {
    if (r.entity != entity || r.action != a) continue;
    if (!field.empty() && !covers(r, field)) continue;
    if (!user_reaches(role, r.level)) continue;
    if (in_scope(r.scope, entity, actor_id, before, after)) return true;
  }
  return false;
}

}  // namespace

Decision check_row(const std::string& entity, Action a, std::string_view role,
                   const std::string& actor_id, const json& before, const json& after) {
  if (!has_row_rules(entity, a)) return {};
  if (a != Action::Update) {
    if (allowed(entity, a, role, actor_id, before, after, "")) return {};
    return {false, "",
            std::string("your role (") + std::string(role) + ") may not " + action_name(a) +
                " this " + entity};
  }
  for (const auto& [k, v] : after.items()) {
    if (k == "updatedAt" || k == "createdAt") continue;
    if (before.contains(k) && before[k] == v) continue;
    if (!allowed(entity, a, role, actor_id, before, after, k))
      return {false, k,
              std::string("your role (") + std::string(role) + ") may not change " + k +
                  " of this " + entity};
  }
  return {};
}

std::string markdown() {
  Text os;
  os << "| entity | read | create | update | delete / restore / purge |\n|---|---|---|---|---|\n";
  for (const auto& a : entity_access_table())
    os << "| " << a.entity << " | " << level_name(a.read) << " | " << level_name(a.create) << " | "
       << level_name(a.update) << " | " << level_name(a.remove) << " |\n";
  os << "| every other entity | member | member | member | member |\n\n";
  os << "| entity | change | fields | least role | rows | why |\n|---|---|---|---|---|---|\n";
  for (const auto& r : row_rules()) {
    std::string fields;
    for (const char* f : r.fields) (fields += fields.empty() ? "`" : ", `").append(f) += "`";
    os << "| " << r.entity << " | " << action_name(r.action) << " | "
       << (fields.empty() ? "every field" : fields) << " | " << level_name(r.level) << " | "
       << scope_name(r.scope) << " | " << r.doc << " |\n";
  }
  for (const auto& k : keep_rules())
    os << "\nEvery organization keeps at least " << k.count << " current " << k.entity << " with "
       << k.field << " = " << k.value << ": demoting or removing the last one is refused.\n";
  return os.str();
}

}  // namespace ec::schema::authz
