#pragma once
// The product's rules, declared once: the numbers (queue backoff, leases, attempts, budget
// defaults, plan limits, the money format) and the state names (statuses, roles, plans, kinds).
// Everything else uses them by name: the entity declarations (enum values, hence the SQLite
// CHECKs and PostgreSQL enum types), the store, the mock, the PostgreSQL function templates
// (`@const:<name>@` and `@state:<List>.<value>@` markers, core/schema/pg_queue_sql.cpp) and the
// generated TypeScript (`episodes-core constants`, web/src/core/constants.generated.ts).
// docs/adr/0014-rules-declared-once.md.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ec::rules {

// ---- The schedule queue (core/store/queue.cpp, PostgreSQL queue_* functions) ----------------
/// Retry delay after failed attempt n (1-based): min(cap, base * 2^min(n-1, max shift)), minus a
/// jitter of up to 1/kBackoffJitterDivisor of it (see backoff_ms).
inline constexpr int64_t kBackoffBaseMs = 60'000;     ///< first retry after ~1 minute
inline constexpr int64_t kBackoffCapMs = 3'600'000;   ///< never more than 1 hour
inline constexpr int64_t kBackoffMaxShift = 20;       ///< 2^20: far past the cap, no overflow
inline constexpr int64_t kBackoffJitterDivisor = 10;  ///< jitter up to 10 % of the delay
/// FNV-1a 64 of "<key>:<attempt>" picks the jitter (deterministic: tests and replays are stable).
/// Its start value is one digit short of FNV's standard offset basis (kFnvStandardBasis), since
/// v2; PostgreSQL's functions and generated names use it too, so it stays.
inline constexpr uint64_t kFnvOffsetBasis = 1469598103934665603ULL;
inline constexpr uint64_t kFnvStandardBasis = 14695981039346656037ULL;
inline constexpr uint64_t kFnvPrime = 1099511628211ULL;
/// FNV-1a 64 of the bytes of `s`, continuing from `h` (the one implementation: backoff jitter,
/// PostgreSQL name suffixes, mock streams and digests, request fingerprints).
constexpr uint64_t fnv1a64(std::string_view s, uint64_t h = kFnvStandardBasis) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}
inline constexpr int64_t kDefaultMaxAttempts = 3;  ///< EpisodeScheduleQueue.maxAttempts default
inline constexpr int64_t kMaxAttempts = 100;       ///< no item ever gets more (queue.retry)
inline constexpr int64_t kDefaultLeaseSeconds = 300;
inline constexpr int64_t kMinLeaseSeconds = 10;
inline constexpr int64_t kMaxLeaseSeconds = 86'400;
inline constexpr int64_t kMaxClaimLimit = 100;  ///< items per queue.claim
inline constexpr int64_t kDefaultHorizonDays = 14;
inline constexpr int64_t kMaxGenerationErrorsKept = 50;  ///< Episode.generationErrors entries kept
inline constexpr int64_t kMaxErrorMessageBytes = 1000;   ///< one generationErrors message
inline constexpr int64_t kMaxLastErrorBytes = 4000;      ///< EpisodeScheduleQueue.lastError
/// Prefixes of EpisodeScheduleQueue.lastError (and generationErrors codes) the store writes.
inline constexpr const char* kLeaseExpired = "lease_expired";
inline constexpr const char* kClaimFailed = "claim_failed";
inline constexpr const char* kCancelledByPlan = "cancelled_by_plan";  ///< may be planned again
inline constexpr const char* kCancelledByUser = "cancelled_by_user";

// ---- The daily budget (core/store/budget.cpp, PostgreSQL budget_* functions) ----------------
inline constexpr int64_t kDefaultDailyCostLimitMicros = 50'000'000;  ///< £50
inline constexpr int64_t kDefaultReservationTtlSeconds = 900;
inline constexpr int64_t kMaxReservationTtlSeconds = 86'400;

// ---- Plans ("limit projects, not frequency": active and paused projects count) -------------
inline constexpr int64_t kFreeProjectLimit = 3;
inline constexpr int64_t kProProjectLimit = 25;
inline constexpr int64_t kTeamProjectLimit = 100;

// ---- Money: integer micro-pounds everywhere (docs/adr/0001-money.md) -------------------------
/// "£1,234.56", "−£0.01" (U+2212 MINUS SIGN), "£0.00": rounded half away from zero to the shown
/// decimals; a value that rounds to zero has no sign. The one format of the core's messages,
/// PostgreSQL's private.gbp and the dashboard's formatGBP.
inline constexpr int64_t kMicrosPerPound = 1'000'000;
inline constexpr int64_t kMicrosPerPenny = 10'000;
inline constexpr const char* kCurrencySymbol = "\u00a3";  // £
inline constexpr const char* kMinusSign = "\u2212";       // −
inline constexpr const char* kThousandsSeparator = ",";
inline constexpr const char* kDecimalSeparator = ".";
/// Formats micro-pounds to the penny (the format above). Integer arithmetic only; INT64_MIN safe.
std::string format_gbp(int64_t micros);

/// The retry delay after failed attempt `attempt` of the item `key` (its id), as declared above.
int64_t backoff_ms(std::string_view key, int64_t attempt);

// ---- State names ------------------------------------------------------------------------------
// Each list: an enum whose enumerators are the stored names, and States<E>::names in the same
// order (checked below). name(E) gives the stored text.
enum class QueueStatus { pending, processing, completed, failed, cancelled };
enum class EpisodeStatus { scheduled, generating, ready, published, failed, cancelled };
enum class ReservationStatus { open, settled, released };
enum class ProjectStatus { active, paused, archived };
enum class Role { owner, admin, member };
enum class Plan { free, pro, team };
enum class NoteStatus { open, applied, dismissed };
enum class MemoryKind { fact, preference, instruction, context };
enum class ChatRole { user, assistant, system };
enum class BlockType { markdown };

template <class E>
struct States;
// States<E>: the list's name (for @state markers and TypeScript) and its stored names.
#define EC_STATE_NAMES(E, ...)                      \
  template <>                                       \
  struct States<E> {                                \
    static constexpr const char* list = #E;         \
    static constexpr std::array names{__VA_ARGS__}; \
  };
EC_STATE_NAMES(QueueStatus, "pending", "processing", "completed", "failed", "cancelled")
EC_STATE_NAMES(EpisodeStatus, "scheduled", "generating", "ready", "published", "failed",
               "cancelled")
EC_STATE_NAMES(ReservationStatus, "open", "settled", "released")
EC_STATE_NAMES(ProjectStatus, "active", "paused", "archived")
EC_STATE_NAMES(Role, "owner", "admin", "member")
EC_STATE_NAMES(Plan, "free", "pro", "team")
EC_STATE_NAMES(NoteStatus, "open", "applied", "dismissed")
EC_STATE_NAMES(MemoryKind, "fact", "preference", "instruction", "context")
EC_STATE_NAMES(ChatRole, "user", "assistant", "system")
EC_STATE_NAMES(BlockType, "markdown")
#undef EC_STATE_NAMES

/// The stored name of a state ("pending" for QueueStatus::pending).
template <class E>
constexpr const char* name(E e) {
  return States<E>::names[static_cast<size_t>(e)];
}
/// Every name of a list, in declaration order (the entity declarations' enum values).
template <class E>
std::vector<std::string> names() {
  return {States<E>::names.begin(), States<E>::names.end()};
}
/// The state whose name is `s`, if any.
template <class E>
constexpr bool parse(std::string_view s, E& out) {
  for (size_t i = 0; i < States<E>::names.size(); ++i)
    if (s == States<E>::names[i]) {
      out = static_cast<E>(i);
      return true;
    }
  return false;
}

// The enumerators are the names, in the same order (a compile-time check of the pairing).
constexpr bool same(std::string_view a, std::string_view b) {
  return a == b;
}
static_assert(same(name(QueueStatus::cancelled), "cancelled") &&
              States<QueueStatus>::names.size() == 5);
static_assert(same(name(EpisodeStatus::cancelled), "cancelled") &&
              States<EpisodeStatus>::names.size() == 6);
static_assert(same(name(ReservationStatus::released), "released") &&
              States<ReservationStatus>::names.size() == 3);
static_assert(same(name(ProjectStatus::archived), "archived") &&
              States<ProjectStatus>::names.size() == 3);
static_assert(same(name(Role::member), "member") && States<Role>::names.size() == 3);
static_assert(same(name(Plan::team), "team") && States<Plan>::names.size() == 3);
static_assert(same(name(NoteStatus::dismissed), "dismissed") &&
              States<NoteStatus>::names.size() == 3);
static_assert(same(name(MemoryKind::context), "context") && States<MemoryKind>::names.size() == 4);
static_assert(same(name(ChatRole::system), "system") && States<ChatRole>::names.size() == 3);
static_assert(same(name(BlockType::markdown), "markdown") && States<BlockType>::names.size() == 1);

// ---- The registry the generators read ---------------------------------------------------------
/// One named rule constant: `name` is its camelCase name in `@const:<name>@` markers and in the
/// generated TypeScript (`Rules.<name>`).
struct Constant {
  const char* name;
  std::variant<int64_t, std::string> value;
  const char* doc;
};
/// Every rule constant above, in declaration order.
const std::vector<Constant>& constants();
/// The constant named `name`, or nullptr.
const Constant* find_constant(std::string_view name);

/// One state list: its name ("QueueStatus") and its values.
struct StateList {
  const char* name;
  std::vector<std::string> values;
};
/// Every state list above.
const std::vector<StateList>& state_lists();
const StateList* find_state_list(std::string_view name);

/// The value of a constant as SQL/TypeScript literal text (an integer, or the string's text).
std::string constant_text(const Constant& c);

}  // namespace ec::rules
