// The data model of docs/DOMAIN.md, declared once. Everything else is derived from this file.
#include <algorithm>
#include <iterator>
#include <span>

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

struct IndexDecl {
  const char* columns[3] = {};  // SQL column names (organization_id is prepended: see make)
  bool unique = false;
  const char* where = "";
  bool nocase_first = false;
};

/// One entity as declared: constant data, made into a schema::Entity by make().
struct EntityDecl {
  const char* name;   // "Project"
  const char* table;  // "projects"
  const char* doc;
  std::span<const FieldDecl> own;  // between the implicit fields (id, organizationId, …)
  IndexDecl indexes[3] = {};
  Options o = {};
};

Entity make(const EntityDecl& d) {
  static constexpr FieldDecl kId = uuid("id").sys().fixed().doc("Primary key (UUID).");
  static constexpr FieldDecl kOrganizationId =
      uuid("organizationId").ref("Organization").sys().fixed().doc("Tenant.");
  static constexpr FieldDecl kCreatedAt = instant("createdAt").sys().fixed();
  static constexpr FieldDecl kUpdatedAt = instant("updatedAt").sys();
  static constexpr FieldDecl kDeletedAt =
      instant("deletedAt").null().sys().doc("Soft delete: hidden from reads.");
  static constexpr FieldDecl kDeletedBy =
      uuid("deletedBy").null().sys().doc("User who soft-deleted the row.");
  const Options& o = d.o;
  Entity e;
  e.name = d.name;
  e.table = d.table;
  e.doc = d.doc;
  e.tenant_scoped = o.tenant;
  e.soft_delete = o.soft_delete;
  e.append_only = o.append_only;
  e.api_writable = o.api_writable;
  e.api_updatable = o.api_updatable;
  std::vector<const FieldDecl*> decls{&kId};
  if (o.tenant) decls.push_back(&kOrganizationId);
  for (const auto& f : d.own) decls.push_back(&f);
  decls.push_back(&kCreatedAt);
  decls.push_back(&kUpdatedAt);
  if (o.soft_delete) {
    decls.push_back(&kDeletedAt);
    decls.push_back(&kDeletedBy);
  }
  for (const FieldDecl* f : decls) e.fields.push_back(to_field(*f));
  std::vector<Index> indexes;
  // Composite foreign keys (organization_id, x_id) -> parent (organization_id, id) need this.
  if (o.tenant) indexes.push_back(Index{{"organization_id", "id"}, true, "", false});
  for (const auto& ix : d.indexes) {
    if (!ix.columns[0]) break;
    Index& out = indexes.emplace_back();
    // Every query is scoped by organization, so every index leads with organization_id: the
    // planner then always picks the most selective one. Uniqueness is unchanged because a
    // parent (project, episode, …) belongs to exactly one organization.
    if (o.tenant && std::string_view(ix.columns[0]) != "organization_id")
      out.columns.emplace_back("organization_id");
    for (const char* c : ix.columns)
      if (c) out.columns.emplace_back(c);
    out.unique = ix.unique;
    out.where = ix.where;
    out.nocase_first = ix.nocase_first;
  }
  e.indexes = std::move(indexes);
  return e;
}

// Block.content in code points; Highlight offsets count UTF-16 units (at most two per point).
constexpr int64_t kMaxBlockChars = 1'000'000;

using rules::name;
using rules::States;
using namespace rules;  // the state lists and defaults (core/rules.hpp)

// Each entity: its own fields (a constant table), then its name, table, doc, indexes, options.

constexpr FieldDecl kOrganization[] = {
    str("name", 200, 1).not_blank(),
    str("slug", 63, 2).rule(Rule::Slug).doc("Unique, URL-safe."),
    enumeration("plan", States<Plan>::names).def(name(Plan::free)).doc("Sets the project limit."),
    money("dailyCostLimitMicros")
        .def(kDefaultDailyCostLimitMicros)
        .doc("Daily LLM budget in micro-pounds (GBP)."),
};
constexpr EntityDecl kOrganizationDecl{"Organization",
                                       "organizations",
                                       "A tenant: every other row belongs to one.",
                                       kOrganization,
                                       {{{"slug"}, true, "", false}},
                                       {.tenant = false}};

constexpr FieldDecl kUser[] = {
    str("email", 254, 3).rule(Rule::Email).doc("Unique per organization, case-insensitive."),
    str("name", 200, 1).not_blank(),
    enumeration("role", States<Role>::names).def(name(Role::member)),
    str("timezone", 64, 1).rule(Rule::Timezone).def("UTC").doc("IANA zone name."),
};
constexpr EntityDecl kUserDecl{"User",
                               "users",
                               "A member of one organization.",
                               kUser,
                               {{{"organization_id", "email"}, true, "", true}},
                               {.soft_delete = true}};

constexpr FieldDecl kProject[] = {
    uuid("ownerId").ref("User", false).by_actor(),
    str("name", 200, 1).not_blank(),
    text("description", 5000).def(""),
    str("tagline", 160).null().doc("One line shown under the name in lists."),
    enumeration("status", States<ProjectStatus>::names).def(name(ProjectStatus::active)),
    jsonf("cadenceConfig", Rule::Cadence, 16'384, 8)
        .doc("{days:[\"mon\",…], time:\"HH:MM\", timezone?, pausedUntil?, skipDates?}"),
    jsonf("memories", Rule::Memories, 262'144, 500)
        .def(empty_array)
        .doc("MVP memories: [{id, content, createdAt, updatedAt}]; see AgentMemory."),
};
constexpr EntityDecl kProjectDecl{
    "Project",
    "projects",
    "What episodes are about; has a weekly cadence.",
    kProject,
    {{{"organization_id", "status"}, false, "", false}, {{"owner_id"}, false, "", false}},
    {.soft_delete = true}};

constexpr FieldDecl kEpisode[] = {
    uuid("projectId").ref("Project").fixed(),
    integer("number", 1, kMaxEpisodeNumber)
        .fixed()
        .doc("1, 2, 3… unique per project; next free number when omitted."),
    str("title", 300, 1).not_blank(),
    enumeration("status", States<EpisodeStatus>::names).def(name(EpisodeStatus::scheduled)),
    instant("scheduledFor").null(),
    instant("generatedAt").null(),
    instant("publishedAt").null(),
    integer("generationAttempts", 0, 1000).def(0),
    jsonf("generationErrors", Rule::GenErrors, 65'536, 100)
        .def(empty_array)
        .doc("[{at, code, message}] one per failed attempt."),
};
constexpr EntityDecl kEpisodeDecl{"Episode",
                                  "episodes",
                                  "One AI-generated markdown document of a project.",
                                  kEpisode,
                                  {{{"project_id", "number"}, true, "", false},
                                   {{"organization_id", "scheduled_for"}, false, "", false},
                                   // v7: a project's live episodes by status, read from the
                                   // index alone (the overview's counts, episode.list's count)
                                   {{"project_id", "deleted_at", "status"}, false, "", false}},
                                  {.soft_delete = true}};

constexpr FieldDecl kEpisodeScheduleQueue[] = {
    uuid("projectId").ref("Project").fixed(),
    instant("scheduledFor").fixed(),
    enumeration("status", States<QueueStatus>::names).def(name(QueueStatus::pending)),
    integer("attempts", 0, 1000).def(0).sys().doc("Also the fencing token of the current lease."),
    integer("maxAttempts", 1, kMaxAttempts).def(kDefaultMaxAttempts),
    str("lockedBy", 200).null().sys(),
    instant("lockedUntil").null().sys(),
    instant("runAfter").doc("Not claimed before this instant (retry backoff)."),
    text("lastError", 4000).null().sys(),
    uuid("episodeId").null().ref("Episode", false).sys(),
    instant("completedAt").null().sys(),
};
constexpr EntityDecl kEpisodeScheduleQueueDecl{
    "EpisodeScheduleQueue",
    "episode_schedule_queue",
    "Resilient scheduling: one row per (project, scheduledFor).",
    kEpisodeScheduleQueue,
    {{{"project_id", "scheduled_for"}, true, "", false},
     {{"status", "run_after"}, false, "", false}},
    {.api_writable = false}};

constexpr FieldDecl kChatSession[] = {
    uuid("projectId").ref("Project").fixed(),
    uuid("episodeId").null().ref("Episode", false).within("projectId"),
    uuid("userId").ref("User", false).fixed().by_actor(),
    str("title", 200, 1).not_blank(),
};
constexpr EntityDecl kChatSessionDecl{"ChatSession",
                                      "chat_sessions",
                                      "A chat with the agent about a project.",
                                      kChatSession,
                                      {{{"project_id"}, false, "", false}},
                                      {.soft_delete = true}};

constexpr FieldDecl kChatMessage[] = {
    uuid("sessionId").ref("ChatSession").fixed(),
    enumeration("role", States<ChatRole>::names).fixed(),
    text("content", 100'000).fixed(),
    integer("inputTokens", 0, 100'000'000).def(0),
    integer("outputTokens", 0, 100'000'000).def(0),
    money("costMicros").def(0),
};
constexpr EntityDecl kChatMessageDecl{"ChatMessage",
                                      "chat_messages",
                                      "One message of a chat session.",
                                      kChatMessage,
                                      {{{"session_id", "created_at"}, false, "", false}},
                                      {.api_updatable = false}};

constexpr FieldDecl kTokenUsage[] = {
    uuid("projectId").ref("Project").fixed(),
    uuid("episodeId").null().ref("Episode", false).within("projectId"),
    uuid("chatSessionId").null().ref("ChatSession", false).within("projectId"),
    str("model", 100, 1).rule(Rule::Model),
    integer("inputTokens", 0, 100'000'000),
    integer("outputTokens", 0, 100'000'000),
    money("costMicros"),
    instant("occurredAt"),
};
constexpr EntityDecl kTokenUsageDecl{
    "TokenUsage",
    "token_usage",
    "One LLM call and its exact cost.",
    kTokenUsage,
    {{{"organization_id", "occurred_at"}, false, "", false},
     // v7: a project's usage newest first (tokenUsage.list's order, id breaking ties), read
     // from the index; it also serves what (organization_id, project_id) served before v7
     {{"project_id", "occurred_at", "id"}, false, "", false}}};

constexpr FieldDecl kTokenUsageDaily[] = {
    date("date").fixed(),
    integer("inputTokens", 0, kMaxSafeInteger).def(0),
    integer("outputTokens", 0, kMaxSafeInteger).def(0),
    money("costMicros", kMaxSafeInteger).def(0),
    integer("callCount", 0, kMaxSafeInteger).def(0),
};
constexpr EntityDecl kTokenUsageDailyDecl{
    "TokenUsageDaily",
    "token_usage_daily",
    "Per organization and UTC day roll-up of TokenUsage, kept by triggers; the circuit "
    "breaker reads it.",
    kTokenUsageDaily,
    {{{"organization_id", "date"}, true, "", false}},
    {.api_writable = false}};

constexpr FieldDecl kBudgetReservation[] = {
    uuid("queueItemId").null().ref("EpisodeScheduleQueue", false),
    money("estimateMicros"),
    enumeration("status", States<ReservationStatus>::names).def(name(ReservationStatus::open)),
    date("date").doc("UTC day the reservation counts against."),
    instant("expiresAt").doc("An open reservation stops counting after this instant."),
};
constexpr EntityDecl kBudgetReservationDecl{
    "BudgetReservation",
    "budget_reservations",
    "An estimated cost held before a generation; settled by the actual usage.",
    kBudgetReservation,
    {{{"organization_id", "date", "status"}, false, "", false}},
    {.api_writable = false}};

constexpr FieldDecl kPlanningNote[] = {
    uuid("projectId").ref("Project").fixed(),
    uuid("authorId").ref("User", false).fixed().by_actor(),
    text("content", 20'000).range(1, 20'000),
    enumeration("status", States<NoteStatus>::names).def(name(NoteStatus::open)),
    uuid("appliedEpisodeId").null().ref("Episode", false).within("projectId"),
    instant("appliedAt").null(),
};
constexpr EntityDecl kPlanningNoteDecl{"PlanningNote",
                                       "planning_notes",
                                       "User feedback steering the next episodes.",
                                       kPlanningNote,
                                       {{{"project_id", "status"}, false, "", false}},
                                       {.soft_delete = true}};

constexpr FieldDecl kAgentMemory[] = {
    uuid("projectId").ref("Project").fixed(),
    enumeration("kind", States<MemoryKind>::names).def(name(MemoryKind::fact)),
    text("content", 4000).range(1, 4000),
    integer("importance", 1, 5).def(3),
    uuid("sourceEpisodeId").null().ref("Episode", false).within("projectId"),
    uuid("legacyMemoryId").null().fixed().doc("Project.memories id it was migrated from."),
};
constexpr EntityDecl kAgentMemoryDecl{
    "AgentMemory",
    "agent_memories",
    "Phase 2: long-term memory of the agent.",
    kAgentMemory,
    {{{"project_id"}, false, "", false},
     {{"project_id", "legacy_memory_id"}, true, "legacy_memory_id IS NOT NULL", false}},
    {.soft_delete = true}};

constexpr FieldDecl kUserEvent[] = {
    uuid("userId").ref("User").fixed().by_actor(),
    str("eventType", 100, 3).rule(Rule::EventType).fixed(),
    jsonf("eventData", Rule::JsonObject, 8192, 100).def(empty_object).fixed(),
    instant("occurredAt").fixed().doc("Defaults to now."),
};
constexpr EntityDecl kUserEventDecl{"UserEvent",
                                    "user_events",
                                    "Event tracking instead of boolean flags.",
                                    kUserEvent,
                                    {{{"user_id", "event_type"}, false, "", false}},
                                    {.api_updatable = false}};

constexpr FieldDecl kAuditLog[] = {
    uuid("actorId").null().fixed().doc("User who made the change (null: system)."),
    str("action", 40, 1).fixed().doc("create, update, delete, restore, purge, …"),
    str("entityType", 60, 1).fixed(),
    uuid("entityId").fixed(),
    jsonf("changes", Rule::JsonChanges, 1'048'576, 100)
        .def(empty_object)
        .fixed()
        .doc("{field: {before, after}}"),
    instant("occurredAt").fixed(),
};
constexpr EntityDecl kAuditLogDecl{
    "AuditLog",
    "audit_log",
    "Who changed what. Append-only, enforced by the database.",
    kAuditLog,
    {{{"organization_id", "entity_type", "entity_id"}, false, "", false}},
    {.append_only = true, .api_writable = false}};

constexpr FieldDecl kBlock[] = {
    uuid("episodeId").ref("Episode").fixed(),
    enumeration("type", States<BlockType>::names).def(name(BlockType::markdown)),
    integer("position", 0, 10'000).def(0),
    text("content", kMaxBlockChars),
};
constexpr EntityDecl kBlockDecl{"Block",
                                "blocks",
                                "Episode content; MVP: one markdown block per episode.",
                                kBlock,
                                {{{"episode_id", "position"}, true, "", false}}};

constexpr FieldDecl kHighlight[] = {
    uuid("episodeId").ref("Episode").fixed(),
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
    text("note", 5000).null(),
};
constexpr EntityDecl kHighlightDecl{
    "Highlight",
    "highlights",
    "A user's marked passage of a block.",
    kHighlight,
    {{{"episode_id"}, false, "", false}, {{"block_id"}, false, "", false}},
    {.soft_delete = true}};

/// Every entity, in dependency order (parents before children).
constexpr const EntityDecl* kEntities[] = {&kOrganizationDecl,
                                           &kUserDecl,
                                           &kProjectDecl,
                                           &kEpisodeDecl,
                                           &kEpisodeScheduleQueueDecl,
                                           &kChatSessionDecl,
                                           &kChatMessageDecl,
                                           &kTokenUsageDecl,
                                           &kTokenUsageDailyDecl,
                                           &kBudgetReservationDecl,
                                           &kPlanningNoteDecl,
                                           &kAgentMemoryDecl,
                                           &kUserEventDecl,
                                           &kAuditLogDecl,
                                           &kBlockDecl,
                                           &kHighlightDecl};

std::vector<Entity> declare_all() {
  std::vector<Entity> all;
  all.reserve(std::size(kEntities));
  for (const EntityDecl* d : kEntities) all.push_back(make(*d));
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

Field to_field(const FieldDecl& d) {
  if (d.same_as_) return *d.same_as_;
  Field f;
  f.name = d.name_ ? d.name_ : "";
  f.column = snake_case(f.name);
  f.type = d.type_;
  f.nullable = d.nullable_;
  using K = DefaultDecl::Kind;
  switch (d.default_.kind) {
    case K::None:
      break;
    case K::Int:
      f.default_value = d.default_.i;
      break;
    case K::Bool:
      f.default_value = d.default_.i != 0;
      break;
    case K::String:
      f.default_value = d.default_.s;
      break;
    case K::EmptyArray:
      f.default_value = json::array();
      break;
    case K::EmptyObject:
      f.default_value = json::object();
      break;
  }
  f.enum_values.assign(d.values_.begin(), d.values_.end());
  if (d.references_) f.references = d.references_;
  f.cascade = !d.restrict_;
  if (d.within_) f.within = d.within_;
  f.rule = d.rule_;
  f.origin = d.origin_;
  f.immutable = d.immutable_;
  f.actor_default = d.actor_default_;
  f.min = d.min_;
  f.max = d.max_;
  f.max_entries = d.max_entries_;
  f.not_blank = d.not_blank_;
  if (d.doc_) f.doc = d.doc_;
  return f;
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

const Index* Entity::index(std::string_view name) const {
  for (const auto& ix : indexes)
    if (index_name(*this, ix) == name) return &ix;
  return nullptr;
}

std::string index_name(const Entity& e, const Index& ix) {
  std::string n = (ix.unique ? "ux_" : "ix_") + e.table;
  for (const auto& c : ix.columns) n += "_" + c;
  return n;
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
