// Tests for core/tz: the embedded database, offsets, the compatible rule, POSIX footers.
// Expected values were worked out by hand from the rules and cross-checked with Python's
// zoneinfo; tests/oracle checks thousands more through the CLI.
#include <catch2/catch.hpp>

#include <algorithm>

#include "core/tz/tz.hpp"

using namespace ec;
using namespace ec::tz;

namespace {

Instant at(const char* iso) {
  const auto t = parse_instant(iso);
  REQUIRE(t.has_value());
  return *t;
}

int64_t seconds(const char* iso) {
  return at(iso) / 1000;
}

// Local wall time as seconds since 1970-01-01T00:00 local.
int64_t wall(int y, int mo, int d, int h, int mi) {
  return days_from_civil({y, mo, d}) * 86400 + h * 3600 + mi * 60;
}

const Zone& zone(const char* name) {
  const Zone* z = find(name);
  INFO(name);
  REQUIRE(z != nullptr);
  return *z;
}

}  // namespace

TEST_CASE("tz: database metadata") {
  CHECK(!tzdata_version().empty());
  CHECK(tzdata_version().size() >= 5);  // "2025b"
  const auto& names = zone_names();
  CHECK(names.size() >= 400);
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  CHECK(std::binary_search(names.begin(), names.end(), "Europe/London"));
  CHECK(!std::binary_search(names.begin(), names.end(), "US/Eastern"));  // links excluded
  CHECK(!std::binary_search(names.begin(), names.end(), "Factory"));
  const auto& all = all_names();
  CHECK(all.size() > names.size());
  CHECK(std::is_sorted(all.begin(), all.end()));
  CHECK(std::binary_search(all.begin(), all.end(), "US/Eastern"));
  for (const auto& n : all) {
    INFO(n);
    REQUIRE(find(n) != nullptr);
  }
}

TEST_CASE("tz: find, links and unknown names") {
  CHECK(find("Europe/London") != nullptr);
  CHECK(find("Europe/London")->name() == "Europe/London");
  CHECK(find("US/Eastern") == find("America/New_York"));
  CHECK(find("US/Eastern")->name() == "America/New_York");
  CHECK(find("GB") == find("Europe/London"));
  CHECK(find("Europe/Kiev") == find("Europe/Kyiv"));
  CHECK(find("UTC") != nullptr);
  CHECK(find("UTC")->offset_at(at("2025-06-01T00:00:00Z")) == 0);
  CHECK(utc().offset_at(0) == 0);
  CHECK(find("Etc/GMT-14")->offset_at(0) == 14 * 3600);  // POSIX-style inverted sign
  CHECK(find("") == nullptr);
  CHECK(find("europe/london") == nullptr);  // exact names only
  CHECK(find("Europe/Lndon") == nullptr);
  CHECK(find("Europe/London ") == nullptr);
  CHECK(find("Mars/Olympus_Mons") == nullptr);
  CHECK(find("posix/Europe/London") == nullptr);
  CHECK(find("right/UTC") == nullptr);
}

TEST_CASE("tz: offsets and abbreviations") {
  const Zone& london = zone("Europe/London");
  auto p = london.period_at(at("2025-01-15T12:00:00Z"));
  CHECK(p.offset_seconds == 0);
  CHECK(p.abbreviation == "GMT");
  CHECK(!p.is_dst);
  p = london.period_at(at("2025-07-15T12:00:00Z"));
  CHECK(p.offset_seconds == 3600);
  CHECK(p.abbreviation == "BST");
  CHECK(p.is_dst);
  // The change is at 01:00 UTC exactly.
  CHECK(london.offset_at(at("2025-03-30T00:59:59.999Z")) == 0);
  CHECK(london.offset_at(at("2025-03-30T01:00:00Z")) == 3600);
  CHECK(london.offset_at(at("2025-10-26T00:59:59Z")) == 3600);
  CHECK(london.offset_at(at("2025-10-26T01:00:00Z")) == 0);

  CHECK(zone("Asia/Kathmandu").offset_at(at("2025-06-01T00:00:00Z")) == 5 * 3600 + 45 * 60);
  CHECK(zone("Asia/Kathmandu").period_at(at("2025-06-01T00:00:00Z")).abbreviation == "+0545");
  CHECK(zone("Asia/Kolkata").offset_at(at("2025-06-01T00:00:00Z")) == 5 * 3600 + 30 * 60);
  CHECK(zone("America/St_Johns").offset_at(at("2025-01-01T00:00:00Z")) == -(3 * 3600 + 30 * 60));
  CHECK(zone("Pacific/Chatham").offset_at(at("2025-01-01T00:00:00Z")) == 13 * 3600 + 45 * 60);
  // Lord Howe: +10:30 standard, +11 in summer (a 30-minute DST).
  CHECK(zone("Australia/Lord_Howe").offset_at(at("2025-07-01T00:00:00Z")) == 10 * 3600 + 1800);
  CHECK(zone("Australia/Lord_Howe").offset_at(at("2025-01-01T00:00:00Z")) == 11 * 3600);
}

TEST_CASE("tz: zones whose rules changed") {
  const Zone& apia = zone("Pacific/Apia");
  CHECK(apia.offset_at(at("2011-12-29T12:00:00Z")) == -10 * 3600);
  CHECK(apia.offset_at(at("2011-12-31T12:00:00Z")) == 14 * 3600);
  CHECK(apia.offset_at(at("2025-06-01T00:00:00Z")) == 13 * 3600);  // no DST since 2021

  // Casablanca: +01 all year except Ramadan (+00, flagged as negative DST in tzdata).
  const Zone& casa = zone("Africa/Casablanca");
  CHECK(casa.offset_at(at("2025-03-10T12:00:00Z")) == 0);
  CHECK(casa.period_at(at("2025-03-10T12:00:00Z")).is_dst);
  CHECK(casa.offset_at(at("2025-05-01T12:00:00Z")) == 3600);
  CHECK(casa.offset_at(at("2017-08-01T12:00:00Z")) == 3600);  // old summer time
  CHECK(casa.offset_at(at("2017-01-01T12:00:00Z")) == 0);     // old standard time
  CHECK(casa.offset_at(at("2150-01-01T00:00:00Z")) == 3600);  // footer "<+01>-1"

  const Zone& santiago = zone("America/Santiago");
  CHECK(santiago.offset_at(at("2025-01-15T12:00:00Z")) == -3 * 3600);
  CHECK(santiago.offset_at(at("2025-07-15T12:00:00Z")) == -4 * 3600);

  const Zone& troll = zone("Antarctica/Troll");
  CHECK(troll.offset_at(at("2025-01-15T12:00:00Z")) == 0);
  CHECK(troll.offset_at(at("2025-07-15T12:00:00Z")) == 2 * 3600);
  CHECK(troll.period_at(at("2025-07-15T12:00:00Z")).abbreviation == "+02");

  // Dublin: IST (+01) is standard time, winter GMT is "negative DST".
  const Zone& dublin = zone("Europe/Dublin");
  CHECK(dublin.period_at(at("2025-01-15T12:00:00Z")).is_dst);
  CHECK(dublin.period_at(at("2025-01-15T12:00:00Z")).abbreviation == "GMT");
  CHECK(dublin.offset_at(at("2150-07-01T12:00:00Z")) == 3600);
  CHECK(dublin.period_at(at("2150-07-01T12:00:00Z")).abbreviation == "IST");
  CHECK(dublin.offset_at(at("2150-01-01T12:00:00Z")) == 0);
}

TEST_CASE("tz: resolve_local, compatible rule") {
  SECTION("ordinary time") {
    const auto r = zone("Europe/London").resolve_local(wall(2025, 7, 1, 9, 0));
    CHECK(r.utc_seconds == seconds("2025-07-01T08:00:00Z"));
    CHECK(r.offset_seconds == 3600);
    CHECK(!r.in_gap);
    CHECK(!r.ambiguous);
  }
  SECTION("London spring gap: 01:30 -> 02:30 BST") {
    const auto r = zone("Europe/London").resolve_local(wall(2025, 3, 30, 1, 30));
    CHECK(r.in_gap);
    CHECK(r.shift_seconds == 3600);
    CHECK(r.utc_seconds == seconds("2025-03-30T01:30:00Z"));
    CHECK(r.offset_seconds == 3600);
  }
  SECTION("London autumn overlap: 01:30 twice, earlier taken") {
    const auto r = zone("Europe/London").resolve_local(wall(2025, 10, 26, 1, 30));
    CHECK(r.ambiguous);
    CHECK(!r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-10-26T00:30:00Z"));
    CHECK(r.offset_seconds == 3600);
    CHECK(r.shift_seconds == 3600);
  }
  SECTION("edges of the gap") {
    const Zone& london = zone("Europe/London");
    CHECK(!london.resolve_local(wall(2025, 3, 30, 0, 59)).in_gap);
    CHECK(london.resolve_local(wall(2025, 3, 30, 1, 0)).in_gap);
    CHECK(london.resolve_local(wall(2025, 3, 30, 1, 59)).in_gap);
    const auto r = london.resolve_local(wall(2025, 3, 30, 2, 0));
    CHECK(!r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-03-30T01:00:00Z"));
    CHECK(!london.resolve_local(wall(2025, 10, 26, 0, 59)).ambiguous);
    CHECK(london.resolve_local(wall(2025, 10, 26, 1, 0)).ambiguous);
    CHECK(!london.resolve_local(wall(2025, 10, 26, 2, 0)).ambiguous);
  }
  SECTION("New York") {
    const Zone& ny = zone("America/New_York");
    auto r = ny.resolve_local(wall(2025, 3, 9, 2, 30));
    CHECK(r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-03-09T07:30:00Z"));  // 03:30 EDT
    r = ny.resolve_local(wall(2025, 11, 2, 1, 30));
    CHECK(r.ambiguous);
    CHECK(r.utc_seconds == seconds("2025-11-02T05:30:00Z"));  // the EDT one
  }
  SECTION("Lord Howe: 30-minute gap and overlap") {
    const Zone& lh = zone("Australia/Lord_Howe");
    auto r = lh.resolve_local(wall(2025, 10, 5, 2, 15));
    CHECK(r.in_gap);
    CHECK(r.shift_seconds == 1800);
    CHECK(r.utc_seconds == seconds("2025-10-04T15:45:00Z"));  // 02:45 +11
    r = lh.resolve_local(wall(2025, 4, 6, 1, 45));
    CHECK(r.ambiguous);
    CHECK(r.shift_seconds == 1800);
    CHECK(r.utc_seconds == seconds("2025-04-05T14:45:00Z"));
  }
  SECTION("St John's: -03:30 / -02:30") {
    const Zone& sj = zone("America/St_Johns");
    auto r = sj.resolve_local(wall(2025, 3, 9, 2, 30));
    CHECK(r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-03-09T06:00:00Z"));
    r = sj.resolve_local(wall(2025, 11, 2, 1, 30));
    CHECK(r.ambiguous);
    CHECK(r.utc_seconds == seconds("2025-11-02T04:00:00Z"));
  }
  SECTION("Chatham: gap at 02:45 local, +12:45 -> +13:45") {
    const auto r = zone("Pacific/Chatham").resolve_local(wall(2025, 9, 28, 2, 50));
    CHECK(r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-09-27T14:05:00Z"));
  }
  SECTION("Apia skipped 2011-12-30 entirely: a 24-hour gap") {
    const Zone& apia = zone("Pacific/Apia");
    auto r = apia.resolve_local(wall(2011, 12, 30, 12, 0));
    CHECK(r.in_gap);
    CHECK(r.shift_seconds == 86400);
    CHECK(r.utc_seconds == seconds("2011-12-30T22:00:00Z"));  // 2011-12-31T12:00+14:00
    r = apia.resolve_local(wall(2011, 12, 31, 12, 0));
    CHECK(!r.in_gap);
    CHECK(r.utc_seconds == seconds("2011-12-30T22:00:00Z"));
  }
  SECTION("Casablanca Ramadan changes") {
    const Zone& casa = zone("Africa/Casablanca");
    auto r = casa.resolve_local(wall(2025, 4, 6, 2, 30));
    CHECK(r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-04-06T02:30:00Z"));
    r = casa.resolve_local(wall(2025, 2, 23, 2, 30));
    CHECK(r.ambiguous);
    CHECK(r.utc_seconds == seconds("2025-02-23T01:30:00Z"));
  }
  SECTION("Santiago changes at midnight") {
    const Zone& s = zone("America/Santiago");
    auto r = s.resolve_local(wall(2025, 9, 7, 0, 30));
    CHECK(r.in_gap);
    CHECK(r.utc_seconds == seconds("2025-09-07T04:30:00Z"));  // 01:30 -03
    r = s.resolve_local(wall(2025, 4, 5, 23, 30));
    CHECK(r.ambiguous);
    CHECK(r.utc_seconds == seconds("2025-04-06T02:30:00Z"));
  }
  SECTION("Troll: two-hour DST") {
    const Zone& t = zone("Antarctica/Troll");
    auto r = t.resolve_local(wall(2025, 3, 30, 1, 30));
    CHECK(r.in_gap);
    CHECK(r.shift_seconds == 7200);
    CHECK(r.utc_seconds == seconds("2025-03-30T01:30:00Z"));  // 03:30 +02
    r = t.resolve_local(wall(2025, 10, 26, 2, 30));
    CHECK(r.ambiguous);
    CHECK(r.shift_seconds == 7200);
    CHECK(r.utc_seconds == seconds("2025-10-26T00:30:00Z"));
  }
}

TEST_CASE("tz: far future comes from the POSIX footer") {
  const Zone& london = zone("Europe/London");
  auto r = london.resolve_local(wall(2100, 3, 28, 1, 30));
  CHECK(r.in_gap);
  CHECK(r.utc_seconds == seconds("2100-03-28T01:30:00Z"));
  r = london.resolve_local(wall(2100, 10, 31, 1, 30));
  CHECK(r.ambiguous);
  CHECK(r.utc_seconds == seconds("2100-10-31T00:30:00Z"));

  const Zone& ny = zone("America/New_York");
  r = ny.resolve_local(wall(2200, 3, 9, 2, 30));
  CHECK(r.in_gap);
  CHECK(r.utc_seconds == seconds("2200-03-09T07:30:00Z"));
  r = ny.resolve_local(wall(2200, 11, 2, 1, 30));
  CHECK(r.ambiguous);
  CHECK(r.utc_seconds == seconds("2200-11-02T05:30:00Z"));

  r = zone("Australia/Lord_Howe").resolve_local(wall(2100, 10, 3, 2, 15));
  CHECK(r.in_gap);
  CHECK(r.utc_seconds == seconds("2100-10-02T15:45:00Z"));
  CHECK(zone("Asia/Kathmandu").offset_at(at("2500-01-01T00:00:00Z")) == 20700);
  CHECK(zone("Pacific/Apia").offset_at(at("2300-01-01T00:00:00Z")) == 13 * 3600);
}

TEST_CASE("tz: every zone round-trips its own wall times") {
  // For any instant u, the wall time u shows must resolve back to u (or, in an overlap, to
  // the earlier of two instants), never into a gap. Weekly samples, 1990..2060, all zones.
  size_t checked = 0;
  const int64_t begin = seconds("1990-01-01T00:00:00Z");
  const int64_t end = seconds("2060-01-01T00:00:00Z");
  for (const auto& name : all_names()) {
    const Zone& z = zone(std::string(name).c_str());
    for (int64_t u = begin; u < end; u += 7 * 86400 + 3607) {
      const int off = z.period_at_seconds(u).offset_seconds;
      const auto r = z.resolve_local(u + off);
      ++checked;
      if (r.in_gap || (r.ambiguous ? r.utc_seconds > u : r.utc_seconds != u)) {
        INFO(name << " at " << format_instant(u * 1000));
        CHECK(r.utc_seconds == u);
        CHECK(!r.in_gap);
      }
    }
  }
  CHECK(checked > 2'000'000);
}

TEST_CASE("tz: POSIX TZ strings") {
  SECTION("fixed offsets, quoted names, signs") {
    auto p = PosixTz::parse("<+13>-13");
    REQUIRE(p);
    CHECK(p->std_abbreviation == "+13");
    CHECK(p->std_offset == 13 * 3600);
    CHECK(!p->has_dst);
    p = PosixTz::parse("<-0930>9:30");
    REQUIRE(p);
    CHECK(p->std_offset == -(9 * 3600 + 1800));
    p = PosixTz::parse("<+0545>-5:45");
    REQUIRE(p);
    CHECK(p->std_offset == 20700);
  }
  SECTION("DST with default and explicit offsets") {
    auto p = PosixTz::parse("GMT0BST,M3.5.0/1,M10.5.0");
    REQUIRE(p);
    CHECK(p->dst_offset == 3600);
    CHECK(p->dst_end.time == 7200);
    CHECK(p->dst_start_utc(2025) == seconds("2025-03-30T01:00:00Z"));
    CHECK(p->dst_end_utc(2025) == seconds("2025-10-26T01:00:00Z"));
    p = PosixTz::parse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
    REQUIRE(p);
    CHECK(p->dst_offset == 11 * 3600);
  }
  SECTION("negative DST (Europe/Dublin)") {
    auto p = PosixTz::parse("IST-1GMT0,M10.5.0,M3.5.0/1");
    REQUIRE(p);
    CHECK(p->std_offset == 3600);
    CHECK(p->dst_offset == 0);
    CHECK(p->dst_at(seconds("2030-01-15T00:00:00Z")));
    CHECK(!p->dst_at(seconds("2030-07-15T00:00:00Z")));
  }
  SECTION("extended rule times: negative and beyond 24h") {
    auto p = PosixTz::parse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
    REQUIRE(p);
    CHECK(p->dst_start.time == -3600);
    p = PosixTz::parse("IST-2IDT,M3.4.4/26,M10.5.0");
    REQUIRE(p);
    CHECK(p->dst_start.time == 26 * 3600);
    // Friday before the last Sunday of March 2025 = 2025-03-28, 02:00 local (+02).
    CHECK(p->dst_start_utc(2025) == seconds("2025-03-28T00:00:00Z"));
    p = PosixTz::parse("<-04>4<-03>,M9.1.6/24,M4.1.6/24");
    REQUIRE(p);
    CHECK(p->dst_start_utc(2025) == seconds("2025-09-07T04:00:00Z"));
  }
  SECTION("Julian forms") {
    // Jn counts 1..365 and never Feb 29; n counts 0..365 including it.
    auto p = PosixTz::parse("AAA3BBB,J60/2,J300/2");
    REQUIRE(p);
    CHECK(p->dst_start.kind == PosixTz::Rule::Kind::kJulianNoLeap);
    CHECK(p->dst_start_utc(2024) == seconds("2024-03-01T05:00:00Z"));  // leap year: still Mar 1
    CHECK(p->dst_start_utc(2025) == seconds("2025-03-01T05:00:00Z"));
    p = PosixTz::parse("AAA3BBB,59/2,299");
    REQUIRE(p);
    CHECK(p->dst_start.kind == PosixTz::Rule::Kind::kZeroBasedDay);
    CHECK(p->dst_start_utc(2024) == seconds("2024-02-29T05:00:00Z"));
    CHECK(p->dst_start_utc(2025) == seconds("2025-03-01T05:00:00Z"));
  }
  SECTION("DST all year") {
    auto p = PosixTz::parse("EST5EDT4,0/0,J365/25");
    REQUIRE(p);
    for (const char* t : {"2025-01-01T00:00:00Z", "2025-01-01T05:00:00Z", "2025-06-01T00:00:00Z",
                          "2025-12-31T23:59:59Z"}) {
      INFO(t);
      CHECK(p->dst_at(seconds(t)));
    }
  }
  SECTION("malformed") {
    for (const char* s :
         {"", "G", "GMT", "GMT+", "<+13-13", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
          "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J100", "EST5EDT,366,100",
          "EST5EDT,M3.2.0/200,M11.1.0", "EST5EDT,M3.2.0,M11.1.0x", "GMT99"}) {
      INFO(s);
      CHECK(!PosixTz::parse(s));
    }
  }
}
