#include "collector/receive/otlp_http_receiver.h"

#include <google/protobuf/arena.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <utility>

#include "core/codec/codec.h"
#include "core/net/grpc/grpc_status.h"
#include "core/otlp/json/otlp_json.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
constexpr std::string_view kProtobuf = "application/x-protobuf";
constexpr std::string_view kJson = "application/json";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "Application/X-Protobuf; charset=x" -> "application/x-protobuf".
std::string MediaType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return Lower(t);
}

net::HttpResponse Error(int status, std::string message) {
  return net::HttpResponse::Text(status, std::move(message) + "\n");
}

int64_t CountPoints(const pb::collector::metrics::v1::ExportMetricsServiceRequest& req) {
  using pb::metrics::v1::Metric;
  int64_t points = 0;
  for (const auto& rm : req.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const Metric& m : sm.metrics()) {
        switch (m.data_case()) {
          case Metric::kExponentialHistogram:
            points += m.exponential_histogram().data_points_size();
            break;
          case Metric::kSum:
            points += m.sum().data_points_size();
            break;
          case Metric::kGauge:
            points += m.gauge().data_points_size();
            break;
          case Metric::kHistogram:
            points += m.histogram().data_points_size();
            break;
          case Metric::kSummary:
            points += m.summary().data_points_size();
            break;
          default:
            break;
        }
      }
    }
  }
  return points;
}

uint64_t CountItems(const pb::collector::logs::v1::ExportLogsServiceRequest& req) {
  uint64_t n = 0;
  for (const auto& rl : req.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += static_cast<uint64_t>(sl.log_records_size());
  }
  return n;
}

uint64_t CountItems(const pb::collector::trace::v1::ExportTraceServiceRequest& req) {
  uint64_t n = 0;
  for (const auto& rs : req.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += static_cast<uint64_t>(ss.spans_size());
  }
  return n;
}

// The agent id of a vigil batch key "<agent_id>/<boot_id>/<seq>": the producer of its points.
std::string_view AgentIdOf(std::string_view batch_key) {
  size_t slash = batch_key.find('/');
  return slash == std::string_view::npos ? std::string_view() : batch_key.substr(0, slash);
}

// A success answer in the request's encoding (OTLP/HTTP: the response mirrors the request).
net::HttpResponse Ok(OtlpHttpReceiver::Format format, const google::protobuf::Message& response) {
  net::HttpResponse r;
  r.status = 200;
  if (format == OtlpHttpReceiver::Format::kJson) {
    Result<std::string> json = otlp::ToOtlpJson(response);
    if (!json.ok())
      return Error(500, "cannot encode the OTLP/JSON answer: " + json.status().message());
    r.content_type = std::string(kJson);
    r.body = std::move(*json);
  } else {
    r.content_type = std::string(kProtobuf);
    response.SerializeToString(&r.body);
  }
  return r;
}

// An error answer whose body is a google.rpc.Status in the request's encoding, as OTLP/HTTP
// asks for. `message` must need no JSON escaping (the callers pass fixed text and numbers).
net::HttpResponse StatusAnswer(int http_status, net::GrpcCode code, OtlpHttpReceiver::Format format,
                               const std::string& message,
                               std::optional<std::chrono::milliseconds> retry_delay) {
  net::HttpResponse r;
  r.status = http_status;
  if (format == OtlpHttpReceiver::Format::kJson) {
    r.content_type = std::string(kJson);
    r.body =
        "{\"code\":" + std::to_string(static_cast<int>(code)) + ",\"message\":\"" + message + "\"}";
  } else {
    r.content_type = std::string(kProtobuf);
    r.body = net::EncodeRpcStatus(static_cast<int>(code), message, retry_delay);
  }
  return r;
}

// First arena block sized from the (possibly compressed) body, so one request usually needs one
// block; bounded so a hostile size cannot reserve much up front.
google::protobuf::ArenaOptions ArenaFor(size_t body_bytes) {
  google::protobuf::ArenaOptions o;
  o.start_block_size = std::clamp<size_t>(body_bytes * 2, 4096, 16 << 20);
  return o;
}

}  // namespace

OtlpHttpReceiver::OtlpHttpReceiver(aggregate::SeriesStore& store, dedup::IdempotencyCache* dedup,
                                   ReceiverOptions options, Clock clock)
    : store_(store),
      dedup_(dedup),
      options_(options),
      clock_(std::move(clock)),
      merger_(store, store.options().histogram, options_.max_cumulative_streams) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
}

void OtlpHttpReceiver::Register(net::HttpServer& server) {
  server.Handle("/v1/metrics", [this](const net::HttpRequest& r) { return HandleMetrics(r); });
  server.Handle("/v1/logs", [this](const net::HttpRequest& r) { return HandleLogs(r); });
  server.Handle("/v1/traces", [this](const net::HttpRequest& r) { return HandleTraces(r); });
}

void OtlpHttpReceiver::LogRefusal(const net::HttpRequest& request, const net::HttpResponse& error) {
  // One line per kind of refusal (HTTP status); the self-metrics count every one.
  log_once_.Warn(std::to_string(error.status),
                 "otlp receiver: refused {} {} from {} with HTTP {}: {} (counted in "
                 "vigil_collector_rejected_requests_total; further refusals with this status are "
                 "not logged)",
                 request.method, request.path, request.remote, error.status, error.body);
}

bool OtlpHttpReceiver::DecodeBody(const net::HttpRequest& request, std::string* body,
                                  Format* format, net::HttpResponse* error) {
  stats_.requests.fetch_add(1, std::memory_order_relaxed);
  if (request.method != "POST") {
    stats_.rejected_method.fetch_add(1, std::memory_order_relaxed);
    *error = Error(
        405, "method " + request.method + " is not allowed on " + request.path + "; use POST");
    error->headers.emplace_back("Allow", "POST");
    return false;
  }
  if (request.body.size() > options_.max_body_bytes) {
    stats_.rejected_body_too_large.fetch_add(1, std::memory_order_relaxed);
    *error = Error(413, "request body of " + std::to_string(request.body.size()) +
                            " bytes exceeds the limit of " +
                            std::to_string(options_.max_body_bytes) + " bytes");
    return false;
  }
  const std::string media = MediaType(request.Header("Content-Type"));
  if (media == kProtobuf) {
    *format = Format::kProtobuf;
  } else if (media == kJson) {
    *format = Format::kJson;
  } else {
    stats_.rejected_bad_content_type.fetch_add(1, std::memory_order_relaxed);
    *error = Error(415, (media.empty() ? std::string("missing Content-Type")
                                       : "unsupported Content-Type '" + media + "'") +
                            "; send application/x-protobuf or application/json");
    return false;
  }
  auto encoding = codec::ParseContentEncoding(request.Header("Content-Encoding"));
  if (!encoding.ok()) {
    stats_.rejected_bad_encoding.fetch_add(1, std::memory_order_relaxed);
    *error = Error(415, "unsupported Content-Encoding: " + encoding.status().message() +
                            " (supported: identity, gzip, zstd)");
    return false;
  }
  auto inflated = codec::Decompress(*encoding, request.body, options_.max_decompressed_bytes);
  if (!inflated.ok()) {
    const std::string enc(codec::EncodingName(*encoding));
    if (inflated.status().code() == StatusCode::kResourceExhausted) {
      stats_.rejected_decompressed_too_large.fetch_add(1, std::memory_order_relaxed);
      *error = Error(413, "decompressed " + enc + " body exceeds the limit of " +
                              std::to_string(options_.max_decompressed_bytes) + " bytes");
    } else {
      stats_.rejected_bad_encoding.fetch_add(1, std::memory_order_relaxed);
      *error = Error(400, "corrupt " + enc + " body: " + inflated.status().message());
    }
    return false;
  }
  *body = std::move(inflated).value();
  return true;
}

bool OtlpHttpReceiver::ReserveBatch(const net::HttpRequest& request, std::string_view signal,
                                    dedup::Reservation* reservation, net::HttpResponse* early) {
  std::string_view key = request.Header(kBatchKeyHeader);
  if (dedup_ == nullptr || key.empty()) return true;
  std::string full(signal);
  full.push_back('\n');
  full.append(key);
  *reservation = dedup_->TryReserve(full);
  switch (reservation->outcome()) {
    case dedup::Reservation::Outcome::kNew:
      return true;
    case dedup::Reservation::Outcome::kDuplicate:
      // Already merged: the client only missed our answer. Success, without merging again.
      stats_.duplicate_batches.fetch_add(1, std::memory_order_relaxed);
      return false;
    case dedup::Reservation::Outcome::kInFlight:
      stats_.in_flight_batches.fetch_add(1, std::memory_order_relaxed);
      *early = Error(503, "batch '" + std::string(key) + "' is being merged by another request");
      early->headers.emplace_back("Retry-After", "1");
      return false;
  }
  return true;
}

bool OtlpHttpReceiver::ReserveRoom(const net::HttpRequest& request, send::Signal signal,
                                   size_t bytes, Format format, net::HttpResponse* refusal) {
  const std::string name(send::SignalName(signal));
  switch (forwarder_->Reserve(signal, bytes)) {
    case ForwardRoom::kYes:
      return true;
    case ForwardRoom::kFull: {
      // Refused before anything was counted, forwarded or remembered: the client's retry (the
      // agent's exporter honours Retry-After and keeps the batch) is a first attempt again.
      stats_.rejected_queue_full.fetch_add(1, std::memory_order_relaxed);
      const int after = std::max(options_.retry_after_seconds, 1);
      *refusal = StatusAnswer(503, net::GrpcCode::UNAVAILABLE, format,
                              "queue_full: the collector's forward queue for " + name +
                                  " is full (exporters.otlp[].queue_max_bytes); retry after " +
                                  std::to_string(after) + " s",
                              std::chrono::seconds(after));
      refusal->headers.emplace_back("Retry-After", std::to_string(after));
      log_once_.Warn("queue_full",
                     "otlp receiver: refusing {} from {} with 503 + Retry-After {} s: the forward "
                     "queue is full (counted in vigil_collector_rejected_requests_total"
                     "{{reason=\"queue_full\"}}; logged once)",
                     name, request.remote, after);
      return false;
    }
    case ForwardRoom::kNever:
      break;
  }
  // Waiting would not help: a 413, which OTLP clients do not retry.
  stats_.rejected_body_too_large.fetch_add(1, std::memory_order_relaxed);
  const std::string message = "a " + std::to_string(bytes) + "-byte " + name +
                              " request is larger than the collector's whole forward queue "
                              "(exporters.otlp[].queue_max_bytes)";
  *refusal = StatusAnswer(413, net::GrpcCode::RESOURCE_EXHAUSTED, format, message, std::nullopt);
  // Not LogRefusal: the body is a binary google.rpc.Status.
  log_once_.Warn("larger_than_queue",
                 "otlp receiver: refused {} from {} with HTTP 413: {} (counted in "
                 "vigil_collector_rejected_requests_total{{reason=\"body_too_large\"}}; logged "
                 "once)",
                 name, request.remote, message);
  return false;
}

bool OtlpHttpReceiver::ReadRequest(const net::HttpRequest& request,
                                   google::protobuf::Message* message, std::string* body,
                                   Format* format, net::HttpResponse* error) {
  if (!DecodeBody(request, body, format, error)) {
    LogRefusal(request, *error);
    return false;
  }
  if (*format == Format::kJson) {
    if (Status st = otlp::ParseOtlpJson(*body, message); !st.ok()) {
      stats_.rejected_malformed.fetch_add(1, std::memory_order_relaxed);
      *error =
          Error(400, "invalid OTLP/JSON " + message->GetDescriptor()->name() + ": " + st.message());
      LogRefusal(request, *error);
      return false;
    }
    stats_.json_requests.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  if (!message->ParseFromString(*body)) {
    stats_.rejected_malformed.fetch_add(1, std::memory_order_relaxed);
    *error = Error(400, "truncated or malformed protobuf " + message->GetDescriptor()->name());
    LogRefusal(request, *error);
    return false;
  }
  return true;
}

net::HttpResponse OtlpHttpReceiver::HandleMetrics(const net::HttpRequest& request) {
  net::HttpResponse error;
  std::string body;
  Format format = Format::kProtobuf;
  google::protobuf::Arena arena(ArenaFor(request.body.size()));
  auto& req = *google::protobuf::Arena::CreateMessage<
      pb::collector::metrics::v1::ExportMetricsServiceRequest>(&arena);
  if (!ReadRequest(request, &req, &body, &format, &error)) return error;
  // No room check here, on purpose: metrics are merged into the store, not queued per request,
  // so a full metrics export queue never refuses a client's points. What it costs is one
  // periodic export (dropped and counted by the exporter); a cumulative endpoint gets the whole
  // state again at the next interval, a delta endpoint loses that interval's delta.

  pb::collector::metrics::v1::ExportMetricsServiceResponse resp;
  dedup::Reservation reservation;
  error = Ok(format, resp);
  if (!ReserveBatch(request, "metrics", &reservation, &error)) return error;

  const int64_t points = CountPoints(req);
  stats_.metric_points_received.fetch_add(points, std::memory_order_relaxed);

  MergeOutcome outcome = merger_.Merge(req, clock_(), AgentIdOf(request.Header(kBatchKeyHeader)));
  // Whatever merged is in the store now: remember the key even if some points were rejected,
  // so a retry cannot merge the accepted part twice.
  reservation.Commit();
  stats_.metric_points_merged.fetch_add(outcome.merged_points, std::memory_order_relaxed);
  stats_.metric_points_rejected.fetch_add(outcome.rejected_points - outcome.cardinality_points,
                                          std::memory_order_relaxed);
  stats_.rejected_cardinality.fetch_add(outcome.cardinality_points, std::memory_order_relaxed);
  if (outcome.rejected_points > 0) {
    resp.mutable_partial_success()->set_rejected_data_points(outcome.rejected_points);
    resp.mutable_partial_success()->set_error_message(outcome.error_message);
    log_once_.Warn("rejected_points",
                   "otlp receiver: {} data points from {} rejected: {} "
                   "(counted in vigil_collector_dropped_points_total; logged once)",
                   outcome.rejected_points, request.remote, outcome.error_message);
  }
  return Ok(format, resp);
}

template <typename Request, typename Response>
net::HttpResponse OtlpHttpReceiver::HandlePassThrough(const net::HttpRequest& request,
                                                      send::Signal signal) {
  net::HttpResponse error;
  std::string body;
  Format format = Format::kProtobuf;
  // Parsed into an arena: thousands of string fields otherwise cost a malloc and free each.
  google::protobuf::Arena arena(ArenaFor(request.body.size()));
  Request& req = *google::protobuf::Arena::CreateMessage<Request>(&arena);
  if (!ReadRequest(request, &req, &body, &format, &error)) return error;
  Response resp;
  dedup::Reservation reservation;
  error = Ok(format, resp);
  if (!ReserveBatch(request, send::SignalName(signal), &reservation, &error)) return error;
  const bool forward = forwarder_ != nullptr && forwarder_->Wants(signal);
  if (forward) {
    // A protobuf body goes on byte for byte (unknown fields included); JSON is re-encoded from
    // the parsed message, which libprotobuf keeps whole.
    if (format == Format::kJson) body = req.SerializeAsString();
    // Before counting or committing anything: a refused request leaves no trace but the
    // counter, and the released dedup reservation lets its retry through. From here to
    // Forward nothing can fail, so the room reserved is always filled.
    if (!ReserveRoom(request, signal, body.size(), format, &error)) return error;
  }
  const uint64_t items = CountItems(req);
  (signal == send::Signal::kLogs ? stats_.log_records_received : stats_.spans_received)
      .fetch_add(items, std::memory_order_relaxed);
  if (forward) forwarder_->Forward(signal, std::move(body), items);
  reservation.Commit();
  return Ok(format, resp);
}

net::HttpResponse OtlpHttpReceiver::HandleLogs(const net::HttpRequest& request) {
  return HandlePassThrough<pb::collector::logs::v1::ExportLogsServiceRequest,
                           pb::collector::logs::v1::ExportLogsServiceResponse>(request,
                                                                               send::Signal::kLogs);
}

net::HttpResponse OtlpHttpReceiver::HandleTraces(const net::HttpRequest& request) {
  return HandlePassThrough<pb::collector::trace::v1::ExportTraceServiceRequest,
                           pb::collector::trace::v1::ExportTraceServiceResponse>(
      request, send::Signal::kTraces);
}

}  // namespace vigil::receive
