#pragma once
// The in-memory plan of a mock dataset, shared by the generate_*.cpp files. Each table family
// draws from its own streams (Rng(seed, "<Entity>")) and ids (IdStream(seed, "<Entity>")).
#include <optional>
#include <string>
#include <vector>

#include "core/mock/mock.hpp"
#include "core/mock/rng.hpp"
#include "core/mock/writer.hpp"
#include "core/rules.hpp"
#include "core/schedule/cadence.hpp"
#include "core/tz/tz.hpp"

namespace ec::mock {

inline constexpr int64_t kMinute = 60'000;
inline constexpr int64_t kHour = 3'600'000;
inline constexpr int64_t kDay = 86'400'000;

struct OrgM {
  std::string id, name, slug, plan;
  int64_t limit_micros = 50'000'000;
  Instant created = 0;
  std::string home_zone;
  std::vector<size_t> users, projects;
};

struct UserM {
  std::string id, name, email, role, timezone;
  size_t org = 0;
  Instant created = 0;
};

struct ProjectM {
  std::string id, name, description, status;  // status: active | paused | archived
  size_t org = 0, owner = 0, topic = 0;
  schedule::Cadence cadence;       // as stored (pausedUntil for paused projects)
  const tz::Zone* zone = nullptr;  // resolved (cadence zone, else owner's)
  Instant created = 0, updated = 0;
  std::optional<Instant> ended;    // paused / archived at
  std::optional<Instant> deleted;  // soft-deleted at
  int64_t target_episodes = 0;
  int force = 0;  // demo story: 1 = last run still processing, 2 = waiting to retry
  json memories = json::array();
  std::vector<size_t> episodes;  // indexes into Plan::episodes, by number
  std::vector<size_t> queue;     // indexes into Plan::queue
};

struct Attempt {
  Instant start = 0, end = 0;  // end > now: still running
  bool failed = false;
  size_t error = 0;   // corpus::kGenErrors index when failed
  int64_t calls = 0;  // TokenUsage rows of this attempt
};

struct QueueM {
  std::string id;
  size_t project = 0;
  Instant scheduled = 0, created = 0, updated = 0, run_after = 0;
  std::string status;  // pending | processing | completed | failed | cancelled
  int64_t max_attempts = rules::kDefaultMaxAttempts;
  std::vector<Attempt> attempts;  // started attempts only
  std::optional<size_t> episode;
  std::optional<Instant> completed, locked_until;
  std::string locked_by, last_error;
};

struct EpisodeM {
  std::string id, title, status;
  size_t project = 0, queue = 0;
  int64_t number = 0;
  Instant scheduled = 0, created = 0, updated = 0;
  std::optional<Instant> generated, published;
  std::optional<size_t> publisher;  // user index
  std::optional<size_t> block;      // index into Plan::blocks
};

struct BlockM {
  std::string id, content;
  size_t episode = 0;
};

struct SessionM {
  std::string id, title;
  size_t project = 0, user = 0;
  std::optional<size_t> episode;
  Instant created = 0, updated = 0;
  std::optional<Instant> deleted;
};

/// A chat reply's LLM calls (TokenUsage rows with chatSessionId).
struct ChatCall {
  size_t session = 0;
  Instant at = 0;
  int64_t input = 0, output = 0, cost = 0;
};

struct AuditM {
  std::string org;
  std::optional<std::string> actor;
  std::string action, entity_type, entity_id;
  json changes;
  Instant at = 0;
};

struct EventM {
  size_t user = 0;
  std::string type;
  json data;
  Instant at = 0;
};

struct Plan {
  uint64_t seed = 1;
  Counts counts;
  Size size = Size::Demo;
  CivilDate reference_date;
  Instant now = 0;
  std::map<std::string, uint64_t> salt;

  // The circuit breaker story: one organization is over its budget today and on one past day.
  size_t budget_org = 0;
  Instant burst_today = 0;                                // start of today's runaway burst (UTC)
  Instant burst_past = 0;                                 // start of the past day's burst
  Instant burst_cutoff_today = 0, burst_cutoff_past = 0;  // generation blocked from here

  std::vector<OrgM> orgs;
  std::vector<UserM> users;
  std::vector<ProjectM> projects;
  std::vector<QueueM> queue;
  std::vector<EpisodeM> episodes;
  std::vector<BlockM> blocks;
  std::vector<SessionM> sessions;
  std::vector<ChatCall> chat_calls;
  std::vector<AuditM> audit;
  std::vector<EventM> events;
  std::vector<size_t> burst_sessions;  // the chat sessions that ran away: past day, today

  bool demo = false;
  bool bulk = false;  // no TokenUsage triggers while writing: generate_usage writes the roll-up  //
                      // the hand-shaped demo story (size demo with its own counts)

  /// The value stream of a table (optionally a named sub-stream of it); salted by the test hook.
  Rng rng(const char* stream, const char* sub = nullptr) const {
    auto it = salt.find(stream);
    std::string name = stream;
    if (sub) name.append("/").append(sub);
    return Rng(seed, name, it == salt.end() ? 0 : it->second);
  }
  IdStream ids(const char* table) const { return IdStream(seed, table); }
  void add_audit(size_t org, std::optional<size_t> actor, const char* action, const char* type,
                 const std::string& id, json changes, Instant at) {
    audit.push_back(AuditM{orgs[org].id,
                           actor ? std::optional<std::string>(users[*actor].id) : std::nullopt,
                           action, type, id, std::move(changes), at});
  }
  void add_event(size_t user, const char* type, json data, Instant at) {
    events.push_back(EventM{user, type, std::move(data), at});
  }
};

/// Splits `total` into parts proportional to `weights`, exactly; each part at least `floor_each`
/// (when the total allows) and at most `cap`.
std::vector<int64_t> allocate(int64_t total, const std::vector<int64_t>& weights,
                              int64_t floor_each, int64_t cap);

/// {field: {before: null, after: value}} for every field of a new row (as the API's create does).
json create_changes(const schema::Entity& e, const json& row);

// Phases, in order (generate_*.cpp).
void plan_tenants(Plan& p);               // Organization, User, Project (in memory)
void plan_schedule(Plan& p);              // EpisodeScheduleQueue outcomes, Episode
void write_tenants(Plan& p, Writer& w);   // Organization, User, Project rows
void write_schedule(Plan& p, Writer& w);  // Episode, EpisodeScheduleQueue rows
void generate_chat(Plan& p, Writer& w);   // ChatSession, ChatMessage
void generate_usage(Plan& p,
                    Writer& w);  // TokenUsage (+ daily roll-up by triggers), BudgetReservation
void generate_notes(Plan& p, Writer& w);     // PlanningNote, AgentMemory
void generate_content(Plan& p, Writer& w);   // Block, Highlight
void generate_activity(Plan& p, Writer& w);  // UserEvent, AuditLog
/// Rows the phases will write, for progress (an estimate).
int64_t estimate_rows(const Plan& p);

}  // namespace ec::mock
