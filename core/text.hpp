// A string builder with ostream-like `<<`, for the runtime's generated text (DDL, markdown).
// std::ostringstream would link libc++'s whole locale machinery (every facet for char and
// wchar_t, ~80 KB of wasm) into the browser core; this appends to a std::string instead.
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace ec {

class Text {
 public:
  Text& operator<<(std::string_view s) {
    out_.append(s);
    return *this;
  }
  Text& operator<<(char c) {
    out_.push_back(c);
    return *this;
  }
  template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>) Text& operator<<(T n) {
    out_.append(std::to_string(n));
    return *this;
  }
  const std::string& str() const { return out_; }
  std::string& str() { return out_; }

 private:
  std::string out_;
};

}  // namespace ec
