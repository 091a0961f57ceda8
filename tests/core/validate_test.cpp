// Validation derived from the schema: every rule both ways, every problem at once, modes,
// and untrusted JSON parsing (never a crash).
#include <catch2/catch.hpp>
#include <set>

#include "core/api/api.hpp"
#include "core/json/codec.hpp"
#include "core/schema/schema.hpp"
#include "core/validate/validate.hpp"

using namespace ec;
using ec::validate::Mode;

namespace {

const schema::Entity& E(const char* name) {
  return *schema::find_entity(name);
}

constexpr const char* kId = "0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b";
constexpr const char* kId2 = "1c5f8b1f-6c9b-4d2f-8a4b-3e7d9f2a5b8c";
constexpr const char* kTs = "2025-08-15T09:00:00.000Z";

json organization() {
  return {{"id", kId},
          {"name", "Acme"},
          {"slug", "acme"},
          {"plan", "free"},
          {"dailyCostLimitMicros", 50000000},
          {"createdAt", kTs},
          {"updatedAt", kTs}};
}
json user() {
  return {{"id", kId},           {"organizationId", kId2}, {"email", "ada@acme.io"},
          {"name", "Ada"},       {"role", "owner"},        {"timezone", "Europe/London"},
          {"createdAt", kTs},    {"updatedAt", kTs},       {"deletedAt", nullptr},
          {"deletedBy", nullptr}};
}
json project_create() {
  return {{"name", "P"}, {"cadenceConfig", {{"days", {"mon"}}, {"time", "09:00"}}}};
}

json with(json doc, const char* key, const json& value) {
  doc[key] = value;
  return doc;
}

std::vector<Issue> check(const char* entity, const json& doc, Mode mode = Mode::Record) {
  return validate::entity(E(entity), doc, mode);
}

/// Codes of the issues at a given top-level path.
std::set<std::string> codes_at(const std::vector<Issue>& issues, const json& path) {
  std::set<std::string> out;
  for (const auto& i : issues)
    if (i.path == path) out.insert(i.code);
  return out;
}

std::vector<Issue> one_field(const char* entity, const char* field, const json& value,
                             Mode mode = Mode::Patch) {
  return validate::entity(E(entity), json{{field, value}}, mode);
}

bool field_ok(const char* entity, const char* field, const json& value) {
  return one_field(entity, field, value).empty();
}

std::vector<Issue> cadence_issues(const json& c) {
  return validate::entity(E("Project"), json{{"cadenceConfig", c}}, Mode::Patch);
}

}  // namespace

TEST_CASE("valid records pass in record mode") {
  CHECK(check("Organization", organization()).empty());
  CHECK(check("User", user()).empty());
}

TEST_CASE("uuids: lower-case 8-4-4-4-12 hex") {
  for (const char* good :
       {"0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b", "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff"}) {
    INFO(good);
    CHECK(validate::is_uuid(good));
  }
  for (const char* bad :
       {"", "0b4e7a0e5b8a4c1e9f3a2d6c8e1f4a7b", "0B4E7A0E-5B8A-4C1E-9F3A-2D6C8E1F4A7B",
        "0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7", "0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7bb",
        "{0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b}", "0b4e7a0e-5b8a-4c1e-9f3a_2d6c8e1f4a7b",
        "gb4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b", " 0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7"}) {
    INFO(bad);
    CHECK_FALSE(validate::is_uuid(bad));
  }
  auto issues = check("Organization", with(organization(), "id", "not-a-uuid"));
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].code == "invalid_format");
  CHECK(issues[0].path == json::array({"id"}));
  CHECK(issues[0].params["format"] == "uuid");
  CHECK(codes_at(check("Organization", with(organization(), "id", 12)), {"id"}) ==
        std::set<std::string>{"invalid_type"});
}

TEST_CASE("enums") {
  for (const char* p : {"free", "pro", "team"}) CHECK(field_ok("Organization", "plan", p));
  for (const json& p :
       {json("Free"), json("enterprise"), json(""), json(" pro"), json(1), json(nullptr)}) {
    INFO(p.dump());
    CHECK_FALSE(field_ok("Organization", "plan", p));
  }
  auto issues = one_field("Organization", "plan", "gold");
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].code == "invalid_enum");
  CHECK(issues[0].params["allowed"] == json({"free", "pro", "team"}));
  CHECK(issues[0].params["received"] == "gold");
  for (const char* s : {"scheduled", "generating", "ready", "published", "failed", "cancelled"})
    CHECK(field_ok("Episode", "status", s));
  CHECK_FALSE(field_ok("Episode", "status", "draft"));
}

TEST_CASE("e-mail addresses") {
  for (const char* good :
       {"ada@acme.io", "Ada.Lovelace+tag@Example.COM", "a@b.co", "x_y-z@sub.domain.example",
        "o'brien@example.ie", "user@xn--bcher-kva.example"}) {
    INFO(good);
    CHECK(validate::is_email(good));
    CHECK(field_ok("User", "email", good));
  }
  // ASCII only (IDN domains in punycode): both engines then fold case the same way.
  for (const char* bad : {"ünï@bücher.de", "ada@bücher.de",  "ünï@acme.io",  "",
                          "ada",           "@acme.io",       "ada@",         "ada@acme",
                          "ada@@acme.io",  "ada@acme..io",   ".ada@acme.io", "ada.@acme.io",
                          "a..b@acme.io",  "ada@-acme.io",   "ada@acme-.io", "ada @acme.io",
                          "ada@acme .io",  "ada@acme.123",   "ada@acme.io.", "a(b)@acme.io",
                          "ada@ac_me.io",  "\"ada\"@acme.io"}) {
    INFO(bad);
    CHECK_FALSE(validate::is_email(bad));
    CHECK_FALSE(field_ok("User", "email", bad));
  }
  auto issues = one_field("User", "email", "nope");
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].code == "invalid_format");
  CHECK(issues[0].params["format"] == "email");
  // Length: at most 254 (UTF-16 units), local part at most 64 bytes.
  CHECK_FALSE(field_ok("User", "email", std::string(65, 'a') + "@acme.io"));
  std::string long_domain;
  for (int i = 0; i < 5; ++i) long_domain += std::string(60, 'd') + ".";
  long_domain += "io";
  CHECK(codes_at(one_field("User", "email", "a@" + long_domain), {"email"}).count("too_long") == 1);
}

TEST_CASE("IANA time zones: the real list") {
  for (const char* good :
       {"UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
        "America/Argentina/Buenos_Aires", "Pacific/Chatham", "Etc/GMT+5", "Asia/Kathmandu"}) {
    INFO(good);
    CHECK(field_ok("User", "timezone", good));
  }
  for (const char* bad : {"Mars/Base", "Europe/Londn", "London", "GMT+25", "Europe/", "/London", "",
                          " UTC", "Europe/London ", "America/New York", "+01:00"}) {
    INFO(bad);
    auto issues = one_field("User", "timezone", bad);
    REQUIRE_FALSE(issues.empty());
    if (std::string(bad).empty()) continue;
    CHECK(issues[0].code == "invalid_timezone");
    CHECK(issues[0].params["received"] == bad);
  }
}

TEST_CASE("cadence config") {
  CHECK(cadence_issues({{"days", {"mon"}}, {"time", "09:00"}}).empty());
  CHECK(cadence_issues(
            {{"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}, {"time", "00:00"}})
            .empty());
  CHECK(cadence_issues({{"days", {"sun", "mon"}},
                        {"time", "23:59"},
                        {"timezone", "Europe/London"},
                        {"pausedUntil", "2025-09-01"},
                        {"skipDates", {"2024-02-29", "2025-12-25"}}})
            .empty());
  CHECK(cadence_issues({{"days", {"fri"}}, {"time", "07:30"}, {"pausedUntil", nullptr}}).empty());
  CHECK(cadence_issues(
            {{"days", {"fri"}}, {"time", "07:30"}, {"pausedUntil", "2025-09-01T00:00:00Z"}})
            .empty());

  auto one = [](const json& c, const json& rel_path, const char* code) {
    auto issues = cadence_issues(c);
    INFO(c.dump());
    json path = json::array({"cadenceConfig"});
    for (const auto& k : rel_path) path.push_back(k);
    bool found = false;
    for (const auto& i : issues) found = found || (i.path == path && i.code == code);
    CHECK(found);
  };
  SECTION("days") {
    one({{"days", json::array()}, {"time", "09:00"}}, {"days"}, "too_small");
    one({{"days", {"mon", "mon"}}, {"time", "09:00"}}, json::array({"days", 1}), "duplicate");
    one({{"days", {"Mon"}}, {"time", "09:00"}}, json::array({"days", 0}), "invalid_enum");
    one({{"days", {"monday"}}, {"time", "09:00"}}, json::array({"days", 0}), "invalid_enum");
    one({{"days", {"mon", 1}}, {"time", "09:00"}}, json::array({"days", 1}), "invalid_type");
    one({{"days", "mon"}, {"time", "09:00"}}, {"days"}, "invalid_type");
    one({{"time", "09:00"}}, {"days"}, "required");
  }
  SECTION("time") {
    for (const char* bad :
         {"9:00", "24:00", "12:60", "09:00:00", "0900", "09-00", "", "ab:cd", "-1:00", "09:5"})
      one({{"days", {"mon"}}, {"time", bad}}, {"time"}, "invalid_time");
    one({{"days", {"mon"}}, {"time", 900}}, {"time"}, "invalid_type");
    one({{"days", {"mon"}}}, {"time"}, "required");
    for (const char* good : {"00:00", "12:00", "23:59", "07:05"})
      CHECK(cadence_issues({{"days", {"mon"}}, {"time", good}}).empty());
  }
  SECTION("dates") {
    for (const char* bad : {"2025-02-29", "2023-02-29", "1900-02-29", "2025-13-01", "2025-00-10",
                            "2025-04-31", "2025-4-1", "25-04-01", "0000-01-01", "2025/04/01"})
      one({{"days", {"mon"}}, {"time", "09:00"}, {"skipDates", {bad}}},
          json::array({"skipDates", 0}), "invalid_date");
    for (const char* good : {"2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"})
      CHECK(cadence_issues({{"days", {"mon"}}, {"time", "09:00"}, {"skipDates", {good}}}).empty());
    one({{"days", {"mon"}}, {"time", "09:00"}, {"skipDates", {"2025-01-01", "2025-01-01"}}},
        json::array({"skipDates", 1}), "duplicate");
    one({{"days", {"mon"}}, {"time", "09:00"}, {"pausedUntil", "2025-02-30"}}, {"pausedUntil"},
        "invalid_date");
    one({{"days", {"mon"}}, {"time", "09:00"}, {"pausedUntil", "soon"}}, {"pausedUntil"},
        "invalid_date");
    json many = json::array();
    for (int i = 0; i < 400; ++i) many.push_back("2025-01-01");
    one({{"days", {"mon"}}, {"time", "09:00"}, {"skipDates", many}}, {"skipDates"}, "too_big");
  }
  SECTION("timezone and unknown keys") {
    one({{"days", {"mon"}}, {"time", "09:00"}, {"timezone", "Mars/Base"}}, {"timezone"},
        "invalid_timezone");
    one({{"days", {"mon"}}, {"time", "09:00"}, {"timezone", 1}}, {"timezone"}, "invalid_type");
    one({{"days", {"mon"}}, {"time", "09:00"}, {"every", "week"}}, {"every"}, "unknown_field");
  }
  SECTION("every problem at once") {
    auto issues = cadence_issues({{"days", {"mon", "mon", "xyz"}},
                                  {"time", "25:00"},
                                  {"timezone", "Mars/Base"},
                                  {"skipDates", {"2025-02-30"}},
                                  {"extra", true}});
    std::set<std::string> codes;
    for (const auto& i : issues) codes.insert(i.code);
    CHECK(codes == std::set<std::string>{"duplicate", "invalid_enum", "invalid_time",
                                         "invalid_timezone", "invalid_date", "unknown_field"});
    CHECK(issues.size() == 6);
  }
  SECTION("not an object") {
    CHECK_FALSE(cadence_issues(json::array()).empty());
    CHECK_FALSE(cadence_issues("mon 09:00").empty());
  }
}

TEST_CASE("event type names") {
  for (const char* good :
       {"onboarding.completed", "a.b", "billing.plan.upgraded", "step_1.done", "x9.y_z"}) {
    INFO(good);
    CHECK(validate::is_event_type(good));
  }
  for (const char* bad :
       {"", "onboarding", "Onboarding.completed", "onboarding.Completed", "onboarding..completed",
        ".a.b", "a.b.", "on-boarding.done", "1a.b", "a.1b", "a._b", "a b.c", "a.b c", "é.b"}) {
    INFO(bad);
    CHECK_FALSE(validate::is_event_type(bad));
  }
  auto issues = one_field("UserEvent", "eventType", "Bad", Mode::Create);
  CHECK(codes_at(issues, {"eventType"}) == std::set<std::string>{"invalid_format"});
}

TEST_CASE("bounded sizes are counted in Unicode code points, as SQLite and PostgreSQL count") {
  // Organization.name: 1..200.
  CHECK(field_ok("Organization", "name", std::string(200, 'a')));
  CHECK(codes_at(one_field("Organization", "name", std::string(201, 'a')), {"name"}) ==
        std::set<std::string>{"too_long"});
  std::string accents, emoji;
  for (int i = 0; i < 200; ++i) accents += "é";  // 2 UTF-8 bytes, 1 code point
  for (int i = 0; i < 200; ++i) emoji += "🚀";    // 4 UTF-8 bytes, 1 code point (2 UTF-16 units)
  CHECK(field_ok("Organization", "name", accents));
  CHECK(field_ok("Organization", "name", emoji));
  CHECK_FALSE(field_ok("Organization", "name", emoji + "x"));
  auto issues = one_field("Organization", "name", emoji + emoji);
  REQUIRE(issues.size() == 1);
  CHECK(issues[0].params["maximum"] == 200);
  CHECK(issues[0].params["length"] == 400);
  // Minimums.
  CHECK(codes_at(one_field("Organization", "name", ""), {"name"}) ==
        std::set<std::string>{"required"});
  CHECK(codes_at(one_field("Organization", "slug", "a"), {"slug"}).count("too_short") == 1);
  // Single-line strings.
  CHECK(codes_at(one_field("Organization", "name", "a\nb"), {"name"}) ==
        std::set<std::string>{"invalid_format"});
  CHECK(codes_at(one_field("Organization", "name", "a\rb"), {"name"}) ==
        std::set<std::string>{"invalid_format"});
  CHECK(field_ok("Project", "description", "multi\nline\nmarkdown"));
  // JSON fields: byte size.
  json data{{"k", std::string(8000, 'x')}};
  CHECK(
      codes_at(validate::entity(E("UserEvent"), {{"eventData", data}}, Mode::Record), {"eventData"})
          .empty());
  data["k"] = std::string(8200, 'x');
  auto big = validate::entity(E("UserEvent"), {{"eventData", data}}, Mode::Record);
  CHECK(codes_at(big, {"eventData"}) == std::set<std::string>{"too_big"});
}

TEST_CASE("highlight offsets vs quote, in UTF-16 code units") {
  auto hl = [](int64_t s, int64_t e, const std::string& q) {
    return validate::entity(
        E("Highlight"),
        {{"episodeId", kId}, {"blockId", kId2}, {"startOffset", s}, {"endOffset", e}, {"quote", q}},
        Mode::Create);
  };
  CHECK(hl(0, 4, "Café").empty());
  CHECK(hl(10, 12, "🚀").empty());
  CHECK(hl(0, 3, "é🚀").empty());
  CHECK(hl(0, 1, "e\xCC\x81").size() == 1);  // e + combining acute: 2 units
  CHECK(hl(0, 2, "e\xCC\x81").empty());
  CHECK(codes_at(hl(0, 1, "🚀"), {"quote"}) == std::set<std::string>{"invalid_range"});
  CHECK(codes_at(hl(0, 5, "Café"), {"quote"}) == std::set<std::string>{"invalid_range"});
  CHECK(codes_at(hl(4, 4, "x"), {"endOffset"}) == std::set<std::string>{"invalid_range"});
  CHECK(codes_at(hl(5, 2, "xyz"), {"endOffset"}) == std::set<std::string>{"invalid_range"});
  CHECK(codes_at(hl(-1, 2, "abc"), {"startOffset"}) == std::set<std::string>{"too_small"});
  auto issues = hl(0, 1, "🚀");
  CHECK(issues[0].params["length"] == 2);
  CHECK(issues[0].params["range"] == 1);
}

TEST_CASE("tokens and money are non-negative integers") {
  for (const char* f : {"inputTokens", "outputTokens", "costMicros"}) {
    INFO(f);
    CHECK(field_ok("TokenUsage", f, 0));
    CHECK(field_ok("TokenUsage", f, 123456));
    CHECK(codes_at(one_field("TokenUsage", f, -1), {f}) == std::set<std::string>{"too_small"});
    CHECK(codes_at(one_field("TokenUsage", f, 1.5), {f}) == std::set<std::string>{"invalid_type"});
    CHECK(codes_at(one_field("TokenUsage", f, "1"), {f}) == std::set<std::string>{"invalid_type"});
    CHECK(codes_at(one_field("TokenUsage", f, true), {f}) == std::set<std::string>{"invalid_type"});
    CHECK(codes_at(one_field("TokenUsage", f, nullptr), {f}) ==
          std::set<std::string>{"invalid_type"});
    CHECK(codes_at(one_field("TokenUsage", f, json(UINT64_MAX)), {f}) ==
          std::set<std::string>{"too_big"});
  }
  CHECK(field_ok("TokenUsage", "costMicros", 1'000'000'000'000LL));
  CHECK(codes_at(one_field("TokenUsage", "costMicros", 1'000'000'000'001LL), {"costMicros"}) ==
        std::set<std::string>{"too_big"});
  CHECK(codes_at(one_field("TokenUsage", "inputTokens", 100'000'001), {"inputTokens"}) ==
        std::set<std::string>{"too_big"});
  CHECK(codes_at(one_field("Organization", "dailyCostLimitMicros", -50),
                 {"dailyCostLimitMicros"}) == std::set<std::string>{"too_small"});
}

TEST_CASE("numbers beyond the 64-bit range are too big or too small however they are written") {
  // Fuzzing found 2^63 answered too_big but 1e30 invalid_type, and 2^64 (past what the parser
  // keeps as an integer) invalid_type too. The rule, for every integer field of every entity: a
  // number beyond -2^63 .. 2^63-1 is too_big / too_small; within it, a float (1.5, 1e3, 1.0)
  // is not an integer (invalid_type), as PostgreSQL's integer input refuses it.
  struct Case {
    const char* text;
    const char* code;
  };
  const Case cases[] = {
      {"9223372036854775808", "too_big"},
      {"18446744073709551615", "too_big"},
      {"18446744073709551616", "too_big"},
      {"1e30", "too_big"},
      {"1E19", "too_big"},
      {"9.3e18", "too_big"},
      {"1e308", "too_big"},
      {"-9223372036854775809", "too_small"},
      {"-1e30", "too_small"},
      {"-18446744073709551616", "too_small"},
      {"1.5", "invalid_type"},
      {"1e3", "invalid_type"},
      {"1.0", "invalid_type"},
      {"-0.0", "invalid_type"},
  };
  int fields = 0;
  for (const auto& e : schema::entities())
    for (const auto& f : e.fields) {
      if (f.type != schema::Type::Int && f.type != schema::Type::Money) continue;
      ++fields;
      for (const auto& c : cases) {
        INFO(e.name << "." << f.name << " = " << c.text);
        std::vector<Issue> out;
        validate::field(f, codec::parse(c.text), json::array({f.name}), out);
        REQUIRE(out.size() == 1);
        CHECK(out[0].code == c.code);
        CHECK(out[0].path == json::array({f.name}));
      }
    }
  CHECK(fields >= 10);
}

TEST_CASE("unknown fields, nulls and required fields") {
  SECTION("unknown fields") {
    json doc = organization();
    doc["colour"] = "red";
    doc["Name"] = "case matters";
    auto issues = check("Organization", doc);
    CHECK(codes_at(issues, {"colour"}) == std::set<std::string>{"unknown_field"});
    CHECK(codes_at(issues, {"Name"}) == std::set<std::string>{"unknown_field"});
    CHECK(issues.size() == 2);
  }
  SECTION("null where not allowed, allowed where nullable") {
    json doc = user();
    doc["name"] = nullptr;
    doc["deletedAt"] = nullptr;
    auto issues = check("User", doc);
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].path == json::array({"name"}));
    CHECK(issues[0].code == "invalid_type");
    CHECK(issues[0].params["received"] == "null");
    CHECK(field_ok("Episode", "scheduledFor", nullptr));
    CHECK_FALSE(field_ok("Episode", "title", nullptr));
  }
  SECTION("required fields in record mode include system fields") {
    auto issues = check("Organization", json::object());
    std::set<std::string> missing;
    for (const auto& i : issues) {
      CHECK(i.code == "required");
      missing.insert(i.path[0].get<std::string>());
    }
    CHECK(missing == std::set<std::string>{"id", "name", "slug", "createdAt", "updatedAt"});
  }
  SECTION("not an object") {
    for (const json& doc : {json::array(), json(1), json("x"), json(nullptr)}) {
      auto issues = check("Organization", doc);
      REQUIRE(issues.size() == 1);
      CHECK(issues[0].code == "invalid_type");
      CHECK(issues[0].path == json::array());
    }
  }
}

TEST_CASE("every problem is reported at once") {
  json doc = organization();
  doc["id"] = "X";
  doc["name"] = "";
  doc["slug"] = "-bad-";
  doc["plan"] = "gold";
  doc["dailyCostLimitMicros"] = -1;
  doc["createdAt"] = "yesterday";
  doc["extra"] = 1;
  doc.erase("updatedAt");
  auto issues = check("Organization", doc);
  std::set<std::string> paths;
  for (const auto& i : issues) {
    paths.insert(i.path[0].get<std::string>());
    CHECK_FALSE(i.message.empty());
    CHECK(i.params.is_object());
  }
  CHECK(paths == std::set<std::string>{"id", "name", "slug", "plan", "dailyCostLimitMicros",
                                       "createdAt", "extra", "updatedAt"});
  CHECK(issues.size() == 8);
}

TEST_CASE("issue paths are whole under a base: keys and list indexes and nested keys") {
  // The validators build a path only when they report an issue (validate::Path); these are the
  // paths as a caller sees them, in the order reported, each below the base given to entity().
  const json base = json::array({"items", 2});
  using Paths = std::vector<std::string>;
  json doc = organization();
  doc["name"] = "";
  doc[std::string("bad\0key", 7)] = 1;
  doc.erase("updatedAt");
  Paths paths;
  for (const auto& i : validate::entity(E("Organization"), doc, Mode::Record, base))
    paths.push_back(i.path.dump());
  CHECK(paths == Paths{R"(["items",2,"bad\u0000key"])", R"(["items",2,"name"])",
                       R"(["items",2,"updatedAt"])"});

  // Records with other fields missing: only the issues of the code looked for are kept.
  const auto paths_of = [&](const char* entity, const json& record, const char* code) {
    Paths out;
    for (const auto& i : validate::entity(E(entity), record, Mode::Record, base))
      if (i.code == code) out.push_back(i.path.dump());
    return out;
  };
  // Two issues under one list entry: the entry's path is built once and used twice.
  const json memories = json::array({{{"id", kId}, {"content", "c"}, {"createdAt", kTs}},
                                     {{"id", "x"}, {"content", "c"}, {"createdAt", "now"}}});
  CHECK(paths_of("Project", {{"memories", memories}}, "invalid_format") ==
        Paths{R"(["items",2,"memories",1,"id"])", R"(["items",2,"memories",1,"createdAt"])"});
  const json event = {
      {"list", {1, {{"deep", std::string("a\0b", 3)}, {std::string("k\0", 2), 1}}}}};
  CHECK(paths_of("UserEvent", {{"eventData", event}}, "invalid_chars") ==
        Paths{R"(["items",2,"eventData","list",1,"deep"])",
              R"(["items",2,"eventData","list",1,"k\u0000"])"});
  const json cadence = {{"days", {"mon"}}, {"time", "25:00"}};
  CHECK(paths_of("Project", {{"cadenceConfig", cadence}}, "invalid_time") ==
        Paths{R"(["items",2,"cadenceConfig","time"])"});
  // Without a base, paths start at the document's root.
  CHECK(validate::entity(E("Project"), {{"name", ""}}, Mode::Patch).at(0).path ==
        json::array({"name"}));
}

TEST_CASE("record, create and patch modes") {
  SECTION("create refuses system fields and requires input fields without defaults") {
    CHECK(check("Project", project_create(), Mode::Create).empty());
    json doc = project_create();
    doc["id"] = kId;
    doc["createdAt"] = kTs;
    doc["deletedAt"] = nullptr;
    auto issues = check("Project", doc, Mode::Create);
    CHECK(issues.size() == 3);
    for (const auto& i : issues) CHECK(i.code == "read_only");
    issues = check("Project", json::object(), Mode::Create);
    std::set<std::string> missing;
    for (const auto& i : issues) missing.insert(i.path[0].get<std::string>());
    // ownerId defaults to the acting user; description, status, memories have defaults.
    CHECK(missing == std::set<std::string>{"name", "cadenceConfig"});
  }
  SECTION("create allows immutable input fields, patch does not") {
    json ep{{"projectId", kId}, {"title", "T"}, {"number", 3}};
    CHECK(check("Episode", ep, Mode::Create).empty());
    auto issues = check("Episode", {{"number", 4}, {"projectId", kId}}, Mode::Patch);
    REQUIRE(issues.size() == 2);
    for (const auto& i : issues) CHECK(i.code == "read_only");
  }
  SECTION("patch requires nothing and still checks values") {
    CHECK(check("Project", json::object(), Mode::Patch).empty());
    CHECK(check("Project", {{"name", "New"}}, Mode::Patch).empty());
    CHECK(codes_at(check("Project", {{"status", "deleted"}}, Mode::Patch), {"status"}) ==
          std::set<std::string>{"invalid_enum"});
    CHECK(codes_at(check("Project", {{"updatedAt", kTs}}, Mode::Patch), {"updatedAt"}) ==
          std::set<std::string>{"read_only"});
  }
  SECTION("record mode accepts system fields and needs them") {
    json rec = user();
    CHECK(check("User", rec, Mode::Record).empty());
    CHECK_FALSE(check("User", rec, Mode::Create).empty());
    rec.erase("organizationId");
    CHECK(codes_at(check("User", rec, Mode::Record), {"organizationId"}) ==
          std::set<std::string>{"required"});
  }
  SECTION("base path prefixes every issue") {
    auto issues =
        validate::entity(E("Project"), {{"name", ""}}, Mode::Patch, json::array({"patch"}));
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].path == json::array({"patch", "name"}));
  }
}

TEST_CASE("JSON shapes kept inside rows") {
  SECTION("memories") {
    json good = json::array({{{"id", kId}, {"content", "c"}, {"createdAt", kTs}}});
    CHECK(field_ok("Project", "memories", good));
    json dup = json::array({{{"id", kId}, {"content", "a"}, {"createdAt", kTs}},
                            {{"id", kId}, {"content", "b"}, {"createdAt", kTs}}});
    auto issues = one_field("Project", "memories", dup);
    CHECK(codes_at(issues, json::array({"memories", 1, "id"})) ==
          std::set<std::string>{"duplicate"});
    json bad = json::array({{{"id", "x"}, {"content", ""}, {"createdAt", "now"}, {"color", 1}}, 5});
    issues = one_field("Project", "memories", bad);
    CHECK(issues.size() == 5);
    CHECK_FALSE(field_ok("Project", "memories", json::object()));
  }
  SECTION("generation errors") {
    json good = json::array({{{"at", kTs}, {"code", "timeout"}, {"message", "m"}, {"attempt", 1}}});
    CHECK(field_ok("Episode", "generationErrors", good));
    json bad = json::array({{{"at", "x"}, {"code", ""}, {"attempt", 0}}});
    auto issues = one_field("Episode", "generationErrors", bad);
    CHECK(issues.size() == 4);  // at, code, message (missing), attempt
  }
  SECTION("audit changes") {
    CHECK(validate::entity(E("AuditLog"), {{"changes", {{"name", {{"before", 1}, {"after", 2}}}}}},
                           Mode::Record)
              .size() > 0);  // other required fields are missing in this record
    auto issues =
        validate::entity(E("AuditLog"), {{"changes", {{"name", {{"before", 1}}}}}}, Mode::Record);
    CHECK(codes_at(issues, json::array({"changes", "name"})) ==
          std::set<std::string>{"invalid_format"});
  }
}

TEST_CASE("instants and dates inside records") {
  for (const char* good : {"2025-08-15T09:00:00.000Z", "2025-08-15T09:00:00Z",
                           "2025-08-15T10:00:00+01:00", "2024-02-29T00:00:00Z"})
    CHECK(field_ok("Episode", "scheduledFor", good));
  for (const char* bad : {"2025-08-15", "2025-08-15 09:00:00Z", "2025-02-29T00:00:00Z",
                          "2025-08-15T09:00:00", "yesterday", "2025-08-15T25:00:00Z"}) {
    INFO(bad);
    CHECK(codes_at(one_field("Episode", "scheduledFor", bad), {"scheduledFor"}) ==
          std::set<std::string>{"invalid_format"});
  }
  CHECK(codes_at(validate::entity(E("TokenUsageDaily"), {{"date", "2025-02-29"}}, Mode::Record),
                 {"date"}) == std::set<std::string>{"invalid_date"});
  CHECK(codes_at(validate::entity(E("TokenUsageDaily"), {{"date", "2024-02-29"}}, Mode::Record),
                 {"date"})
            .empty());
}

TEST_CASE("codec::parse: malformed, huge or deeply nested JSON is bad_request, never a crash") {
  auto refused = [](std::string_view text, codec::ParseLimits lim = {}) {
    try {
      (void)codec::parse(text, lim);
      return std::string("parsed");
    } catch (const Error& e) {
      CHECK_FALSE(e.message().empty());
      return e.code();
    }
  };
  for (const char* bad :
       {"", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "nul", "01", "1e", "\"unterminated",
        "{\"a\" 1}", "[1 2]", "\"\\x\"", "\"\xff\"", "\"\xc3\"", "NaN", "Infinity", "{} {}",
        // numbers beyond double (nlohmann's out_of_range, not a parse_error): issue 11 item 5
        "1e400", "-1e400", "[1E+309]", "{\"op\":\"meta.version\",\"x\":1e400}"}) {
    INFO(bad);
    CHECK(refused(bad) == "bad_request");
  }
  CHECK(refused("{\"a\":[1,2,{\"b\":null}]}") == "parsed");
  CHECK(refused("  \"x\"  ") == "parsed");
  // Depth: 64 levels is fine, 65 is refused, 1 000 000 is refused quickly.
  CHECK(refused(std::string(64, '[') + std::string(64, ']')) == "parsed");
  CHECK(refused(std::string(65, '[') + std::string(65, ']')) == "bad_request");
  CHECK(refused(std::string(1'000'000, '[')) == "bad_request");
  CHECK(refused(std::string(100'000, '{')) == "bad_request");
  // Brackets inside strings do not count.
  CHECK(refused("[\"" + std::string(1000, '[') + "\"]") == "parsed");
  CHECK(refused("[\"\\\"" + std::string(1000, '[') + "\"]") == "parsed");
  // Size.
  CHECK(refused("\"" + std::string(100, 'x') + "\"", {.max_bytes = 50}) == "bad_request");
  std::string big = "[" + std::string(4 * 1024 * 1024, ' ') + "]";
  CHECK(refused(big) == "bad_request");
  // Error messages name the position.
  try {
    (void)codec::parse("{\"a\": tru}");
    FAIL("parsed");
  } catch (const Error& e) {
    CHECK(e.message().find("malformed JSON") != std::string::npos);
  }
}

TEST_CASE("api::validate_json: the CLI/wasm entry") {
  const std::string org = organization().dump();
  CHECK(api::validate_json("Organization", org) == R"({"ok":true})");
  json r = json::parse(api::validate_json("Organization", R"({"id":"x"})"));
  CHECK(r["ok"] == false);
  REQUIRE(r["issues"].size() >= 4);
  for (const auto& i : r["issues"])
    for (const char* k : {"path", "code", "message", "params"}) CHECK(i.contains(k));
  r = json::parse(api::validate_json("Organization", "{not json"));
  CHECK(r["ok"] == false);
  REQUIRE(r["issues"].size() == 1);
  CHECK(r["issues"][0]["code"] == "invalid_json");
  r = json::parse(api::validate_json("Organization", std::string(10000, '[')));
  CHECK(r["issues"][0]["code"] == "invalid_json");
  r = json::parse(api::validate_json("Spaceship", "{}"));
  CHECK(r["error"]["code"] == "bad_request");
  r = json::parse(api::validate_json("Organization", "{}", "upsert"));
  CHECK(r["error"]["code"] == "bad_request");
  CHECK(api::validate_json("Project", project_create().dump(), "create") == R"({"ok":true})");
  CHECK(api::validate_json("Project", R"({"name":"x"})", "patch") == R"({"ok":true})");
  r = json::parse(api::validate_json("Project", R"({"id":"x"})", "patch"));
  CHECK(r["issues"][0]["code"] == "read_only");
}
