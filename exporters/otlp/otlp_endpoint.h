// OtlpEndpoint: one configured OTLP destination of the collector (exporters.otlp[i]): its send
// chain QueueExporter -> RetryExporter -> OtlpHttpExporter or OtlpGrpcExporter (`protocol`), the
// signals it takes, its metric
// snapshotter (temporality) and its self-metrics. Push never blocks: it is a bounded-queue insert,
// and what does not fit is dropped and counted. Thread-safe. Create on an EventLoop; destroy after
// that loop has stopped.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "core/net/event_loop.h"
#include "core/net/tls_options.h"
#include "core/send/exporter.h"
#include "core/send/otlp_grpc_exporter.h"
#include "core/send/otlp_http_exporter.h"
#include "core/send/queue_exporter.h"
#include "core/send/retry_exporter.h"
#include "core/status.h"
#include "exporters/otlp/metrics_snapshot.h"

namespace vigil::exporters {

enum class CompressionSetting { kZstd, kGzip, kNone };
enum class Protocol { kHttpProtobuf, kGrpc };

struct RetrySettings {
  std::chrono::milliseconds initial_interval{1000};
  std::chrono::milliseconds max_interval{30000};
  std::chrono::milliseconds max_elapsed{300000};  // then the batch is dropped and counted
};

struct OtlpEndpointOptions {
  // http/protobuf: http[s]://host[:port][/prefix], /v1/<signal> is appended. grpc: host:port
  // or http://host:port (plaintext), https://host:port (TLS); <Signal>Service/Export is called.
  std::string endpoint;
  Protocol protocol = Protocol::kHttpProtobuf;
  std::vector<std::string> signals = {"traces", "logs", "metrics"};
  std::map<std::string, std::string> headers;                  // sent with every request
  CompressionSetting compression = CompressionSetting::kZstd;  // grpc: zstd means gzip
  std::chrono::milliseconds timeout{10000};
  Temporality metrics_temporality = Temporality::kCumulative;
  std::chrono::milliseconds metrics_interval{10000};
  size_t queue_max_bytes = 64 << 20;
  RetrySettings retry;
  // The `tls:` section (net::TlsOptionTable()): for https:// endpoints only.
  net::TlsOptions tls{};
};

// InvalidArgument naming the problem: endpoint not http:// or https:// (grpc: not host:port), a
// header that is not valid gRPC metadata (grpc), unknown or repeated signal, no signal,
// non-positive interval or timeout, a `tls` file that is unreadable or not PEM (the message
// names the field and file), `tls` settings on a plaintext endpoint.
Status ValidateOtlpEndpointOptions(const OtlpEndpointOptions& o);

// Why items were not delivered.
enum class FailReason { kQueueFull, kRejected, kRetriesExhausted, kOther };
inline constexpr size_t kFailReasons = 4;
const char* FailReasonName(FailReason r);

struct EndpointStats {
  // Indexed by send::Signal.
  std::array<std::atomic<uint64_t>, 3> sent_items{};
  std::array<std::array<std::atomic<uint64_t>, kFailReasons>, 3> failed_items{};
  std::atomic<uint64_t> metric_exports{0};  // snapshots pushed
};

class OtlpEndpoint {
 public:
  static Result<std::unique_ptr<OtlpEndpoint>> Create(net::EventLoop& loop,
                                                      OtlpEndpointOptions options);
  ~OtlpEndpoint();
  OtlpEndpoint(const OtlpEndpoint&) = delete;
  OtlpEndpoint& operator=(const OtlpEndpoint&) = delete;

  bool Wants(send::Signal signal) const { return wants_[static_cast<size_t>(signal)]; }
  // Queues `body` (a serialized Export*ServiceRequest with `items` items). Never blocks; when
  // the queue is full the body is dropped and counted (reason queue_full).
  void Push(send::Signal signal, std::string body, size_t items);
  // Room for one body of `bytes` set aside in the queue (send::QueueExporter::Reserve), then
  // filled by PushReserved, which is never refused, or given back by Unreserve.
  bool Reserve(size_t bytes) { return queue_->Reserve(bytes); }
  void Unreserve(size_t bytes) { queue_->Unreserve(bytes); }
  void PushReserved(send::Signal signal, std::string body, size_t items);
  // Renders `store` in this endpoint's temporality and pushes it, if it has any point.
  // Calls are serialized internally (the snapshot's delta state is per endpoint).
  void ExportMetrics(const aggregate::SeriesStore& store,
                     std::chrono::system_clock::time_point now);

  // Body bytes held: waiting, in flight or reserved.
  size_t queued_bytes() const { return queue_->queued_bytes(); }
  const EndpointStats& stats() const { return *stats_; }
  // The transport's counters (HTTP or gRPC: same fields).
  const send::OtlpHttpStats& http_stats() const { return *transport_stats_; }
  const send::RetryStats& retry_stats() const { return retry_->stats(); }
  const OtlpEndpointOptions& options() const { return options_; }

 private:
  OtlpEndpoint(OtlpEndpointOptions options, std::shared_ptr<send::Exporter> transport,
               const send::OtlpHttpStats* transport_stats,
               std::shared_ptr<send::RetryExporter> retry,
               std::shared_ptr<send::QueueExporter> queue);
  // The envelope for `body` and the completion that counts its outcome.
  send::EnvelopePtr Envelope(send::Signal signal, std::string body, size_t items) const;
  send::PushDone Counting(send::Signal signal, size_t items) const;

  OtlpEndpointOptions options_;
  std::array<bool, 3> wants_{};
  std::shared_ptr<send::Exporter> transport_;   // OtlpHttpExporter or OtlpGrpcExporter
  const send::OtlpHttpStats* transport_stats_;  // owned by transport_
  std::shared_ptr<send::RetryExporter> retry_;
  std::shared_ptr<send::QueueExporter> queue_;
  // Shared with completion callbacks, which may outlive a Push call.
  std::shared_ptr<EndpointStats> stats_ = std::make_shared<EndpointStats>();
  std::shared_ptr<std::atomic<int64_t>> last_failure_log_;
  std::shared_ptr<std::atomic<bool>> queue_full_logged_;
  std::mutex snapshot_mu_;
  MetricsSnapshot snapshot_;
};

}  // namespace vigil::exporters
