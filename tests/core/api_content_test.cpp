// API: planning notes, memories (MVP list + AgentMemory), chat, highlights.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "tests/support/world.hpp"

using namespace ectest;

TEST_CASE_METHOD(World, "planning notes: create, apply, dismiss") {
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  json n = ok("planningNote.create",
              {{"projectId", pid}, {"content", "More **examples**, fewer adjectives."}}, a.member);
  CHECK(n["authorId"] == a.member.user);
  CHECK(n["status"] == "open");
  CHECK(n["appliedEpisodeId"].is_null());

  SECTION("apply links the episode and sets appliedAt") {
    now = "2025-08-17T12:00:00.000Z";
    json r = ok("planningNote.apply", {{"id", n["id"]}, {"episodeId", eid}}, a.owner);
    CHECK(r["status"] == "applied");
    CHECK(r["appliedEpisodeId"] == eid);
    CHECK(r["appliedAt"] == "2025-08-17T12:00:00.000Z");
    CHECK(code("planningNote.apply", {{"id", n["id"]}, {"episodeId", eid}}, a.owner) == "conflict");
    CHECK(code("planningNote.dismiss", {{"id", n["id"]}}, a.owner) == "conflict");
  }
  SECTION("dismiss") {
    CHECK(ok("planningNote.dismiss", {{"id", n["id"]}}, a.owner)["status"] == "dismissed");
    CHECK(code("planningNote.apply", {{"id", n["id"]}, {"episodeId", eid}}, a.owner) == "conflict");
    CHECK(ok("planningNote.list", {{"status", "dismissed"}}, a.owner)["total"] == 1);
    CHECK(ok("planningNote.list", {{"status", "open"}}, a.owner)["total"] == 0);
  }
  SECTION("apply with an episode of another project is refused, nothing changes") {
    const std::string other = project(a.owner, "Other");
    const std::string oe = episode(a.owner, other);
    const int64_t audits = rows("audit_log");
    json e = fail("planningNote.apply", {{"id", n["id"]}, {"episodeId", oe}}, a.owner);
    CHECK(e["code"] == "invalid");
    CHECK(ok("planningNote.get", {{"id", n["id"]}}, a.owner)["status"] == "open");
    CHECK(rows("audit_log") == audits);
    CHECK(code("planningNote.apply", {{"id", n["id"]}, {"episodeId", kMissingId}}, a.owner) ==
          "not_found");
  }
  SECTION("content is required and bounded") {
    CHECK(code("planningNote.create", {{"projectId", pid}, {"content", ""}}, a.owner) == "invalid");
    CHECK(code("planningNote.create", {{"projectId", pid}, {"content", std::string(20'001, 'x')}},
               a.owner) == "invalid");
    CHECK(code("planningNote.create", {{"projectId", pid}, {"content", std::string(20'000, 'x')}},
               a.owner) == "ok");
  }
  SECTION("soft delete cycle") {
    ok("planningNote.delete", {{"id", n["id"]}}, a.owner);
    CHECK(code("planningNote.get", {{"id", n["id"]}}, a.owner) == "not_found");
    CHECK(code("planningNote.apply", {{"id", n["id"]}, {"episodeId", eid}}, a.owner) ==
          "not_found");
    ok("planningNote.restore", {{"id", n["id"]}}, a.owner);
    ok("planningNote.purge", {{"id", n["id"]}}, a.owner);
    CHECK(rows("planning_notes") == 0);
  }
}

TEST_CASE_METHOD(World, "MVP memories and their migration to AgentMemory") {
  const std::string pid = project(a.owner);
  json p = ok("project.memory.add", {{"projectId", pid}, {"content", "Audience: PhD students"}},
              a.owner);
  REQUIRE(p["memories"].size() == 1);
  const std::string m1 = p["memories"][0]["id"];
  CHECK(p["memories"][0]["content"] == "Audience: PhD students");
  CHECK(p["memories"][0]["createdAt"] == kNow);
  p = ok("project.memory.add", {{"projectId", pid}, {"content", "Tone: dry wit 🙂"}}, a.owner);
  REQUIRE(p["memories"].size() == 2);
  const std::string m2 = p["memories"][1]["id"];

  SECTION("update and remove") {
    now = "2025-08-18T00:00:00.000Z";
    p = ok("project.memory.update",
           {{"projectId", pid}, {"memoryId", m1}, {"content", "Audience: undergrads"}}, a.owner);
    CHECK(p["memories"][0]["content"] == "Audience: undergrads");
    CHECK(p["memories"][0]["updatedAt"] == "2025-08-18T00:00:00.000Z");
    CHECK(p["memories"][0]["createdAt"] == kNow);
    CHECK(code("project.memory.update",
               {{"projectId", pid}, {"memoryId", kMissingId}, {"content", "x"}},
               a.owner) == "not_found");
    p = ok("project.memory.remove", {{"projectId", pid}, {"memoryId", m1}}, a.owner);
    REQUIRE(p["memories"].size() == 1);
    CHECK(p["memories"][0]["id"] == m2);
    CHECK(code("project.memory.remove", {{"projectId", pid}, {"memoryId", m1}}, a.owner) ==
          "not_found");
    CHECK(code("project.memory.add", {{"projectId", pid}, {"content", ""}}, a.owner) == "invalid");
  }
  SECTION("migrate twice: the second run migrates 0") {
    json r = ok("project.memory.migrate", {{"projectId", pid}}, a.owner);
    CHECK(r == json{{"migrated", 2}, {"skipped", 0}});
    r = ok("project.memory.migrate", {{"projectId", pid}}, a.owner);
    CHECK(r == json{{"migrated", 0}, {"skipped", 2}});
    json list = ok("agentMemory.list", {{"projectId", pid}}, a.owner);
    REQUIRE(list["total"] == 2);
    std::set<std::string> legacy;
    for (const auto& m : list["items"]) {
      legacy.insert(m["legacyMemoryId"].get<std::string>());
      CHECK(m["kind"] == "fact");
      CHECK(m["importance"] == 3);
    }
    CHECK(legacy == std::set<std::string>{m1, m2});
    // A memory added later migrates alone.
    ok("project.memory.add", {{"projectId", pid}, {"content", "New"}}, a.owner);
    CHECK(ok("project.memory.migrate", {{"projectId", pid}}, a.owner)["migrated"] == 1);
  }
  SECTION("memories of another organization's project are not found") {
    CHECK(code("project.memory.add", {{"projectId", pid}, {"content", "x"}}, b.owner) ==
          "not_found");
    CHECK(code("project.memory.update", {{"projectId", pid}, {"memoryId", m1}, {"content", "x"}},
               b.owner) == "not_found");
    CHECK(code("project.memory.remove", {{"projectId", pid}, {"memoryId", m1}}, b.owner) ==
          "not_found");
    CHECK(code("project.memory.migrate", {{"projectId", pid}}, b.owner) == "not_found");
    CHECK(rows("agent_memories") == 0);
  }
  SECTION("memories cannot be patched into an invalid shape") {
    CHECK(code("project.update",
               {{"id", pid}, {"patch", {{"memories", {{{"id", "x"}, {"content", "y"}}}}}}},
               a.owner) == "invalid");
  }
}

TEST_CASE_METHOD(World, "agent memory operations") {
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  json m = ok("agentMemory.create",
              {{"projectId", pid},
               {"kind", "preference"},
               {"content", "Prefers tables"},
               {"importance", 5},
               {"sourceEpisodeId", eid}},
              a.owner);
  CHECK(m["legacyMemoryId"].is_null());
  CHECK(code("agentMemory.create", {{"projectId", pid}, {"content", "x"}, {"importance", 6}},
             a.owner) == "invalid");
  CHECK(code("agentMemory.create", {{"projectId", pid}, {"content", "x"}, {"importance", 0}},
             a.owner) == "invalid");
  CHECK(code("agentMemory.create", {{"projectId", pid}, {"content", "x"}, {"kind", "rumour"}},
             a.owner) == "invalid");
  CHECK(code("agentMemory.update", {{"id", m["id"]}, {"patch", {{"importance", 1}}}}, a.owner) ==
        "ok");
  CHECK(code("agentMemory.update", {{"id", m["id"]}, {"patch", {{"legacyMemoryId", kMissingId}}}},
             a.owner) == "invalid");
  CHECK(ok("agentMemory.list", {{"kind", "preference"}}, a.owner)["total"] == 1);
  SECTION("a source episode of another project is refused (create and update)") {
    // Session 4 review: chat sessions and notes checked this, agent memories did not.
    const std::string other = project(a.owner, "Other");
    const std::string foreign = episode(a.owner, other);
    json e = fail("agentMemory.create",
                  {{"projectId", pid}, {"content", "x"}, {"sourceEpisodeId", foreign}}, a.owner);
    CHECK(e["code"] == "invalid");
    CHECK(e["path"] == json::array({"sourceEpisodeId"}));
    e = fail("agentMemory.update", {{"id", m["id"]}, {"patch", {{"sourceEpisodeId", foreign}}}},
             a.owner);
    CHECK(e["code"] == "invalid");
    // an update's fields sit under "patch", as every patch issue's path says (session 5)
    CHECK(e["path"] == json::array({"patch", "sourceEpisodeId"}));
  }
  ok("agentMemory.delete", {{"id", m["id"]}}, a.owner);
  CHECK(ok("agentMemory.list", json::object(), a.owner)["total"] == 0);
}

TEST_CASE_METHOD(World, "chat sessions and messages") {
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  json s = ok("chatSession.create",
              {{"projectId", pid}, {"episodeId", eid}, {"title", "About episode 1"}}, a.member);
  CHECK(s["userId"] == a.member.user);
  json m = ok(
      "chatMessage.create",
      {{"sessionId", s["id"]}, {"role", "user"}, {"content", "Why so long?"}, {"inputTokens", 12}},
      a.member);
  CHECK(m["outputTokens"] == 0);
  CHECK(m["costMicros"] == 0);
  ok("chatMessage.create",
     {{"sessionId", s["id"]}, {"role", "assistant"}, {"content", "Because."}, {"costMicros", 150}},
     a.member);
  CHECK(ok("chatMessage.list", {{"sessionId", s["id"]}}, a.member)["total"] == 2);
  CHECK(ok("chatMessage.list", {{"role", "assistant"}}, a.member)["total"] == 1);
  CHECK(code("chatMessage.create", {{"sessionId", s["id"]}, {"role", "robot"}, {"content", "x"}},
             a.member) == "invalid");
  CHECK(code("chatMessage.update", {{"id", m["id"]}, {"patch", {{"content", "edited"}}}},
             a.member) != "ok");
  CHECK(code("chatMessage.create",
             {{"sessionId", s["id"]}, {"role", "user"}, {"content", "x"}, {"inputTokens", -1}},
             a.member) == "invalid");
  SECTION("an episode of another project is refused") {
    const std::string other = project(a.owner, "Other");
    json e = fail("chatSession.create", {{"projectId", other}, {"episodeId", eid}, {"title", "x"}},
                  a.owner);
    CHECK(e["code"] == "invalid");
    CHECK(e["path"] == json::array({"episodeId"}));
  }
  SECTION("deleting the session hides its messages") {
    ok("chatSession.delete", {{"id", s["id"]}}, a.member);
    CHECK(ok("chatMessage.list", json::object(), a.member)["total"] == 0);
    CHECK(code("chatMessage.get", {{"id", m["id"]}}, a.member) == "not_found");
    CHECK(code("chatMessage.create", {{"sessionId", s["id"]}, {"role", "user"}, {"content", "x"}},
               a.member) == "not_found");
    ok("chatSession.purge", {{"id", s["id"]}}, a.member);
    CHECK(rows("chat_messages") == 0);
  }
}

TEST_CASE_METHOD(World, "highlight offsets count UTF-16 code units") {
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  // "Café 🚀 rocks": C a f é(1 unit) space 🚀(2 units) space r o c k s
  const std::string text = "Café 🚀 rocks";
  const std::string bid = block(a.owner, eid, text);
  auto hl = [&](int64_t s, int64_t e, const std::string& quote) {
    return call("highlight.create",
                {{"episodeId", eid},
                 {"blockId", bid},
                 {"startOffset", s},
                 {"endOffset", e},
                 {"quote", quote}},
                a.member);
  };
  SECTION("matching quotes are accepted") {
    json r = hl(0, 4, "Café");
    REQUIRE(r["ok"] == true);
    CHECK(r["result"]["userId"] == a.member.user);
    CHECK(r["result"]["note"].is_null());
    CHECK(hl(3, 4, "é")["ok"] == true);
    CHECK(hl(5, 7, "🚀")["ok"] == true);
    CHECK(hl(0, 13, text)["ok"] == true);
    CHECK(hl(8, 13, "rocks")["ok"] == true);
    CHECK(hl(4, 8, " 🚀 ")["ok"] == true);
  }
  SECTION("mismatches are invalid with a path") {
    struct Case {
      int64_t s, e;
      std::string quote;
      std::string path;
    };
    const std::vector<Case> cases = {
        {0, 4, "Cafe", "quote"},         // same length, different text
        {0, 5, "Café", "quote"},         // length differs from the range (validation)
        {5, 6, "🚀", "quote"},            // an emoji is 2 units, not 1
        {6, 7, "x", "startOffset"},      // starts inside the surrogate pair
        {5, 6, "x", "startOffset"},      // ends inside the surrogate pair
        {8, 14, "rocks!", "endOffset"},  // past the end
        {4, 4, "", "endOffset"},         // empty range
        {5, 3, "ab", "endOffset"},       // reversed range
    };
    for (const auto& c : cases) {
      INFO(c.s << ".." << c.e << " '" << c.quote << "'");
      json r = hl(c.s, c.e, c.quote);
      REQUIRE(r["ok"] == false);
      CHECK(r["error"]["code"] == "invalid");
      bool has_path = false;
      for (const auto& i : r["error"]["issues"]) has_path = has_path || i["path"].back() == c.path;
      CHECK(has_path);
    }
    CHECK(rows("highlights") == 0);
  }
  SECTION("block of another episode, or of another organization") {
    const std::string e2 = episode(a.owner, pid);
    json r = call("highlight.create",
                  {{"episodeId", e2},
                   {"blockId", bid},
                   {"startOffset", 0},
                   {"endOffset", 4},
                   {"quote", "Café"}},
                  a.member);
    CHECK(r["error"]["code"] == "invalid");
    const std::string bp = project(b.owner);
    const std::string be = episode(b.owner, bp);
    const std::string bb = block(b.owner, be, "Café");
    r = call("highlight.create",
             {{"episodeId", eid},
              {"blockId", bb},
              {"startOffset", 0},
              {"endOffset", 4},
              {"quote", "Café"}},
             a.member);
    CHECK(r["error"]["code"] == "not_found");
    r = call("highlight.create",
             {{"episodeId", be},
              {"blockId", bb},
              {"startOffset", 0},
              {"endOffset", 4},
              {"quote", "Café"}},
             a.member);
    CHECK(r["error"]["code"] == "not_found");
  }
  SECTION("only the note can change") {
    json h = hl(0, 4, "Café");
    REQUIRE(h["ok"] == true);
    const std::string hid = h["result"]["id"];
    CHECK(ok("highlight.update", {{"id", hid}, {"patch", {{"note", "nice"}}}}, a.member)["note"] ==
          "nice");
    CHECK(ok("highlight.update", {{"id", hid}, {"patch", {{"note", nullptr}}}}, a.member)["note"]
              .is_null());
    CHECK(code("highlight.update", {{"id", hid}, {"patch", {{"quote", "Cafe"}}}}, a.member) ==
          "invalid");
    CHECK(code("highlight.update", {{"id", hid}, {"patch", {{"startOffset", 1}}}}, a.member) ==
          "invalid");
    ok("highlight.delete", {{"id", hid}}, a.member);
    CHECK(ok("highlight.list", {{"blockId", bid}}, a.member)["total"] == 0);
    ok("highlight.restore", {{"id", hid}}, a.member);
    CHECK(ok("highlight.list", {{"blockId", bid}}, a.member)["total"] == 1);
  }
}
