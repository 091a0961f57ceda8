// Tests for core/schema: declarations and the SQLite DDL derived from them.
#include <catch2/catch.hpp>
#include <set>

#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/db.hpp"

using namespace ec;
using namespace ec::schema;

TEST_CASE("every entity of DOMAIN.md is declared once") {
  const std::vector<std::string> expected = {
      "Organization",         "User",        "Project",         "Episode",
      "EpisodeScheduleQueue", "TokenUsage",  "TokenUsageDaily", "PlanningNote",
      "AgentMemory",          "UserEvent",   "AuditLog",        "Block",
      "ChatSession",          "ChatMessage", "Highlight"};
  for (const auto& name : expected) {
    INFO(name);
    CHECK(find_entity(name) != nullptr);
  }
  std::set<std::string> names, tables;
  for (const auto& e : entities()) {
    CHECK(names.insert(e.name).second);
    CHECK(tables.insert(e.table).second);
  }
}

TEST_CASE("conventions hold for every table") {
  for (const auto& e : entities()) {
    INFO(e.name);
    REQUIRE(e.field("id") != nullptr);
    CHECK(e.field("id")->type == Type::Uuid);
    CHECK(e.field("createdAt") != nullptr);
    CHECK(e.field("updatedAt") != nullptr);
    CHECK((e.field("organizationId") != nullptr) == (e.name != "Organization"));
    CHECK((e.field("deletedAt") != nullptr) == e.soft_delete);
    CHECK((e.field("deletedBy") != nullptr) == e.soft_delete);
    std::set<std::string> cols;
    for (const auto& f : e.fields) {
      INFO(f.name);
      CHECK(cols.insert(f.column).second);
      CHECK(f.column == snake_case(f.name));
      if (!f.references.empty()) CHECK(find_entity(f.references) != nullptr);
      if (f.type == Type::Enum) CHECK_FALSE(f.enum_values.empty());
      // Money is exact: integer micro-pounds, never a float.
      if (f.name.find("Micros") != std::string::npos) CHECK(f.type == Type::Money);
    }
  }
}

TEST_CASE("references point to entities declared earlier (PostgreSQL needs that order)") {
  std::set<std::string> seen;
  for (const auto& e : entities()) {
    for (const auto& f : e.fields)
      if (!f.references.empty()) {
        INFO(e.name << "." << f.name << " -> " << f.references);
        CHECK(seen.count(f.references) == 1);
      }
    seen.insert(e.name);
  }
}

TEST_CASE("snake_case derives SQL names") {
  CHECK(snake_case("organizationId") == "organization_id");
  CHECK(snake_case("dailyCostLimitMicros") == "daily_cost_limit_micros");
  CHECK(snake_case("id") == "id");
}

TEST_CASE("domain rules are declared where DOMAIN.md says") {
  CHECK(find_entity("Organization")->field("plan")->enum_values ==
        std::vector<std::string>{"free", "pro", "team"});
  CHECK(find_entity("Organization")->field("dailyCostLimitMicros")->default_value ==
        json(50'000'000));
  CHECK(find_entity("User")->field("timezone")->default_value == json("UTC"));
  CHECK(find_entity("User")->field("timezone")->rule == Rule::Timezone);
  CHECK(find_entity("Project")->field("cadenceConfig")->rule == Rule::Cadence);
  CHECK(find_entity("Episode")->field("generationAttempts")->default_value == json(0));
  CHECK(find_entity("AuditLog")->append_only);
  CHECK_FALSE(find_entity("TokenUsageDaily")->api_writable);
  CHECK(find_entity("EpisodeScheduleQueue")->field("status")->enum_values.size() == 5);
}

TEST_CASE("the SQLite DDL applies to an empty database and creates every table") {
  store::Db db(":memory:");
  db.exec(sqlite_ddl());
  for (const auto& e : entities()) {
    INFO(e.table);
    CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?",
                       {e.table}) == 1);
  }
  // Idempotent: applying it twice is harmless.
  db.exec(sqlite_ddl());
  CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE type='trigger'", {}) >= 5);
}
