// The declared format patterns (schema::format_pattern, checked by the PostgreSQL fields
// trigger) accept exactly what the core's validators accept: one rule, two engines
// (docs/INVARIANTS.md I4). Generated strings of the alphabet that matters, plus hand cases.
#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <vector>

#include "core/schema/formats.hpp"
#include "core/schema/schema.hpp"
#include "core/tz/tz.hpp"
#include "core/validate/validate.hpp"

namespace {

using ec::schema::Rule;

bool by_pattern(Rule r, const std::string& s) {
  static const std::regex slug(ec::schema::format_pattern(Rule::Slug));
  static const std::regex event(ec::schema::format_pattern(Rule::EventType));
  static const std::regex email(ec::schema::format_pattern(Rule::Email));
  return std::regex_search(s, r == Rule::Slug ? slug : r == Rule::EventType ? event : email);
}

// Every string up to `len` characters over `alphabet` (small alphabets: exhaustive).
void all_strings(const std::string& alphabet, size_t len, std::vector<std::string>& out) {
  std::vector<std::string> level = {""};
  for (size_t l = 0; l < len; ++l) {
    std::vector<std::string> next;
    for (const auto& s : level)
      for (char c : alphabet) next.push_back(s + c);
    out.insert(out.end(), next.begin(), next.end());
    level = std::move(next);
  }
}

}  // namespace

TEST_CASE("slug and event type patterns accept what the validators accept", "[format_pattern]") {
  std::vector<std::string> cases;
  all_strings("a0-A._ ", 5, cases);
  for (const auto& s : cases) {
    INFO(s);
    CHECK(by_pattern(Rule::Slug, s) == ec::validate::is_slug(s));
    CHECK(by_pattern(Rule::EventType, s) == ec::validate::is_event_type(s));
  }
}

TEST_CASE("the e-mail pattern accepts what the validator accepts", "[format_pattern]") {
  std::vector<std::string> cases;
  all_strings("a.@-1", 7, cases);
  for (const std::string s :
       {"owner@a.example", "not-an-email",  "a@b.c",
        "a@b.1",           "a@1.b",         "a..b@c.de",
        ".a@c.de",         "a.@c.de",       "a@-b.de",
        "a@b-.de",         "a(b)@c.de",     "a\"b@c.de",
        "a b@c.de",        "a;b@c.de",      "a[b]@c.de",
        "a\\b@c.de",       "o'neil+x@c.de", "a@b..de",
        "a@@b.de",         "a@b.de.",       "{x}|~^`!#$%&*=?/@ex-ample.co.uk"})
    cases.push_back(s);
  cases.push_back(std::string(64, 'a') + "@b.de");
  cases.push_back(std::string(65, 'a') + "@b.de");
  cases.push_back("a@" + std::string(63, 'b') + ".de");
  cases.push_back("a@" + std::string(64, 'b') + ".de");
  for (const auto& s : cases) {
    INFO(s);
    CHECK(by_pattern(Rule::Email, s) == ec::validate::is_email(s));
  }
}

TEST_CASE("Factory is not a time zone", "[format_pattern]") {
  CHECK(ec::tz::find("Factory") == nullptr);
  for (const auto n : ec::tz::all_names()) CHECK(n != "Factory");
  CHECK(ec::tz::find("Europe/London") != nullptr);
}
