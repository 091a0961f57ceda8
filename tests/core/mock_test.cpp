// Tests for core/mock: the golden demo digest (the same value is pinned for the native and the
// wasm build, which proves both write the same bytes), validation of every row, the dataset's
// invariants checked with SQL, determinism, independence of the per-table streams, the bulk
// path, and the mock.seed operation.
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "core/api/api.hpp"
#include "core/json/codec.hpp"
#include "core/mock/mock.hpp"
#include "core/mock/rng.hpp"
#include "core/schedule/preview.hpp"
#include "core/schema/schema.hpp"
#include "core/store/repo.hpp"
#include "core/store/store.hpp"
#include "core/validate/validate.hpp"

using namespace ec;

namespace {

// Pinned: seed 42, size demo, default reference date. Change only on purpose (and say why in
// the commit): every accidental change to the generator, corpus or schema shows up here.
constexpr const char* kDemoDigest = "1cdca72ffeef65e4";
// File digest: schema v6 (session 5) changed the header's user_version only; v7 (session 9)
// the header and the pages of its two new indexes (the rows, kDemoDigest, are unchanged).
constexpr const char* kDemoFileDigest = "c82f7affe05af5f2";

struct Seeded {
  std::unique_ptr<store::Store> store;
  mock::Report report;
};

Seeded seeded(uint64_t seed, mock::Size size, std::map<std::string, uint64_t> salt = {},
              std::optional<bool> bulk = std::nullopt) {
  Seeded s;
  s.store = std::make_unique<store::Store>(":memory:", 1);
  mock::Options o;
  o.seed = seed;
  o.size = size;
  o.stream_salt = std::move(salt);
  o.bulk = bulk;
  s.report = mock::seed(*s.store, o);
  return s;
}

std::map<std::string, std::string> table_digests(store::Db& db) {
  std::map<std::string, std::string> out;
  for (const auto& e : schema::entities()) out[e.table] = mock::table_digest(db, e.table);
  return out;
}

int64_t q(store::Store& s, const std::string& sql) {
  return s.db().query_int(sql, {});
}

void check_every_row_validates(store::Store& s) {
  for (const auto& e : schema::entities()) {
    auto& st =
        s.db().prepare("SELECT " + store::repo::select_columns(e, "t") + " FROM " + e.table + " t");
    int64_t n = 0;
    while (st.step()) {
      const json row = store::repo::read_row(e, st);
      const auto issues = validate::entity(e, row, validate::Mode::Record);
      if (!issues.empty()) {
        INFO(e.name << " " << row.dump().substr(0, 400) << " -> "
                    << to_json(issues.front()).dump());
        CHECK(issues.empty());
      }
      ++n;
    }
    st.reset();
    INFO(e.name);
    CHECK(n > 0);  // every table is filled
  }
}

void check_invariants(store::Store& s, const mock::Report& r) {
  // Every reference points to a row of the same organization (derived from the schema).
  for (const auto& e : schema::entities()) {
    for (const auto& f : e.fields) {
      if (f.references.empty() || f.name == "organizationId") continue;
      const schema::Entity& parent = *schema::find_entity(f.references);
      const std::string sql =
          "SELECT count(*) FROM " + e.table + " c WHERE c." + f.column +
          " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + parent.table + " p WHERE p.id = c." +
          f.column + (parent.tenant_scoped ? " AND p.organization_id = c.organization_id" : "") +
          ")";
      INFO(e.name << "." << f.name);
      CHECK(q(s, sql) == 0);
    }
    if (e.soft_delete) {
      INFO(e.name << ".deletedBy");
      CHECK(q(s,
              "SELECT count(*) FROM " + e.table +
                  " c WHERE c.deleted_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                  "users u WHERE u.id = c.deleted_by AND u.organization_id = c.organization_id)") ==
            0);
    }
  }
  CHECK(q(s, "SELECT count(*) FROM pragma_foreign_key_check") == 0);
  // The same project where two references must agree.
  CHECK(q(s,
          "SELECT count(*) FROM token_usage t JOIN episodes e ON e.id = t.episode_id WHERE "
          "e.project_id != "
          "t.project_id") == 0);
  CHECK(
      q(s,
        "SELECT count(*) FROM token_usage t JOIN chat_sessions c ON c.id = t.chat_session_id WHERE "
        "c.project_id != t.project_id") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM highlights h JOIN blocks b ON b.id = h.block_id WHERE b.episode_id "
          "!= h.episode_id") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM planning_notes n JOIN episodes e ON e.id = n.applied_episode_id "
          "WHERE e.project_id "
          "!= n.project_id") == 0);

  // Episodes are numbered 1..n per project, in scheduled order, one per started queue item.
  CHECK(q(s,
          "SELECT count(*) FROM (SELECT project_id FROM episodes GROUP BY project_id HAVING "
          "min(number) != 1 OR "
          "max(number) != count(*))") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM episodes a JOIN episodes b ON a.project_id = b.project_id AND "
          "a.number < b.number "
          "AND a.scheduled_for >= b.scheduled_for") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM episodes e WHERE NOT EXISTS (SELECT 1 FROM episode_schedule_queue "
          "x WHERE "
          "x.episode_id = e.id AND x.scheduled_for = e.scheduled_for)") == 0);
  const std::string now = std::to_string(r.now);
  // Queue rows match the episodes: attempts and errors consistent, states plausible.
  CHECK(q(s,
          "SELECT count(*) FROM episode_schedule_queue x LEFT JOIN episodes e ON e.id = "
          "x.episode_id WHERE NOT ("
          "(x.status = 'completed' AND e.status IN ('ready','published') AND e.generation_attempts "
          "= x.attempts AND "
          "  json_array_length(e.generation_errors) = x.attempts - 1 AND x.completed_at = "
          "e.generated_at AND "
          "  x.locked_by IS NULL) OR "
          "(x.status = 'failed' AND e.status = 'failed' AND x.attempts = x.max_attempts AND "
          "  json_array_length(e.generation_errors) = x.attempts AND x.last_error IS NOT NULL) OR "
          "(x.status = 'processing' AND e.status = 'generating' AND x.locked_by IS NOT NULL AND "
          "x.locked_until > " +
              now +
              ") OR "
              "(x.status = 'pending' AND x.attempts > 0 AND e.status = 'scheduled' AND x.run_after "
              "> " +
              now +
              " AND json_array_length(e.generation_errors) = x.attempts) OR "
              "(x.status = 'pending' AND x.attempts = 0 AND x.episode_id IS NULL) OR "
              "(x.status = 'cancelled' AND x.episode_id IS NULL))") == 0);
  CHECK(q(s, "SELECT count(*) FROM episode_schedule_queue WHERE status = 'completed'") > 0);
  CHECK(q(s, "SELECT count(*) FROM episode_schedule_queue WHERE status = 'failed'") > 0);
  CHECK(q(s,
          "SELECT count(*) FROM episode_schedule_queue WHERE status = 'pending' AND scheduled_for "
          "> " +
              now) > 0);
  CHECK(q(s,
          "SELECT count(*) FROM episode_schedule_queue x JOIN projects p ON p.id = x.project_id "
          "WHERE "
          "x.status = 'cancelled' AND p.status = 'active'") == 0);
  // Past items still pending without an attempt: only the over-budget organization's, today.
  CHECK(q(s,
          "SELECT count(*) FROM episode_schedule_queue WHERE status = 'pending' AND attempts = 0 "
          "AND scheduled_for < " +
              now + " AND organization_id != '" + r.over_budget_org + "'") == 0);
  // Retries are recorded with realistic errors.
  CHECK(q(s, "SELECT count(*) FROM episodes WHERE json_array_length(generation_errors) > 0") > 0);

  // Episodes follow each project's real cadence in its real zone.
  auto& projects = s.db().prepare(
      "SELECT p.id, p.status, p.cadence_config, u.timezone, (SELECT min(occurred_at) FROM "
      "audit_log a WHERE "
      "a.entity_id = p.id AND a.action = 'update') FROM projects p JOIN users u ON u.id = "
      "p.owner_id ORDER BY p.id");
  std::vector<
      std::tuple<std::string, std::string, std::string, std::string, std::optional<Instant>>>
      rows;
  while (projects.step())
    rows.emplace_back(
        projects.text(0), projects.text(1), projects.text(2), projects.text(3),
        projects.is_null(4) ? std::nullopt : std::optional<Instant>(projects.int64(4)));
  projects.reset();
  for (const auto& [id, status, cadence_json, owner_tz, stopped] : rows) {
    INFO("project " << id << " " << cadence_json);
    std::vector<Issue> issues;
    auto cadence = schedule::parse_cadence(json::parse(cadence_json), json::array(), issues);
    REQUIRE(cadence);
    const auto zone = schedule::resolve_zone(*cadence, owner_tz);
    const Instant end = stopped.value_or(r.now);
    CHECK((status == "active") == !stopped.has_value());
    std::vector<Instant> stored;
    auto& st = s.db().prepare(
        "SELECT scheduled_for FROM episode_schedule_queue WHERE project_id = ? AND scheduled_for < "
        "? "
        "ORDER BY scheduled_for");
    st.bind(1, id).bind(2, end);
    while (st.step()) stored.push_back(st.int64(0));
    st.reset();
    if (stored.empty()) continue;
    schedule::Cadence running = *cadence;
    running.paused_until.reset();  // the pause began at `end`
    schedule::Window w;
    w.from = stored.front();
    w.until = end;
    std::vector<Instant> expected;
    for (const auto& o : schedule::occurrences(running, *zone.zone, w)) expected.push_back(o.utc);
    CHECK(stored == expected);
    if (status ==
        "active") {  // the pending horizon is the cadence as stored (skips, pause honoured)
      std::vector<Instant> ahead, want;
      auto& a = s.db().prepare(
          "SELECT scheduled_for FROM episode_schedule_queue WHERE project_id = ? AND scheduled_for "
          ">= ? "
          "ORDER BY scheduled_for");
      a.bind(1, id).bind(2, r.now);
      while (a.step()) ahead.push_back(a.int64(0));
      a.reset();
      schedule::Window wa;
      wa.from = r.now;
      wa.until = ahead.empty() ? r.now : ahead.back() + 1;
      for (const auto& o : schedule::occurrences(*cadence, *zone.zone, wa)) want.push_back(o.utc);
      CHECK(ahead == want);
    }
  }

  // TokenUsage adds up exactly to TokenUsageDaily.
  CHECK(q(s, "SELECT count(*) FROM token_usage_daily") ==
        q(s,
          "SELECT count(*) FROM (SELECT DISTINCT organization_id, date(occurred_at / 1000, "
          "'unixepoch') FROM "
          "token_usage)"));
  CHECK(
      q(s,
        "SELECT count(*) FROM (SELECT organization_id o, date(occurred_at / 1000, 'unixepoch') d, "
        "sum(input_tokens) i, sum(output_tokens) t, sum(cost_micros) c, count(*) n FROM "
        "token_usage GROUP BY 1, 2) "
        "u LEFT JOIN token_usage_daily y ON y.organization_id = u.o AND y.date = u.d WHERE y.id IS "
        "NULL OR "
        "y.input_tokens != u.i OR y.output_tokens != u.t OR y.cost_micros != u.c OR y.call_count "
        "!= u.n") == 0);
  // Chat replies cost what their TokenUsage rows say.
  CHECK(q(s, "SELECT count(*) FROM chat_messages WHERE role = 'assistant' AND cost_micros = 0") ==
        0);

  // One organization is over its budget today (the circuit breaker shows) and on one past day.
  const std::string over =
      "SELECT count(*) FROM token_usage_daily d JOIN organizations o ON o.id = d.organization_id "
      "WHERE d.cost_micros >= "
      "o.daily_cost_limit_micros";
  CHECK(q(s, over) == 2);
  CHECK(q(s, over + " AND d.date = date(" + now + " / 1000, 'unixepoch') AND o.id = '" +
                 r.over_budget_org + "'") == 1);
  CHECK(q(s,
          "SELECT count(DISTINCT d.organization_id) FROM token_usage_daily d JOIN organizations o "
          "ON o.id = "
          "d.organization_id WHERE d.cost_micros >= o.daily_cost_limit_micros") == 1);
  CHECK(q(s, "SELECT count(*) FROM user_events WHERE event_type = 'budget.limit_reached'") == 2);
  CHECK(q(s, "SELECT count(*) FROM token_usage WHERE occurred_at >= " + now) == 0);

  // Highlights quote the exact text of their block at UTF-16 offsets.
  auto& hl = s.db().prepare(
      "SELECT h.start_offset, h.end_offset, h.quote, b.content FROM highlights h JOIN blocks b ON "
      "b.id = h.block_id");
  int64_t highlights = 0, non_ascii = 0;
  while (hl.step()) {
    const auto start = static_cast<size_t>(hl.int64(0)), end = static_cast<size_t>(hl.int64(1));
    const std::string quote = hl.text(2), text = hl.text(3);
    const size_t b = codec::utf8_offset_of_utf16(text, start),
                 e = codec::utf8_offset_of_utf16(text, end);
    REQUIRE(b != std::string::npos);
    REQUIRE(e != std::string::npos);
    CHECK(text.substr(b, e - b) == quote);
    non_ascii += b != start ? 1 : 0;  // offsets really are UTF-16 units, not bytes
    ++highlights;
  }
  hl.reset();
  CHECK(highlights > 0);
  CHECK(non_ascii > 0);

  // Audit rows and user events tell the story.
  CHECK(q(s,
          "SELECT count(*) FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE "
          "a.entity_id = o.id "
          "AND a.action = 'create')") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE "
          "a.entity_id = p.id AND "
          "a.action = 'create' AND a.actor_id = p.owner_id AND a.occurred_at = p.created_at)") ==
        0);
  CHECK(q(s,
          "SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_events e WHERE "
          "e.user_id = u.id AND "
          "e.event_type = 'onboarding.started' AND e.occurred_at > u.created_at)") == 0);
  CHECK(q(s, "SELECT count(*) FROM user_events WHERE event_type = 'onboarding.completed'") > 0);
  CHECK(q(s, "SELECT count(*) FROM user_events WHERE event_type = 'project.created'") ==
        q(s, "SELECT count(*) FROM projects"));
  CHECK(q(s,
          "SELECT count(*) FROM users u JOIN organizations o ON o.id = u.organization_id WHERE "
          "u.created_at < "
          "o.created_at") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM projects p JOIN users u ON u.id = p.owner_id WHERE p.created_at < "
          "u.created_at") == 0);
  CHECK(q(s,
          "SELECT count(*) FROM episodes e JOIN projects p ON p.id = e.project_id WHERE "
          "e.created_at < p.created_at") == 0);
  CHECK(q(s, "SELECT count(*) FROM audit_log WHERE occurred_at > " + now) == 0);
  CHECK(q(s, "SELECT count(*) FROM user_events WHERE occurred_at > " + now) == 0);
  // Plan limits hold ("limit projects, not frequency").
  CHECK(q(s,
          "SELECT count(*) FROM organizations o WHERE (SELECT count(*) FROM projects p WHERE "
          "p.organization_id = o.id "
          "AND p.deleted_at IS NULL AND p.status != 'archived') > CASE o.plan WHEN 'team' THEN 100 "
          "WHEN 'pro' THEN 25 "
          "ELSE 3 END") == 0);
}

}  // namespace

TEST_CASE("rng: fixed outputs (identical on every platform)") {
  mock::Rng r(42, "Episode");
  const uint64_t a = r.next();
  mock::Rng again(42, "Episode");
  CHECK(again.next() == a);
  CHECK(mock::Rng(42, "Block").next() != a);
  CHECK(mock::mix64(0) == 0xe220a8397b1dcdafULL);
  mock::IdStream ids(1, "Episode");
  const std::string id = ids.next();
  CHECK(validate::is_uuid(id));
  CHECK(id[14] == '4');
  mock::IdStream sorted(1, "Episode");
  sorted.reserve_sorted(500);
  std::string prev;
  for (int i = 0; i < 500; ++i) {
    const std::string s = sorted.next();
    CHECK(validate::is_uuid(s));
    CHECK(s > prev);
    prev = s;
  }
}

TEST_CASE("demo: golden digest (the same value natively and in wasm)") {
  auto s = seeded(42, mock::Size::Demo);
  CHECK(mock::dataset_digest(s.store->db()) == kDemoDigest);
  CHECK(s.report.rows.at("Organization") == 2);
  CHECK(s.report.rows.at("Project") == 6);
  CHECK(s.report.rows.at("Episode") == 130);
  CHECK(s.report.rows.at("TokenUsage") == 1500);
  for (const auto& [table, n] : s.report.rows) {
    INFO(table);
    CHECK(n > 0);
  }
  // The file itself: byte-identical on both targets.
  const auto path = (std::filesystem::temp_directory_path() / "ec_mock_demo_test.db").string();
  std::filesystem::remove(path);
  {
    store::Store file(path, 1);
    mock::Options o;
    o.seed = 42;
    mock::seed(file, o);
  }
  const std::string file_digest = mock::file_digest(path);
  std::filesystem::remove(path);
  CHECK(file_digest == kDemoFileDigest);
}

TEST_CASE("demo: every row validates and every invariant holds") {
  auto s = seeded(42, mock::Size::Demo);
  CHECK(s.report.validated == [&] {
    int64_t n = 0;
    for (const auto& [t, c] : s.report.rows) n += t == "TokenUsageDaily" ? 0 : c;
    return n;
  }());
  check_every_row_validates(*s.store);
  check_invariants(*s.store, s.report);
  auto& db = s.store->db();
  // The demo story: a run in progress, one waiting to retry, today's run held by the breaker.
  CHECK(q(*s.store, "SELECT count(*) FROM episode_schedule_queue WHERE status = 'processing'") ==
        1);
  CHECK(
      q(*s.store,
        "SELECT count(*) FROM episode_schedule_queue WHERE status = 'pending' AND attempts > 0") ==
      1);
  CHECK(
      q(*s.store,
        "SELECT count(*) FROM episode_schedule_queue WHERE status = 'pending' AND attempts = 0 AND "
        "scheduled_for < " +
            std::to_string(s.report.now)) >= 1);
  CHECK(q(*s.store, "SELECT count(*) FROM budget_reservations WHERE status = 'open'") == 1);
  // Realistic, non-ASCII content: accents, emoji, a right-to-left name; no lorem ipsum.
  CHECK(q(*s.store, "SELECT count(*) FROM users WHERE name GLOB '*[ء-ي]*'") >= 1);
  CHECK(q(*s.store, "SELECT count(*) FROM users WHERE name LIKE '%✨%'") == 1);
  CHECK(q(*s.store, "SELECT count(*) FROM organizations WHERE name LIKE '%è%'") == 1);
  CHECK(q(*s.store,
          "SELECT count(*) FROM blocks WHERE content LIKE '%## %' AND content LIKE '%](https://%' "
          "AND content "
          "LIKE '%- %'") == q(*s.store, "SELECT count(*) FROM blocks"));
  CHECK(q(*s.store,
          "SELECT count(*) FROM blocks WHERE content LIKE '%lorem%' OR content LIKE '%ipsum%'") ==
        0);
  (void)db;
}

TEST_CASE("small: every row validates and every invariant holds") {
  auto s = seeded(7, mock::Size::Small);
  CHECK(s.report.rows.at("Organization") == 6);
  CHECK(s.report.rows.at("Project") == 30);
  CHECK(s.report.rows.at("Episode") == 2000);
  CHECK(s.report.rows.at("TokenUsage") == 20'000);
  check_every_row_validates(*s.store);
  check_invariants(*s.store, s.report);
}

TEST_CASE(
    "determinism: same seed -> identical, another seed -> different, reference date moves time") {
  const std::string a = mock::dataset_digest(seeded(42, mock::Size::Demo).store->db());
  const std::string b = mock::dataset_digest(seeded(42, mock::Size::Demo).store->db());
  const std::string c = mock::dataset_digest(seeded(43, mock::Size::Demo).store->db());
  CHECK(a == b);
  CHECK(a != c);
  store::Store s(":memory:", 1);
  mock::Options o;
  o.seed = 42;
  o.reference_date = CivilDate{2026, 1, 20};
  const auto r = mock::seed(s, o);
  CHECK(format_instant(r.now) == "2026-01-20T12:00:00.000Z");
  CHECK(s.db().query_int("SELECT max(occurred_at) FROM token_usage", {}) < r.now);
  CHECK(s.db().query_int("SELECT min(scheduled_for) FROM episode_schedule_queue", {}) >
        r.now - 200 * 86'400'000LL);
  check_invariants(s, r);
}

TEST_CASE("streams: changing one table's generator leaves the other tables' rows unchanged") {
  auto base = seeded(42, mock::Size::Demo);
  const auto before = table_digests(base.store->db());
  {
    auto changed = seeded(42, mock::Size::Demo, {{"Episode", 1}});
    const auto after = table_digests(changed.store->db());
    CHECK(after.at("episodes") != before.at("episodes"));
    // Titles and publishing come from the Episode stream; what quotes or records them follows.
    const std::set<std::string> follow = {"episodes", "blocks", "highlights", "audit_log",
                                          "user_events"};
    for (const auto& [t, d] : before)
      if (!follow.count(t)) {
        INFO(t);
        CHECK(after.at(t) == d);
      }
  }
  {
    auto changed = seeded(42, mock::Size::Demo, {{"ChatMessage", 9}});
    const auto after = table_digests(changed.store->db());
    // A session's updatedAt is its last message.
    const std::set<std::string> follow = {"chat_messages", "chat_sessions", "token_usage",
                                          "token_usage_daily"};
    CHECK(after.at("chat_messages") != before.at("chat_messages"));
    for (const auto& [t, d] : before)
      if (!follow.count(t)) {
        INFO(t);
        CHECK(after.at(t) == d);
      }
  }
  {
    auto changed = seeded(42, mock::Size::Demo, {{"PlanningNote", 3}});
    const auto after = table_digests(changed.store->db());
    const std::set<std::string> follow = {"planning_notes", "audit_log", "user_events"};
    CHECK(after.at("planning_notes") != before.at("planning_notes"));
    for (const auto& [t, d] : before)
      if (!follow.count(t)) {
        INFO(t);
        CHECK(after.at(t) == d);
      }
  }
}

TEST_CASE(
    "bulk load writes exactly the rows of the normal path (roll-up equivalent to the trigger)") {
  auto normal = seeded(5, mock::Size::Small, {}, false);
  auto bulk = seeded(5, mock::Size::Small, {}, true);
  CHECK(table_digests(normal.store->db()) == table_digests(bulk.store->db()));
  // Indexes and triggers are back, and the database is consistent.
  CHECK(bulk.store->db().query_int("SELECT count(*) FROM sqlite_master", {}) ==
        normal.store->db().query_int("SELECT count(*) FROM sqlite_master", {}));
  CHECK(bulk.store->db().query_int("SELECT count(*) FROM pragma_foreign_key_check", {}) == 0);
  CHECK(bulk.store->db().query_int("PRAGMA foreign_keys", {}) == 1);
}

TEST_CASE("counts: explicit counts, and their validation") {
  store::Store s(":memory:", 1);
  mock::Options o;
  o.seed = 3;
  o.counts = mock::counts_from_json(
      json{{"organizations", 3}, {"projects", 7}, {"episodes", 90}, {"tokenUsage", 900}},
      mock::counts_for(mock::Size::Demo));
  const auto r = mock::seed(s, o);
  CHECK(r.rows.at("Organization") == 3);
  CHECK(r.rows.at("Project") == 7);
  CHECK(r.rows.at("Episode") == 90);
  CHECK(r.rows.at("TokenUsage") == 900);
  check_invariants(s, r);
  try {
    mock::counts_from_json(json{{"organizations", 0}, {"projectz", 1}, {"users", "many"}},
                           mock::Counts{});
    FAIL("expected invalid");
  } catch (const Error& e) {
    CHECK(e.code() == code::invalid);
    CHECK(e.issues().size() == 3);
  }
}

TEST_CASE("mock.seed operation: progress, result, refuses a database with data") {
  api::Core core(":memory:");
  int64_t calls = 0;
  std::set<std::string> phases;
  core.set_progress([&](int64_t, int64_t, const std::string& phase) {
    ++calls;
    phases.insert(phase);
  });
  const json r =
      core.call_json({{"op", "mock.seed"}, {"as", {{"system", true}}}, {"params", {{"seed", 42}}}});
  REQUIRE(r["ok"] == true);
  CHECK(r["result"]["digest"] == kDemoDigest);
  CHECK(r["result"]["rows"]["Organization"] == 2);
  CHECK(calls > 10);
  CHECK(phases.count("TokenUsage") == 1);
  const json again =
      core.call_json({{"op", "mock.seed"}, {"as", {{"system", true}}}, {"params", {{"seed", 1}}}});
  CHECK(again["ok"] == false);
  CHECK(again["error"]["code"] == "conflict");
  const json bad = core.call_json({{"op", "mock.seed"},
                                   {"as", {{"system", true}}},
                                   {"params", {{"seed", 1}, {"size", "huge"}}}});
  CHECK(bad["error"]["code"] == "invalid");
  // The seeded data is usable through the API right away.
  const std::string org = r["result"]["overBudgetOrganizationId"];
  auto& st = core.store()->db().prepare(
      "SELECT id FROM users WHERE organization_id = ? AND role = 'owner'");
  st.bind(1, org);
  REQUIRE(st.step());
  const std::string owner = st.text(0);
  st.reset();
  const json overview = core.call_json(
      {{"op", "project.overview"}, {"as", {{"organizationId", org}, {"userId", owner}}}});
  REQUIRE(overview["ok"] == true);
  CHECK(overview["result"]["total"] == 3);
}

TEST_CASE("mock.seed: a reference date or counts within their bounds never answer internal") {
  // Session 4 review: referenceDate 9999-12-31 / 0001-01-01, and 1,000,000 episodes on one
  // project with the default date, put rows outside years 0001-9999 and answered `internal`.
  for (const char* date : {"9999-12-31", "0001-01-01", "0002-12-31"}) {
    api::Core core(":memory:");
    const json r = core.call_json({{"op", "mock.seed"},
                                   {"as", {{"system", true}}},
                                   {"params", {{"seed", 1}, {"referenceDate", date}}}});
    INFO(date << ": " << r.dump());
    CHECK(r["error"]["code"] == "invalid");
    CHECK(r["error"]["path"] == json::array({"referenceDate"}));
  }
  const json counts = {{"organizations", 2},
                       {"users", 2},
                       {"projects", 2},
                       {"episodes", 1'000'000},
                       {"weeksAhead", 8}};
  for (const char* date : {"0003-01-01", "2025-08-15", "9998-12-31"}) {
    api::Core core(":memory:");
    const json r =
        core.call_json({{"op", "mock.seed"},
                        {"as", {{"system", true}}},
                        {"params", {{"seed", 2}, {"referenceDate", date}, {"counts", counts}}}});
    INFO(date << ": " << r.dump().substr(0, 600));
    REQUIRE(r["ok"] == true);
    CHECK(r["result"]["rows"]["Episode"].get<int64_t>() > 0);
  }
}
