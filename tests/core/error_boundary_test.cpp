// The error boundary (issue 11 item 5): every exception maps to a code in one place
// (ec::to_error), so Core::call / validate_json never throw, bad input is bad_request/invalid
// (never internal), and a busy error says it is retryable.
#include <catch2/catch.hpp>
#include <new>
#include <stdexcept>

#include "core/api/api.hpp"
#include "core/errors.hpp"
#include "tests/support/world.hpp"

using namespace ectest;

namespace {

template <class F>
ec::Error mapped(F&& thrower) {
  try {
    thrower();
  } catch (...) {
    return ec::to_error(std::current_exception());
  }
  FAIL("nothing was thrown");
  return ec::Error("none", "");
}

json parsed(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

}  // namespace

TEST_CASE("to_error maps every exception kind to its code") {
  struct Case {
    const char* what;
    std::function<void()> thrower;
    const char* code;
  };
  const std::vector<Case> cases{
      {"ec::Error passes through", [] { throw ec::Error(ec::code::not_found, "x"); }, "not_found"},
      {"json parse_error", [] { const json j = json::parse("{\"a\":"); }, "bad_request"},
      {"json out_of_range 406 (1e400)", [] { const json j = json::parse("1e400"); }, "bad_request"},
      {"json out_of_range (at)", [] { const json j = json::object().at("missing"); },
       "bad_request"},
      {"json type_error", [] { const std::string x = json(1).get<std::string>(); }, "bad_request"},
      {"json invalid_iterator",
       [] {
         json a = json::array({1});
         json b = json::array({2});
         a.erase(b.begin());
       },
       "bad_request"},
      {"std::length_error", [] { throw std::length_error("vector"); }, "bad_request"},
      {"std::out_of_range",
       [] {
         const char c = std::string("ab").at(5);
         (void)c;
       },
       "bad_request"},
      {"std::invalid_argument",
       [] {
         const int i = std::stoi("abc");
         (void)i;
       },
       "bad_request"},
      {"std::bad_alloc", [] { throw std::bad_alloc(); }, "internal"},
      {"std::runtime_error", [] { throw std::runtime_error("boom"); }, "internal"},
      {"non-standard", [] { throw 42; }, "internal"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const ec::Error e = mapped(c.thrower);
    CHECK(e.code() == c.code);
    CHECK_FALSE(e.message().empty());
    CHECK(e.message().find("[json.exception") == std::string::npos);
  }
  CHECK(ec::to_error(nullptr).code() == "internal");
}

TEST_CASE("error JSON: busy is retryable, params appear when present") {
  const json busy = ec::Error(ec::code::busy, "later").to_json();
  CHECK(busy["retryable"] == true);
  CHECK(busy["code"] == "busy");
  for (const char* c : {"invalid", "bad_request", "not_found", "conflict", "internal", "closed"}) {
    INFO(c);
    CHECK_FALSE(ec::Error(c, "m").to_json().contains("retryable"));
    CHECK_FALSE(ec::Error(c, "m").to_json().contains("params"));
  }
  const json conflict =
      ec::Error(ec::code::conflict, "m", json::array({"email"}), {}, json{{"field", "email"}})
          .to_json();
  CHECK(conflict["params"] == json{{"field", "email"}});
}

TEST_CASE("a number JSON cannot hold is bad_request and the next request still runs") {
  ec::api::Core core(":memory:", {1});
  // The issue's input: `call` printed nothing and exited 3.
  const json first = parsed(core.call(R"({"op":"meta.version","x":1e400})"));
  CHECK(first["ok"] == false);
  CHECK(first["error"]["code"] == "bad_request");
  const json second = parsed(core.call(R"({"op":"meta.version"})"));
  CHECK(second["ok"] == true);
}

TEST_CASE("hostile request texts always get one JSON answer, never internal") {
  ec::api::Core core(":memory:", {1});
  // Generated: each number JSON cannot hold, at each place of a request.
  const std::vector<std::string> numbers{"1e400", "-1e400", "1E+999", "123456789e999"};
  const std::vector<std::string> shapes{
      R"({"op":"meta.version","x":N})",
      R"({"op":N})",
      R"({"op":"project.list","as":{"organizationId":N,"userId":"x"}})",
      R"({"op":"meta.version","now":N})",
      R"({"op":"organization.create","params":{"name":"A","slug":"a","plan":"free","ownerEmail":"a@b.io","ownerName":N}})",
      R"({"op":"schedule.preview","params":{"cadence":{"days":["mon"],"time":"09:00"},"count":N}})",
      R"([N])",
      R"(N)",
  };
  std::vector<std::string> inputs;
  for (const auto& shape : shapes)
    for (const auto& n : numbers) {
      std::string s = shape;
      s.replace(s.find('N'), 1, n);
      inputs.push_back(s);
    }
  // Other malformed text.
  for (const std::string& s : {std::string("{"), std::string(""), std::string("\xff\xfe"),
                               std::string("{\"op\":\"\xc3\"}"), std::string(200, '['),
                               std::string("nul"), std::string("{\"op\":\"meta.version\"} x")})
    inputs.push_back(s);
  for (const auto& in : inputs) {
    INFO(in);
    std::string out;
    REQUIRE_NOTHROW(out = core.call(in));
    CHECK(out.find('\n') == std::string::npos);
    const json r = parsed(out);
    REQUIRE(r["ok"] == false);
    const std::string code = r["error"]["code"];
    CHECK((code == "bad_request" || code == "invalid" || code == "forbidden"));
  }
  CHECK(parsed(core.call(R"({"op":"meta.version"})"))["ok"] == true);
}

TEST_CASE("validate_json: a number JSON cannot hold is an invalid_json issue, not internal") {
  const json r = parsed(ec::api::validate_json("Project", R"({"name":1e400})"));
  CHECK(r["ok"] == false);
  REQUIRE(r.contains("issues"));
  CHECK(r["issues"][0]["code"] == "invalid_json");
  // Bad entity / mode stay request errors.
  CHECK(parsed(ec::api::validate_json("Nope", "{}"))["error"]["code"] == "bad_request");
  CHECK(parsed(ec::api::validate_json("Project", "{}", "x"))["error"]["code"] == "bad_request");
}
