// Tenancy: another organization's ids behave exactly like ids that do not exist, for every
// get/update/delete/restore/purge/list operation and for children pointing at B's parents.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "core/schema/schema.hpp"
#include "core/store/repo.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

struct Row {
  std::string prefix;
  std::string id;
  json patch;  // a valid patch for <prefix>.update
};

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

/// One row of every entity in organization `t`, created through the API where possible.
std::vector<Row> populate(World& w, const Tenant& t) {
  std::vector<Row> out;
  const Who& o = t.owner;
  const std::string pid = w.project(o, "Tenant project");
  const std::string eid = w.episode(o, pid);
  const std::string bid = w.block(o, eid, "Café 🚀");
  const std::string sid =
      w.ok("chatSession.create", {{"projectId", pid}, {"title", "Chat"}}, o)["id"];
  const std::string mid = w.ok("chatMessage.create",
                               {{"sessionId", sid}, {"role", "user"}, {"content", "hi"}}, o)["id"];
  // Usage is written by the system: a reservation settled with the actual usage.
  const std::string res = w.ok("budget.reserve", {{"estimateMicros", 3}}, t.system)["id"];
  const std::string uid = w.ok("budget.settle",
                               {{"reservationId", res},
                                {"usage",
                                 {{"projectId", pid},
                                  {"model", "m"},
                                  {"inputTokens", 1},
                                  {"outputTokens", 2},
                                  {"costMicros", 3}}}},
                               t.system)["usage"]["id"];
  const std::string nid =
      w.ok("planningNote.create", {{"projectId", pid}, {"content", "note"}}, o)["id"];
  const std::string amid =
      w.ok("agentMemory.create", {{"projectId", pid}, {"content", "mem"}}, o)["id"];
  const std::string evid =
      w.ok("userEvent.create", {{"eventType", "onboarding.completed"}}, o)["id"];
  const std::string hid = w.ok("highlight.create",
                               {{"episodeId", eid},
                                {"blockId", bid},
                                {"startOffset", 0},
                                {"endOffset", 4},
                                {"quote", "Café"}},
                               o)["id"];
  // Queue items are made by planning, not by a generic create: insert one through the store.
  const std::string qid = w.core.store()->new_id();
  ec::store::repo::insert(
      *w.core.store(), *ec::schema::find_entity("EpisodeScheduleQueue"),
      ec::store::repo::with_defaults(*ec::schema::find_entity("EpisodeScheduleQueue"),
                                     {{"id", qid},
                                      {"organizationId", t.id},
                                      {"projectId", pid},
                                      {"scheduledFor", "2031-01-06T08:00:00.000Z"},
                                      {"runAfter", "2031-01-06T08:00:00.000Z"},
                                      {"createdAt", kNow},
                                      {"updatedAt", kNow}}));
  const std::string daily = w.ok("usageDaily.list", json::object(), o)["items"][0]["id"];
  const std::string audit = w.ok("auditLog.list", {{"limit", 1}}, o)["items"][0]["id"];
  // BudgetReservation has no create operation: insert through the store.
  const std::string rid = w.core.store()->new_id();
  ec::store::repo::insert(*w.core.store(), *ec::schema::find_entity("BudgetReservation"),
                          {{"id", rid},
                           {"organizationId", t.id},
                           {"queueItemId", qid},
                           {"estimateMicros", 5},
                           {"status", "open"},
                           {"date", "2025-08-15"},
                           {"expiresAt", kNow},
                           {"createdAt", kNow},
                           {"updatedAt", kNow}});
  out = {{"user", t.member.user, {{"name", "X"}}},
         {"project", pid, {{"name", "X"}}},
         {"episode", eid, {{"title", "X"}}},
         {"block", bid, {{"content", "X"}}},
         {"chatSession", sid, {{"title", "X"}}},
         {"chatMessage", mid, {{"inputTokens", 9}}},
         {"tokenUsage", uid, {{"costMicros", 9}}},
         {"planningNote", nid, {{"content", "X"}}},
         {"agentMemory", amid, {{"importance", 1}}},
         {"userEvent", evid, json::object()},
         {"highlight", hid, {{"note", "X"}}},
         {"queue", qid, {{"maxAttempts", 5}}},
         {"usageDaily", daily, nullptr},
         {"budgetReservation", rid, nullptr},
         {"auditLog", audit, nullptr}};
  return out;
}

std::set<std::string> operation_names(World& w) {
  std::set<std::string> names;
  const json r = w.core.call_json({{"op", "meta.operations"}});
  for (const auto& op : r["result"]) names.insert(op["name"].get<std::string>());
  REQUIRE(names.count("project.get") == 1);
  return names;
}

}  // namespace

TEST_CASE_METHOD(World, "another organization's ids behave exactly as missing ids", "[tenancy]") {
  const std::vector<Row> theirs = populate(*this, b);
  populate(*this, a);
  const std::set<std::string> ops = operation_names(*this);
  std::map<std::string, json> before;
  for (const auto& r : theirs) before[r.prefix] = ok(r.prefix + ".get", {{"id", r.id}}, b.owner);
  const int64_t audits = rows("audit_log");

  for (const auto& r : theirs) {
    for (const std::string verb : {"get", "update", "delete", "restore", "purge"}) {
      const std::string op = r.prefix + "." + verb;
      if (!ops.count(op)) continue;
      json params{{"id", r.id}};
      if (verb == "update") params["patch"] = r.patch;
      json params_missing = params;
      params_missing["id"] = kMissingId;
      INFO(op);
      json theirs_err = fail(op, params, a.owner);
      json missing_err = fail(op, params_missing, a.owner);
      CHECK(theirs_err["code"] == "not_found");
      CHECK(missing_err["code"] == "not_found");
      // Identical but for the id itself.
      CHECK(replace_all(theirs_err.dump(), r.id, kMissingId) == missing_err.dump());
      if (verb == "get" && r.prefix != "usageDaily" && ops.count(r.prefix + ".restore")) {
        CHECK(code(op, {{"id", r.id}, {"includeDeleted", true}}, a.owner) == "not_found");
      }
    }
  }
  // Nothing of B changed, and A's failed attempts wrote no audit rows.
  for (const auto& r : theirs) {
    INFO(r.prefix);
    CHECK(ok(r.prefix + ".get", {{"id", r.id}}, b.owner) == before[r.prefix]);
  }
  CHECK(rows("audit_log") == audits);
}

TEST_CASE_METHOD(World, "lists never include another organization's rows", "[tenancy]") {
  const std::vector<Row> theirs = populate(*this, b);
  const std::vector<Row> mine = populate(*this, a);
  const std::set<std::string> ops = operation_names(*this);
  for (size_t i = 0; i < mine.size(); ++i) {
    const std::string op = mine[i].prefix + ".list";
    INFO(op);
    REQUIRE(ops.count(op));
    json params{{"limit", 1000}};
    if (ops.count(mine[i].prefix + ".restore")) params["includeDeleted"] = true;
    json list = ok(op, params, a.owner);
    std::set<std::string> ids;
    for (const auto& item : list["items"]) {
      CHECK(item["organizationId"] == a.id);
      ids.insert(item["id"].get<std::string>());
    }
    CHECK(ids.count(mine[i].id) == 1);
    CHECK(ids.count(theirs[i].id) == 0);
    CHECK(list["total"] == static_cast<int64_t>(list["items"].size()));
  }
  SECTION("filtering by B's parent id finds nothing") {
    const std::string bp = theirs[1].id;
    CHECK(ok("episode.list", {{"projectId", bp}}, a.owner)["total"] == 0);
    CHECK(ok("planningNote.list", {{"projectId", bp}}, a.owner)["total"] == 0);
    CHECK(ok("tokenUsage.list", {{"projectId", bp}}, a.owner)["total"] == 0);
    CHECK(ok("block.list", {{"episodeId", theirs[2].id}}, a.owner)["total"] == 0);
  }
  SECTION("project.overview is scoped too") {
    json ov = ok("project.overview", {{"includeDeleted", true}}, a.owner);
    for (const auto& item : ov["items"]) CHECK(item["project"]["organizationId"] == a.id);
  }
}

TEST_CASE_METHOD(World, "children cannot point at another organization's parents", "[tenancy]") {
  const std::vector<Row> theirs = populate(*this, b);
  std::map<std::string, std::string> B;
  for (const auto& r : theirs) B[r.prefix] = r.id;
  const std::string pid = project(a.owner, "Mine");
  const std::string eid = episode(a.owner, pid);
  const std::string bid = block(a.owner, eid, "Café 🚀");
  const std::string nid =
      ok("planningNote.create", {{"projectId", pid}, {"content", "n"}}, a.owner)["id"];
  const std::string sid =
      ok("chatSession.create", {{"projectId", pid}, {"title", "s"}}, a.owner)["id"];
  const std::map<std::string, int64_t> counts_before = {{"episodes", rows("episodes")},
                                                        {"blocks", rows("blocks")},
                                                        {"planning_notes", rows("planning_notes")},
                                                        {"highlights", rows("highlights")},
                                                        {"chat_sessions", rows("chat_sessions")},
                                                        {"chat_messages", rows("chat_messages")},
                                                        {"token_usage", rows("token_usage")},
                                                        {"agent_memories", rows("agent_memories")},
                                                        {"audit_log", 0}};

  const int64_t audits_controls = rows("audit_log", "entity_type IN ('Episode', 'AgentMemory')");
  const int64_t audits_others =
      rows("audit_log", "entity_type NOT IN ('Episode', 'AgentMemory', 'EpisodeScheduleQueue')");
  struct Attempt {
    std::string op;
    json params;
    std::string path;
  };
  const std::vector<Attempt> attempts = {
      {"episode.create", {{"projectId", B["project"]}, {"title", "x"}}, "projectId"},
      {"block.create",
       {{"episodeId", B["episode"]}, {"content", "x"}, {"position", 5}},
       "episodeId"},
      {"planningNote.create", {{"projectId", B["project"]}, {"content", "x"}}, "projectId"},
      {"planningNote.create",
       {{"projectId", pid}, {"content", "x"}, {"appliedEpisodeId", B["episode"]}},
       "appliedEpisodeId"},
      {"planningNote.apply", {{"id", nid}, {"episodeId", B["episode"]}}, "appliedEpisodeId"},
      {"agentMemory.create", {{"projectId", B["project"]}, {"content", "x"}}, "projectId"},
      {"agentMemory.create",
       {{"projectId", pid}, {"content", "x"}, {"sourceEpisodeId", B["episode"]}},
       "sourceEpisodeId"},
      {"chatSession.create", {{"projectId", B["project"]}, {"title", "x"}}, "projectId"},
      {"chatSession.create",
       {{"projectId", pid}, {"title", "x"}, {"episodeId", B["episode"]}},
       "episodeId"},
      {"chatMessage.create",
       {{"sessionId", B["chatSession"]}, {"role", "user"}, {"content", "x"}},
       "sessionId"},
      {"highlight.create",
       {{"episodeId", B["episode"]},
        {"blockId", B["block"]},
        {"startOffset", 0},
        {"endOffset", 4},
        {"quote", "Café"}},
       "episodeId"},
      {"highlight.create",
       {{"episodeId", eid},
        {"blockId", B["block"]},
        {"startOffset", 0},
        {"endOffset", 4},
        {"quote", "Café"}},
       "blockId"},
      {"project.create",
       {{"name", "x"}, {"cadenceConfig", cadence()}, {"ownerId", b.owner.user}},
       "ownerId"},
      {"userEvent.create", {{"eventType", "a.b"}, {"userId", b.owner.user}}, "userId"},
      {"userEvent.has", {{"eventType", "a.b"}, {"userId", b.owner.user}}, "userId"},
      {"episode.update", {{"id", eid}, {"patch", {{"title", "t"}}}}, ""},  // control: works
      {"chatSession.update", {{"id", sid}, {"patch", {{"episodeId", B["episode"]}}}}, "episodeId"},
      {"agentMemory.create", {{"projectId", pid}, {"content", "y"}}, ""},  // control
  };
  for (const auto& at : attempts) {
    INFO(at.op << " " << at.params.dump());
    json r = call(at.op, at.params, a.owner);
    if (at.path.empty()) {
      CHECK(r["ok"] == true);
      continue;
    }
    REQUIRE(r["ok"] == false);
    CHECK(r["error"]["code"] == "not_found");
    CHECK(r["error"]["path"] == json::array({at.path}));
  }
  (void)bid;
  // Only the two controls wrote anything.
  CHECK(rows("agent_memories") == counts_before.at("agent_memories") + 1);
  for (const auto& [table, n] : counts_before) {
    if (table == "agent_memories" || table == "audit_log") continue;
    INFO(table);
    CHECK(rows(table) == n);
  }
  // Only the two controls were audited (one row each).
  CHECK(rows("audit_log", "entity_type IN ('Episode', 'AgentMemory')") == audits_controls + 2);
  CHECK(
      rows("audit_log", "entity_type NOT IN ('Episode', 'AgentMemory', 'EpisodeScheduleQueue')") ==
      audits_others);
}
