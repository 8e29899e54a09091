#include "core/send/otlp_http_exporter.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

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

  const bool retryable = resp.status == 429 || (resp.status >= 500 && resp.status < 600);
  if (!retryable) {
    return PushResult::Permanent(
        Status::InvalidArgument("collector rejected the batch: " + Describe(resp)));
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
  return PushResult::Retryable(Status::Unavailable("collector unavailable: " + Describe(resp)),
                               after);
}

struct OtlpHttpExporter::Core {
  OtlpHttpOptions opts;
  net::Executor executor;
  std::unique_ptr<net::HttpClient> client;
  std::mutex zstd_mu;  // a ZstdCompressor is single-threaded; Push may run on several threads
  codec::ZstdCompressor zstd;
  OtlpHttpStats stats;

  explicit Core(int level) : zstd(level) {}
};

Result<std::unique_ptr<OtlpHttpExporter>> OtlpHttpExporter::Create(net::EventLoop& loop,
                                                                   OtlpHttpOptions opts) {
  auto core = std::make_shared<Core>(opts.zstd_level);
  net::HttpClientOptions copts;
  copts.base_url = opts.endpoint;
  copts.timeout = opts.timeout;
  copts.max_connections = opts.max_connections;
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
  std::string body;
  if (c.opts.compress) {
    Result<std::string> z = [&] {
      std::lock_guard lock(c.zstd_mu);
      return c.zstd.Compress(e->body);
    }();
    if (!z.ok()) {
      // Compression cannot fail on valid input; if it does, resending will not help.
      c.executor.Post([done = std::move(done), s = z.status()] {
        done(PushResult::Permanent(s.WithContext("zstd")));
      });
      return;
    }
    body = std::move(*z);
  } else {
    body = e->body;
  }

  net::HttpHeaders headers = c.opts.headers;
  headers.emplace_back("Content-Type", "application/x-protobuf");
  if (c.opts.compress) headers.emplace_back("Content-Encoding", "zstd");
  headers.emplace_back(std::string(kBatchKeyHeader), e->key);

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
                     if (rejected > 0 || !message.empty()) {
                       core->stats.partial_rejections.fetch_add(
                           static_cast<uint64_t>(std::max<int64_t>(rejected, 0)),
                           std::memory_order_relaxed);
                       spdlog::warn("collector accepted {} batch partially: {} rejected: {}",
                                    SignalName(signal), rejected, ErrorText(message));
                     }
                   }
                   done(result);
                 });
}

}  // namespace vigil::send
