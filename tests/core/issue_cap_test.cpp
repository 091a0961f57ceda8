// The issue cap (docs/adr/0012-bounds-and-value-parity.md, review finding 5): whatever produces
// the issues (unknown operation parameters, entity fields, a patch, nested JSON, a cadence, mock
// counts), an `invalid` answer lists at most kMaxIssues of them and says when more were left
// out, so a hostile request costs one pass over its size, not one issue per key.
#include <catch2/catch.hpp>

#include <string>

#include "core/schema/schema.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

constexpr size_t kCap = ec::schema::kMaxIssues;

// {"k0":0,"k1":0,…} with n keys, as JSON text (the request is built as text: a 3.9 MB request
// is parsed once by the core, as a client's would be).
std::string unknown_keys(size_t n, const char* prefix = "k") {
  std::string s = "{";
  s.reserve(n * 13 + 2);
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ',';
    s += '"';
    s += prefix;
    s += std::to_string(i);
    s += "\":0";
  }
  return s + "}";
}

struct Capped {
  json error;
  size_t bytes = 0;
};

Capped send(World& w, const std::string& request) {
  fix_clock(w.core, w.now);
  const std::string text = w.core.call(request);
  const json r = json::parse(text);
  INFO(text.substr(0, 400));
  REQUIRE(r["ok"] == false);
  return {r["error"], text.size()};
}

void check_capped(const Capped& c, bool more) {
  CHECK(c.error["code"] == "invalid");
  CHECK(c.error["issues"].size() == kCap);
  const std::string msg = c.error["message"];
  CHECK((msg.rfind("more than 100 validation issues", 0) == 0) == more);
  // 100 issues of a few hundred bytes each: the answer stays small whatever the request.
  CHECK(c.bytes < 64 * 1024);
}

}  // namespace

TEST_CASE_METHOD(World, "unknown operation parameters stop at the issue cap", "[issue_cap]") {
  SECTION("1,000 unknown params of meta.version") {
    const Capped c = send(*this, R"({"op":"meta.version","params":)" + unknown_keys(1000) + "}");
    check_capped(c, true);
    CHECK(c.error["issues"][0]["code"] == "unknown_field");
  }
  SECTION("290,000 unknown params (3.9 MB) of meta.version") {
    const std::string req = R"({"op":"meta.version","params":)" + unknown_keys(290'000) + "}";
    REQUIRE(req.size() > 3'000'000);
    REQUIRE(req.size() < 4 * 1024 * 1024);
    check_capped(send(*this, req), true);
  }
  SECTION("exactly 100 unknown params: all listed, nothing left out") {
    const Capped c = send(*this, R"({"op":"meta.version","params":)" + unknown_keys(kCap) + "}");
    CHECK(c.error["issues"].size() == kCap);
    CHECK(c.error["message"] ==
          "100 validation issues; first: unknown parameter 'k0' for "
          "meta.version");
  }
  SECTION("101 unknown params: 100 listed, the message says more were left out") {
    check_capped(send(*this, R"({"op":"meta.version","params":)" + unknown_keys(kCap + 1) + "}"),
                 true);
  }
}

TEST_CASE_METHOD(World, "entity fields, patches and nested values stop at the issue cap",
                 "[issue_cap]") {
  const std::string as = a.owner.as().dump();
  const std::string pid = project(a.owner);
  const std::string eid = episode(a.owner, pid);
  SECTION("290,000 unknown fields of a create (params are the entity)") {
    check_capped(send(*this, R"({"op":"project.create","as":)" + as + R"(,"params":)" +
                                 unknown_keys(290'000) + "}"),
                 true);
  }
  SECTION("290,000 unknown fields of an update's patch") {
    check_capped(send(*this, R"({"op":"episode.update","as":)" + as + R"(,"params":{"id":")" + eid +
                                 R"(","patch":)" + unknown_keys(290'000) + "}}"),
                 true);
  }
  SECTION("unknown params besides a patch, and unknown patch fields, together") {
    check_capped(send(*this, R"({"op":"episode.update","as":)" + as + R"(,"params":{"id":")" + eid +
                                 R"(","patch":)" + unknown_keys(80, "p") + "," +
                                 unknown_keys(80).substr(1) + "}"),
                 true);
  }
  SECTION("declared params with issues plus 1,000 unknown entity fields") {
    std::string params = unknown_keys(1000);
    params.insert(1, R"("projectId":"not-a-uuid","title":"",)");
    check_capped(
        send(*this, R"({"op":"episode.create","as":)" + as + R"(,"params":)" + params + "}"), true);
  }
  SECTION("U+0000 in 1,000 entries of a list inside eventData") {
    // eventData's entry cap (100 keys) answers first with one issue; a nested list is walked.
    json list = json::array();
    for (int i = 0; i < 1000; ++i) list.push_back(std::string("a\0b", 3));
    const json e =
        fail("userEvent.create", {{"eventType", "a.b"}, {"eventData", {{"list", list}}}}, a.owner);
    CHECK(e["issues"].size() == kCap);
    CHECK(e["message"].get<std::string>().rfind("more than 100", 0) == 0);
  }
  SECTION("a cadence with 366 invalid skip dates") {
    json dates = json::array();
    for (int i = 0; i < 366; ++i) dates.push_back("2025-02-" + std::to_string(30 + i));
    const json e =
        fail("schedule.preview",
             {{"cadence", {{"days", {"mon"}}, {"time", "09:00"}, {"skipDates", dates}}}}, a.owner);
    CHECK(e["issues"].size() == kCap);
    CHECK(e["message"].get<std::string>().rfind("more than 100", 0) == 0);
  }
  SECTION("the validate entry lists at most 100 issues") {
    const std::string out = ec::api::validate_json("Project", unknown_keys(1000), "create");
    CHECK(json::parse(out)["issues"].size() == kCap);
  }
}
