// OtlpHttpExporter: the transport at the end of the send chain. POSTs an envelope's OTLP body,
// zstd- or gzip-compressed, to <endpoint>/v1/{metrics,logs,traces} and maps the reply to a
// PushResult (OTLP/HTTP rules: 2xx ok; 429, 502, 503, 504 and transport errors retryable; every
// other code, 500 and 501 included, permanent).
// Thread-safe. Create on an EventLoop; destroy after that loop has stopped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/net/event_loop.h"
#include "core/net/http_types.h"
#include "core/net/tls_options.h"
#include "core/send/exporter.h"
#include "core/status.h"

namespace vigil::send {

enum class Compression { kZstd, kGzip };

struct OtlpHttpOptions {
  std::string endpoint = "http://127.0.0.1:4318";  // base URL; the signal path is appended
  std::chrono::milliseconds timeout{10000};        // whole request
  size_t max_connections = 4;
  bool compress = true;  // compress with `compression`; false sends the body as is
  int zstd_level = 3;
  net::HttpHeaders headers;  // extra headers on every request (e.g. Authorization)
  Compression compression = Compression::kZstd;  // used when `compress` is true
  net::TlsOptions tls{};  // for an https:// endpoint (net::HttpClientOptions::tls)
};

struct OtlpHttpStats {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> body_bytes{0};          // uncompressed
  std::atomic<uint64_t> wire_bytes{0};          // as sent
  std::atomic<uint64_t> partial_rejections{0};  // items the server reported as rejected
  std::atomic<uint64_t> partial_responses{0};   // 2xx replies carrying a partial_success
};

// Maps one HTTP outcome to a PushResult. `now` resolves an HTTP-date Retry-After.
// Exposed for tests and for receivers that need the same rules.
PushResult ClassifyHttpResult(const Result<net::HttpResponse>& r,
                              std::chrono::system_clock::time_point now);

class OtlpHttpExporter : public Exporter {
 public:
  // Fails with InvalidArgument when the endpoint or its TLS settings cannot be used.
  static Result<std::unique_ptr<OtlpHttpExporter>> Create(net::EventLoop& loop,
                                                          OtlpHttpOptions opts);
  ~OtlpHttpExporter() override;
  OtlpHttpExporter(const OtlpHttpExporter&) = delete;
  OtlpHttpExporter& operator=(const OtlpHttpExporter&) = delete;

  // Compresses on the calling thread, then sends; `done` runs on the loop.
  void Push(EnvelopePtr e, PushDone done) override;
  const OtlpHttpStats& stats() const;

 private:
  struct Core;
  explicit OtlpHttpExporter(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace vigil::send
