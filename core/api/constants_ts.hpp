#pragma once
// The rule constants, state names, error codes and SQLSTATE mapping for JavaScript, generated
// from their one declaration (core/rules.hpp, core/error_codes.hpp).
#include <string>

#include <nlohmann/json.hpp>

namespace ec::api {

/// web/src/core/constants.generated.ts (`episodes-core constants --lang ts`).
std::string constants_typescript();
/// The same as JSON (`episodes-core constants --json`), for the node test suites:
/// {rules: {name: value}, states: {List: [names]}, errorCodes: [{code, key}],
///  pgStates: {sqlstate: code}, pgRaised: {code: sqlstate}}.
nlohmann::json constants_json();

}  // namespace ec::api
