#include "core/errors.hpp"

namespace ec {

json to_json(const Issue& issue) {
  return json{{"path", issue.path},
              {"code", issue.code},
              {"message", issue.message},
              {"params", issue.params}};
}

Error::Error(std::string code, std::string message, json path, std::vector<Issue> issues)
    : code_(std::move(code)),
      message_(std::move(message)),
      path_(std::move(path)),
      issues_(std::move(issues)) {}

Error Error::invalid(std::vector<Issue> issues) {
  std::string msg;
  if (issues.size() == 1) {
    msg = issues[0].message;
  } else {
    msg = std::to_string(issues.size()) + " validation issues";
    if (!issues.empty()) msg += "; first: " + issues[0].message;
  }
  json path = issues.size() == 1 ? issues[0].path : json::array();
  return Error(code::invalid, msg, std::move(path), std::move(issues));
}

json Error::to_json() const {
  json j{{"code", code_}, {"message", message_}, {"path", path_}, {"issues", json::array()}};
  for (const auto& i : issues_) j["issues"].push_back(ec::to_json(i));
  return j;
}

}  // namespace ec
