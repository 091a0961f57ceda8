#pragma once
// Domain formats declared as data, for the engines that cannot run the core's validators.
#include "core/schema/schema.hpp"

namespace ec::schema {

/// The text formats of Rule::Slug, Rule::EventType and Rule::Email as one regular expression
/// each (nullptr for the other rules), in the syntax PostgreSQL's and ECMAScript's engines read
/// alike. The PostgreSQL fields trigger checks these; tests/core/format_pattern_test.cpp proves
/// the core's validators (core/validate/rules.cpp) accept exactly what they match.
const char* format_pattern(Rule r);

}  // namespace ec::schema
