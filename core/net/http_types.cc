#include "core/net/http_types.h"

#include <cctype>

#include "core/text/ascii.h"

namespace vigil::net {

std::string_view FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (text::EqualsIgnoreAsciiCase(k, name)) return v;
  }
  return {};
}

}  // namespace vigil::net
