#include "core/send/otlp_http_exporter.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/codec/gzip.h"
#include "core/codec/zstd_compressor.h"
#include "core/net/http_client.h"
#include "core/send/partial_success.h"
#include "core/send/retry_after.h"

namespace vigil::send {
namespace {

std::string Describe(const net::HttpResponse& resp) {
  std::string text = PrintableText(resp.body);
  return "HTTP " + std::to_string(resp.status) + (text.empty() ? "" : ": " + text);
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
  PartialSuccessLog partial_log;
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
                     PartialSuccess ps = ParsePartialSuccess(signal, r->body);
                     if (ps.any()) {
                       core->partial_log.Record(core->opts.endpoint, signal, ps,
                                                core->stats.partial_responses,
                                                core->stats.partial_rejections);
                     }
                   }
                   done(result);
                 });
}

}  // namespace vigil::send
