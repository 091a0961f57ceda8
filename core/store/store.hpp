#pragma once
// The store: one SQLite database holding every entity, opened (and migrated) once, with the
// clock and id generator every write uses. Repositories, audit, queue and budget build on it.
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/store/db.hpp"
#include "core/time.hpp"

namespace ec::store {

/// Who is acting (the principal). Every read and write is scoped to `organization_id`.
/// A user has `user_id` and `role` (from their current users row); the system (worker, service
/// role, demo) has `system` set and no user: its audit rows have actorId null.
struct Actor {
  std::string organization_id;
  std::string user_id;
  std::string role;
  bool system = false;
};

class Store {
 public:
  /// Opens or creates a database. A fresh file gets the current schema; an older schema is
  /// upgraded in one transaction; a newer or foreign schema is refused without any change.
  explicit Store(const std::string& path, uint64_t id_seed = 0);

  Db& db() { return db_; }

  /// The current time: a fixed/demo time when set, else the real clock.
  Instant now() const;
  /// Fixes the clock (tests, the dashboard's demo clock); nullopt returns to the real clock.
  /// Throws Error{invalid} for an instant outside kMinInstant..kMaxInstant.
  void set_clock(std::optional<Instant> fixed) {
    if (fixed && !in_instant_range(*fixed))
      throw Error(code::invalid, "the clock must stay within the years 0001..9999");
    fixed_now_ = fixed;
  }
  std::optional<Instant> clock_override() const { return fixed_now_; }

  /// A new lower-case UUID v4 (deterministic when the store was given a seed).
  std::string new_id();
  /// Reseeds the id generator (mock data uses per-table streams).
  void seed_ids(uint64_t seed) { rng_.seed(seed); }

  /// Schema version found on open, before any upgrade (for reporting).
  int opened_version() const { return opened_version_; }

 private:
  void open_schema();

  Db db_;
  std::optional<Instant> fixed_now_;
  std::mt19937_64 rng_;
  int opened_version_ = 0;
};

/// Applies migrations from `from` up to schema::kSchemaVersion (core/store/migrate.cpp).
void migrate(Db& db, int from);

}  // namespace ec::store
