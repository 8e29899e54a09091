// GrpcServer: unary gRPC methods served by the same handlers as HTTP routes. Each request
// message is handed, as raw bytes, to an HttpServer::Handler as a POST of
// application/x-protobuf to the route's path (client metadata as headers), on the given
// Executor's threads; the handler's answer becomes the gRPC reply (GrpcReplyFromHttp). So the
// OTLP receivers keep all validation, limits and counting in one place for both transports.
// Build, Handle() the methods, Start(); Stop() or destroy before the Executor's loop stops.
// Handle/Start/Stop from one owner thread; port()/stats() from any.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "core/status.h"

namespace vigil::net {

struct GrpcServerOptions {
  std::string listen = "127.0.0.1:0";  // host:port, [::1]:port too
  // Larger request messages (after grpc-encoding is undone) are refused by gRPC with
  // RESOURCE_EXHAUSTED before any handler runs.
  size_t max_message_bytes = 16 << 20;
  // PEM certificate chain and private key: both set serves TLS instead of plaintext.
  std::string tls_cert_pem{};
  std::string tls_key_pem{};
};

struct GrpcServerStats {
  std::atomic<uint64_t> received{0};       // request messages read
  std::atomic<uint64_t> requests{0};       // request messages handed to a handler
  std::atomic<uint64_t> unimplemented{0};  // calls to a method with no handler
  std::atomic<uint64_t> errors{0};         // handler answers that were not OK
};

class GrpcServer {
 public:
  using Handler = HttpServer::Handler;

  // Handlers run on `executor`'s loop threads (posted there); the loop must run while serving.
  GrpcServer(Executor executor, GrpcServerOptions opts);
  ~GrpcServer();  // Stop()
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Serves the unary method `method` ("/package.Service/Method") with `handler`, which sees it
  // as POST `http_path`. Call before Start().
  void Handle(std::string method, std::string http_path, Handler handler);
  // Binds and starts serving. The error names the address.
  Status Start();
  // Refuses new calls, answers calls whose handler has not started with UNAVAILABLE, waits for
  // running handlers and shuts gRPC down. On return no handler runs and none will start.
  // Idempotent.
  void Stop();
  uint16_t port() const;  // the bound port, after Start()
  const GrpcServerStats& stats() const;

 private:
  struct State;
  class Service;
  class Call;
  std::shared_ptr<State> state_;
  std::unique_ptr<Service> service_;
};

}  // namespace vigil::net
