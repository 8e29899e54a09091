#include "core/net/address.h"

#include <cctype>

namespace vigil::net {

namespace {

Result<uint16_t> ParsePort(std::string_view s, std::string_view whole) {
  if (s.empty() || s.size() > 5) {
    return Status::InvalidArgument("bad port \"" + std::string(s) + "\" in \"" +
                                   std::string(whole) + "\"");
  }
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("bad port \"" + std::string(s) + "\" in \"" +
                                     std::string(whole) + "\"");
    }
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  if (v > 65535) {
    return Status::InvalidArgument("port " + std::string(s) + " out of range in \"" +
                                   std::string(whole) + "\"");
  }
  return static_cast<uint16_t>(v);
}

// Splits "host:port" / "[v6]:port" / "host" (when port_optional).
Status SplitHostPort(std::string_view s, std::string_view whole, bool port_optional,
                     std::string* host, std::string_view* port) {
  *port = {};
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unclosed '[' in \"" + std::string(whole) + "\"");
    }
    *host = std::string(s.substr(1, close - 1));
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return Status::InvalidArgument("expected ':' after ']' in \"" + std::string(whole) + "\"");
      }
      *port = rest.substr(1);
      if (port->empty()) {
        return Status::InvalidArgument("empty port in \"" + std::string(whole) + "\"");
      }
    } else if (!port_optional) {
      return Status::InvalidArgument("missing port in \"" + std::string(whole) +
                                     "\" (want host:port)");
    }
    if (host->empty()) {
      return Status::InvalidArgument("empty IPv6 address in \"" + std::string(whole) + "\"");
    }
    return Status::Ok();
  }
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) {
    if (!port_optional) {
      return Status::InvalidArgument("missing port in \"" + std::string(whole) +
                                     "\" (want host:port)");
    }
    *host = std::string(s);
    return Status::Ok();
  }
  *host = std::string(s.substr(0, colon));
  *port = s.substr(colon + 1);
  if (host->find(':') != std::string::npos) {
    return Status::InvalidArgument("IPv6 address must be in brackets, e.g. [::1]:4318, in \"" +
                                   std::string(whole) + "\"");
  }
  if (port->empty()) {
    return Status::InvalidArgument("empty port in \"" + std::string(whole) + "\"");
  }
  return Status::Ok();
}

}  // namespace

Result<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view listen) {
  if (listen.empty()) return Status::InvalidArgument("empty listen address (want host:port)");
  std::string host;
  std::string_view port_text;
  VIGIL_RETURN_IF_ERROR(SplitHostPort(listen, listen, /*port_optional=*/false, &host, &port_text));
  auto port = ParsePort(port_text, listen);
  if (!port.ok()) return port.status();
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(std::move(host), *port);
}

std::string BaseUrl::HostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Status::InvalidArgument("base URL \"" + std::string(url) +
                                   "\" has no scheme (want http://host:port[/prefix])");
  }
  BaseUrl out;
  for (char c : url.substr(0, sep)) {
    out.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.scheme != "http" && out.scheme != "https") {
    return Status::InvalidArgument("unsupported scheme \"" + out.scheme + "\" in base URL \"" +
                                   std::string(url) + "\" (want http:// or https://)");
  }
  if (out.scheme == "https") out.port = 443;
  std::string_view rest = url.substr(sep + 3);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.prefix = std::string(rest.substr(slash));
  if (authority.find_first_of("@?#") != std::string_view::npos) {
    return Status::InvalidArgument("base URL \"" + std::string(url) +
                                   "\" must not contain user info, query or fragment");
  }
  if (out.prefix.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument("base URL \"" + std::string(url) +
                                   "\" must not contain a query or fragment");
  }
  std::string_view port_text;
  VIGIL_RETURN_IF_ERROR(
      SplitHostPort(authority, url, /*port_optional=*/true, &out.host, &port_text));
  if (out.host.empty()) {
    return Status::InvalidArgument("base URL \"" + std::string(url) + "\" has no host");
  }
  if (!port_text.empty()) {
    auto port = ParsePort(port_text, url);
    if (!port.ok()) return port.status();
    if (*port == 0) {
      return Status::InvalidArgument("port 0 in base URL \"" + std::string(url) + "\"");
    }
    out.port = *port;
  }
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  return out;
}

}  // namespace vigil::net
