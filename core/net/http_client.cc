#include "core/net/http_client.h"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>

#include "core/net/client_core.h"
#include "core/net/tls_context.h"

namespace vigil::net {

namespace http = boost::beast::http;

Result<std::unique_ptr<HttpClient>> HttpClient::Create(EventLoop& loop, HttpClientOptions opts) {
  auto url = ParseBaseUrl(opts.base_url);
  if (!url.ok()) return url.status();
  if (opts.max_connections == 0) {
    return Status::InvalidArgument("http client max_connections must be at least 1");
  }
  if (opts.timeout.count() <= 0) {
    return Status::InvalidArgument("http client timeout must be positive, got " +
                                   std::to_string(opts.timeout.count()) + " ms");
  }
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (url->scheme == "https") {
    auto ctx = internal::MakeClientTlsContext(opts.tls);
    if (!ctx.ok()) return ctx.status();
    tls = std::move(*ctx);
    if (opts.tls.insecure_skip_verify) {
      spdlog::warn(
          "TLS to {}: insecure_skip_verify is on: the server's certificate and name are NOT "
          "checked; anyone on the path can read and change this traffic",
          opts.base_url);
    }
  } else if (opts.tls.configured()) {
    return Status::InvalidArgument("TLS settings given for \"" + opts.base_url +
                                   "\", which is not an https:// URL");
  }
  auto core =
      std::make_shared<internal::ClientCore>(*static_cast<boost::asio::io_context*>(loop.native()),
                                             std::move(opts), std::move(*url), std::move(tls));
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(core)));
}

HttpClient::HttpClient(std::shared_ptr<internal::ClientCore> core) : core_(std::move(core)) {}

HttpClient::~HttpClient() { core_->Shutdown(); }

const BaseUrl& HttpClient::base_url() const { return core_->url(); }

void HttpClient::Post(std::string path, std::vector<std::pair<std::string, std::string>> headers,
                      std::string body, Done done) {
  Request("POST", std::move(path), std::move(headers), std::move(body), std::move(done));
}

void HttpClient::Get(std::string path, Done done) {
  Request("GET", std::move(path), {}, {}, std::move(done));
}

void HttpClient::Request(std::string method, std::string path,
                         std::vector<std::pair<std::string, std::string>> headers, std::string body,
                         Done done) {
  const BaseUrl& url = core_->url();
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  internal::ClientRequest r;
  r.what = method + " " + url.scheme + "://" + url.HostHeader() + url.prefix + path;
  r.msg.method_string(method);
  r.msg.target(url.prefix + path);
  r.msg.version(11);
  r.msg.set(http::field::host, url.HostHeader());
  r.msg.set(http::field::user_agent, "vigil");
  for (auto& [name, value] : headers) {
    // Framing is computed from the body; CR/LF in a header would corrupt the request.
    if (boost::beast::iequals(name, "content-length") ||
        boost::beast::iequals(name, "transfer-encoding") || boost::beast::iequals(name, "host") ||
        name.find_first_of("\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;
    }
    r.msg.insert(name, value);
  }
  bool has_body = !body.empty() || method == "POST" || method == "PUT";
  r.msg.body() = std::move(body);
  if (has_body) r.msg.prepare_payload();
  r.done = std::move(done);
  r.deadline = std::chrono::steady_clock::now() + core_->options().timeout;
  core_->Submit(std::move(r));
}

}  // namespace vigil::net
