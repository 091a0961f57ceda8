// Authorization (core/schema/authz.hpp, docs/adr/0010-authorization.md): the role matrix of
// every operation and principal, generated from the declaration and checked against an
// independent expectation table; the role rules of users and organizations; the system
// principal; request-level `now`. Each failing input quoted in issue 11 has its right value.
#include <catch2/catch.hpp>
#include <map>

#include "core/api/entity_ops.hpp"
#include "core/api/registry.hpp"
#include "core/schema/authz.hpp"
#include "tests/support/world.hpp"

using namespace ectest;
namespace authz = ec::schema::authz;
using authz::Level;

namespace {

enum class P { None, Member, Admin, Owner, System, Removed };
const char* pname(P p) {
  switch (p) {
    case P::None:
      return "nobody";
    case P::Member:
      return "member";
    case P::Admin:
      return "admin";
    case P::Owner:
      return "owner";
    case P::System:
      return "system";
    case P::Removed:
      return "soft-deleted user";
  }
  return "?";
}

// What the declaration says, restated by hand (not by calling the dispatcher's code).
bool declared_allowed(const ec::api::Operation& op, P p) {
  const Level l = op.access.level;
  if (l == Level::Public) return p != P::Removed;  // an `as` that is given must be valid
  switch (p) {
    case P::None:
    case P::Removed:
      return false;
    case P::System:
      return l == Level::System || op.access.system_too || (l == Level::Member && !op.writes);
    case P::Member:
      return l == Level::Member;
    case P::Admin:
      return l == Level::Member || l == Level::Admin;
    case P::Owner:
      return l != Level::System;
  }
  return false;
}

// An expectation table written independently of the declaration: the level every listed
// operation must have (DOMAIN.md "Who may do what", PLAN: principals and access levels).
const std::map<std::string, std::pair<Level, bool>>& expected_levels() {
  static const std::map<std::string, std::pair<Level, bool>> m = {
      // public
      {"meta.version", {Level::Public, false}},
      {"meta.operations", {Level::Public, false}},
      {"tz.list", {Level::Public, false}},
      {"schedule.preview", {Level::Public, false}},
      {"organization.create", {Level::Public, false}},
      // the system (demo ones flagged)
      {"clock.get", {Level::System, true}},
      {"clock.set", {Level::System, true}},
      {"clock.advance", {Level::System, true}},
      {"demo.actors", {Level::System, true}},
      {"mock.seed", {Level::System, true}},
      {"queue.plan", {Level::System, false}},
      {"queue.claim", {Level::System, false}},
      {"queue.complete", {Level::System, false}},
      {"queue.fail", {Level::System, false}},
      {"queue.extend", {Level::System, false}},
      {"budget.reserve", {Level::System, false}},
      {"budget.settle", {Level::System, false}},
      {"budget.release", {Level::System, false}},
      // by hand in the dashboard: admins (and the system)
      {"queue.retry", {Level::Admin, false}},
      {"queue.cancel", {Level::Admin, false}},
      // users and the organization
      {"user.create", {Level::Admin, false}},
      {"user.update", {Level::Member, false}},
      {"user.delete", {Level::Admin, false}},
      {"user.restore", {Level::Admin, false}},
      {"user.purge", {Level::Admin, false}},
      {"organization.update", {Level::Admin, false}},
      {"organization.get", {Level::Member, false}},
      // reads and everyday work
      {"tokenUsage.list", {Level::Member, false}},
      {"usageDaily.list", {Level::Member, false}},
      {"auditLog.list", {Level::Member, false}},
      {"budget.status", {Level::Member, false}},
      {"usage.daily", {Level::Member, false}},
      {"project.create", {Level::Member, false}},
      {"project.update", {Level::Member, false}},
      {"project.delete", {Level::Member, false}},
      {"episode.create", {Level::Member, false}},
      {"planningNote.create", {Level::Member, false}},
      {"agentMemory.create", {Level::Member, false}},
      {"chatSession.create", {Level::Member, false}},
      {"chatMessage.create", {Level::Member, false}},
      {"highlight.create", {Level::Member, false}},
      {"userEvent.create", {Level::Member, false}},
  };
  return m;
}

}  // namespace

TEST_CASE("the independent expectation table agrees with the declaration", "[authz]") {
  for (const auto& [name, want] : expected_levels()) {
    INFO(name);
    const ec::api::Operation* op = ec::api::find_operation(name);
    REQUIRE(op != nullptr);
    CHECK(authz::level_name(op->access.level) == std::string(authz::level_name(want.first)));
    CHECK(op->access.demo == want.second);
  }
  CHECK(ec::api::find_operation("queue.retry")->access.system_too);
  CHECK(ec::api::find_operation("queue.cancel")->access.system_too);
  // System-written rows have no user write operations at all.
  for (const char* gone : {"tokenUsage.create", "tokenUsage.update", "tokenUsage.delete",
                           "tokenUsage.purge", "queue.create", "queue.update", "queue.delete",
                           "usageDaily.create", "budgetReservation.create", "auditLog.create",
                           "auditLog.delete", "budgetReservation.delete", "usageDaily.delete"})
    CHECK(ec::api::find_operation(gone) == nullptr);
  // Every operation declares a level; only the demo's need the offline build.
  for (const auto& op : ec::api::operations()) {
    INFO(op.name);
    if (op.access.demo) CHECK(op.access.level == Level::System);
    if (op.access.level == Level::System) CHECK_FALSE(op.access.system_too);
  }
}

TEST_CASE_METHOD(World, "role matrix: every operation x every principal", "[authz]") {
  // A soft-deleted member of A (cannot act any more).
  const Who removed{
      a.id, ok("user.create", {{"email", "gone@acme.example"}, {"name", "Gone"}}, a.owner)["id"]};
  ok("user.delete", {{"id", removed.user}}, a.owner);
  int checked = 0, allowed = 0;
  for (const auto& op : ec::api::operations()) {
    for (P p : {P::None, P::Member, P::Admin, P::Owner, P::System, P::Removed}) {
      json req{{"op", op.name}, {"params", json::object()}};
      if (p == P::Member) req["as"] = a.member.as();
      if (p == P::Admin) req["as"] = a.admin.as();
      if (p == P::Owner) req["as"] = a.owner.as();
      if (p == P::System) req["as"] = a.system.as();
      if (p == P::Removed) req["as"] = removed.as();
      // Params are empty: an allowed call fails validation (or runs harmlessly), a refused one
      // is refused before its params are looked at.
      if (op.name == "mock.seed" || op.name == "clock.set") req["params"] = {{"seed", -1}};
      fix_clock(core, now);
      const json r = core.call_json(req);
      const std::string code = r.value("ok", false) ? "ok" : r["error"]["code"].get<std::string>();
      const bool refused =
          code == "forbidden" || (code == "bad_request" && r["error"]["path"] == json{"as"});
      INFO(op.name << " as " << pname(p) << " -> " << r.dump().substr(0, 400));
      CHECK(refused == !declared_allowed(op, p));
      if (refused && p != P::None) CHECK(code == "forbidden");
      ++checked;
      allowed += refused ? 0 : 1;
    }
  }
  CHECK(checked == static_cast<int>(ec::api::operations().size()) * 6);
  CHECK(allowed > 0);
  CHECK(allowed < checked);
}

// ---------------------------------------------------------------------------------------------
// Issue 11, items 2 and 3: each quoted input with its right value.
// ---------------------------------------------------------------------------------------------

TEST_CASE_METHOD(World, "issue 11: a member cannot make themselves owner, then change the limit",
                 "[authz]") {
  json e = fail("user.update", {{"id", a.member.user}, {"patch", {{"role", "owner"}}}}, a.member);
  CHECK(e["code"] == "forbidden");
  CHECK(e["path"] == json{"patch", "role"});
  CHECK(ok("user.get", {{"id", a.member.user}}, a.member)["role"] == "member");
  e = fail("organization.update", {{"patch", {{"dailyCostLimitMicros", 999'000'000}}}}, a.member);
  CHECK(e["code"] == "forbidden");
  CHECK(ok("organization.get", json::object(), a.member)["dailyCostLimitMicros"] == 50'000'000);
  // Nor admin, nor a role the member already has with another field.
  CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"role", "admin"}}}}, a.member) ==
        "forbidden");
  CHECK(code("user.update",
             {{"id", a.member.user}, {"patch", {{"role", "member"}, {"name", "Mem"}}}},
             a.member) == "ok");
}

TEST_CASE_METHOD(World, "issue 11: a member cannot create admins nor delete the owner", "[authz]") {
  const int64_t users = rows("users");
  json e = fail("user.create", {{"email", "x@acme.example"}, {"name", "X"}, {"role", "admin"}},
                a.member);
  CHECK(e["code"] == "forbidden");
  CHECK(code("user.create", {{"email", "y@acme.example"}, {"name", "Y"}}, a.member) == "forbidden");
  e = fail("user.delete", {{"id", a.owner.user}}, a.member);
  CHECK(e["code"] == "forbidden");
  CHECK(code("user.purge", {{"id", a.owner.user}}, a.member) == "forbidden");
  CHECK(rows("users") == users);
  CHECK(rows("users", "deleted_at IS NOT NULL") == 0);
}

TEST_CASE_METHOD(World, "issue 11: members cannot delete usage, pick the time or move the clock",
                 "[authz]") {
  // Usage rows exist only through the system (budget.settle); no user operation removes them.
  const std::string pid = project(a.member);
  const std::string rid = ok("budget.reserve", {{"estimateMicros", 1'000}}, a.system)["id"];
  const json settled = ok("budget.settle",
                          {{"reservationId", rid},
                           {"usage",
                            {{"projectId", pid},
                             {"model", "m"},
                             {"inputTokens", 1},
                             {"outputTokens", 1},
                             {"costMicros", 900}}}},
                          a.system);
  const std::string uid = settled["usage"]["id"];
  // The operations do not exist; calling them is refused as PostgreSQL's RLS refuses the write
  // (forbidden, path ["op"]), for every entity and generic write the declaration gives the
  // system only, and for every principal (the system writes those rows through its own ops).
  int refused = 0;
  for (const auto& ent : ec::schema::entities()) {
    const auto acc = ec::schema::authz::entity_access(ent.name);
    const std::pair<const char*, Level> writes[] = {{"create", acc.create},
                                                    {"update", acc.update},
                                                    {"delete", acc.remove},
                                                    {"restore", acc.remove},
                                                    {"purge", acc.remove}};
    for (const auto& [action, level] : writes) {
      const std::string op = ec::api::op_prefix(ent) + "." + action;
      if (level != Level::System || ec::api::find_operation(op)) continue;
      for (const Who& w : {a.member, a.admin, a.owner, a.system}) {
        INFO(op);
        json e = fail(op, {{"id", uid}}, w);
        CHECK(e["code"] == "forbidden");
        CHECK(e["path"] == json{"op"});
        ++refused;
      }
    }
  }
  CHECK(refused >= 4 * 5 * 4);  // TokenUsage, TokenUsageDaily, BudgetReservation, AuditLog, queue
  CHECK(fail("tokenUsage.explode", {{"id", uid}}, a.owner)["code"] == "bad_request");
  CHECK(ok("budget.status", json::object(), a.member)["spentMicros"] == 900);
  // A request-level now from a user is refused, whatever the operation.
  for (const Who& w : {a.member, a.owner}) {
    json r = core.call_json(
        {{"op", "budget.status"}, {"as", w.as()}, {"now", "2025-08-16T09:00:00.000Z"}});
    CHECK(r["error"]["code"] == "forbidden");
    CHECK(r["error"]["path"] == json{"now"});
  }
  json r = core.call_json({{"op", "tz.list"}, {"now", "2025-08-16T09:00:00.000Z"}});
  CHECK(r["error"]["code"] == "forbidden");
  CHECK(r["error"]["path"] == json{"now"});
  // The system may (the worker's and the demo's clock).
  r = core.call_json(
      {{"op", "budget.status"}, {"as", a.system.as()}, {"now", "2025-08-16T09:00:00.000Z"}});
  REQUIRE(r["ok"] == true);
  CHECK(r["result"]["date"] == "2025-08-16");
  // The clock: no `as` is a bad request, a user of any role is refused.
  for (const char* op : {"clock.get", "clock.set", "clock.advance"}) {
    json params = std::string(op) == "clock.advance" ? json{{"seconds", 86'400}}
                                                     : json{{"now", "2030-01-01T00:00:00Z"}};
    json noas = core.call_json({{"op", op}, {"params", params}});
    CHECK(noas["error"]["code"] == "bad_request");
    CHECK(noas["error"]["path"] == json{"as"});
    for (const Who& w : {a.member, a.admin, a.owner}) {
      json e = fail(op, params, w);
      CHECK(e["code"] == "forbidden");
    }
  }
  CHECK(core.store()->now() == *ec::parse_instant(now));
  r = core.call_json(
      {{"op", "clock.advance"}, {"as", {{"system", true}}}, {"params", {{"seconds", 60}}}});
  CHECK(r["result"]["now"] == "2025-08-15T09:01:00.000Z");
}

// ---------------------------------------------------------------------------------------------
// The role rules of users and organizations.
// ---------------------------------------------------------------------------------------------

TEST_CASE_METHOD(World, "users: who may create, change and remove whom", "[authz]") {
  SECTION("members edit only their own name and timezone") {
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"name", "M"}}}}, a.member) ==
          "ok");
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"timezone", "Europe/London"}}}},
               a.member) == "ok");
    json e = fail("user.update", {{"id", a.member.user}, {"patch", {{"email", "me@acme.example"}}}},
                  a.member);
    CHECK(e["code"] == "forbidden");
    CHECK(e["path"] == json{"patch", "email"});
    CHECK(code("user.update", {{"id", a.admin.user}, {"patch", {{"name", "A"}}}}, a.member) ==
          "forbidden");
    CHECK(code("user.update", {{"id", a.owner.user}, {"patch", {{"name", "O"}}}}, a.member) ==
          "forbidden");
  }
  SECTION("admins manage non-owners, never owners nor the owner role") {
    CHECK(code("user.create", {{"email", "n1@acme.example"}, {"name", "N"}, {"role", "admin"}},
               a.admin) == "ok");
    CHECK(code("user.create", {{"email", "n2@acme.example"}, {"name", "N"}}, a.admin) == "ok");
    CHECK(code("user.create", {{"email", "n3@acme.example"}, {"name", "N"}, {"role", "owner"}},
               a.admin) == "forbidden");
    CHECK(code("user.update", {{"id", a.member.user}, {"patch", {{"role", "admin"}}}}, a.admin) ==
          "ok");
    json e = fail("user.update", {{"id", a.member.user}, {"patch", {{"role", "owner"}}}}, a.admin);
    CHECK(e["code"] == "forbidden");
    CHECK(e["path"] == json{"patch", "role"});
    CHECK(code("user.update", {{"id", a.owner.user}, {"patch", {{"name", "X"}}}}, a.admin) ==
          "forbidden");
    CHECK(code("user.update", {{"id", a.admin.user}, {"patch", {{"role", "owner"}}}}, a.admin) ==
          "forbidden");
    CHECK(code("user.delete", {{"id", a.owner.user}}, a.admin) == "forbidden");
    CHECK(code("user.purge", {{"id", a.owner.user}}, a.admin) == "forbidden");
    CHECK(code("user.delete", {{"id", a.member.user}}, a.admin) == "ok");
    CHECK(code("user.restore", {{"id", a.member.user}}, a.admin) == "ok");
  }
  SECTION("owners do everything, but an organization keeps one owner") {
    CHECK(code("user.update", {{"id", a.admin.user}, {"patch", {{"role", "owner"}}}}, a.owner) ==
          "ok");
    // Two owners now: one may step down, then the last one may not.
    CHECK(code("user.update", {{"id", a.owner.user}, {"patch", {{"role", "member"}}}}, a.owner) ==
          "ok");
    const Who& last = a.admin;  // now the only owner
    json e = fail("user.update", {{"id", last.user}, {"patch", {{"role", "admin"}}}}, last);
    CHECK(e["code"] == "forbidden");
    CHECK(e["path"] == json{"patch", "role"});
    CHECK(code("user.delete", {{"id", last.user}}, last) == "forbidden");
    CHECK(code("user.purge", {{"id", last.user}}, last) == "forbidden");
    CHECK(rows("users",
               "role = 'owner' AND deleted_at IS NULL AND organization_id = '" + a.id + "'") == 1);
    CHECK(code("user.create", {{"email", "o2@acme.example"}, {"name", "O"}, {"role", "owner"}},
               last) == "ok");
    CHECK(code("user.delete", {{"id", last.user}}, last) == "ok");
  }
  SECTION("a soft-deleted user cannot act") {
    ok("user.delete", {{"id", a.member.user}}, a.owner);
    json e = fail("project.list", json::object(), a.member);
    CHECK(e["code"] == "forbidden");
    CHECK(e["path"] == json{"as"});
    ok("user.restore", {{"id", a.member.user}}, a.owner);
    CHECK(code("project.list", json::object(), a.member) == "ok");
  }
}

TEST_CASE_METHOD(World, "organization: the plan is the owner's, the limit the admins'", "[authz]") {
  CHECK(code("organization.update", {{"patch", {{"dailyCostLimitMicros", 1}}}}, a.admin) == "ok");
  CHECK(code("organization.update", {{"patch", {{"name", "Acme 2"}}}}, a.admin) == "ok");
  json e = fail("organization.update", {{"patch", {{"plan", "team"}}}}, a.admin);
  CHECK(e["code"] == "forbidden");
  CHECK(e["path"] == json{"patch", "plan"});
  CHECK(code("organization.update", {{"patch", {{"plan", "team"}}}}, a.owner) == "ok");
  CHECK(code("organization.update", {{"patch", {{"name", "X"}}}}, a.member) == "forbidden");
}

TEST_CASE_METHOD(World, "user events: members record and remove events about themselves only",
                 "[authz]") {
  const json mine{{"eventType", "onboarding.completed"}};
  CHECK(code("userEvent.create", mine, a.member) == "ok");  // userId defaults to the actor
  json theirs = mine;
  theirs["userId"] = a.admin.user;
  CHECK(code("userEvent.create", theirs, a.member) == "forbidden");
  CHECK(code("userEvent.create", theirs, a.admin) != "forbidden");  // admins: any member
  theirs["userId"] = a.member.user;
  const std::string admins_id = ok("userEvent.create", theirs, a.admin)["id"];
  const std::string owners_id = ok("userEvent.create", {{"eventType", "tour.done"}}, a.owner)["id"];
  CHECK(code("userEvent.delete", {{"id", owners_id}}, a.member) == "forbidden");
  CHECK(code("userEvent.delete", {{"id", admins_id}}, a.member) == "ok");  // about the member
}

TEST_CASE_METHOD(World, "the system principal", "[authz]") {
  SECTION("runs worker operations; its audit rows have no actor") {
    const json r = ok("budget.reserve", {{"estimateMicros", 5}}, a.system);
    const json log = ok("auditLog.list", {{"limit", 1000}}, a.owner)["items"];
    bool found = false;
    for (const auto& row : log)
      if (row["entityId"] == r["id"]) {
        found = true;
        CHECK(row["actorId"].is_null());
      }
    CHECK(found);
  }
  SECTION("users cannot run worker operations") {
    for (const Who& w : {a.member, a.admin, a.owner})
      CHECK(code("budget.reserve", {{"estimateMicros", 5}}, w) == "forbidden");
    CHECK(code("queue.claim", {{"workerId", "w"}}, a.owner) == "forbidden");
  }
  SECTION("queue.retry / queue.cancel: admins and the system") {
    CHECK(code("queue.cancel", {{"id", kMissingId}}, a.member) == "forbidden");
    CHECK(code("queue.cancel", {{"id", kMissingId}}, a.admin) == "not_found");
    CHECK(code("queue.retry", {{"id", kMissingId}}, a.system) == "not_found");
  }
  SECTION("is no user: user writes are refused, reads allowed") {
    CHECK(code("project.create", {{"name", "P"}, {"cadenceConfig", cadence()}}, a.system) ==
          "forbidden");
    CHECK(code("project.list", json::object(), a.system) == "ok");
  }
  SECTION("needs a real organization for tenant operations") {
    CHECK(code("budget.status", json::object(), Who{kMissingId, "", true}) == "forbidden");
    json r = core.call_json(
        {{"op", "queue.claim"}, {"as", {{"system", true}}}, {"params", {{"workerId", "w"}}}});
    CHECK(r["error"]["code"] == "bad_request");
    r = core.call_json({{"op", "queue.claim"},
                        {"as", {{"system", "yes"}, {"organizationId", a.id}}},
                        {"params", {{"workerId", "w"}}}});
    CHECK(r["error"]["code"] == "bad_request");
    r = core.call_json(
        {{"op", "queue.claim"},
         {"as", {{"system", true}, {"organizationId", a.id}, {"userId", a.owner.user}}},
         {"params", {{"workerId", "w"}}}});
    CHECK(r["error"]["code"] == "bad_request");
  }
  SECTION("acts only in its organization") {
    const std::string pb = project(b.owner);
    CHECK(code("project.get", {{"id", pb}}, a.system) == "not_found");
  }
}

TEST_CASE("the declaration's rule checker", "[authz]") {
  const json owner{{"id", "o"}, {"role", "owner"}, {"name", "O"}};
  const json member{{"id", "m"}, {"role", "member"}, {"name", "M"}};
  json renamed = member;
  renamed["name"] = "N";
  json promoted = member;
  promoted["role"] = "owner";
  CHECK(authz::check_row("User", authz::Action::Update, "member", "m", member, renamed).allowed);
  CHECK_FALSE(
      authz::check_row("User", authz::Action::Update, "member", "x", member, renamed).allowed);
  const auto d = authz::check_row("User", authz::Action::Update, "admin", "a", member, promoted);
  CHECK_FALSE(d.allowed);
  CHECK(d.field == "role");
  CHECK(authz::check_row("User", authz::Action::Update, "owner", "o", member, promoted).allowed);
  CHECK_FALSE(
      authz::check_row("User", authz::Action::Remove, "admin", "a", owner, nullptr).allowed);
  CHECK(authz::check_row("User", authz::Action::Remove, "admin", "a", member, nullptr).allowed);
  CHECK_FALSE(
      authz::check_row("User", authz::Action::Remove, "bogus", "a", member, nullptr).allowed);
  // Entities without row rules only need their operation's level.
  CHECK(authz::check_row("Project", authz::Action::Update, "member", "m", json::object(),
                         json{{"name", "x"}})
            .allowed);
  CHECK(authz::markdown().find("| User | update | `name`, `timezone` | member | own row |") !=
        std::string::npos);
}
