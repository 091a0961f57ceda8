// The data model of docs/DOMAIN.md, declared once. Everything else is derived from this file.
#include <algorithm>

#include "core/rules.hpp"
#include "core/schema/builder.hpp"
#include "core/schema/formats.hpp"
#include "core/schema/schema.hpp"

namespace ec::schema {
namespace {

using namespace build;  // NOLINT: the declarations below read as a table

struct Options {
  bool tenant = true;
  bool soft_delete = false;
  bool append_only = false;
  bool api_writable = true;
  bool api_updatable = true;
};

Entity make(std::string name, std::string table, std::string doc, std::vector<Field> own,
            std::vector<Index> indexes, Options o = {}) {
  Entity e;
  e.name = std::move(name);
  e.table = std::move(table);
  e.doc = std::move(doc);
  e.tenant_scoped = o.tenant;
  e.soft_delete = o.soft_delete;
  e.append_only = o.append_only;
  e.api_writable = o.api_writable;
  e.api_updatable = o.api_updatable;
  e.fields.push_back(uuid("id").sys().fixed().doc("Primary key (UUID)."));
  if (o.tenant)
    e.fields.push_back(uuid("organizationId").ref("Organization").sys().fixed().doc("Tenant."));
  for (auto& f : own) e.fields.push_back(std::move(f));
  e.fields.push_back(instant("createdAt").sys().fixed());
  e.fields.push_back(instant("updatedAt").sys());
  if (o.soft_delete) {
    e.fields.push_back(instant("deletedAt").null().sys().doc("Soft delete: hidden from reads."));
    e.fields.push_back(uuid("deletedBy").null().sys().doc("User who soft-deleted the row."));
  }
  if (o.tenant) {
    // Every query is scoped by organization, so every index leads with organization_id: the
    // planner then always picks the most selective one. Uniqueness is unchanged because a
    // parent (project, episode, …) belongs to exactly one organization.
    for (auto& ix : indexes)
      if (ix.columns.front() != "organization_id")
        ix.columns.insert(ix.columns.begin(), "organization_id");
    // Composite foreign keys (organization_id, x_id) -> parent (organization_id, id) need this.
    indexes.insert(indexes.begin(), Index{{"organization_id", "id"}, true, "", false});
  }
  e.indexes = std::move(indexes);
  return e;
}

// Block.content in code points; Highlight offsets count UTF-16 units (at most two per point).
constexpr int64_t kMaxBlockChars = 1'000'000;

using namespace ec::rules;  // the state lists and defaults (core/rules.hpp)

std::vector<Entity> declare_all() {
  std::vector<Entity> all;
  all.push_back(
      make("Organization", "organizations", "A tenant: every other row belongs to one.",
           {str("name", 200, 1).not_blank(),
            str("slug", 63, 2).rule(Rule::Slug).doc("Unique, URL-safe."),
            enumeration("plan", names<Plan>()).def(name(Plan::free)).doc("Sets the project limit."),
            money("dailyCostLimitMicros")
                .def(kDefaultDailyCostLimitMicros)
                .doc("Daily LLM budget in micro-pounds (GBP).")},
           {Index{{"slug"}, true, "", false}}, {.tenant = false}));

  all.push_back(make(
      "User", "users", "A member of one organization.",
      {str("email", 254, 3).rule(Rule::Email).doc("Unique per organization, case-insensitive."),
       str("name", 200, 1).not_blank(), enumeration("role", names<Role>()).def(name(Role::member)),
       str("timezone", 64, 1).rule(Rule::Timezone).def("UTC").doc("IANA zone name.")},
      {Index{{"organization_id", "email"}, true, "", true}}, {.soft_delete = true}));

  all.push_back(
      make("Project", "projects", "What episodes are about; has a weekly cadence.",
           {uuid("ownerId").ref("User", false).by_actor(), str("name", 200, 1).not_blank(),
            text("description", 5000).def(""),
            str("tagline", 160).null().doc("One line shown under the name in lists."),
            enumeration("status", names<ProjectStatus>()).def(name(ProjectStatus::active)),
            jsonf("cadenceConfig", Rule::Cadence, 16'384, 8)
                .doc("{days:[\"mon\",…], time:\"HH:MM\", timezone?, pausedUntil?, skipDates?}"),
            jsonf("memories", Rule::Memories, 262'144, 500)
                .def(json::array())
                .doc("MVP memories: [{id, content, createdAt, updatedAt}]; see AgentMemory.")},
           {Index{{"organization_id", "status"}, false, "", false},
            Index{{"owner_id"}, false, "", false}},
           {.soft_delete = true}));

  all.push_back(
      make("Episode", "episodes", "One AI-generated markdown document of a project.",
           {uuid("projectId").ref("Project").fixed(),
            integer("number", 1, kMaxEpisodeNumber)
                .fixed()
                .doc("1, 2, 3… unique per project; next free number when omitted."),
            str("title", 300, 1).not_blank(),
            enumeration("status", names<EpisodeStatus>()).def(name(EpisodeStatus::scheduled)),
            instant("scheduledFor").null(), instant("generatedAt").null(),
            instant("publishedAt").null(), integer("generationAttempts", 0, 1000).def(0),
            jsonf("generationErrors", Rule::GenErrors, 65'536, 100)
                .def(json::array())
                .doc("[{at, code, message}] one per failed attempt.")},
           {Index{{"project_id", "number"}, true, "", false},
            Index{{"organization_id", "scheduled_for"}, false, "", false}},
           {.soft_delete = true}));

  all.push_back(make(
      "EpisodeScheduleQueue", "episode_schedule_queue",
      "Resilient scheduling: one row per (project, scheduledFor).",
      {uuid("projectId").ref("Project").fixed(), instant("scheduledFor").fixed(),
       enumeration("status", names<QueueStatus>()).def(name(QueueStatus::pending)),
       integer("attempts", 0, 1000)
           .def(0)
           .sys()
           .doc("Also the fencing token of the current lease."),
       integer("maxAttempts", 1, kMaxAttempts).def(kDefaultMaxAttempts),
       str("lockedBy", 200).null().sys(), instant("lockedUntil").null().sys(),
       instant("runAfter").doc("Not claimed before this instant (retry backoff)."),
       text("lastError", 4000).null().sys(), uuid("episodeId").null().ref("Episode", false).sys(),
       instant("completedAt").null().sys()},
      {Index{{"project_id", "scheduled_for"}, true, "", false},
       Index{{"status", "run_after"}, false, "", false}},
      {.api_writable = false}));

  all.push_back(
      make("ChatSession", "chat_sessions", "A chat with the agent about a project.",
           {uuid("projectId").ref("Project").fixed(),
            uuid("episodeId").null().ref("Episode", false).within("projectId"),
            uuid("userId").ref("User", false).fixed().by_actor(), str("title", 200, 1).not_blank()},
           {Index{{"project_id"}, false, "", false}}, {.soft_delete = true}));

  all.push_back(make(
      "ChatMessage", "chat_messages", "One message of a chat session.",
      {uuid("sessionId").ref("ChatSession").fixed(), enumeration("role", names<ChatRole>()).fixed(),
       text("content", 100'000).fixed(), integer("inputTokens", 0, 100'000'000).def(0),
       integer("outputTokens", 0, 100'000'000).def(0), money("costMicros").def(0)},
      {Index{{"session_id", "created_at"}, false, "", false}}, {.api_updatable = false}));

  all.push_back(
      make("TokenUsage", "token_usage", "One LLM call and its exact cost.",
           {uuid("projectId").ref("Project").fixed(),
            uuid("episodeId").null().ref("Episode", false).within("projectId"),
            uuid("chatSessionId").null().ref("ChatSession", false).within("projectId"),
            str("model", 100, 1).rule(Rule::Model), integer("inputTokens", 0, 100'000'000),
            integer("outputTokens", 0, 100'000'000), money("costMicros"), instant("occurredAt")},
           {Index{{"organization_id", "occurred_at"}, false, "", false},
            Index{{"project_id"}, false, "", false}}));

  all.push_back(
      make("TokenUsageDaily", "token_usage_daily",
           "Per organization and UTC day roll-up of TokenUsage, kept by triggers; the circuit "
           "breaker reads it.",
           {date("date").fixed(), integer("inputTokens", 0, kMaxSafeInteger).def(0),
            integer("outputTokens", 0, kMaxSafeInteger).def(0),
            money("costMicros", kMaxSafeInteger).def(0),
            integer("callCount", 0, kMaxSafeInteger).def(0)},
           {Index{{"organization_id", "date"}, true, "", false}}, {.api_writable = false}));

  all.push_back(make(
      "BudgetReservation", "budget_reservations",
      "An estimated cost held before a generation; settled by the actual usage.",
      {uuid("queueItemId").null().ref("EpisodeScheduleQueue", false), money("estimateMicros"),
       enumeration("status", names<ReservationStatus>()).def(name(ReservationStatus::open)),
       date("date").doc("UTC day the reservation counts against."),
       instant("expiresAt").doc("An open reservation stops counting after this instant.")},
      {Index{{"organization_id", "date", "status"}, false, "", false}}, {.api_writable = false}));

  all.push_back(make("PlanningNote", "planning_notes", "User feedback steering the next episodes.",
                     {uuid("projectId").ref("Project").fixed(),
                      uuid("authorId").ref("User", false).fixed().by_actor(),
                      text("content", 20'000).range(1, 20'000),
                      enumeration("status", names<NoteStatus>()).def(name(NoteStatus::open)),
                      uuid("appliedEpisodeId").null().ref("Episode", false).within("projectId"),
                      instant("appliedAt").null()},
                     {Index{{"project_id", "status"}, false, "", false}}, {.soft_delete = true}));

  all.push_back(
      make("AgentMemory", "agent_memories", "Phase 2: long-term memory of the agent.",
           {uuid("projectId").ref("Project").fixed(),
            enumeration("kind", names<MemoryKind>()).def(name(MemoryKind::fact)),
            text("content", 4000).range(1, 4000), integer("importance", 1, 5).def(3),
            uuid("sourceEpisodeId").null().ref("Episode", false).within("projectId"),
            uuid("legacyMemoryId").null().fixed().doc("Project.memories id it was migrated from.")},
           {Index{{"project_id"}, false, "", false},
            Index{{"project_id", "legacy_memory_id"}, true, "legacy_memory_id IS NOT NULL", false}},
           {.soft_delete = true}));

  all.push_back(make("UserEvent", "user_events", "Event tracking instead of boolean flags.",
                     {uuid("userId").ref("User").fixed().by_actor(),
                      str("eventType", 100, 3).rule(Rule::EventType).fixed(),
                      jsonf("eventData", Rule::JsonObject, 8192, 100).def(json::object()).fixed(),
                      instant("occurredAt").fixed().doc("Defaults to now.")},
                     {Index{{"user_id", "event_type"}, false, "", false}},
                     {.api_updatable = false}));

  all.push_back(
      make("AuditLog", "audit_log", "Who changed what. Append-only, enforced by the database.",
           {uuid("actorId").null().fixed().doc("User who made the change (null: system)."),
            str("action", 40, 1).fixed().doc("create, update, delete, restore, purge, …"),
            str("entityType", 60, 1).fixed(), uuid("entityId").fixed(),
            jsonf("changes", Rule::JsonChanges, 1'048'576, 100)
                .def(json::object())
                .fixed()
                .doc("{field: {before, after}}"),
            instant("occurredAt").fixed()},
           {Index{{"organization_id", "entity_type", "entity_id"}, false, "", false}},
           {.append_only = true, .api_writable = false}));

  all.push_back(make("Block", "blocks", "Episode content; MVP: one markdown block per episode.",
                     {uuid("episodeId").ref("Episode").fixed(),
                      enumeration("type", names<BlockType>()).def(name(BlockType::markdown)),
                      integer("position", 0, 10'000).def(0), text("content", kMaxBlockChars)},
                     {Index{{"episode_id", "position"}, true, "", false}}));

  all.push_back(
      make("Highlight", "highlights", "A user's marked passage of a block.",
           {uuid("episodeId").ref("Episode").fixed(),
            uuid("blockId").ref("Block").fixed().within("episodeId"),
            uuid("userId").ref("User", false).fixed().by_actor(),
            integer("startOffset", 0, 2 * kMaxBlockChars)
                .fixed()
                .doc("UTF-16 code units, as JavaScript counts."),
            integer("endOffset", 1, 2 * kMaxBlockChars).fixed(),
            text("quote", 100'000)
                .range(1, 100'000)
                .fixed()
                .doc("Exact text of the block in [start, end)."),
            text("note", 5000).null()},
           {Index{{"episode_id"}, false, "", false}, Index{{"block_id"}, false, "", false}},
           {.soft_delete = true}));
  return all;
}

}  // namespace

const char* format_pattern(Rule r) {
  switch (r) {
    case Rule::Slug:  // a-z0-9 and single dashes, not at the ends
      return "^[a-z0-9]+(-[a-z0-9]+)*$";
    case Rule::EventType:  // segment(.segment)+, segment = [a-z][a-z0-9_]*
      return "^[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+$";
    case Rule::Email:  // local part of 1-64 printable ASCII without ()<>,;:\"[] and dot-separated;
                       // domain labels of 1-63 letters, digits and inner dashes; TLD not numeric
      return "^(?=[^@]{1,64}@)[!#-'*+/-9=?A-Z^-~-]+([.][!#-'*+/-9=?A-Z^-~-]+)*@"
             "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?[.])+"
             "(?![0-9]+$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
    default:
      return nullptr;
  }
}

const std::vector<Entity>& entities() {
  static const std::vector<Entity> all = [] {
    auto a = declare_all();
    check_history(a);
    return a;
  }();
  return all;
}

const Entity* find_entity(std::string_view name) {
  for (const auto& e : entities())
    if (e.name == name) return &e;
  return nullptr;
}

const Entity* find_table(std::string_view table) {
  for (const auto& e : entities())
    if (e.table == table) return &e;
  return nullptr;
}

const Field* Entity::field(std::string_view json_name) const {
  for (const auto& f : fields)
    if (f.name == json_name) return &f;
  return nullptr;
}

const Field* Entity::column(std::string_view sql_name) const {
  for (const auto& f : fields)
    if (f.column == sql_name) return &f;
  return nullptr;
}

std::string snake_case(std::string_view camel) {
  std::string out;
  for (char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

std::string_view type_name(Type t) {
  switch (t) {
    case Type::Uuid:
      return "uuid";
    case Type::String:
      return "string";
    case Type::Text:
      return "text";
    case Type::Int:
      return "integer";
    case Type::Bool:
      return "boolean";
    case Type::Instant:
      return "instant";
    case Type::Date:
      return "date";
    case Type::Enum:
      return "enum";
    case Type::Json:
      return "json";
    case Type::Money:
      return "money";
  }
  return "?";
}

}  // namespace ec::schema
