#pragma once
// Deterministic randomness for mock data. Everything here is plain integer arithmetic, so the
// native (libstdc++) and wasm (libc++) builds draw exactly the same numbers; the standard
// <random> distributions are deliberately not used (their output differs between libraries).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rules.hpp"

namespace ec::mock {

/// SplitMix64 finaliser: a good 64-bit mixing function.
constexpr uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// FNV-1a 64 of a string (stream names, digests): the rules' one implementation.
using rules::fnv1a64;

/// The key of a named stream: seed mixed with the table (and purpose) name, so each table
/// draws from its own sequence and changing one generator never reshuffles another.
constexpr uint64_t stream_key(uint64_t seed, std::string_view name, uint64_t salt = 0) {
  return mix64(mix64(seed) ^ fnv1a64(name) ^ mix64(salt + 0x51ed27));
}

/// A SplitMix64 generator with small, exact helpers.
class Rng {
 public:
  explicit Rng(uint64_t key = 0) : state_(key) {}
  Rng(uint64_t seed, std::string_view name, uint64_t salt = 0)
      : state_(stream_key(seed, name, salt)) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) (n > 0), without modulo bias.
  uint64_t below(uint64_t n) {
    if (n <= 1) return 0;
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
  }
  /// Uniform in [lo, hi] (inclusive).
  int64_t range(int64_t lo, int64_t hi) {
    return hi <= lo ? lo : lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  /// True with probability num/den.
  bool chance(uint64_t num, uint64_t den) { return below(den) < num; }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  template <class T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }
  /// Index drawn with integer weights.
  size_t weighted(const std::vector<uint32_t>& weights) {
    uint64_t total = 0;
    for (auto w : weights) total += w;
    uint64_t x = below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  /// Fisher-Yates with this generator (std::shuffle's algorithm is library-specific).
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  uint64_t state_;
};

/// A lower-case UUID v4 from 128 random bits (version and variant bits are overwritten).
std::string uuid_from(uint64_t a, uint64_t b);

/// Counter-based ids of one table: the n-th id of a table depends only on (seed, table, n), so
/// ids stay put when another generator (or this table's value stream) changes.
///
/// reserve_sorted(n) makes the next n ids come out in ascending order (the same n random ids,
/// sorted): rows are then inserted in primary-key order, which turns SQLite's random B-tree
/// inserts into appends (several times faster for large datasets, and a denser file).
class IdStream {
 public:
  IdStream(uint64_t seed, std::string_view table) : key_(stream_key(seed, table, 0x1d5)) {}
  std::string next() {
    if (pos_ < pool_.size()) {
      const auto& v = pool_[pos_++];
      return uuid_from(v.first, v.second);
    }
    const auto v = raw(counter_++);
    return uuid_from(v.first, v.second);
  }
  void reserve_sorted(uint64_t n);
  uint64_t issued() const { return counter_ - (pool_.size() - pos_); }

 private:
  std::pair<uint64_t, uint64_t> raw(uint64_t n) const;
  uint64_t key_;
  uint64_t counter_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> pool_;
  size_t pos_ = 0;
};

}  // namespace ec::mock
