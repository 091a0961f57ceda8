#pragma once
// Deterministic, realistic, relationship-correct mock data for every table (docs/adr/0006).
//
//   ec::store::Store store("demo.db", 1);
//   ec::mock::Options o;  o.seed = 42;  o.size = ec::mock::Size::Demo;
//   ec::mock::Report r = ec::mock::seed(store, o);
//
// The same (seed, size or counts, reference date) gives a byte-identical database on every
// run and on both targets. Time is relative to the reference date, never the clock.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/mock/sizes.hpp"
#include "core/store/store.hpp"
#include "core/time.hpp"

namespace ec::mock {

/// The reference date used when none is given.
inline constexpr CivilDate kDefaultReferenceDate{2025, 8, 15};
/// The reference dates a dataset may have: its past (clamped at a year after the instant range's
/// start, core/time.hpp kMinInstant) and its horizon ahead then stay inside years 0001-9999.
/// Outside: Error{invalid, path ["referenceDate"]}.
inline constexpr CivilDate kMinReferenceDate{3, 1, 1};
inline constexpr CivilDate kMaxReferenceDate{9998, 12, 31};
/// "Now" of a dataset is its reference date at this UTC time of day.
inline constexpr int64_t kNowMsOfDay = 12 * 3'600'000;

/// (rows written, rows expected in total, phase = table being written).
using Progress = std::function<void(int64_t done, int64_t total, const std::string& phase)>;

struct Options {
  uint64_t seed = 1;
  Size size = Size::Demo;
  std::optional<Counts> counts;  ///< overrides the size's counts
  CivilDate reference_date = kDefaultReferenceDate;
  /// Validate 1 row in N with validate::entity(Mode::Record) as it is written (1 = every row;
  /// 0 = the size's default: every row for demo/small, 1 in 64 for large).
  int64_t validate_every = 0;
  Progress progress;
  /// Bulk load: foreign-key enforcement off, secondary indexes and TokenUsage's insert
  /// trigger dropped while writing, then TokenUsageDaily filled by one aggregate equivalent to
  /// the trigger and everything restored from its stored SQL (docs/adr/0006). Same rows as the
  /// normal path (tested); default: on for `large` only.
  std::optional<bool> bulk;
  /// Test hook: extra salt per table stream name ("Episode", "ChatMessage", …) to prove that
  /// changing one generator leaves the others' rows unchanged.
  std::map<std::string, uint64_t> stream_salt;
};

struct Report {
  std::map<std::string, int64_t> rows;  ///< per table name, after the seed (triggers included)
  int64_t validated = 0;                ///< rows checked against the schema while writing
  Instant now = 0;                      ///< the dataset's "now"
  std::string over_budget_org;          ///< the organization over its budget today
  json to_json() const;
};

/// Fills an EMPTY database (every table empty, else Error{conflict}: seeding never mixes with
/// existing data) in one transaction. Throws ec::Error; on error nothing is kept.
Report seed(store::Store& store, const Options& options);

/// "Now" for a reference date.
Instant now_of(CivilDate reference_date);

/// 64-bit FNV-1a digest, as 16 hex digits, of a canonical dump of one table (rows ordered by
/// id, every column typed and length-prefixed) or of every table in schema order.
std::string table_digest(store::Db& db, const std::string& table);
std::string dataset_digest(store::Db& db);
/// The same hash over a file's bytes (byte-identical databases across targets). Error{io} when
/// the file cannot be opened or read (a directory, say).
std::string file_digest(const std::string& path);

}  // namespace ec::mock
