#include "tests/support/tls_test_server.h"

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>

namespace vigil::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct TlsTestServer::Impl {
  using Stream = beast::ssl_stream<beast::tcp_stream>;
  struct Session {
    Session(asio::ip::tcp::socket socket, asio::ssl::context& ctx)
        : stream(std::move(socket), ctx) {}
    Stream stream;
    beast::flat_buffer buffer;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
  };
  using SessionPtr = std::shared_ptr<Session>;

  explicit Impl(TlsTestServerOptions o)
      : opts(std::move(o)), ctx(asio::ssl::context::tls_server), acceptor(ioc) {}

  void Accept() {
    acceptor.async_accept([this](boost::system::error_code ec, asio::ip::tcp::socket socket) {
      if (ec) return;
      auto s = std::make_shared<Session>(std::move(socket), ctx);
      s->stream.async_handshake(asio::ssl::stream_base::server,
                                [this, s](boost::system::error_code ec) {
                                  if (ec) {
                                    ++handshake_failures;
                                    return;
                                  }
                                  Read(s);
                                });
      Accept();
    });
  }

  void Read(const SessionPtr& s) {
    s->req = {};
    http::async_read(s->stream, s->buffer, s->req, [this, s](boost::system::error_code ec, size_t) {
      if (ec) return;  // the client closed the connection, or sent garbage
      Record(s->req);
      Respond(s);
    });
  }

  void Record(const http::request<http::string_body>& req) {
    SeenRequest seen;
    seen.method = std::string(req.method_string());
    seen.target = std::string(req.target());
    seen.body = req.body();
    for (const auto& f : req) {
      seen.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    std::lock_guard lock(mu);
    seen_requests.push_back(std::move(seen));
  }

  void Respond(const SessionPtr& s) {
    s->res = {};
    s->res.version(11);
    s->res.result(static_cast<unsigned>(opts.status));
    s->res.set(http::field::content_type, opts.content_type);
    s->res.body() = opts.body;
    s->res.keep_alive(s->req.keep_alive());
    s->res.prepare_payload();
    http::async_write(s->stream, s->res, [this, s](boost::system::error_code ec, size_t) {
      if (!ec && s->res.keep_alive()) Read(s);
    });
  }

  TlsTestServerOptions opts;
  asio::ssl::context ctx;  // outlives ioc, whose pending handlers own the sessions
  asio::io_context ioc;
  asio::ip::tcp::acceptor acceptor;
  uint16_t port = 0;
  std::thread thread;
  mutable std::mutex mu;
  std::vector<SeenRequest> seen_requests;  // guarded by mu
  std::atomic<int> handshake_failures{0};
};

TlsTestServer::TlsTestServer(const std::string& cert_file, const std::string& key_file,
                             TlsTestServerOptions opts)
    : impl_(std::make_unique<Impl>(std::move(opts))) {
  Impl& i = *impl_;
  i.ctx.use_certificate_chain_file(cert_file);
  i.ctx.use_private_key_file(key_file, asio::ssl::context::pem);
  if (!i.opts.client_ca_file.empty()) {
    i.ctx.load_verify_file(i.opts.client_ca_file);
    i.ctx.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  }
  asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  i.acceptor.open(ep.protocol());
  i.acceptor.bind(ep);
  i.acceptor.listen();
  i.port = i.acceptor.local_endpoint().port();
  i.Accept();
  i.thread = std::thread([&i] { i.ioc.run(); });
}

TlsTestServer::~TlsTestServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

uint16_t TlsTestServer::port() const { return impl_->port; }

std::vector<SeenRequest> TlsTestServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->seen_requests;
}

int TlsTestServer::handshake_failures() const { return impl_->handshake_failures.load(); }

}  // namespace vigil::testing
