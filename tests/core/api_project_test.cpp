// API: project.*, episode.*, block.* — plan limits, soft delete, numbering, integrity.
#include <catch2/catch.hpp>
#include <set>

#include "tests/support/world.hpp"

using namespace ectest;

TEST_CASE_METHOD(World, "project create, get, list, update") {
  json p = ok("project.create",
              {{"name", "Weekly AI digest"},
               {"description", "Café ☕ notes"},
               {"cadenceConfig",
                {{"days", {"fri", "mon"}}, {"time", "07:30"}, {"timezone", "Europe/London"}}}},
              a.member);
  CHECK(p["ownerId"] == a.member.user);  // defaults to the acting user
  CHECK(p["status"] == "active");
  CHECK(p["memories"] == json::array());
  CHECK(p["organizationId"] == a.id);
  CHECK(p["createdAt"] == kNow);
  CHECK(p["deletedAt"].is_null());
  CHECK(ok("project.get", {{"id", p["id"]}}, a.owner) == p);

  SECTION("list filters and orders") {
    project(a.owner, "Alpha", {{"status", "paused"}});
    now = "2025-08-16T09:00:00.000Z";
    project(a.owner, "Beta");
    json all = ok("project.list", json::object(), a.owner);
    CHECK(all["total"] == 3);
    CHECK(all["items"].size() == 3);
    json paused = ok("project.list", {{"status", "paused"}}, a.owner);
    REQUIRE(paused["total"] == 1);
    CHECK(paused["items"][0]["name"] == "Alpha");
    json by_name = ok("project.list", {{"orderBy", "name"}}, a.owner);
    CHECK(by_name["items"][0]["name"] == "Alpha");
    CHECK(by_name["items"][2]["name"] == "Weekly AI digest");
    json desc = ok("project.list", {{"orderBy", "createdAt"}, {"descending", true}}, a.owner);
    CHECK(desc["items"][0]["name"] == "Beta");
    json page = ok("project.list", {{"orderBy", "name"}, {"limit", 1}, {"offset", 1}}, a.owner);
    CHECK(page["total"] == 3);
    REQUIRE(page["items"].size() == 1);
    CHECK(page["items"][0]["name"] == "Beta");
    json owned = ok("project.list", {{"ownerId", a.member.user}}, a.owner);
    CHECK(owned["total"] == 1);
    CHECK(code("project.list", {{"orderBy", "description"}}, a.owner) == "invalid");
  }
  SECTION("update changes only the patched fields and bumps updatedAt") {
    now = "2025-08-20T10:00:00.000Z";
    json u = ok("project.update",
                {{"id", p["id"]}, {"patch", {{"name", "Renamed"}, {"status", "paused"}}}}, a.owner);
    CHECK(u["name"] == "Renamed");
    CHECK(u["status"] == "paused");
    CHECK(u["description"] == p["description"]);
    CHECK(u["createdAt"] == kNow);
    CHECK(u["updatedAt"] == "2025-08-20T10:00:00.000Z");
    // The status change replanned the (empty) queue: the result says what that did; the stored
    // row has no such field.
    CHECK(u["replan"] == json{{"added", 0}, {"cancelled", 0}, {"kept", 0}});
    json stored = u;
    stored.erase("replan");
    CHECK(ok("project.get", {{"id", p["id"]}}, a.owner) == stored);
  }
  SECTION("cadence is validated on create and update, every issue with a path") {
    json e = fail(
        "project.update",
        {{"id", p["id"]},
         {"patch", {{"cadenceConfig", {{"days", {"mon", "mon", "funday"}}, {"time", "25:00"}}}}}},
        a.owner);
    std::set<std::string> codes;
    for (const auto& i : e["issues"]) {
      CHECK(i["path"][0] == "patch");
      CHECK(i["path"][1] == "cadenceConfig");
      codes.insert(i["code"].get<std::string>());
    }
    CHECK(codes == std::set<std::string>{"duplicate", "invalid_enum", "invalid_time"});
    CHECK(code("project.create", {{"name", "x"}}, a.owner) == "invalid");
    CHECK(code("project.create",
               {{"name", "x"}, {"cadenceConfig", {{"days", json::array()}, {"time", "09:00"}}}},
               a.owner) == "invalid");
  }
  SECTION("owner must be a user of the same organization") {
    CHECK(code("project.create",
               {{"name", "x"}, {"cadenceConfig", cadence()}, {"ownerId", b.owner.user}},
               a.owner) == "not_found");
    CHECK(code("project.update", {{"id", p["id"]}, {"patch", {{"ownerId", b.owner.user}}}},
               a.owner) == "not_found");
    CHECK(code("project.update", {{"id", p["id"]}, {"patch", {{"ownerId", a.admin.user}}}},
               a.owner) == "ok");
  }
}

TEST_CASE_METHOD(World, "project tagline: optional, one line, at most 160 characters") {
  json p = ok("project.create", {{"name", "Digest"}, {"cadenceConfig", cadence()}}, a.owner);
  CHECK(p["tagline"].is_null());
  json u =
      ok("project.update", {{"id", p["id"]}, {"patch", {{"tagline", "Café ☕ weekly"}}}}, a.owner);
  CHECK(u["tagline"] == "Café ☕ weekly");
  CHECK(ok("project.get", {{"id", p["id"]}}, a.owner)["tagline"] == "Café ☕ weekly");
  CHECK(
      ok("project.update", {{"id", p["id"]}, {"patch", {{"tagline", nullptr}}}}, a.owner)["tagline"]
          .is_null());
  const std::string at_max(160, 'x');
  CHECK(code("project.create", {{"name", "T"}, {"tagline", at_max}, {"cadenceConfig", cadence()}},
             a.owner) == "ok");
  json e =
      fail("project.update", {{"id", p["id"]}, {"patch", {{"tagline", at_max + "x"}}}}, a.owner);
  CHECK(e["issues"][0]["code"] == "too_long");
  CHECK(e["issues"][0]["path"] == json::array({"patch", "tagline"}));
  e = fail("project.update", {{"id", p["id"]}, {"patch", {{"tagline", "two\nlines"}}}}, a.owner);
  CHECK(e["issues"][0]["code"] == "invalid_format");
}

TEST_CASE_METHOD(World, "blank names and titles are refused with `blank` and a path") {
  const std::string blanks = " \t\u3000\u00a0\u200b";
  json e = fail("project.create", {{"name", blanks}, {"cadenceConfig", cadence()}}, a.owner);
  REQUIRE(e["issues"].size() == 1);
  CHECK(e["issues"][0]["code"] == "blank");
  CHECK(e["issues"][0]["path"] == json::array({"name"}));
  json p = ok("project.create", {{"name", " Digest "}, {"cadenceConfig", cadence()}}, a.owner);
  CHECK(p["name"] == " Digest ");  // stored as typed, not trimmed
  e = fail("project.update", {{"id", p["id"]}, {"patch", {{"name", "   "}}}}, a.owner);
  CHECK(e["issues"][0]["code"] == "blank");
  CHECK(e["issues"][0]["path"] == json::array({"patch", "name"}));
  CHECK(code("episode.create", {{"projectId", p["id"]}, {"title", "\u2003"}}, a.owner) ==
        "invalid");
  CHECK(code("organization.update", {{"patch", {{"name", " "}}}}, a.owner) == "invalid");
  CHECK(code("project.create", {{"name", ""}, {"cadenceConfig", cadence()}}, a.owner) == "invalid");
}

TEST_CASE_METHOD(World, "plan limit: the free plan allows 3 non-archived projects") {
  const std::string p1 = project(a.owner, "P1");
  project(a.owner, "P2", {{"status", "paused"}});
  const std::string p3 = project(a.owner, "P3");
  const int64_t projects = rows("projects"), audits = rows("audit_log");

  json e = fail("project.create", {{"name", "P4"}, {"cadenceConfig", cadence()}}, a.owner);
  CHECK(e["code"] == "plan_limit");
  CHECK(e["message"].get<std::string>().find('3') != std::string::npos);
  REQUIRE(e["issues"].size() == 1);
  CHECK(e["issues"][0]["params"]["limit"] == 3);
  CHECK(e["issues"][0]["params"]["plan"] == "free");
  CHECK(rows("projects") == projects);
  CHECK(rows("audit_log") == audits);

  SECTION("an archived project may always be created") {
    CHECK(code("project.create",
               {{"name", "Old"}, {"cadenceConfig", cadence()}, {"status", "archived"}},
               a.owner) == "ok");
  }
  SECTION("archiving frees a slot; unarchiving beyond the limit is refused") {
    ok("project.update", {{"id", p1}, {"patch", {{"status", "archived"}}}}, a.owner);
    const std::string p4 = project(a.owner, "P4");
    json e2 = fail("project.update", {{"id", p1}, {"patch", {{"status", "active"}}}}, a.owner);
    CHECK(e2["code"] == "plan_limit");
    CHECK(code("project.update", {{"id", p1}, {"patch", {{"status", "paused"}}}}, a.owner) ==
          "plan_limit");
    CHECK(ok("project.get", {{"id", p1}}, a.owner)["status"] == "archived");
    // An archived project can still be edited while archived.
    CHECK(code("project.update", {{"id", p1}, {"patch", {{"name", "Old P1"}}}}, a.owner) == "ok");
    ok("project.update", {{"id", p4}, {"patch", {{"status", "archived"}}}}, a.owner);
    CHECK(code("project.update", {{"id", p1}, {"patch", {{"status", "active"}}}}, a.owner) == "ok");
  }
  SECTION("deleting frees a slot; restoring beyond the limit is refused") {
    ok("project.delete", {{"id", p3}}, a.owner);
    project(a.owner, "P4");
    json e2 = fail("project.restore", {{"id", p3}}, a.owner);
    CHECK(e2["code"] == "plan_limit");
    CHECK(ok("project.get", {{"id", p3}, {"includeDeleted", true}}, a.owner)["deletedAt"]
              .is_string());
  }
  SECTION("restoring an archived project is always allowed") {
    ok("project.update", {{"id", p3}, {"patch", {{"status", "archived"}}}}, a.owner);
    ok("project.delete", {{"id", p3}}, a.owner);
    project(a.owner, "P4");
    CHECK(code("project.restore", {{"id", p3}}, a.owner) == "ok");
  }
  SECTION("upgrading the plan raises the limit") {
    ok("organization.update", {{"patch", {{"plan", "pro"}}}}, a.owner);
    CHECK(code("project.create", {{"name", "P4"}, {"cadenceConfig", cadence()}}, a.owner) == "ok");
  }
  SECTION("the limit is per organization") {
    for (int i = 0; i < 5; ++i) project(b.owner, "B" + std::to_string(i));
    CHECK(ok("project.list", json::object(), b.owner)["total"] == 5);
  }
}

TEST_CASE_METHOD(World, "project soft delete, restore, purge") {
  const std::string pid = project(a.owner, "Doomed");
  const std::string e1 = episode(a.owner, pid);
  const std::string blk = block(a.owner, e1, "Hello");
  now = "2025-08-16T00:00:00.000Z";
  json d = ok("project.delete", {{"id", pid}}, a.admin);
  CHECK(d["deletedAt"] == "2025-08-16T00:00:00.000Z");
  CHECK(d["deletedBy"] == a.admin.user);

  CHECK(code("project.get", {{"id", pid}}, a.owner) == "not_found");
  CHECK(ok("project.list", json::object(), a.owner)["total"] == 0);
  CHECK(ok("project.list", {{"includeDeleted", true}}, a.owner)["total"] == 1);
  CHECK(ok("project.list", {{"onlyDeleted", true}}, a.owner)["items"][0]["id"] == pid);
  // Its episodes and their blocks are hidden with it.
  CHECK(code("episode.get", {{"id", e1}}, a.owner) == "not_found");
  CHECK(ok("episode.list", json::object(), a.owner)["total"] == 0);
  CHECK(ok("episode.list", {{"projectId", pid}}, a.owner)["total"] == 0);
  CHECK(code("block.get", {{"id", blk}}, a.owner) == "not_found");
  CHECK(ok("block.list", json::object(), a.owner)["total"] == 0);
  CHECK(ok("episode.list", {{"includeDeleted", true}}, a.owner)["total"] == 1);
  // No new children under a deleted parent.
  CHECK(code("episode.create", {{"projectId", pid}, {"title", "x"}}, a.owner) == "not_found");
  // Deleting twice: the row is already hidden.
  CHECK(code("project.delete", {{"id", pid}}, a.owner) == "not_found");

  SECTION("restore undoes") {
    json r = ok("project.restore", {{"id", pid}}, a.owner);
    CHECK(r["deletedAt"].is_null());
    CHECK(r["deletedBy"].is_null());
    CHECK(ok("project.get", {{"id", pid}}, a.owner)["name"] == "Doomed");
    CHECK(ok("episode.get", {{"id", e1}}, a.owner)["id"] == e1);
    CHECK(ok("block.get", {{"id", blk}}, a.owner)["content"] == "Hello");
    // Restoring a live row is a no-op without an audit row.
    const int64_t audits = rows("audit_log");
    ok("project.restore", {{"id", pid}}, a.owner);
    CHECK(rows("audit_log") == audits);
  }
  SECTION("purge removes for good, with its children") {
    json r = ok("project.purge", {{"id", pid}}, a.owner);
    CHECK(r == json{{"id", pid}, {"purged", true}});
    CHECK(code("project.get", {{"id", pid}, {"includeDeleted", true}}, a.owner) == "not_found");
    CHECK(rows("projects", "id = '" + pid + "'") == 0);
    CHECK(rows("episodes") == 0);
    CHECK(rows("blocks") == 0);
    CHECK(code("project.restore", {{"id", pid}}, a.owner) == "not_found");
    CHECK(code("project.purge", {{"id", pid}}, a.owner) == "not_found");
    // The audit trail survives the purge.
    CHECK(rows("audit_log", "entity_id = '" + pid + "'") == 3);
  }
  SECTION("each change wrote exactly one audit row") {
    CHECK(rows("audit_log", "entity_id = '" + pid + "' AND action = 'create'") == 1);
    CHECK(rows("audit_log", "entity_id = '" + pid + "' AND action = 'delete'") == 1);
  }
}

TEST_CASE_METHOD(World, "episode numbering and uniqueness") {
  const std::string pid = project(a.owner);
  const std::string other = project(a.owner, "Other");
  json e1 = ok("episode.create", {{"projectId", pid}, {"title", "One"}}, a.owner);
  json e2 = ok("episode.create", {{"projectId", pid}, {"title", "Two"}}, a.owner);
  json e3 = ok("episode.create", {{"projectId", pid}, {"title", "Three"}}, a.owner);
  CHECK(e1["number"] == 1);
  CHECK(e2["number"] == 2);
  CHECK(e3["number"] == 3);
  CHECK(e1["status"] == "scheduled");
  CHECK(e1["generationAttempts"] == 0);
  CHECK(e1["generationErrors"] == json::array());
  // Numbering is per project.
  CHECK(ok("episode.create", {{"projectId", other}, {"title", "Other one"}}, a.owner)["number"] ==
        1);
  // Explicit numbers; the next automatic one follows the highest.
  CHECK(ok("episode.create", {{"projectId", pid}, {"title", "Ten"}, {"number", 10}},
           a.owner)["number"] == 10);
  CHECK(ok("episode.create", {{"projectId", pid}, {"title", "Next"}}, a.owner)["number"] == 11);

  SECTION("duplicate number is a conflict and leaves nothing behind") {
    const int64_t eps = rows("episodes"), audits = rows("audit_log");
    json err =
        fail("episode.create", {{"projectId", pid}, {"title", "Dup"}, {"number", 2}}, a.owner);
    CHECK(err["code"] == "conflict");
    CHECK(rows("episodes") == eps);
    CHECK(rows("audit_log") == audits);
  }
  SECTION("a deleted episode keeps its number") {
    ok("episode.delete", {{"id", e3["id"]}}, a.owner);
    CHECK(code("episode.create", {{"projectId", pid}, {"title", "Dup"}, {"number", 3}}, a.owner) ==
          "conflict");
    CHECK(ok("episode.list", {{"projectId", pid}}, a.owner)["total"] == 4);
  }
  SECTION("number is immutable, must be >= 1") {
    CHECK(code("episode.update", {{"id", e1["id"]}, {"patch", {{"number", 7}}}}, a.owner) ==
          "invalid");
    CHECK(code("episode.create", {{"projectId", pid}, {"title", "Zero"}, {"number", 0}}, a.owner) ==
          "invalid");
    CHECK(code("episode.create", {{"projectId", pid}, {"title", "Neg"}, {"number", -1}}, a.owner) ==
          "invalid");
  }
  SECTION("status, generation tracking, instants") {
    json u = ok("episode.update",
                {{"id", e1["id"]},
                 {"patch",
                  {{"status", "failed"},
                   {"generationAttempts", 2},
                   {"scheduledFor", "2025-08-18T08:00:00+01:00"},
                   {"generationErrors",
                    {{{"at", "2025-08-18T07:00:00.000Z"},
                      {"code", "timeout"},
                      {"message", "LLM timed out"},
                      {"attempt", 1}}}}}}},
                a.owner);
    CHECK(u["status"] == "failed");
    CHECK(ok("episode.get", {{"id", e1["id"]}}, a.owner)["scheduledFor"] ==
          "2025-08-18T07:00:00.000Z");
    CHECK(code("episode.update", {{"id", e1["id"]}, {"patch", {{"status", "done"}}}}, a.owner) ==
          "invalid");
    CHECK(code("episode.update", {{"id", e1["id"]}, {"patch", {{"generationAttempts", -1}}}},
               a.owner) == "invalid");
    CHECK(code("episode.update",
               {{"id", e1["id"]}, {"patch", {{"generationErrors", {{{"code", "x"}}}}}}},
               a.owner) == "invalid");
    CHECK(ok("episode.list", {{"status", "failed"}}, a.owner)["total"] == 1);
  }
  SECTION("projectId is required and immutable") {
    CHECK(code("episode.create", {{"title", "No project"}}, a.owner) == "invalid");
    CHECK(code("episode.update", {{"id", e1["id"]}, {"patch", {{"projectId", other}}}}, a.owner) ==
          "invalid");
  }
  SECTION("episode soft delete hides its blocks; restore shows them") {
    const std::string blk = block(a.owner, e1["id"], "text");
    ok("episode.delete", {{"id", e1["id"]}}, a.owner);
    CHECK(code("block.get", {{"id", blk}}, a.owner) == "not_found");
    CHECK(ok("episode.list", {{"onlyDeleted", true}}, a.owner)["total"] == 1);
    ok("episode.restore", {{"id", e1["id"]}}, a.owner);
    CHECK(ok("block.get", {{"id", blk}}, a.owner)["content"] == "text");
    ok("episode.purge", {{"id", e1["id"]}}, a.owner);
    CHECK(rows("blocks", "id = '" + blk + "'") == 0);
  }
}

TEST_CASE_METHOD(World, "block operations") {
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  json b0 = ok("block.create", {{"episodeId", eid}, {"content", "# Title\n\nBody 🚀"}}, a.owner);
  CHECK(b0["type"] == "markdown");
  CHECK(b0["position"] == 0);
  CHECK(b0["content"] == "# Title\n\nBody 🚀");
  SECTION("position is unique per episode") {
    CHECK(code("block.create", {{"episodeId", eid}, {"content", "again"}}, a.owner) == "conflict");
    CHECK(code("block.create", {{"episodeId", eid}, {"content", "second"}, {"position", 1}},
               a.owner) == "ok");
  }
  SECTION("type is an enum") {
    CHECK(code("block.create",
               {{"episodeId", eid}, {"content", "x"}, {"position", 2}, {"type", "html"}},
               a.owner) == "invalid");
  }
  SECTION("update, list, delete") {
    CHECK(ok("block.update", {{"id", b0["id"]}, {"patch", {{"content", "new"}}}},
             a.owner)["content"] == "new");
    CHECK(ok("block.list", {{"episodeId", eid}}, a.owner)["total"] == 1);
    CHECK(ok("block.delete", {{"id", b0["id"]}}, a.owner)["purged"] == true);
    CHECK(code("block.get", {{"id", b0["id"]}}, a.owner) == "not_found");
  }
  SECTION("content is bounded") {
    std::string big(1'000'001, 'x');
    json e = fail("block.create", {{"episodeId", eid}, {"content", big}, {"position", 3}}, a.owner);
    CHECK(e["issues"][0]["code"] == "too_long");
  }
  SECTION("a block must point at an existing episode") {
    CHECK(code("block.create", {{"episodeId", kMissingId}, {"content", "x"}, {"position", 4}},
               a.owner) == "not_found");
  }
}
