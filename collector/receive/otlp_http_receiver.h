// OtlpHttpReceiver: the collector's OTLP/HTTP endpoints (POST /v1/metrics, /v1/logs,
// /v1/traces). Enforces the body limits, decodes Content-Encoding with a decompressed-size cap,
// parses protobuf or OTLP/JSON (answering in the request's encoding), drops retried batches by
// X-Vigil-Batch-Key, merges metrics into the SeriesStore and hands logs and spans to a
// Forwarder, refusing them with 503 + Retry-After while its queues are full. Borrows the store, the
// cache, the forwarder and the server, which must outlive it; the handlers run concurrently on any
// loop thread (shared state is atomic or thread-safe).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "collector/aggregate/series_store.h"
#include "collector/dedup/idempotency_cache.h"
#include "collector/receive/forwarder.h"
#include "collector/receive/metrics_merger.h"
#include "core/net/http_server.h"
#include "core/net/http_types.h"
#include "core/send/exporter.h"
#include "core/telemetry/log_once.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace vigil::receive {

inline constexpr std::string_view kBatchKeyHeader = "X-Vigil-Batch-Key";

struct ReceiverOptions {
  // The server enforces this before the handler runs (HttpServerOptions::max_body_bytes); the
  // receiver checks it again so the limit holds whichever server feeds it.
  size_t max_body_bytes = 16 * 1024 * 1024;
  size_t max_decompressed_bytes = 64 * 1024 * 1024;
  size_t max_cumulative_streams = 1'000'000;  // see CumulativeTracker
  // Retry-After of the 503 sent while the forward queues are full (otlp.retry_after_seconds).
  int retry_after_seconds = 1;
};

// Self-metrics; the program exports them through its telemetry registry.
struct ReceiverStats {
  std::atomic<uint64_t> requests{0};  // every request reaching a handler
  std::atomic<uint64_t> metric_points_received{0};
  std::atomic<uint64_t> metric_points_merged{0};
  // Points reported in partial_success as unsupported or invalid; cardinality drops are
  // counted apart in rejected_cardinality (partial_success reports the sum of both).
  std::atomic<uint64_t> metric_points_rejected{0};
  std::atomic<uint64_t> log_records_received{0};
  std::atomic<uint64_t> spans_received{0};
  // Requests refused, by reason.
  std::atomic<uint64_t> rejected_method{0};
  std::atomic<uint64_t> rejected_body_too_large{0};
  std::atomic<uint64_t> rejected_decompressed_too_large{0};
  std::atomic<uint64_t> rejected_bad_encoding{0};  // unknown encoding, or corrupt stream
  std::atomic<uint64_t> rejected_bad_content_type{0};
  std::atomic<uint64_t> rejected_malformed{0};    // protobuf or OTLP/JSON did not parse
  std::atomic<uint64_t> duplicate_batches{0};     // answered 200 without merging
  std::atomic<uint64_t> in_flight_batches{0};     // same key already being merged: 503
  std::atomic<uint64_t> rejected_cardinality{0};  // data points over the series bound
  // Logs or spans refused with 503 because a forward queue was full (the client retries).
  std::atomic<uint64_t> rejected_queue_full{0};
  std::atomic<uint64_t> json_requests{0};  // accepted bodies that were OTLP/JSON
};

class OtlpHttpReceiver {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `dedup` may be null: then batch keys are ignored. `clock` stamps merges (window slots).
  OtlpHttpReceiver(aggregate::SeriesStore& store, dedup::IdempotencyCache* dedup,
                   ReceiverOptions options = {}, Clock clock = nullptr);

  // Logs and spans accepted from then on are handed to `forwarder` (null: only counted). Call
  // before the server starts.
  void SetForwarder(Forwarder* forwarder) { forwarder_ = forwarder; }

  // Registers the three OTLP paths on `server` (before server.Start()).
  void Register(net::HttpServer& server);

  // The handlers, callable directly too.
  net::HttpResponse HandleMetrics(const net::HttpRequest& request);
  net::HttpResponse HandleLogs(const net::HttpRequest& request);
  net::HttpResponse HandleTraces(const net::HttpRequest& request);

  const ReceiverStats& stats() const { return stats_; }
  const ReceiverOptions& options() const { return options_; }
  const MetricsMerger& merger() const { return merger_; }

  enum class Format { kProtobuf, kJson };

 private:
  // Checks method, size, Content-Type and Content-Encoding and inflates the body. On failure
  // `*error` holds the response to send and the result is false.
  bool DecodeBody(const net::HttpRequest& request, std::string* body, Format* format,
                  net::HttpResponse* error);
  // DecodeBody, then parses the body into `*message` (400 with the parser's reason on failure).
  bool ReadRequest(const net::HttpRequest& request, google::protobuf::Message* message,
                   std::string* body, Format* format, net::HttpResponse* error);
  // Shared tail of /v1/logs and /v1/traces: dedup, count, forward, answer.
  template <typename Request, typename Response>
  net::HttpResponse HandlePassThrough(const net::HttpRequest& request, send::Signal signal);
  // Claims the request's batch key (prefixed by `signal`, since one key names one envelope per
  // signal). Returns false with `*early` set when the request must not be processed.
  bool ReserveBatch(const net::HttpRequest& request, std::string_view signal,
                    dedup::Reservation* reservation, net::HttpResponse* early);

  // Reserves room for `bytes` of `signal` in the forwarder's queues, for the Forward that
  // follows. Returns false with `*refusal` set (503 + Retry-After, or 413 when the body can
  // never fit) and counted when there is none.
  bool ReserveRoom(const net::HttpRequest& request, send::Signal signal, size_t bytes,
                   Format format, net::HttpResponse* refusal);

  void LogRefusal(const net::HttpRequest& request, const net::HttpResponse& error);

  telemetry::LogOnce log_once_;
  aggregate::SeriesStore& store_;
  dedup::IdempotencyCache* dedup_;
  Forwarder* forwarder_ = nullptr;
  ReceiverOptions options_;
  Clock clock_;
  MetricsMerger merger_;
  ReceiverStats stats_;
};

}  // namespace vigil::receive
