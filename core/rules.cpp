#include "core/rules.hpp"

#include <algorithm>

#include "core/time.hpp"

namespace ec::rules {

std::string format_gbp(int64_t micros) {
  const bool negative = micros < 0;
  // Magnitude as unsigned so INT64_MIN is safe; round half away from zero to the penny.
  const uint64_t mag = negative ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  constexpr uint64_t penny = static_cast<uint64_t>(kMicrosPerPenny);
  constexpr uint64_t pence_per_pound = static_cast<uint64_t>(kMicrosPerPound / kMicrosPerPenny);
  const uint64_t pence = (mag + penny / 2) / penny;
  std::string pounds = std::to_string(pence / pence_per_pound);
  for (int i = static_cast<int>(pounds.size()) - 3; i > 0; i -= 3)
    pounds.insert(static_cast<size_t>(i), kThousandsSeparator);
  const uint64_t p = pence % pence_per_pound;
  std::string out = negative && pence != 0 ? kMinusSign : "";
  out += kCurrencySymbol;
  out += pounds;
  out += kDecimalSeparator;
  out += static_cast<char>('0' + p / 10);
  out += static_cast<char>('0' + p % 10);
  return out;
}

int64_t backoff_ms(std::string_view key, int64_t attempt) {
  const int64_t shift = std::clamp<int64_t>(attempt - 1, 0, kBackoffMaxShift);
  const int64_t d = std::min(kBackoffCapMs, kBackoffBaseMs << shift);
  const uint64_t h = fnv1a64(std::to_string(attempt), fnv1a64(":", fnv1a64(key, kFnvOffsetBasis)));
  return d - static_cast<int64_t>(h % static_cast<uint64_t>(d / kBackoffJitterDivisor + 1));
}

const std::vector<Constant>& constants() {
  static const std::vector<Constant> all = {
      {"backoffBaseMs", kBackoffBaseMs, "Retry delay after the first failed attempt (ms)."},
      {"backoffCapMs", kBackoffCapMs, "The retry delay never exceeds this (ms)."},
      {"backoffMaxShift", kBackoffMaxShift, "The delay doubles at most this many times."},
      {"backoffJitterDivisor", kBackoffJitterDivisor,
       "Jitter: up to delay / this, subtracted (FNV-1a 64 of \"<id>:<attempt>\")."},
      {"fnvOffsetBasis", std::to_string(kFnvOffsetBasis),
       "The jitter hash's start value (decimal; one digit short of FNV-1a 64's standard offset "
       "basis, kept since v2)."},
      {"fnvPrime", std::to_string(kFnvPrime), "FNV-1a 64 prime (decimal)."},
      {"defaultMaxAttempts", kDefaultMaxAttempts, "Attempts of a new queue item."},
      {"maxAttempts", kMaxAttempts, "No queue item ever gets more attempts."},
      {"defaultLeaseSeconds", kDefaultLeaseSeconds, "Lease of a claim or extend by default."},
      {"minLeaseSeconds", kMinLeaseSeconds, "Shortest lease."},
      {"maxLeaseSeconds", kMaxLeaseSeconds, "Longest lease."},
      {"maxClaimLimit", kMaxClaimLimit, "Items per claim."},
      {"defaultHorizonDays", kDefaultHorizonDays, "Days of cadence planned ahead."},
      {"maxGenerationErrorsKept", kMaxGenerationErrorsKept,
       "Episode.generationErrors keeps the last this many entries."},
      {"maxErrorMessageBytes", kMaxErrorMessageBytes,
       "UTF-8 bytes kept of one generationErrors message."},
      {"maxLastErrorBytes", kMaxLastErrorBytes, "UTF-8 bytes kept of a queue item's lastError."},
      {"leaseExpired", std::string(kLeaseExpired), "Error code of an attempt whose lease expired."},
      {"claimFailed", std::string(kClaimFailed), "lastError prefix of an item a claim failed."},
      {"cancelledByPlan", std::string(kCancelledByPlan),
       "lastError prefix of an item cancelled by planning (may be planned again)."},
      {"cancelledByUser", std::string(kCancelledByUser), "lastError of an item cancelled by hand."},
      {"defaultDailyCostLimitMicros", kDefaultDailyCostLimitMicros,
       "Daily budget of a new organization (micro-pounds)."},
      {"defaultReservationTtlSeconds", kDefaultReservationTtlSeconds,
       "A reservation holds budget this long by default."},
      {"maxReservationTtlSeconds", kMaxReservationTtlSeconds, "Longest reservation hold."},
      {"freeProjectLimit", kFreeProjectLimit, "Live projects of the free plan."},
      {"proProjectLimit", kProProjectLimit, "Live projects of the pro plan."},
      {"teamProjectLimit", kTeamProjectLimit, "Live projects of the team plan."},
      {"maxInstantMs", ec::kMaxInstant,
       "The last instant both engines hold (9999-12-31T23:59:59.999Z, ms since the epoch): "
       "lease ends, expiries and retry times are capped at it."},
      {"microsPerPound", kMicrosPerPound, "Money is integer micro-pounds."},
      {"microsPerPenny", kMicrosPerPenny, "Money is shown to the penny."},
      {"currencySymbol", std::string(kCurrencySymbol), "Before the amount."},
      {"minusSign", std::string(kMinusSign), "U+2212, before the currency symbol."},
      {"thousandsSeparator", std::string(kThousandsSeparator), "Groups of three digits."},
      {"decimalSeparator", std::string(kDecimalSeparator), "Before the pence."},
  };
  return all;
}

const Constant* find_constant(std::string_view name) {
  for (const auto& c : constants())
    if (name == c.name) return &c;
  return nullptr;
}

namespace {
template <class E>
StateList list() {
  return {States<E>::list, names<E>()};
}
}  // namespace

const std::vector<StateList>& state_lists() {
  static const std::vector<StateList> all = {
      list<QueueStatus>(), list<EpisodeStatus>(), list<ReservationStatus>(), list<ProjectStatus>(),
      list<Role>(),        list<Plan>(),          list<NoteStatus>(),        list<MemoryKind>(),
      list<ChatRole>(),    list<BlockType>()};
  return all;
}

const StateList* find_state_list(std::string_view name) {
  for (const auto& l : state_lists())
    if (name == l.name) return &l;
  return nullptr;
}

std::string constant_text(const Constant& c) {
  if (const auto* i = std::get_if<int64_t>(&c.value)) return std::to_string(*i);
  return std::get<std::string>(c.value);
}

}  // namespace ec::rules
