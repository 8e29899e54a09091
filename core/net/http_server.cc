#include "core/net/http_server.h"

#include <spdlog/spdlog.h>

#include <boost/asio/strand.hpp>

#include "core/net/server_core.h"
#include "core/net/server_session.h"

namespace vigil::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace internal {

namespace {

// How deep the current thread is inside route handlers; Stop() from a handler must not wait
// for itself.
thread_local int tls_handler_depth = 0;

constexpr std::chrono::milliseconds kAcceptRetry{100};

}  // namespace

ServerCore::ServerCore(asio::io_context& ioc, HttpServerOptions opts)
    : ioc_(ioc), opts_(std::move(opts)), acceptor_(ioc), accept_retry_(ioc) {}

void ServerCore::Handle(std::string path, HttpServer::Handler h) {
  std::lock_guard lock(mu_);
  if (started_) {
    spdlog::error("http server: route {} added after Start() is ignored", path);
    return;
  }
  routes_[std::move(path)] = std::move(h);
}

Status ServerCore::Start() {
  std::lock_guard lock(mu_);
  if (started_) return Status::FailedPrecondition("http server already started");
  auto hp = ParseHostPort(opts_.listen);
  if (!hp.ok()) return hp.status().WithContext("http server listen address");
  const auto& [host, port] = *hp;

  boost::system::error_code ec;
  tcp::endpoint ep;
  auto addr = asio::ip::make_address(host, ec);
  if (!ec) {
    ep = tcp::endpoint(addr, port);
  } else {
    tcp::resolver resolver(ioc_);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return Status::Unavailable("cannot resolve listen address " + opts_.listen + ": " +
                                 (ec ? ec.message() : "no addresses"));
    }
    ep = results.begin()->endpoint();
  }
  auto fail = [&](std::string_view step) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return Status::Unavailable("cannot listen on " + opts_.listen + ": " + std::string(step) +
                               ": " + ec.message());
  };
  if (acceptor_.open(ep.protocol(), ec)) return fail("socket");
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (acceptor_.bind(ep, ec)) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  started_ = true;
  spdlog::info("http server listening on {} (port {})", opts_.listen, port_.load());
  AcceptLocked();
  return Status::Ok();
}

void ServerCore::AcceptLocked() {
  if (stopping_ || accept_pending_ || !acceptor_.is_open()) return;
  // At the limit, new connections wait in the kernel backlog until a slot frees up.
  if (sessions_.size() >= opts_.max_connections) return;
  accept_pending_ = true;
  acceptor_.async_accept(
      asio::make_strand(ioc_),
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void ServerCore::OnAccept(const boost::system::error_code& ec, tcp::socket socket) {
  {
    std::lock_guard lock(mu_);
    accept_pending_ = false;
    if (stopping_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // e.g. EMFILE: back off briefly instead of spinning on the failing accept.
      spdlog::warn("http server {}: accept failed: {}", opts_.listen, ec.message());
      accept_retry_.expires_after(kAcceptRetry);
      accept_retry_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
        if (e) return;
        std::lock_guard lock(self->mu_);
        self->AcceptLocked();
      });
      return;
    }
  }
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  // Built and started outside mu_: if this is the last reference when it goes, the session's
  // destructor takes mu_.
  auto session = std::make_shared<ServerSession>(shared_from_this(), std::move(socket));
  {
    std::lock_guard lock(mu_);
    sessions_[session.get()] = session;
    AcceptLocked();
  }
  session->Start();
}

void ServerCore::SessionClosed(ServerSession* s) {
  std::lock_guard lock(mu_);
  sessions_.erase(s);
  AcceptLocked();
}

void ServerCore::Stop() {
  std::vector<std::weak_ptr<ServerSession>> sessions;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    for (auto& [ptr, weak] : sessions_) sessions.push_back(weak);
  }
  for (auto& weak : sessions) {
    if (auto s = weak.lock()) s->CloseIfIdle();
  }
  if (tls_handler_depth > 0) return;
  std::unique_lock lock(handlers_mu_);
  handlers_cv_.wait(lock, [this] { return handlers_running_ == 0; });
}

bool ServerCore::EnterHandler() {
  std::lock_guard lock(handlers_mu_);
  if (stopping_) return false;
  ++handlers_running_;
  return true;
}

void ServerCore::LeaveHandler() {
  std::lock_guard lock(handlers_mu_);
  if (--handlers_running_ == 0) handlers_cv_.notify_all();
}

HttpResponse ServerCore::Dispatch(const HttpRequest& req) {
  auto it = routes_.find(req.path);
  if (it == routes_.end()) {
    stats_.not_found.fetch_add(1, std::memory_order_relaxed);
    return HttpResponse::Text(404, "not found: " + req.path + "\n");
  }
  if (!EnterHandler()) return HttpResponse::Text(503, "server is stopping\n");
  HttpResponse r;
  ++tls_handler_depth;
  try {
    r = it->second(req);
  } catch (const std::exception& e) {
    spdlog::error("http server: handler for {} threw: {}", req.path, e.what());
    r = HttpResponse::Text(500, "internal server error\n");
  } catch (...) {
    spdlog::error("http server: handler for {} threw a non-std exception", req.path);
    r = HttpResponse::Text(500, "internal server error\n");
  }
  --tls_handler_depth;
  LeaveHandler();
  return r;
}

}  // namespace internal

HttpServer::HttpServer(EventLoop& loop, HttpServerOptions opts)
    : core_(std::make_shared<internal::ServerCore>(*static_cast<asio::io_context*>(loop.native()),
                                                   std::move(opts))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(std::string path, Handler h) {
  core_->Handle(std::move(path), std::move(h));
}

Status HttpServer::Start() { return core_->Start(); }

void HttpServer::Stop() { core_->Stop(); }

uint16_t HttpServer::port() const { return core_->port(); }

const HttpServerStats& HttpServer::stats() const { return core_->stats(); }

}  // namespace vigil::net
