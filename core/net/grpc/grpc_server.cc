#include "core/net/grpc/grpc_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <map>
#include <mutex>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/net/address.h"
#include "core/net/grpc/grpc_logging.h"
#include "core/net/grpc/grpc_status.h"

namespace vigil::net {
namespace {

std::string Flatten(const ::grpc::ByteBuffer& buffer) {
  std::string out;
  std::vector<::grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const ::grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

// Client metadata that means something to an HTTP handler (x-vigil-batch-key, authorization,
// user-agent, ...). gRPC's own keys, pseudo-headers and binary values are not HTTP headers.
bool IsHttpHeader(std::string_view key) {
  if (key.empty() || key.front() == ':' || key.starts_with("grpc-")) return false;
  if (key.ends_with("-bin")) return false;
  return key != "content-type" && key != "te";
}

// "ipv4:127.0.0.1:5000" -> "127.0.0.1:5000", "ipv6:[::1]:5000" -> "[::1]:5000".
std::string PeerAddress(const std::string& peer) {
  for (std::string_view prefix : {"ipv4:", "ipv6:"}) {
    if (peer.starts_with(prefix)) return peer.substr(prefix.size());
  }
  return peer;
}

}  // namespace

struct GrpcServer::State {
  struct Route {
    std::string path;
    Handler handler;
  };

  Executor executor;
  GrpcServerOptions opts;
  std::map<std::string, Route, std::less<>> routes;  // fixed once started
  GrpcServerStats stats;
  std::unique_ptr<::grpc::Server> server;
  std::atomic<uint16_t> port{0};

  std::mutex mu;
  std::condition_variable idle;       // signalled when `running` drops
  bool stopped = false;               // guarded by mu
  size_t running = 0;                 // handlers executing; guarded by mu
  std::unordered_set<Call*> pending;  // posted, handler not started; guarded by mu
};

// One call: reads the single request message, posts the handler to the executor, writes the
// answer. Owned by gRPC: deleted in OnDone, which follows Finish. Exactly one path calls Finish:
// the constructor (unknown method), OnReadDone (no message, or stopping), the posted handler,
// or Stop() for a call still in `pending` (membership is claimed under State::mu).
class GrpcServer::Call : public ::grpc::ServerGenericBidiReactor {
 public:
  Call(std::shared_ptr<State> state, ::grpc::GenericCallbackServerContext* ctx)
      : state_(std::move(state)), ctx_(ctx) {
    auto it = state_->routes.find(ctx->method());
    if (it == state_->routes.end()) {
      state_->stats.unimplemented.fetch_add(1, std::memory_order_relaxed);
      Finish(::grpc::Status(::grpc::StatusCode::UNIMPLEMENTED, "unknown method " + ctx->method()));
      return;
    }
    route_ = &it->second;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(ctx_->IsCancelled() ? ::grpc::Status::CANCELLED
                                 : ::grpc::Status(::grpc::StatusCode::INVALID_ARGUMENT,
                                                  "the call carried no request message"));
      return;
    }
    state_->stats.received.fetch_add(1, std::memory_order_relaxed);
    req_.method = "POST";
    req_.target = req_.path = route_->path;
    for (const auto& [key, value] : ctx_->client_metadata()) {
      std::string_view k(key.data(), key.size());
      if (IsHttpHeader(k))
        req_.headers.emplace_back(std::string(k), std::string(value.data(), value.size()));
    }
    req_.headers.emplace_back("Content-Type", "application/x-protobuf");
    req_.body = Flatten(request_);
    request_.Clear();
    req_.remote = PeerAddress(ctx_->peer());
    {
      std::lock_guard lock(state_->mu);
      if (state_->stopped) {
        Finish(::grpc::Status(::grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
        return;
      }
      state_->pending.insert(this);
    }
    state_->executor.Post([state = state_, call = this] { RunPosted(state, call); });
  }

  void OnDone() override { delete this; }

  // Runs on the executor. `call` may already be finished (and deleted) by Stop(): it is only
  // touched after claiming it out of `pending`.
  static void RunPosted(const std::shared_ptr<State>& state, Call* call) {
    {
      std::lock_guard lock(state->mu);
      if (state->pending.erase(call) == 0) return;
      ++state->running;
    }
    call->RunHandler();
    {
      std::lock_guard lock(state->mu);
      --state->running;
    }
    state->idle.notify_all();
  }

  void FinishUnavailable() {
    Finish(::grpc::Status(::grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
  }

 private:
  void RunHandler() {
    HttpResponse resp;
    try {
      resp = route_->handler(req_);
    } catch (const std::exception& e) {
      spdlog::error("gRPC handler for {} threw: {}", route_->path, e.what());
      resp = HttpResponse::Text(500, "internal error");
    }
    state_->stats.requests.fetch_add(1, std::memory_order_relaxed);
    GrpcReply reply = GrpcReplyFromHttp(resp);
    if (reply.code != ::grpc::StatusCode::OK) {
      state_->stats.errors.fetch_add(1, std::memory_order_relaxed);
      Finish(::grpc::Status(reply.code, reply.message, reply.details));
      return;
    }
    ::grpc::Slice slice(reply.response);
    response_ = ::grpc::ByteBuffer(&slice, 1);
    StartWriteAndFinish(&response_, ::grpc::WriteOptions(), ::grpc::Status::OK);
  }

  std::shared_ptr<State> state_;
  ::grpc::GenericCallbackServerContext* ctx_;
  const State::Route* route_ = nullptr;
  ::grpc::ByteBuffer request_;
  ::grpc::ByteBuffer response_;
  HttpRequest req_;
};

class GrpcServer::Service : public ::grpc::CallbackGenericService {
 public:
  explicit Service(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ::grpc::ServerGenericBidiReactor* CreateReactor(
      ::grpc::GenericCallbackServerContext* ctx) override {
    return new Call(state_, ctx);
  }

 private:
  std::shared_ptr<State> state_;
};

GrpcServer::GrpcServer(Executor executor, GrpcServerOptions opts)
    : state_(std::make_shared<State>()), service_(std::make_unique<Service>(state_)) {
  RouteGrpcLogsToSpdlog();
  state_->executor = std::move(executor);
  state_->opts = std::move(opts);
}

GrpcServer::~GrpcServer() { Stop(); }

void GrpcServer::Handle(std::string method, std::string http_path, Handler handler) {
  state_->routes[std::move(method)] = State::Route{std::move(http_path), std::move(handler)};
}

Status GrpcServer::Start() {
  const std::string& listen = state_->opts.listen;
  auto hp = ParseHostPort(listen);
  if (!hp.ok()) return hp.status();
  const auto& [host, port] = *hp;
  const std::string address =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  ::grpc::ServerBuilder builder;
  int selected = 0;
  std::shared_ptr<::grpc::ServerCredentials> creds = ::grpc::InsecureServerCredentials();
  if (!state_->opts.tls_cert_pem.empty() || !state_->opts.tls_key_pem.empty()) {
    ::grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({state_->opts.tls_key_pem, state_->opts.tls_cert_pem});
    creds = ::grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(address, creds, &selected);
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(std::min<size_t>(state_->opts.max_message_bytes, INT_MAX)));
  // Linux gRPC sets SO_REUSEPORT by default, which would let two servers share a port silently
  // instead of reporting the address as taken.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterCallbackGenericService(service_.get());
  state_->server = builder.BuildAndStart();
  if (!state_->server || selected == 0) {
    state_->server.reset();
    return Status::Unavailable("cannot serve gRPC on " + listen +
                               ": the address is in use or not available");
  }
  state_->port.store(static_cast<uint16_t>(selected), std::memory_order_relaxed);
  return Status::Ok();
}

void GrpcServer::Stop() {
  if (!state_->server) return;
  {
    std::unique_lock lock(state_->mu);
    state_->stopped = true;
    for (Call* call : state_->pending) call->FinishUnavailable();
    state_->pending.clear();
    state_->idle.wait(lock, [&] { return state_->running == 0; });
  }
  // Calls still reading or writing get a moment to complete, then are cancelled.
  state_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  state_->server->Wait();
  state_->server.reset();
}

uint16_t GrpcServer::port() const { return state_->port.load(std::memory_order_relaxed); }

const GrpcServerStats& GrpcServer::stats() const { return state_->stats; }

}  // namespace vigil::net
