#include "core/net/client_core.h"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>

#include "core/net/tls_context.h"

namespace vigil::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr size_t kResponseHeaderLimit = 64 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

// Runs `f` with the connection's stream, TLS or plain: HTTP reads and writes are the same code.
template <typename C, typename F>
void WithStream(C& c, F&& f) {
  if (c.tls) {
    f(*c.tls);
  } else {
    f(*c.plain);
  }
}

}  // namespace

ClientCore::ClientCore(asio::io_context& ioc, HttpClientOptions opts, BaseUrl url,
                       std::shared_ptr<asio::ssl::context> tls)
    : ioc_(ioc),
      strand_(asio::make_strand(ioc)),
      opts_(std::move(opts)),
      url_(std::move(url)),
      tls_(std::move(tls)) {}

void ClientCore::Submit(ClientRequest r) {
  asio::post(strand_, [self = shared_from_this(), r = std::move(r)]() mutable {
    if (self->shut_) return;
    self->queue_.push_back(std::move(r));
    self->Pump();
  });
}

void ClientCore::Shutdown() {
  asio::post(strand_, [self = shared_from_this()] {
    self->shut_ = true;
    self->queue_.clear();
    self->idle_.clear();
    for (const auto& c : self->conns_) c->Close();
    self->conns_.clear();
  });
}

void ClientCore::Pump() {
  while (!shut_ && !queue_.empty()) {
    ConnPtr c;
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    } else if (conns_.size() < opts_.max_connections) {
      c = std::make_shared<Conn>();
      conns_.insert(c);
    } else {
      return;  // every connection is busy; Finish() pumps again
    }
    c->request = std::move(queue_.front());
    queue_.pop_front();
    Begin(c);
  }
}

void ClientCore::Begin(const ConnPtr& c) {
  if (std::chrono::steady_clock::now() >= c->request->deadline) {
    return Finish(c,
                  Status::DeadlineExceeded(c->request->what + ": timed out after " +
                                           std::to_string(opts_.timeout.count()) +
                                           " ms waiting for a free connection"),
                  true);
  }
  if (c->connected) {
    c->tcp().expires_at(c->request->deadline);
    return Write(c);
  }
  Connect(c);
}

void ClientCore::Connect(const ConnPtr& c) {
  c->Close();
  if (tls_) {
    c->plain.reset();
    c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(strand_, *tls_);
  } else {
    c->tls.reset();
    c->plain.emplace(strand_);
  }
  c->tcp().expires_at(c->request->deadline);
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(url_.host, ec);
  if (!ec) return ConnectTo(c, {tcp::endpoint(addr, url_.port)});
  auto resolver = std::make_shared<tcp::resolver>(strand_);
  resolver->async_resolve(url_.host, std::to_string(url_.port),
                          [self = shared_from_this(), c, resolver](
                              beast::error_code ec, tcp::resolver::results_type results) {
                            if (self->shut_) return self->Discard(c);
                            if (!ec && std::chrono::steady_clock::now() >= c->request->deadline) {
                              ec = beast::error::timeout;
                            }
                            if (ec) return self->OnError(c, ec, "resolve " + self->url_.host);
                            std::vector<tcp::endpoint> eps;
                            for (const auto& e : results) eps.push_back(e.endpoint());
                            self->ConnectTo(c, std::move(eps));
                          });
}

void ClientCore::ConnectTo(const ConnPtr& c, std::vector<tcp::endpoint> endpoints) {
  c->tcp().async_connect(
      endpoints, [self = shared_from_this(), c](beast::error_code ec, const tcp::endpoint&) {
        if (self->shut_) return self->Discard(c);
        if (ec) return self->OnError(c, ec, "connect");
        beast::error_code ignored;
        c->tcp().socket().set_option(tcp::no_delay(true), ignored);
        c->buffer.clear();
        if (c->tls) return self->Handshake(c);
        c->connected = true;
        self->Write(c);
      });
}

void ClientCore::Handshake(const ConnPtr& c) {
  const bool verify = !opts_.tls.insecure_skip_verify;
  if (!PrepareClientTls(c->tls->native_handle(), url_.host, verify)) {
    return OnError(c, asio::error::invalid_argument, "TLS set-up",
                   "OpenSSL refused the server name \"" + url_.host + "\"");
  }
  c->tls->async_handshake(
      asio::ssl::stream_base::client, [self = shared_from_this(), c](beast::error_code ec) {
        if (self->shut_) return self->Discard(c);
        if (ec) {
          std::string why = ec == beast::error::timeout
                                ? std::string()
                                : DescribeTlsFailure(ec, c->tls->native_handle(), self->url_.host);
          return self->OnError(c, ec, "TLS handshake", std::move(why));
        }
        c->connected = true;
        self->Write(c);
      });
}

void ClientCore::Write(const ConnPtr& c) {
  WithStream(*c, [&](auto& stream) {
    http::async_write(stream, c->request->msg,
                      [self = shared_from_this(), c](beast::error_code ec, size_t) {
                        if (self->shut_) return self->Discard(c);
                        if (ec) return self->OnError(c, ec, "send request");
                        self->Read(c);
                      });
  });
}

void ClientCore::Read(const ConnPtr& c) {
  // Room for full-sized reads: Beast reads at most the buffer's free capacity per call.
  c->buffer.reserve(kReadChunk);
  c->parser.emplace();
  c->parser->body_limit(opts_.max_response_bytes);
  c->parser->header_limit(kResponseHeaderLimit);
  if (c->request->msg.method() == http::verb::head) c->parser->skip(true);
  // Header first: Beast 1.74's eager parse (what async_read does) skips the Content-Length
  // versus body_limit check when the body arrives in the same read as the header.
  WithStream(*c, [&](auto& stream) {
    http::async_read_header(stream, c->buffer, *c->parser,
                            [self = shared_from_this(), c](beast::error_code ec, size_t) {
                              if (self->shut_) return self->Discard(c);
                              if (ec) return self->OnError(c, ec, "read response");
                              if (c->parser->is_done()) return self->OnResponse(c);
                              WithStream(*c, [&](auto& body_stream) {
                                http::async_read(body_stream, c->buffer, *c->parser,
                                                 [self, c](beast::error_code ec, size_t) {
                                                   if (self->shut_) return self->Discard(c);
                                                   if (ec)
                                                     return self->OnError(c, ec, "read response");
                                                   self->OnResponse(c);
                                                 });
                              });
                            });
  });
}

void ClientCore::OnResponse(const ConnPtr& c) {
  auto msg = c->parser->release();
  HttpResponse r;
  r.status = static_cast<int>(msg.result_int());
  r.content_type = std::string(msg[http::field::content_type]);
  r.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& f : msg) {
    r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  r.body = std::move(msg.body());
  bool keep = msg.keep_alive();
  Finish(c, std::move(r), keep);
}

void ClientCore::OnError(const ConnPtr& c, beast::error_code ec, std::string_view stage,
                         std::string detail) {
  ClientRequest& req = *c->request;
  bool got_response_bytes = c->parser.has_value() && c->parser->got_some();
  // A kept-alive connection the server has since closed fails on first use; the request
  // never reached a handler, so sending it once more on a new connection is safe.
  if (c->reused && !req.retried && !got_response_bytes && ec != beast::error::timeout) {
    spdlog::debug("http client: {}: reused connection failed ({}), reconnecting", req.what,
                  ec.message());
    req.retried = true;
    c->Close();
    c->connected = false;
    c->reused = false;
    c->parser.reset();
    return Begin(c);
  }
  Status s;
  if (ec == beast::error::timeout) {
    s = Status::DeadlineExceeded(req.what + ": timed out after " +
                                 std::to_string(opts_.timeout.count()) + " ms (" +
                                 std::string(stage) + ")");
  } else if (ec == http::error::body_limit) {
    s = Status::Unavailable(req.what + ": response body exceeds " +
                            std::to_string(opts_.max_response_bytes) + " bytes");
  } else {
    s = Status::Unavailable(req.what + ": " + std::string(stage) + ": " +
                            (detail.empty() ? ec.message() : detail));
  }
  Finish(c, std::move(s), false);
}

void ClientCore::Finish(const ConnPtr& c, Result<HttpResponse> result, bool keep_connection) {
  ClientRequest req = std::move(*c->request);
  c->request.reset();
  c->parser.reset();
  if (keep_connection && c->connected) {
    c->reused = true;
    c->tcp().expires_never();
    idle_.push_back(c);
  } else {
    Discard(c);
  }
  Pump();
  if (req.done) req.done(std::move(result));
}

void ClientCore::Discard(const ConnPtr& c) {
  c->Close();
  c->connected = false;
  conns_.erase(c);
}

}  // namespace vigil::net::internal
