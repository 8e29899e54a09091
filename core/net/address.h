// Parsing of listen addresses ("host:port") and client base URLs ("http://host:port/prefix").
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace vigil::net {

// "0.0.0.0:4318", "localhost:80", "[::1]:9" (IPv6 must be bracketed; the brackets are
// removed), ":4318" (all IPv4 interfaces, host "0.0.0.0"). Port 0 means "any free port".
Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view listen);

struct BaseUrl {
  std::string scheme;  // "http" or "https" (lowercased)
  std::string host;    // without IPv6 brackets
  uint16_t port = 80;  // 443 for https when the URL names none
  std::string prefix;  // "" or "/something" without a trailing '/'

  // The Host header value: "host:port", IPv6 bracketed.
  std::string HostHeader() const;
};

// http[s]://host[:port][/prefix]. Other schemes and malformed URLs are InvalidArgument.
Result<BaseUrl> ParseBaseUrl(std::string_view url);

}  // namespace vigil::net
