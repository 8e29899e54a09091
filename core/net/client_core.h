// Internal to core/net: the connection pool behind an HttpClient. All of its state, and every
// connection's I/O, lives on one strand, so no locks are needed; Submit and Shutdown hop onto
// it from any thread. Kept alive by the HttpClient and by its own pending operations.
// https connections run TLS over the same TCP stream (its deadline covers the handshake).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/net/http_client.h"

namespace vigil::net::internal {

struct ClientRequest {
  boost::beast::http::request<boost::beast::http::string_body> msg;
  HttpClient::Done done;
  std::chrono::steady_clock::time_point deadline;
  std::string what;  // "POST https://host:port/path", for error messages
  bool retried = false;
};

class ClientCore : public std::enable_shared_from_this<ClientCore> {
 public:
  // `tls` is the shared context of https connections; null for http.
  ClientCore(boost::asio::io_context& ioc, HttpClientOptions opts, BaseUrl url,
             std::shared_ptr<boost::asio::ssl::context> tls);

  void Submit(ClientRequest r);
  // Closes every connection and drops queued requests without calling them back.
  void Shutdown();
  const BaseUrl& url() const { return url_; }
  const HttpClientOptions& options() const { return opts_; }

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  using ResponseParser = boost::beast::http::response_parser<boost::beast::http::string_body>;

  struct Conn {
    // Exactly one of the two is set once Connect ran; a TLS stream cannot be reused after a
    // close, so each (re)connect makes a fresh one.
    std::optional<boost::beast::tcp_stream> plain;
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
    boost::beast::tcp_stream& tcp() { return tls ? boost::beast::get_lowest_layer(*tls) : *plain; }
    void Close() {
      if (tls || plain) tcp().close();
    }
    boost::beast::flat_buffer buffer;
    std::optional<ResponseParser> parser;
    std::optional<ClientRequest> request;
    bool connected = false;
    bool reused = false;  // has served a request before: may have been closed by the peer
  };
  using ConnPtr = std::shared_ptr<Conn>;

  void Pump();
  void Begin(const ConnPtr& c);
  void Connect(const ConnPtr& c);
  void ConnectTo(const ConnPtr& c, std::vector<boost::asio::ip::tcp::endpoint> endpoints);
  void Handshake(const ConnPtr& c);
  void Write(const ConnPtr& c);
  void Read(const ConnPtr& c);
  void OnResponse(const ConnPtr& c);
  // A step failed: retries once on a fresh connection if a reused one was found dead, else
  // reports the error.
  // `detail` replaces the error code's text in the message when given.
  void OnError(const ConnPtr& c, boost::beast::error_code ec, std::string_view stage,
               std::string detail = {});
  void Finish(const ConnPtr& c, Result<HttpResponse> result, bool keep_connection);
  void Discard(const ConnPtr& c);

  boost::asio::io_context& ioc_;
  Strand strand_;
  const HttpClientOptions opts_;
  const BaseUrl url_;
  const std::shared_ptr<boost::asio::ssl::context> tls_;
  std::deque<ClientRequest> queue_;
  std::vector<ConnPtr> idle_;          // most recently used last
  std::unordered_set<ConnPtr> conns_;  // every open or opening connection
  bool shut_ = false;
};

}  // namespace vigil::net::internal
