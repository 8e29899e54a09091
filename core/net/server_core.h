// Internal to core/net: the state an HttpServer shares with its connections (routes, options,
// stats, acceptor, the set of live sessions). Kept alive by the server and every session;
// mutable state is guarded by mu_, handler accounting by handlers_mu_.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/net/http_server.h"

namespace vigil::net::internal {

class ServerSession;

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(boost::asio::io_context& ioc, HttpServerOptions opts);

  void Handle(std::string path, HttpServer::Handler h);
  Status Start();
  void Stop();
  uint16_t port() const { return port_.load(); }
  HttpServerStats& stats() { return stats_; }
  const HttpServerOptions& options() const { return opts_; }
  bool stopping() const { return stopping_.load(); }

  // Runs the route for `req` (404 when none) and turns exceptions into 500. Called by sessions.
  HttpResponse Dispatch(const HttpRequest& req);
  // A session has ended: frees its connection slot.
  void SessionClosed(ServerSession* s);

 private:
  void AcceptLocked();
  void OnAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  bool EnterHandler();
  void LeaveHandler();

  boost::asio::io_context& ioc_;
  const HttpServerOptions opts_;
  std::unordered_map<std::string, HttpServer::Handler> routes_;  // fixed after Start()
  HttpServerStats stats_;
  std::atomic<uint16_t> port_{0};
  std::atomic<bool> stopping_{false};

  std::mutex mu_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  bool started_ = false;
  bool accept_pending_ = false;
  std::unordered_map<ServerSession*, std::weak_ptr<ServerSession>> sessions_;

  std::mutex handlers_mu_;
  std::condition_variable handlers_cv_;
  int handlers_running_ = 0;
};

}  // namespace vigil::net::internal
