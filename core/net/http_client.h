// HttpClient: an asynchronous HTTP/1.1 client (http or https) for one base URL on an EventLoop,
// with a pool of keep-alive connections, a per-request deadline and one transparent retry when a
// reused connection turns out to be closed. Created by its owner (exporters); thread-safe: Post/Get
// may be called from any thread. Destroying it drops callbacks that have not run yet.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/net/address.h"
#include "core/net/event_loop.h"
#include "core/net/http_types.h"
#include "core/net/tls_options.h"
#include "core/status.h"

namespace vigil::net {

namespace internal {
class ClientCore;
}  // namespace internal

struct HttpClientOptions {
  std::string base_url;                      // http[s]://host[:port][/prefix]
  std::chrono::milliseconds timeout{10000};  // per request, from the call to the response
  size_t max_connections = 4;                // requests beyond this many in flight queue up
  size_t max_response_bytes = 64 << 20;      // a larger response body is an Unavailable error
  TlsOptions tls{};                          // for https://; must stay default for http://
};

class HttpClient {
 public:
  // Called exactly once on a loop thread (unless the client is destroyed first). Any HTTP
  // status is a response; transport failures are Unavailable (a rejected server certificate
  // too, with OpenSSL's reason), timeouts DeadlineExceeded.
  using Done = std::function<void(Result<HttpResponse>)>;

  // Validates the options: InvalidArgument for a bad URL or TLS setting (ValidateTlsOptions),
  // or TLS settings given for an http:// URL. Warns when https skips verification.
  static Result<std::unique_ptr<HttpClient>> Create(EventLoop& loop, HttpClientOptions opts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `path` is appended to the base URL's prefix; it may carry a query string.
  void Post(std::string path, std::vector<std::pair<std::string, std::string>> headers,
            std::string body, Done done);
  void Get(std::string path, Done done);
  void Request(std::string method, std::string path,
               std::vector<std::pair<std::string, std::string>> headers, std::string body,
               Done done);

  const BaseUrl& base_url() const;

 private:
  explicit HttpClient(std::shared_ptr<internal::ClientCore> core);
  std::shared_ptr<internal::ClientCore> core_;
};

}  // namespace vigil::net
