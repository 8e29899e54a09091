// OtlpReceiver: the agent's OTLP/HTTP endpoints for applications (POST /v1/traces, /v1/metrics,
// /v1/logs; protobuf or JSON; identity, gzip or zstd). It checks and decodes each request
// within the body limits, removes invalid items (answered in partial_success), refuses work
// with 503 + Retry-After while the agent's send queue is full (the data was not accepted, so
// the SDK retries and nothing is lost), and hands the rest to the OtlpBatcher.
// Guarantee: a 200 means the data is queued in the agent's memory and will be sent with
// retries until the collector takes it (or forward.max_elapsed runs out, counted as a drop).
// It is not yet delivered: if the agent is killed before delivery, that data is lost (there is
// no disk buffer yet); a graceful shutdown delivers it within shutdown.deadline.
// Borrows the batcher and stats. Handlers must run on the agent's event-loop thread (the one
// the batcher lives on): register on an HttpServer of that single-threaded loop.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "agent/agent_stats.h"
#include "agent/receive/otlp_batcher.h"
#include "agent/receive/otlp_body.h"
#include "core/net/http_server.h"
#include "core/net/http_types.h"
#include "core/send/exporter.h"

namespace vigil::agent::receive {

struct ReceiverOptions {
  size_t max_body_bytes = 8 << 20;           // as received (compressed); larger: 413
  size_t max_decompressed_bytes = 16 << 20;  // after Content-Encoding; larger: 413
  int retry_after_seconds = 1;               // Retry-After on 503 (send queue full)
};

// Whether the agent can take `bytes` more for sending now.
enum class Room { kYes, kFull, kNever /* larger than the whole send queue */ };
using RoomCheck = std::function<Room(size_t bytes)>;

class OtlpReceiver {
 public:
  OtlpReceiver(ReceiverOptions options, OtlpBatcher& batcher, AgentStats& stats, RoomCheck room);

  // Registers the three paths (before server.Start()).
  void Register(net::HttpServer& server);

  // One request for `signal`; callable directly too (tests), on the batcher's thread.
  net::HttpResponse Handle(send::Signal signal, const net::HttpRequest& request);

 private:
  // Method, Content-Type, size, encoding; on success the inflated body and its format.
  bool Decode(const net::HttpRequest& request, std::string* body, BodyFormat* format,
              net::HttpResponse* error);
  // Counts the refusal and logs it (once per reason, with `message`); returns `response`.
  net::HttpResponse Reject(OtlpRejectReason reason, net::HttpResponse response,
                           std::string_view message);
  // Reject with a google.rpc.Status body in `format`.
  net::HttpResponse Refuse(OtlpRejectReason reason, int http_status, int rpc_code,
                           BodyFormat format, const std::string& message);
  net::HttpResponse QueueFull(BodyFormat format);  // 503 + Retry-After
  // After parsing and validation: the back-pressure check, then the batcher.
  template <typename Request, typename Response>
  net::HttpResponse Accept(send::Signal signal, BodyFormat format, Request& req, int64_t items,
                           int64_t rejected, std::string message, std::string_view wire);

  ReceiverOptions options_;
  OtlpBatcher& batcher_;
  AgentStats& stats_;
  RoomCheck room_;
  std::array<bool, static_cast<int>(OtlpRejectReason::kCount)> logged_{};
};

}  // namespace vigil::agent::receive
