#include "agent/receive/otlp_receiver.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "agent/receive/item_validator.h"
#include "core/codec/codec.h"

namespace vigil::agent::receive {
namespace {

namespace pb = opentelemetry::proto;

SignalIndex IndexOf(send::Signal s) {
  switch (s) {
    case send::Signal::kMetrics:
      return SignalIndex::kMetrics;
    case send::Signal::kLogs:
      return SignalIndex::kLogs;
    case send::Signal::kTraces:
      return SignalIndex::kTraces;
  }
  return SignalIndex::kMetrics;
}

// partial_success differs per signal only in the name of its count field.
void SetPartial(pb::collector::trace::v1::ExportTraceServiceResponse* r, int64_t n,
                const std::string& m) {
  r->mutable_partial_success()->set_rejected_spans(n);
  r->mutable_partial_success()->set_error_message(m);
}
void SetPartial(pb::collector::logs::v1::ExportLogsServiceResponse* r, int64_t n,
                const std::string& m) {
  r->mutable_partial_success()->set_rejected_log_records(n);
  r->mutable_partial_success()->set_error_message(m);
}
void SetPartial(pb::collector::metrics::v1::ExportMetricsServiceResponse* r, int64_t n,
                const std::string& m) {
  r->mutable_partial_success()->set_rejected_data_points(n);
  r->mutable_partial_success()->set_error_message(m);
}

}  // namespace

OtlpReceiver::OtlpReceiver(ReceiverOptions options, OtlpBatcher& batcher, AgentStats& stats,
                           RoomCheck room)
    : options_(options), batcher_(batcher), stats_(stats), room_(std::move(room)) {}

void OtlpReceiver::Register(net::HttpServer& server) {
  for (send::Signal s : {send::Signal::kTraces, send::Signal::kMetrics, send::Signal::kLogs}) {
    server.Handle(std::string(send::SignalPath(s)),
                  [this, s](const net::HttpRequest& r) { return Handle(s, r); });
  }
}

net::HttpResponse OtlpReceiver::Refuse(OtlpRejectReason reason, int http_status, int rpc_code,
                                       BodyFormat format, const std::string& message) {
  return Reject(reason, StatusResponse(http_status, rpc_code, format, message), message);
}

net::HttpResponse OtlpReceiver::Reject(OtlpRejectReason reason, net::HttpResponse response,
                                       std::string_view message) {
  stats_.RejectRequest(reason);
  bool& logged = logged_[static_cast<int>(reason)];
  if (!logged) {
    // Once per reason: a misconfigured SDK would otherwise flood the log. The counter has the
    // rest; the client got the full message.
    logged = true;
    std::string_view text = message.substr(0, 300);
    spdlog::warn(
        "otlp receiver: request refused ({}, HTTP {}): {}; further ones are counted in "
        "vigil_agent_otlp_rejected_requests_total",
        OtlpRejectReasonName(reason), response.status, text);
  }
  return response;
}

net::HttpResponse OtlpReceiver::QueueFull(BodyFormat format) {
  const std::string message = "the agent's send queue is full; retry later";
  net::HttpResponse r = StatusResponse(503, kRpcUnavailable, format, message);
  r.headers.emplace_back("Retry-After", std::to_string(options_.retry_after_seconds));
  return Reject(OtlpRejectReason::kQueueFull, std::move(r), message);
}

bool OtlpReceiver::Decode(const net::HttpRequest& request, std::string* body, BodyFormat* format,
                          net::HttpResponse* error) {
  if (request.method != "POST") {
    const std::string message =
        "method " + request.method + " is not allowed on " + request.path + "; use POST";
    *error =
        Reject(OtlpRejectReason::kMethod, net::HttpResponse::Text(405, message + "\n"), message);
    error->headers.emplace_back("Allow", "POST");
    return false;
  }
  Result<BodyFormat> f = ParseBodyFormat(request.Header("Content-Type"));
  if (!f.ok()) {
    // The client's encoding is unknown, so the answer is plain text.
    *error =
        Reject(OtlpRejectReason::kContentType,
               net::HttpResponse::Text(415, f.status().message() + "\n"), f.status().message());
    return false;
  }
  *format = *f;
  if (request.body.size() > options_.max_body_bytes) {
    *error = Refuse(OtlpRejectReason::kBodyTooLarge, 413, kRpcResourceExhausted, *format,
                    "request body of " + std::to_string(request.body.size()) +
                        " bytes exceeds receiver.max_body_bytes (" +
                        std::to_string(options_.max_body_bytes) + ")");
    return false;
  }
  Result<codec::Encoding> encoding =
      codec::ParseContentEncoding(request.Header("Content-Encoding"));
  if (!encoding.ok()) {
    *error = Refuse(OtlpRejectReason::kEncoding, 415, kRpcInvalidArgument, *format,
                    "unsupported Content-Encoding: " + encoding.status().message() +
                        " (supported: identity, gzip, zstd)");
    return false;
  }
  // Before inflating and parsing: a full queue refuses cheaply.
  if (room_(0) == Room::kFull) {
    *error = QueueFull(*format);
    return false;
  }
  Result<std::string> inflated =
      codec::Decompress(*encoding, request.body, options_.max_decompressed_bytes);
  if (!inflated.ok()) {
    const std::string enc(codec::EncodingName(*encoding));
    if (inflated.status().code() == StatusCode::kResourceExhausted) {
      *error = Refuse(OtlpRejectReason::kDecompressedTooLarge, 413, kRpcResourceExhausted, *format,
                      "decompressed " + enc + " body exceeds receiver.max_decompressed_bytes (" +
                          std::to_string(options_.max_decompressed_bytes) + ")");
    } else {
      *error = Refuse(OtlpRejectReason::kEncoding, 400, kRpcInvalidArgument, *format,
                      "corrupt " + enc + " body: " + inflated.status().message());
    }
    return false;
  }
  *body = std::move(inflated).value();
  return true;
}

template <typename Request, typename Response>
net::HttpResponse OtlpReceiver::Accept(send::Signal signal, BodyFormat format, Request& req,
                                       int64_t items, int64_t rejected, std::string message,
                                       std::string_view wire) {
  const SignalIndex index = IndexOf(signal);
  // The received protobuf bytes are forwarded as they are unless validation changed the request.
  if (format != BodyFormat::kProtobuf || rejected > 0) wire = {};
  const size_t size = wire.empty() ? req.ByteSizeLong() : wire.size();
  switch (room_(size)) {
    case Room::kYes:
      break;
    case Room::kFull:
      return QueueFull(format);
    case Room::kNever:
      return Refuse(OtlpRejectReason::kDecompressedTooLarge, 413, kRpcResourceExhausted, format,
                    "request of " + std::to_string(size) +
                        " protobuf bytes is larger than the agent's whole send queue "
                        "(forward.queue_max_bytes)");
  }
  if (rejected > 0) stats_.RejectItems(index, ItemRejectReason::kInvalid, rejected);
  if constexpr (std::is_same_v<Request, pb::collector::metrics::v1::ExportMetricsServiceRequest>) {
    MetricsAdded added = batcher_.AddMetrics(&req);
    if (added.rejected > 0) {
      stats_.RejectItems(index, ItemRejectReason::kSeriesLimit, added.rejected);
      items -= added.rejected;
      rejected += added.rejected;
      message += (message.empty() ? "" : "; ") + added.message;
    }
  } else if constexpr (std::is_same_v<Request,
                                      pb::collector::trace::v1::ExportTraceServiceRequest>) {
    batcher_.AddTraces(req, items, wire);
  } else {
    batcher_.AddLogs(req, items, wire);
  }
  stats_.otlp_received[static_cast<int>(index)].fetch_add(static_cast<uint64_t>(items),
                                                          std::memory_order_relaxed);
  Response resp;
  if (rejected > 0) {
    SetPartial(&resp, rejected, message);
    spdlog::debug("otlp receiver: {}", message);
  }
  return EncodedResponse(format, resp);
}

net::HttpResponse OtlpReceiver::Handle(send::Signal signal, const net::HttpRequest& request) {
  std::string body;
  BodyFormat format = BodyFormat::kProtobuf;
  net::HttpResponse error;
  if (!Decode(request, &body, &format, &error)) return error;
  auto malformed = [&](const Status& s) {
    return Refuse(OtlpRejectReason::kMalformed, 400, kRpcInvalidArgument, format, s.message());
  };
  // One arena per request: parsing thousands of spans or records otherwise costs a malloc and
  // a free per string field, which dominated the receive path's CPU.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size =
      std::min<size_t>(std::max<size_t>(body.size() * 2, 4096), 64 << 20);
  google::protobuf::Arena arena(arena_options);
  switch (signal) {
    case send::Signal::kTraces: {
      using Req = pb::collector::trace::v1::ExportTraceServiceRequest;
      Req* req = google::protobuf::Arena::CreateMessage<Req>(&arena);
      if (Status s = ParseRequest(format, body, req); !s.ok()) return malformed(s);
      Validation v = ValidateTraces(req);
      return Accept<Req, pb::collector::trace::v1::ExportTraceServiceResponse>(
          signal, format, *req, v.accepted, v.rejected, std::move(v.message), body);
    }
    case send::Signal::kLogs: {
      using Req = pb::collector::logs::v1::ExportLogsServiceRequest;
      Req* req = google::protobuf::Arena::CreateMessage<Req>(&arena);
      if (Status s = ParseRequest(format, body, req); !s.ok()) return malformed(s);
      Validation v = ValidateLogs(req);
      return Accept<Req, pb::collector::logs::v1::ExportLogsServiceResponse>(
          signal, format, *req, v.accepted, v.rejected, std::move(v.message), body);
    }
    case send::Signal::kMetrics: {
      using Req = pb::collector::metrics::v1::ExportMetricsServiceRequest;
      Req* req = google::protobuf::Arena::CreateMessage<Req>(&arena);
      if (Status s = ParseRequest(format, body, req); !s.ok()) return malformed(s);
      Validation v = ValidateMetrics(req);
      return Accept<Req, pb::collector::metrics::v1::ExportMetricsServiceResponse>(
          signal, format, *req, v.accepted, v.rejected, std::move(v.message), body);
    }
  }
  return StatusResponse(404, kRpcUnimplemented, format, "unknown signal");
}

}  // namespace vigil::agent::receive
