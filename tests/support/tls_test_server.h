// Test helper shared by the test binaries: a small HTTPS/1.1 server on 127.0.0.1 (Beast over
// OpenSSL) with its own thread, answering every request with one configured response and
// recording what it received. Optionally requires client certificates (mTLS). Start in the
// constructor, stopped by the destructor; requests()/handshake_failures() from any thread.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace vigil::testing {

struct TlsTestServerOptions {
  std::string client_ca_file;  // set: clients must present a certificate this CA signed
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct SeenRequest {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class TlsTestServer {
 public:
  // `cert_file`/`key_file`: the server's certificate and key (PEM).
  TlsTestServer(const std::string& cert_file, const std::string& key_file,
                TlsTestServerOptions opts = {})
      : opts_(std::move(opts)), ctx_(boost::asio::ssl::context::tls_server), acceptor_(ioc_) {
    ctx_.use_certificate_chain_file(cert_file);
    ctx_.use_private_key_file(key_file, boost::asio::ssl::context::pem);
    if (!opts_.client_ca_file.empty()) {
      ctx_.load_verify_file(opts_.client_ca_file);
      ctx_.set_verify_mode(boost::asio::ssl::verify_peer |
                           boost::asio::ssl::verify_fail_if_no_peer_cert);
    }
    using boost::asio::ip::tcp;
    tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TlsTestServer() {
    ioc_.stop();
    thread_.join();
  }
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> requests() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  // Handshakes the server side gave up on (the client refused the certificate, or sent none).
  int handshake_failures() const { return handshake_failures_.load(); }

 private:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  struct Session {
    explicit Session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& ctx)
        : stream(std::move(socket), ctx) {}
    Stream stream;
    boost::beast::flat_buffer buffer;
    boost::beast::http::request<boost::beast::http::string_body> req;
    boost::beast::http::response<boost::beast::http::string_body> res;
  };
  using SessionPtr = std::shared_ptr<Session>;

  void Accept() {
    acceptor_.async_accept(
        [this](boost::system::error_code ec, boost::asio::ip::tcp::socket socket) {
          if (ec) return;
          auto s = std::make_shared<Session>(std::move(socket), ctx_);
          s->stream.async_handshake(boost::asio::ssl::stream_base::server,
                                    [this, s](boost::system::error_code ec) {
                                      if (ec) {
                                        ++handshake_failures_;
                                        return;
                                      }
                                      Read(s);
                                    });
          Accept();
        });
  }

  void Read(const SessionPtr& s) {
    s->req = {};
    boost::beast::http::async_read(
        s->stream, s->buffer, s->req, [this, s](boost::system::error_code ec, size_t) {
          if (ec) return;  // the client closed the connection, or sent garbage
          SeenRequest seen;
          seen.method = std::string(s->req.method_string());
          seen.target = std::string(s->req.target());
          seen.body = s->req.body();
          for (const auto& f : s->req) {
            seen.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
          }
          {
            std::lock_guard lock(mu_);
            seen_.push_back(std::move(seen));
          }
          s->res = {};
          s->res.version(11);
          s->res.result(static_cast<unsigned>(opts_.status));
          s->res.set(boost::beast::http::field::content_type, opts_.content_type);
          s->res.body() = opts_.body;
          s->res.keep_alive(s->req.keep_alive());
          s->res.prepare_payload();
          boost::beast::http::async_write(s->stream, s->res,
                                          [this, s](boost::system::error_code ec, size_t) {
                                            if (!ec && s->res.keep_alive()) Read(s);
                                          });
        });
  }

  TlsTestServerOptions opts_;
  boost::asio::ssl::context ctx_;  // outlives ioc_, whose pending handlers own the sessions
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<SeenRequest> seen_;
  std::atomic<int> handshake_failures_{0};
};

}  // namespace vigil::testing
