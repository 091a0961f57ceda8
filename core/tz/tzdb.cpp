// Decodes the generated tables (tools/gen_tzdb.py) into Zone objects on first use.
#include <algorithm>
#include <memory>
#include <stdexcept>

#include "core/tz/tz.hpp"
#include "core/tz/tzdb_data.hpp"

namespace ec::tz {
namespace {

constexpr int kExpectedFormat = 1;

class Reader {
 public:
  Reader(const unsigned char* p, const unsigned char* end) : p_(p), end_(end) {}
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; p_ < end_ && shift < 64; shift += 7) {
      const unsigned char b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    throw std::runtime_error("tzdb: truncated record");
  }
  int64_t zigzag() {
    const uint64_t v = varint();
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
  }
  uint8_t byte() {
    if (p_ >= end_) throw std::runtime_error("tzdb: truncated record");
    return *p_++;
  }

 private:
  const unsigned char* p_;
  const unsigned char* end_;
};

Zone decode(unsigned record, std::string_view name) {
  using data::kBlob;
  Reader r(kBlob + data::kRecordOffsets[record], kBlob + data::kRecordOffsets[record + 1]);
  std::vector<Zone::Type> types(r.varint());
  for (auto& t : types) {
    t.offset = static_cast<int32_t>(r.zigzag());
    t.is_dst = r.byte() != 0;
    const uint64_t a = r.varint();
    t.abbreviation = a < data::kAbbreviationCount ? data::kAbbreviations[a] : "";
  }
  const size_t count = r.varint();
  std::vector<int64_t> transitions(count);
  std::vector<uint8_t> type_of(count);
  int64_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    // Low bit set: a delta in seconds; clear: in minutes (see the generator).
    const uint64_t v = r.varint();
    const int64_t delta = static_cast<int64_t>(v >> 2) ^ -static_cast<int64_t>((v >> 1) & 1);
    at += (v & 1) ? delta : delta * 60;
    transitions[i] = at;
    type_of[i] = r.byte();
    if (type_of[i] >= types.size()) throw std::runtime_error("tzdb: bad type index");
  }
  const uint64_t f = r.varint();
  std::optional<PosixTz> footer;
  if (f < data::kFooterCount) footer = PosixTz::parse(data::kFooters[f]);
  return Zone(name, std::move(transitions), std::move(type_of), std::move(types),
              footer.value_or(PosixTz{}));
}

// tzdata's "Factory" zone is a placeholder ("local time zone must be set"), not a place: no
// list offers it and find() does not accept it, so neither engine stores it.
constexpr std::string_view kNotAZone = "Factory";

struct Database {
  std::vector<Zone> zones;  // one per canonical zone name, index = kZoneNames position
  std::vector<std::string_view> zone_names;
  std::vector<std::string_view> all_names;
  const Zone* utc = nullptr;

  Database() {
    if (data::kFormat != kExpectedFormat) throw std::runtime_error("tzdb: format mismatch");
    // Each canonical zone's record is the one its own name entry points at.
    std::vector<unsigned> record_of(data::kZoneCount, 0);
    all_names.reserve(data::kNameCount);
    for (unsigned i = 0; i < data::kNameCount; ++i) {
      const auto& e = data::kNames[i];
      if (std::string_view(e.name) != kNotAZone) all_names.emplace_back(e.name);
      if (std::string_view(e.name) == data::kZoneNames[e.canonical])
        record_of[e.canonical] = e.record;
    }
    zones.reserve(data::kZoneCount);
    for (unsigned i = 0; i < data::kZoneCount; ++i) {
      zones.push_back(decode(record_of[i], data::kZoneNames[i]));
      if (std::string_view(data::kZoneNames[i]) != kNotAZone)
        zone_names.emplace_back(data::kZoneNames[i]);
    }
    const auto it = std::lower_bound(zone_names.begin(), zone_names.end(), "Etc/UTC");
    if (it != zone_names.end() && *it == "Etc/UTC") utc = &zones[index_of_zone(*it)];
  }

  static unsigned index_of_zone(std::string_view name) {
    const auto* begin = data::kZoneNames;
    const auto* end = data::kZoneNames + data::kZoneCount;
    return static_cast<unsigned>(std::lower_bound(begin, end, name,
                                                  [](const char* a, std::string_view b) {
                                                    return std::string_view(a) < b;
                                                  }) -
                                 begin);
  }
};

const Database& db() {
  static const Database instance;
  return instance;
}

// A fixed UTC zone for builds whose tzdata lacks Etc/UTC (never the case with real tzdata).
const Zone& builtin_utc() {
  static const Zone zone("UTC", {}, {}, {{0, false, "UTC"}}, PosixTz{});
  return zone;
}

}  // namespace

const Zone* find(std::string_view name) {
  const auto* begin = data::kNames;
  const auto* end = data::kNames + data::kNameCount;
  const auto it = std::lower_bound(
      begin, end, name,
      [](const data::NameEntry& e, std::string_view n) { return std::string_view(e.name) < n; });
  if (it == end || std::string_view(it->name) != name || name == kNotAZone) return nullptr;
  return &db().zones[it->canonical];
}

const Zone& utc() {
  return db().utc ? *db().utc : builtin_utc();
}

const std::vector<std::string_view>& zone_names() {
  return db().zone_names;
}

const std::vector<std::string_view>& all_names() {
  return db().all_names;
}

std::string_view tzdata_version() {
  return data::kVersion;
}

}  // namespace ec::tz
