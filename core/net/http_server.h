// HttpServer: a small HTTP/1.1 server (keep-alive, exact-path routes) on an EventLoop, used for
// OTLP ingestion, /metrics and health endpoints. Build, Handle() the routes, Start(); Stop() or
// destroy before the EventLoop. Handle/Start/Stop from one owner thread; port()/stats() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/net/address.h"
#include "core/net/event_loop.h"
#include "core/net/http_types.h"
#include "core/status.h"

namespace vigil::net {

namespace internal {
class ServerCore;
}  // namespace internal

struct HttpServerOptions {
  std::string listen = "127.0.0.1:0";             // host:port, [::1]:port too
  size_t max_body_bytes = 16 << 20;               // larger bodies get 413
  std::chrono::milliseconds read_timeout{30000};  // per request (idle wait included)
  size_t max_connections = 1024;  // beyond this, new connections wait in the backlog
};

struct HttpServerStats {
  std::atomic<uint64_t> requests{0};        // complete requests parsed
  std::atomic<uint64_t> body_too_large{0};  // answered 413
  std::atomic<uint64_t> bad_requests{0};    // answered 400 / 431
  std::atomic<uint64_t> not_found{0};       // answered 404
};

class HttpServer {
 public:
  // Runs on a loop thread; called concurrently when the loop has more than one thread.
  // Exceptions become a 500 response.
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  HttpServer(EventLoop& loop, HttpServerOptions opts);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Routes requests whose path equals `path` exactly. Call before Start().
  void Handle(std::string path, Handler h);
  // Binds and starts accepting. The error names the address and the system's reason.
  Status Start();
  // Stops accepting, closes idle connections and lets in-flight requests finish their reply.
  // On return no handler is running (unless Stop is called from within a handler) and none
  // will start. Idempotent.
  void Stop();
  uint16_t port() const;  // the bound port, after Start()
  const HttpServerStats& stats() const;

 private:
  std::shared_ptr<internal::ServerCore> core_;
};

}  // namespace vigil::net
