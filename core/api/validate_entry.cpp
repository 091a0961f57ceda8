// validate_json: the entry shared by `episodes-core validate` and the wasm module.
#include "core/api/api.hpp"
#include "core/json/codec.hpp"
#include "core/schema/schema.hpp"
#include "core/validate/validate.hpp"

namespace ec::api {

std::string validate_json(std::string_view entity, std::string_view document,
                          std::string_view mode) {
  try {
    const schema::Entity* e = schema::find_entity(entity);
    if (!e) {
      std::string known;
      for (const auto& x : schema::entities()) known += (known.empty() ? "" : ", ") + x.name;
      throw Error(code::bad_request,
                  "unknown entity '" + std::string(entity) + "' (known: " + known + ")");
    }
    validate::Mode m = validate::Mode::Record;
    if (mode == "create")
      m = validate::Mode::Create;
    else if (mode == "patch")
      m = validate::Mode::Patch;
    else if (mode != "record")
      throw Error(code::bad_request, "mode must be record, create or patch");
    json doc;
    try {
      doc = codec::parse(document);
    } catch (...) {  // malformed, too large, too deep, or a number JSON cannot hold (1e400)
      const Error err = to_error(std::current_exception());
      if (err.code() != code::bad_request) throw err;
      json issue = to_json(validate::make_issue(json::array(), "invalid_json", err.message()));
      return dump_text(json{{"ok", false}, {"issues", json::array({issue})}});
    }
    const auto issues = validate::entity(*e, doc, m);
    if (issues.empty()) return R"({"ok":true})";
    json out{{"ok", false}, {"issues", json::array()}};
    for (size_t i = 0; i < issues.size() && i < schema::kMaxIssues; ++i)
      out["issues"].push_back(to_json(issues[i]));
    return dump_text(out);
  } catch (...) {
    return error_response_text(to_error(std::current_exception()));
  }
}

}  // namespace ec::api
