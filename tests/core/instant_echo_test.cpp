// A write answers what the next read returns (docs/INVARIANTS.md I3; review finding 6): every
// instant field written by a user, in any accepted spelling (offsets, lower-case t/z, 0 to 9
// fractional digits, no seconds), is answered, read back and audited in the one stored form
// YYYY-MM-DDTHH:MM:SS.mmmZ (UTC). Another spelling of the same instant is no change.
#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <set>

#include "core/json/codec.hpp"
#include "core/schema/schema.hpp"
#include "core/store/budget.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// One accepted spelling of `t`, picked at random.
std::string spell(ec::Instant t, std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  int off = 0;  // minutes east of UTC
  switch (pick(4)) {
    case 0:
      break;
    case 1:
      off = (pick(113) - 56) * 15;  // -14:00 .. +14:00, quarter hours
      break;
    default:
      off = pick(2 * 1439 + 1) - 1439;  // any -23:59 .. +23:59
  }
  const ec::Instant local = t + off * 60'000LL;
  const int64_t days = floor_div(local, ec::kMsPerDay);
  const int64_t rem = local - days * ec::kMsPerDay;
  const ec::CivilDate d = ec::civil_from_days(days);
  const int hh = static_cast<int>(rem / 3'600'000), mm = static_cast<int>(rem / 60'000 % 60),
            ss = static_cast<int>(rem / 1000 % 60), ms = static_cast<int>(rem % 1000);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d", d.year, d.month, d.day,
                pick(2) ? 'T' : 't', hh, mm);
  std::string s = buf;
  if (ss != 0 || ms != 0 || pick(3) != 0) {
    std::snprintf(buf, sizeof buf, ":%02d", ss);
    s += buf;
    std::snprintf(buf, sizeof buf, "%03d", ms);
    std::string frac = buf;
    if (pick(2)) {
      while (!frac.empty() && frac.back() == '0') frac.pop_back();  // .5 for .500
    } else {
      const int extra = pick(7);  // digits past milliseconds are truncated
      for (int i = 0; i < extra; ++i) frac += static_cast<char>('0' + pick(10));
    }
    if (!frac.empty()) {
      if (!(ms == 0 && pick(2))) s += "." + frac;
    }
  }
  if (off == 0) {
    const char* zero[] = {"Z", "z", "+00:00", "-00:00"};
    s += zero[pick(4)];
  } else {
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', std::abs(off) / 60,
                  std::abs(off) % 60);
    s += buf;
  }
  return s;
}

struct Echo : World {
  std::mt19937_64 rng{20261130};
  std::string pid = project(a.owner);
  std::string eid = episode(a.owner, pid);

  ec::Instant random_instant() {
    // Years 0002..9998 (so that any offset keeps the local time within 0001..9999), with and
    // without milliseconds.
    const int64_t lo = ec::kMinInstant + 2 * ec::kMsPerDay,
                  hi = ec::kMaxInstant - 2 * ec::kMsPerDay;
    int64_t t = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(hi - lo));
    if (rng() % 2) t = floor_div(t, 1000) * 1000;
    return t;
  }

  /// The `changes` of the newest audit row of a row id.
  json last_audit(const std::string& id) {
    auto& st = db().prepare(
        "SELECT changes FROM audit_log WHERE entity_id = ? ORDER BY rowid DESC LIMIT 1");
    st.bind(1, id);
    REQUIRE(st.step());
    const json changes = json::parse(st.text(0));
    st.reset();
    return changes;
  }
  int64_t audits(const std::string& id) { return rows("audit_log", "entity_id = '" + id + "'"); }

  /// answer == read == audit == the canonical form of `t`.
  void check(const std::string& get_op, const json& answer, const std::string& field, ec::Instant t,
             const std::string& spelled) {
    const std::string want = ec::format_instant(t);
    INFO(get_op << " " << field << " sent " << spelled << " want " << want);
    CHECK(answer[field] == want);
    const json read = ok(get_op, {{"id", answer["id"]}}, a.owner);
    CHECK(read[field] == want);
    for (const auto& [k, v] : read.items()) CHECK(answer[k] == v);  // I3: every field
    CHECK(last_audit(answer["id"])[field]["after"] == want);
  }
};

// Every instant field a user or a usage record writes, and how.
struct Case {
  const char* entity;
  const char* field;
};
const Case kWritten[] = {{"Episode", "scheduledFor"}, {"Episode", "generatedAt"},
                         {"Episode", "publishedAt"},  {"PlanningNote", "appliedAt"},
                         {"UserEvent", "occurredAt"}, {"TokenUsage", "occurredAt"}};
// Instants only the store computes (leases, backoff, expiry, audit time): written with
// format_instant, never from a caller's text.
const Case kComputed[] = {{"EpisodeScheduleQueue", "scheduledFor"},
                          {"EpisodeScheduleQueue", "runAfter"},
                          {"BudgetReservation", "expiresAt"},
                          {"AuditLog", "occurredAt"}};

}  // namespace

TEST_CASE("every input instant field of the schema is covered by the echo test", "[instant_echo]") {
  std::set<std::string> covered;
  for (const auto& c : kWritten) covered.insert(std::string(c.entity) + "." + c.field);
  for (const auto& c : kComputed) covered.insert(std::string(c.entity) + "." + c.field);
  for (const auto& e : ec::schema::entities())
    for (const auto& f : e.fields) {
      if (f.type != ec::schema::Type::Instant || f.origin != ec::schema::Origin::Input) continue;
      INFO(e.name << "." << f.name << ": add it to kWritten (with a case below) or kComputed");
      CHECK(covered.count(e.name + "." + f.name) == 1);
    }
}

TEST_CASE("codec::canonicalize rewrites instants only", "[instant_echo]") {
  const auto& e = *ec::schema::find_entity("Episode");
  json row{{"scheduledFor", "2025-08-15t09:00:00+14:00"},
           {"generatedAt", "not an instant"},
           {"publishedAt", nullptr},
           {"title", "2025-08-15t09:00:00+14:00"}};
  ec::codec::canonicalize(e, row);
  CHECK(row == json{{"scheduledFor", "2025-08-14T19:00:00.000Z"},
                    {"generatedAt", "not an instant"},
                    {"publishedAt", nullptr},
                    {"title", "2025-08-15t09:00:00+14:00"}});
}

TEST_CASE_METHOD(Echo, "random instant spellings: write answer == read == audit row",
                 "[instant_echo]") {
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    for (const char* f : {"scheduledFor", "generatedAt", "publishedAt"}) {
      // episode.create
      ec::Instant t = random_instant();
      std::string s = spell(t, rng);
      json r = ok("episode.create", {{"projectId", pid}, {"title", "E"}, {f, s}}, a.owner);
      check("episode.get", r, f, t, s);
      // episode.update, then the same instant in another spelling: no change, no audit row
      t = random_instant();
      s = spell(t, rng);
      r = ok("episode.update", {{"id", r["id"]}, {"patch", {{f, s}}}}, a.owner);
      check("episode.get", r, f, t, s);
      const int64_t n = audits(r["id"]);
      const std::string again = spell(t, rng);
      const json same = ok("episode.update", {{"id", r["id"]}, {"patch", {{f, again}}}}, a.owner);
      INFO("same instant " << again);
      CHECK(same[f] == ec::format_instant(t));
      CHECK(same["updatedAt"] == r["updatedAt"]);
      CHECK(audits(r["id"]) == n);
    }
    // planningNote.create / update appliedAt
    ec::Instant t = random_instant();
    std::string s = spell(t, rng);
    json r = ok("planningNote.create", {{"projectId", pid}, {"content", "c"}, {"appliedAt", s}},
                a.owner);
    check("planningNote.get", r, "appliedAt", t, s);
    t = random_instant();
    s = spell(t, rng);
    r = ok("planningNote.update", {{"id", r["id"]}, {"patch", {{"appliedAt", s}}}}, a.owner);
    check("planningNote.get", r, "appliedAt", t, s);
    // userEvent.create occurredAt
    t = random_instant();
    s = spell(t, rng);
    r = ok("userEvent.create",
           {{"eventType", "a.b"}, {"eventData", json::object()}, {"occurredAt", s}}, a.owner);
    check("userEvent.get", r, "occurredAt", t, s);
    // TokenUsage: written by the system (queue.complete / budget.settle run record_usage)
    t = random_instant();
    s = spell(t, rng);
    ec::store::Actor sys{a.id, "", "", true};
    db().transaction([&] {
      r = ec::store::budget::record_usage(*core.store(), sys,
                                          {{"projectId", pid},
                                           {"model", "gpt-4o"},
                                           {"inputTokens", 1},
                                           {"outputTokens", 1},
                                           {"costMicros", 1},
                                           {"occurredAt", s}},
                                          json::object(), *ec::parse_instant(now));
    });
    check("tokenUsage.get", r, "occurredAt", t, s);
  }
}

TEST_CASE_METHOD(Echo, "the clock answers the instant it keeps", "[instant_echo]") {
  const json set = core.call_json(json{{"op", "clock.set"},
                                       {"as", {{"system", true}}},
                                       {"params", {{"now", "2025-08-15t10:00:00.5+01:00"}}}});
  REQUIRE(set["ok"] == true);
  CHECK(set["result"]["now"] == "2025-08-15T09:00:00.500Z");
  const json get = core.call_json(json{{"op", "clock.get"}, {"as", {{"system", true}}}});
  CHECK(get["result"] == set["result"]);
}
