#include "core/errors.hpp"

#include <new>
#include <stdexcept>

#include "core/json/codec.hpp"
#include "core/schema/schema.hpp"

namespace ec {

bool is_retryable(std::string_view c) {
  return c == code::busy;
}

json to_json(const Issue& issue) {
  return json{{"path", issue.path},
              {"code", issue.code},
              {"message", issue.message},
              {"params", issue.params}};
}

Error::Error(std::string code, std::string message, json path, std::vector<Issue> issues,
             json params)
    : code_(std::move(code)),
      message_(std::move(message)),
      path_(std::move(path)),
      issues_(std::move(issues)),
      params_(std::move(params)) {}

Error::Error(const char* code, const char* message)
    : Error(std::string(code), std::string(message)) {}

Error::Error(const char* code, std::string message)
    : Error(std::string(code), std::move(message)) {}

Error::Error(const char* code, std::string message, json path)
    : Error(std::string(code), std::move(message), std::move(path)) {}

json key_path(const char* key) {
  return json::array({key});
}

Error Error::at(const char* code, const char* message, const char* key) {
  return Error(code, message, key_path(key));
}

Error Error::at(const char* code, std::string message, const char* key) {
  return Error(code, std::move(message), key_path(key));
}

Error Error::invalid(std::vector<Issue> issues) {
  // The one place every validation failure passes: whatever collected the issues, an answer
  // lists at most kMaxIssues of them (a hostile request costs O(size), not O(issues)). A
  // collector that stopped at the cap kept one issue beyond it (validate::full): the message
  // then says the list is not complete.
  bool more = false;
  if (issues.size() > schema::kMaxIssues) {
    issues.resize(schema::kMaxIssues);
    more = true;
  }
  std::string msg;
  if (more) {
    msg = "more than " + std::to_string(issues.size()) + " validation issues (the first " +
          std::to_string(issues.size()) + " are listed)";
    if (!issues.empty()) msg += "; first: " + issues[0].message;
  } else if (issues.size() == 1) {
    msg = issues[0].message;
  } else {
    msg = std::to_string(issues.size()) + " validation issues";
    if (!issues.empty()) msg += "; first: " + issues[0].message;
  }
  json path = issues.size() == 1 && !more ? issues[0].path : json::array();
  return Error(code::invalid, msg, std::move(path), std::move(issues));
}

json Error::to_json() const {
  json j{{"code", code_}, {"message", message_}, {"path", path_}, {"issues", json::array()}};
  for (const auto& i : issues_) j["issues"].push_back(ec::to_json(i));
  if (params_.is_object() && !params_.empty()) j["params"] = params_;
  if (is_retryable(code_)) j["retryable"] = true;
  return j;
}

namespace {

// nlohmann's what() reads "[json.exception.type_error.302] type must be string, but is number";
// the bracketed id is for developers, the rest is a readable sentence.
std::string readable(const char* what) {
  std::string s = what ? what : "";
  if (s.rfind("[json.exception.", 0) == 0)
    if (auto p = s.find("] "); p != std::string::npos) s = s.substr(p + 2);
  return s;
}

}  // namespace

Error to_error(std::exception_ptr e) noexcept {
  try {
    try {
      if (e) std::rethrow_exception(e);
      return Error(code::internal, "unknown failure");
    } catch (const Error& err) {
      return err;
    } catch (const json::parse_error& x) {
      return Error(code::bad_request, "malformed JSON: " + readable(x.what()));
    } catch (const json::out_of_range& x) {
      // 406: a number JSON cannot hold (1e400); 401/403: a missing index/key in the input.
      return Error(code::bad_request, "a value is out of range: " + readable(x.what()));
    } catch (const json::type_error& x) {
      return Error(code::bad_request, "a value has the wrong type: " + readable(x.what()));
    } catch (const json::exception& x) {
      return Error(code::bad_request, "malformed JSON value: " + readable(x.what()));
    } catch (const std::bad_alloc&) {
      return Error(code::internal, "out of memory");
    } catch (const std::length_error&) {
      return Error(code::bad_request, "a value is too large");
    } catch (const std::out_of_range&) {
      return Error(code::bad_request, "a value is out of range");
    } catch (const std::invalid_argument&) {
      return Error(code::bad_request, "a value is not valid");
    } catch (const std::exception& x) {
      return Error(code::internal, std::string("internal error: ") + x.what());
    } catch (...) {
      return Error(code::internal, "internal error (non-standard exception)");
    }
  } catch (...) {  // building the Error itself failed (out of memory)
    return Error(code::internal, "out of memory");
  }
}

json error_response(const Error& e) {
  return json{{"ok", false}, {"error", e.to_json()}};
}

std::string dump_text(const json& j) noexcept {
  try {
    std::string text;
    if (codec::append_dump(text, j)) return text;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    return R"({"ok":false,"error":{"code":"internal","message":"out of memory","path":[],"issues":[]}})";
  }
}

std::string error_response_text(const Error& e) noexcept {
  try {
    return dump_text(error_response(e));
  } catch (...) {
    return R"({"ok":false,"error":{"code":"internal","message":"out of memory","path":[],"issues":[]}})";
  }
}

}  // namespace ec
