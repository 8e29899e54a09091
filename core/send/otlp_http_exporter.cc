#include "core/send/otlp_http_exporter.h"

#include <spdlog/spdlog.h>

#include <limits>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/codec/gzip.h"
#include "core/codec/zstd_compressor.h"
#include "core/net/http_client.h"
#include "core/send/retry_after.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::send {
namespace {

constexpr size_t kMaxErrorText = 512;

// The server's reply body made safe for a log line or a Status message.
std::string ErrorText(std::string_view body) {
  std::string out;
  out.reserve(std::min(body.size(), kMaxErrorText));
  for (char c : body.substr(0, kMaxErrorText)) {
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kMaxErrorText) out += "...";
  return out;
}

std::string Describe(const net::HttpResponse& resp) {
  std::string text = ErrorText(resp.body);
  return "HTTP " + std::to_string(resp.status) + (text.empty() ? "" : ": " + text);
}

// Reads partial_success out of a 2xx reply. The three Export*ServiceResponse messages share one
// layout, but each is parsed with its own type to stay honest about what the server sent.
template <typename Response>
std::pair<int64_t, std::string> PartialSuccess(std::string_view body) {
  Response resp;
  if (!resp.ParseFromArray(body.data(), static_cast<int>(body.size())) ||
      !resp.has_partial_success()) {
    return {0, ""};
  }
  const auto& ps = resp.partial_success();
  if constexpr (requires { ps.rejected_log_records(); }) {
    return {ps.rejected_log_records(), ps.error_message()};
  } else if constexpr (requires { ps.rejected_data_points(); }) {
    return {ps.rejected_data_points(), ps.error_message()};
  } else {
    return {ps.rejected_spans(), ps.error_message()};
  }
}

std::pair<int64_t, std::string> PartialSuccessOf(Signal s, std::string_view body) {
  namespace col = opentelemetry::proto::collector;
  switch (s) {
    case Signal::kLogs:
      return PartialSuccess<col::logs::v1::ExportLogsServiceResponse>(body);
    case Signal::kMetrics:
      return PartialSuccess<col::metrics::v1::ExportMetricsServiceResponse>(body);
    case Signal::kTraces:
      return PartialSuccess<col::trace::v1::ExportTraceServiceResponse>(body);
  }
  return {0, ""};
}

}  // namespace

PushResult ClassifyHttpResult(const Result<net::HttpResponse>& r,
                              std::chrono::system_clock::time_point now) {
  if (!r.ok()) {
    // Connection refused, reset, timeout, DNS: the collector may come back.
    return PushResult::Retryable(r.status());
  }
  const net::HttpResponse& resp = *r;
  if (resp.status >= 200 && resp.status < 300) return PushResult::Ok();

  // OTLP/HTTP: only throttling and the gateway/availability codes may succeed later. A 500 or
  // 501 means the server cannot handle this payload; sending it again would fail the same way.
  const bool retryable =
      resp.status == 429 || resp.status == 502 || resp.status == 503 || resp.status == 504;
  if (!retryable) {
    return PushResult::Permanent(
        Status::InvalidArgument("server rejected the batch: " + Describe(resp)));
  }
  std::optional<std::chrono::milliseconds> after;
  if (std::string_view h = resp.Header("Retry-After"); !h.empty()) {
    auto parsed = ParseRetryAfter(h, now);
    if (parsed.ok()) {
      after = *parsed;
    } else {
      spdlog::debug("ignoring Retry-After: {}", parsed.status().message());
    }
  }
  return PushResult::Retryable(Status::Unavailable("server unavailable: " + Describe(resp)), after);
}

struct OtlpHttpExporter::Core {
  OtlpHttpOptions opts;
  // steady_clock ticks of the last partial-success warning: at most one a minute.
  std::atomic<int64_t> last_partial_log{std::numeric_limits<int64_t>::min()};
  net::Executor executor;
  std::unique_ptr<net::HttpClient> client;
  std::mutex zstd_mu;  // a ZstdCompressor is single-threaded; Push may run on several threads
  codec::ZstdCompressor zstd;
  OtlpHttpStats stats;

  explicit Core(int level) : zstd(level) {}
  void OnPartialSuccess(Signal signal, int64_t rejected, const std::string& message);
};

Result<std::unique_ptr<OtlpHttpExporter>> OtlpHttpExporter::Create(net::EventLoop& loop,
                                                                   OtlpHttpOptions opts) {
  auto core = std::make_shared<Core>(opts.zstd_level);
  net::HttpClientOptions copts;
  copts.base_url = opts.endpoint;
  copts.timeout = opts.timeout;
  copts.max_connections = opts.max_connections;
  copts.tls = opts.tls;
  auto client = net::HttpClient::Create(loop, std::move(copts));
  if (!client.ok()) return client.status().WithContext("OTLP exporter endpoint");
  core->client = std::move(*client);
  core->executor = loop.executor();
  core->opts = std::move(opts);
  return std::unique_ptr<OtlpHttpExporter>(new OtlpHttpExporter(std::move(core)));
}

OtlpHttpExporter::OtlpHttpExporter(std::shared_ptr<Core> core) : core_(std::move(core)) {}

OtlpHttpExporter::~OtlpHttpExporter() = default;

const OtlpHttpStats& OtlpHttpExporter::stats() const { return core_->stats; }

void OtlpHttpExporter::Push(EnvelopePtr e, PushDone done) {
  Core& c = *core_;
  const bool gzip = c.opts.compression == Compression::kGzip;
  std::string body;
  if (c.opts.compress) {
    Result<std::string> z = [&]() -> Result<std::string> {
      if (gzip) return codec::GzipCompress(e->body);
      std::lock_guard lock(c.zstd_mu);
      return c.zstd.Compress(e->body);
    }();
    if (!z.ok()) {
      // Compression cannot fail on valid input; if it does, resending will not help.
      c.executor.Post([done = std::move(done), s = z.status(), gzip] {
        done(PushResult::Permanent(s.WithContext(gzip ? "gzip" : "zstd")));
      });
      return;
    }
    body = std::move(*z);
  } else {
    body = e->body;
  }

  net::HttpHeaders headers = c.opts.headers;
  headers.emplace_back("Content-Type", "application/x-protobuf");
  if (c.opts.compress) headers.emplace_back("Content-Encoding", gzip ? "gzip" : "zstd");
  // Forwarded data from other producers carries no vigil batch key.
  if (!e->key.empty()) headers.emplace_back(std::string(kBatchKeyHeader), e->key);

  c.stats.requests.fetch_add(1, std::memory_order_relaxed);
  c.stats.body_bytes.fetch_add(e->body.size(), std::memory_order_relaxed);
  c.stats.wire_bytes.fetch_add(body.size(), std::memory_order_relaxed);

  std::weak_ptr<Core> weak = core_;
  const Signal signal = e->signal;
  c.client->Post(std::string(SignalPath(signal)), std::move(headers), std::move(body),
                 [weak, signal, done = std::move(done)](Result<net::HttpResponse> r) {
                   auto core = weak.lock();
                   if (!core) return;  // exporter destroyed: shutting down
                   PushResult result = ClassifyHttpResult(r, std::chrono::system_clock::now());
                   if (result.status.ok() && !r->body.empty()) {
                     auto [rejected, message] = PartialSuccessOf(signal, r->body);
                     if (rejected > 0 || !message.empty())
                       core->OnPartialSuccess(signal, rejected, message);
                   }
                   done(result);
                 });
}

void OtlpHttpExporter::Core::OnPartialSuccess(Signal signal, int64_t rejected,
                                              const std::string& message) {
  stats.partial_responses.fetch_add(1, std::memory_order_relaxed);
  stats.partial_rejections.fetch_add(static_cast<uint64_t>(std::max<int64_t>(rejected, 0)),
                                     std::memory_order_relaxed);
  // A backend that rejects part of every batch would otherwise fill the log.
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  const int64_t minute =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::minutes(1))
          .count();
  int64_t last = last_partial_log.load(std::memory_order_relaxed);
  if (last != std::numeric_limits<int64_t>::min() && now - last < minute) return;
  if (!last_partial_log.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  spdlog::warn(
      "{} accepted {} batch partially: {} rejected: {} (logged at most once a minute; "
      "all are counted)",
      opts.endpoint, SignalName(signal), rejected, ErrorText(message));
}

}  // namespace vigil::send
