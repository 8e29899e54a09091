#include "core/net/server_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "core/net/server_core.h"

namespace vigil::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr size_t kHeaderLimit = 64 * 1024;
constexpr size_t kReadChunk = 64 * 1024;
constexpr std::chrono::milliseconds kMaxLinger{5000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string RemoteOf(const asio::ip::tcp::socket& s) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  std::string addr = ep.address().to_string();
  if (ep.address().is_v6()) addr = "[" + addr + "]";
  return addr + ":" + std::to_string(ep.port());
}

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_method).category() &&
         ec != http::error::partial_message && ec != http::error::end_of_stream;
}

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

ServerSession::ServerSession(std::shared_ptr<ServerCore> core, asio::ip::tcp::socket socket)
    : core_(std::move(core)), stream_(std::move(socket)) {
  remote_ = RemoteOf(stream_.socket());
}

ServerSession::~ServerSession() { core_->SessionClosed(this); }

void ServerSession::Start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadRequest(); });
}

void ServerSession::CloseIfIdle() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->idle_) self->Close();
  });
}

void ServerSession::ReadRequest() {
  if (core_->stopping()) return Close();
  parser_.emplace();
  parser_->body_limit(core_->options().max_body_bytes);
  parser_->header_limit(kHeaderLimit);
  idle_ = true;
  stream_.expires_after(core_->options().read_timeout);
  // Header and body are read separately: the header step enforces body_limit against
  // Content-Length (Beast 1.74's eager parse skips that check), and lets us answer
  // "Expect: 100-continue" before the body is sent.
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void ServerSession::OnHeader(beast::error_code ec) {
  idle_ = false;
  if (ec) return OnReadError(ec);
  version_ = parser_->get().version();
  // Clients such as curl wait for "100 Continue" before sending a large body.
  auto expect = parser_->get()[http::field::expect];
  if (beast::iequals(expect, "100-continue") && version_ >= 11 && !parser_->is_done()) {
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void ServerSession::ReadBody() {
  if (parser_->is_done()) return OnBody({});
  // Beast reads at most the buffer's free capacity per call; without room the body arrives in
  // ~512-byte reads, which caps a connection at a few tens of MB/s.
  buffer_.reserve(kReadChunk);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void ServerSession::OnBody(beast::error_code ec) {
  if (ec) return OnReadError(ec);
  core_->stats().requests.fetch_add(1, std::memory_order_relaxed);
  auto& msg = parser_->get();
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  req.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& f : msg) {
    req.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  }
  req.body = std::move(msg.body());
  req.remote = remote_;
  bool keep_alive = msg.keep_alive();
  HttpResponse r = core_->Dispatch(req);
  Respond(std::move(r), keep_alive && !core_->stopping(), /*linger=*/false);
}

void ServerSession::OnReadError(beast::error_code ec) {
  const auto& opts = core_->options();
  if (ec == http::error::body_limit) {
    core_->stats().body_too_large.fetch_add(1, std::memory_order_relaxed);
    return Respond(HttpResponse::Text(413, "request body exceeds " +
                                               std::to_string(opts.max_body_bytes) + " bytes\n"),
                   false, true);
  }
  if (ec == http::error::header_limit) {
    core_->stats().bad_requests.fetch_add(1, std::memory_order_relaxed);
    return Respond(HttpResponse::Text(
                       431, "request header exceeds " + std::to_string(kHeaderLimit) + " bytes\n"),
                   false, true);
  }
  if (IsHttpParseError(ec)) {
    core_->stats().bad_requests.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("http server: bad request from {}: {}", remote_, ec.message());
    return Respond(HttpResponse::Text(400, "bad request: " + ec.message() + "\n"), false, true);
  }
  // end_of_stream (client closed between requests), timeouts, resets, Stop(): just close.
  if (ec == beast::error::timeout) spdlog::debug("http server: {} timed out", remote_);
  Close();
}

void ServerSession::Respond(HttpResponse r, bool keep_alive, bool linger) {
  if (r.status < 100 || r.status > 999) {
    spdlog::error("http server: handler returned invalid status {}", r.status);
    r = HttpResponse::Text(500, "internal server error\n");
  }
  response_ = {};
  response_.version(version_);
  response_.result(static_cast<unsigned>(r.status));
  if (!r.content_type.empty() && !HasCrLf(r.content_type)) {
    response_.set(http::field::content_type, r.content_type);
  }
  for (const auto& [name, value] : r.headers) {
    // Framing headers are ours to compute; CR/LF would let a value forge headers.
    if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
        beast::iequals(name, "connection") || HasCrLf(name) || HasCrLf(value)) {
      continue;
    }
    response_.insert(name, value);
  }
  response_.keep_alive(keep_alive);
  response_.body() = std::move(r.body);
  response_.prepare_payload();
  stream_.expires_after(core_->options().read_timeout);
  http::async_write(stream_, response_,
                    [self = shared_from_this(), keep_alive, linger](beast::error_code ec, size_t) {
                      self->OnWrite(ec, keep_alive, linger);
                    });
}

void ServerSession::OnWrite(beast::error_code ec, bool keep_alive, bool linger) {
  if (ec) return Close();
  if (linger) return LingerClose();
  if (!keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    return Close();
  }
  ReadRequest();
}

void ServerSession::LingerClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  drain_buf_.resize(64 * 1024);
  drained_ = 0;
  stream_.expires_after(std::min(core_->options().read_timeout, kMaxLinger));
  DrainSome();
}

void ServerSession::DrainSome() {
  stream_.async_read_some(
      asio::buffer(drain_buf_), [self = shared_from_this()](beast::error_code ec, size_t n) {
        self->drained_ += n;
        // Bound the work a client can make us do after its error.
        size_t cap = std::max<size_t>(4 * self->core_->options().max_body_bytes, 1 << 20);
        if (ec || self->drained_ > cap) return self->Close();
        self->DrainSome();
      });
}

void ServerSession::Close() {
  idle_ = false;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

}  // namespace vigil::net::internal
