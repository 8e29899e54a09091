#include "core/config/env_expand.h"

#include <cstdlib>

namespace vigil::config {
namespace {

bool IsNameChar(char c, bool first) {
  if (c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
  return !first && c >= '0' && c <= '9';
}

}  // namespace

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::string> ExpandEnv(std::string_view in, const EnvLookup& lookup) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c != '$') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '$') {  // "$$" escapes a literal '$'
      out.push_back('$');
      i += 2;
      continue;
    }
    if (i + 1 >= in.size() || in[i + 1] != '{') {  // a lone '$' is kept as is
      out.push_back('$');
      ++i;
      continue;
    }
    size_t close = in.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unterminated '${' in \"" + std::string(in) + "\"");
    }
    std::string_view inner = in.substr(i + 2, close - i - 2);
    std::string_view name = inner;
    std::optional<std::string_view> fallback;
    if (size_t sep = inner.find(":-"); sep != std::string_view::npos) {
      name = inner.substr(0, sep);
      fallback = inner.substr(sep + 2);
    }
    bool valid = !name.empty();
    for (size_t k = 0; k < name.size() && valid; ++k) valid = IsNameChar(name[k], k == 0);
    if (!valid) {
      return Status::InvalidArgument("invalid environment variable name '" + std::string(name) +
                                     "' in \"" + std::string(in) + "\"");
    }
    std::optional<std::string> value = lookup(std::string(name));
    // As in shells, ":-" also applies when the variable is set but empty.
    if ((!value || value->empty()) && fallback) {
      out.append(*fallback);
    } else if (value) {
      out.append(*value);
    } else {
      return Status::InvalidArgument("environment variable " + std::string(name) +
                                     " is not set and has no default (write ${" +
                                     std::string(name) + ":-default})");
    }
    i = close + 1;
  }
  return out;
}

}  // namespace vigil::config
