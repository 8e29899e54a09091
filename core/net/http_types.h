// Plain HTTP request/response values exchanged between core/net and its users, so components
// never see Beast types. Value types; not shared between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::net {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Value of the first header called `name` (ASCII case-insensitive), or "" if absent.
std::string_view FindHeader(const HttpHeaders& headers, std::string_view name);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus "?query"
  std::string path;    // target before '?'
  std::string query;   // target after '?', without it
  HttpHeaders headers;
  std::string body;
  std::string remote;  // peer "ip:port"

  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  HttpHeaders headers;  // extra headers; Content-Length is computed
  std::string body;

  std::string_view Header(std::string_view name) const { return FindHeader(headers, name); }

  static HttpResponse Text(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
};

}  // namespace vigil::net
