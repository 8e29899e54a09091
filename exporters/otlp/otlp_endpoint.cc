#include "exporters/otlp/otlp_endpoint.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <utility>

namespace vigil::exporters {
namespace {

Result<send::Signal> SignalNamed(const std::string& name) {
  if (name == "metrics") return send::Signal::kMetrics;
  if (name == "logs") return send::Signal::kLogs;
  if (name == "traces") return send::Signal::kTraces;
  return Status::InvalidArgument("unknown signal \"" + name +
                                 "\"; expected traces, logs or metrics");
}

FailReason ReasonOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kResourceExhausted:
      return FailReason::kQueueFull;
    case StatusCode::kDeadlineExceeded:
      return FailReason::kRetriesExhausted;  // RetryExporter ran out of max_elapsed
    case StatusCode::kInvalidArgument:
      return FailReason::kRejected;  // a status the backend says will never succeed
    default:
      return FailReason::kOther;
  }
}

// True at most once a minute per `last` (steady-clock ticks of the previous true).
bool MinuteElapsed(std::atomic<int64_t>& last) {
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  const int64_t minute =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::minutes(1))
          .count();
  int64_t prev = last.load(std::memory_order_relaxed);
  if (prev != std::numeric_limits<int64_t>::min() && now - prev < minute) return false;
  return last.compare_exchange_strong(prev, now, std::memory_order_relaxed);
}

}  // namespace

const char* FailReasonName(FailReason r) {
  switch (r) {
    case FailReason::kQueueFull:
      return "queue_full";
    case FailReason::kRejected:
      return "rejected";
    case FailReason::kRetriesExhausted:
      return "retries_exhausted";
    case FailReason::kOther:
      return "other";
  }
  return "other";
}

Status ValidateOtlpEndpointOptions(const OtlpEndpointOptions& o) {
  if (o.protocol == Protocol::kGrpc) {
    send::OtlpGrpcOptions grpc;
    grpc.endpoint = o.endpoint;
    for (const auto& [k, v] : o.headers) grpc.headers.emplace_back(k, v);
    grpc.tls = o.tls;
    VIGIL_RETURN_IF_ERROR(send::ValidateOtlpGrpcOptions(grpc));
  } else if (o.endpoint.starts_with("https://")) {
    VIGIL_RETURN_IF_ERROR(net::ValidateTlsOptions(o.tls));
  } else if (!o.endpoint.starts_with("http://")) {
    return Status::InvalidArgument("endpoint \"" + o.endpoint +
                                   "\" must start with http:// or https://");
  } else if (o.tls.configured()) {
    return Status::InvalidArgument("endpoint \"" + o.endpoint +
                                   "\": tls settings need an https:// endpoint");
  }
  if (o.signals.empty()) return Status::InvalidArgument("signals: name at least one signal");
  std::array<bool, 3> seen{};
  for (const std::string& name : o.signals) {
    auto s = SignalNamed(name);
    if (!s.ok()) return Status::InvalidArgument("signals: " + s.status().message());
    if (seen[static_cast<size_t>(*s)]) {
      return Status::InvalidArgument("signals: \"" + name + "\" is listed twice");
    }
    seen[static_cast<size_t>(*s)] = true;
  }
  if (o.timeout.count() <= 0) return Status::InvalidArgument("timeout must be positive");
  if (o.metrics_interval.count() <= 0) {
    return Status::InvalidArgument("metrics_interval must be positive");
  }
  if (o.retry.initial_interval.count() <= 0 || o.retry.max_interval < o.retry.initial_interval) {
    return Status::InvalidArgument(
        "retry: initial_interval must be positive and no larger than max_interval");
  }
  return Status::Ok();
}

Result<std::unique_ptr<OtlpEndpoint>> OtlpEndpoint::Create(net::EventLoop& loop,
                                                           OtlpEndpointOptions options) {
  VIGIL_RETURN_IF_ERROR(ValidateOtlpEndpointOptions(options));
  std::shared_ptr<send::Exporter> transport;
  const send::OtlpHttpStats* transport_stats = nullptr;
  if (options.protocol == Protocol::kGrpc) {
    send::OtlpGrpcOptions grpc_opts;
    grpc_opts.endpoint = options.endpoint;
    grpc_opts.timeout = options.timeout;
    // Debian's gRPC has no zstd: the default (zstd) compresses with gzip here.
    grpc_opts.gzip = options.compression != CompressionSetting::kNone;
    for (const auto& [k, v] : options.headers) grpc_opts.headers.emplace_back(k, v);
    grpc_opts.tls = options.tls;
    auto grpc = send::OtlpGrpcExporter::Create(loop, std::move(grpc_opts));
    if (!grpc.ok()) return grpc.status().WithContext(options.endpoint);
    transport_stats = &(*grpc)->stats();
    transport = std::shared_ptr<send::OtlpGrpcExporter>(std::move(*grpc));
  } else {
    send::OtlpHttpOptions http_opts;
    http_opts.endpoint = options.endpoint;
    http_opts.timeout = options.timeout;
    http_opts.compress = options.compression != CompressionSetting::kNone;
    http_opts.compression = options.compression == CompressionSetting::kGzip
                                ? send::Compression::kGzip
                                : send::Compression::kZstd;
    for (const auto& [k, v] : options.headers) http_opts.headers.emplace_back(k, v);
    http_opts.tls = options.tls;
    auto http = send::OtlpHttpExporter::Create(loop, std::move(http_opts));
    if (!http.ok()) return http.status().WithContext(options.endpoint);
    transport_stats = &(*http)->stats();
    transport = std::shared_ptr<send::OtlpHttpExporter>(std::move(*http));
  }
  auto retry = std::make_shared<send::RetryExporter>(
      loop.executor(), transport,
      send::RetryOptions{.initial_interval = options.retry.initial_interval,
                         .max_interval = options.retry.max_interval,
                         .max_elapsed = options.retry.max_elapsed});
  auto queue = std::make_shared<send::QueueExporter>(
      loop.executor(), retry, send::QueueOptions{.max_bytes = options.queue_max_bytes});
  return std::unique_ptr<OtlpEndpoint>(new OtlpEndpoint(std::move(options), std::move(transport),
                                                        transport_stats, std::move(retry),
                                                        std::move(queue)));
}

OtlpEndpoint::OtlpEndpoint(OtlpEndpointOptions options, std::shared_ptr<send::Exporter> transport,
                           const send::OtlpHttpStats* transport_stats,
                           std::shared_ptr<send::RetryExporter> retry,
                           std::shared_ptr<send::QueueExporter> queue)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      transport_stats_(transport_stats),
      retry_(std::move(retry)),
      queue_(std::move(queue)),
      last_failure_log_(
          std::make_shared<std::atomic<int64_t>>(std::numeric_limits<int64_t>::min())),
      queue_full_logged_(std::make_shared<std::atomic<bool>>(false)),
      snapshot_(options_.metrics_temporality) {
  for (const std::string& name : options_.signals) {
    if (auto s = SignalNamed(name); s.ok()) wants_[static_cast<size_t>(*s)] = true;
  }
}

OtlpEndpoint::~OtlpEndpoint() = default;

void OtlpEndpoint::Push(send::Signal signal, std::string body, size_t items) {
  queue_->Push(Envelope(signal, std::move(body), items), Counting(signal, items));
}

void OtlpEndpoint::PushReserved(send::Signal signal, std::string body, size_t items) {
  queue_->PushReserved(Envelope(signal, std::move(body), items), Counting(signal, items));
}

send::EnvelopePtr OtlpEndpoint::Envelope(send::Signal signal, std::string body,
                                         size_t items) const {
  auto e = std::make_shared<send::Envelope>();
  e->signal = signal;
  e->body = std::move(body);
  e->items = items;
  return e;
}

send::PushDone OtlpEndpoint::Counting(send::Signal signal, size_t items) const {
  const size_t sig = static_cast<size_t>(signal);
  return [stats = stats_, sig, signal, items, endpoint = options_.endpoint,
          max_bytes = options_.queue_max_bytes, log = last_failure_log_,
          full_logged = queue_full_logged_](const send::PushResult& r) {
    if (r.status.ok()) {
      stats->sent_items[sig].fetch_add(items, std::memory_order_relaxed);
      return;
    }
    const FailReason reason = ReasonOf(r.status);
    stats->failed_items[sig][static_cast<size_t>(reason)].fetch_add(items,
                                                                    std::memory_order_relaxed);
    if (reason == FailReason::kQueueFull) {
      if (!full_logged->exchange(true)) {
        spdlog::warn(
            "exporter {}: queue full (queue_max_bytes {}): dropping {} batches; further "
            "drops are only counted (vigil_collector_exporter_failed_items_total"
            "{{reason=\"queue_full\"}})",
            endpoint, max_bytes, send::SignalName(signal));
      }
      return;
    }
    if (MinuteElapsed(*log)) {
      spdlog::warn("exporter {}: dropped {} {} item(s) ({}): {} (logged at most once a minute)",
                   endpoint, items, send::SignalName(signal), FailReasonName(reason),
                   r.status.ToString());
    }
  };
}

void OtlpEndpoint::ExportMetrics(const aggregate::SeriesStore& store,
                                 std::chrono::system_clock::time_point now) {
  // Held across the push so that delta exports enter the queue in the order they were cut.
  std::lock_guard lock(snapshot_mu_);
  size_t points = 0;
  auto req = snapshot_.Build(store, now, &points);
  if (points == 0) return;
  stats_->metric_exports.fetch_add(1, std::memory_order_relaxed);
  Push(send::Signal::kMetrics, req.SerializeAsString(), points);
}

}  // namespace vigil::exporters
