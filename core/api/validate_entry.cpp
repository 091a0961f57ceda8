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
    } catch (const Error& err) {
      json issue = to_json(validate::make_issue(json::array(), "invalid_json", err.message()));
      return json{{"ok", false}, {"issues", json::array({issue})}}.dump(
          -1, ' ', false, json::error_handler_t::replace);
    }
    const auto issues = validate::entity(*e, doc, m);
    if (issues.empty()) return R"({"ok":true})";
    json out{{"ok", false}, {"issues", json::array()}};
    for (const auto& i : issues) out["issues"].push_back(to_json(i));
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const Error& err) {
    return json{{"ok", false}, {"error", err.to_json()}}.dump(-1, ' ', false,
                                                              json::error_handler_t::replace);
  } catch (const std::exception& err) {
    return json{
        {"ok", false},
        {"error", {{"code", code::internal}, {"message", err.what()}, {"issues", json::array()}}}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

}  // namespace ec::api
