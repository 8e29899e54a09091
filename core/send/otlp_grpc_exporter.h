// OtlpGrpcExporter: the OTLP/gRPC transport at the end of a send chain, beside OtlpHttpExporter.
// Calls <Signal>Service/Export with the envelope's body as the request message (gRPC's generic
// stub: no generated code), gzip or uncompressed, headers as metadata, the timeout as deadline,
// and maps the final status to a PushResult by the OTLP/gRPC rules (ClassifyGrpcResult).
// https:// endpoints use TLS (gRPC's SSL credentials with `tls`'s files).
// Thread-safe. Create on an EventLoop (completions run there); destroy after that loop stopped.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/net/event_loop.h"
#include "core/net/http_types.h"
#include "core/net/tls_options.h"
#include "core/send/exporter.h"
#include "core/send/otlp_http_exporter.h"
#include "core/status.h"

namespace vigil::send {

struct OtlpGrpcOptions {
  // host:port, or http://host:port as OpenTelemetry configs often write it: plaintext.
  // https://host:port: TLS, verified with `tls`. A path is InvalidArgument.
  std::string endpoint = "127.0.0.1:4317";
  std::chrono::milliseconds timeout{10000};  // per call: the gRPC deadline
  bool gzip = true;                          // grpc-encoding gzip, else identity
  // Sent as metadata on every call. Names are lowercased; they must be valid gRPC metadata
  // keys (a-z 0-9 - _ .) and values printable ASCII, else Create fails.
  net::HttpHeaders headers;
  // For https:// endpoints (CA, mTLS files, insecure_skip_verify); must stay default otherwise.
  net::TlsOptions tls{};
};

// Same counters as the HTTP transport; wire_bytes counts the message before gRPC compresses it.
using OtlpGrpcStats = OtlpHttpStats;

// The gRPC target ("host:port", IPv6 bracketed) of an endpoint as OtlpGrpcOptions describes it;
// InvalidArgument naming the endpoint.
Result<std::string> OtlpGrpcTarget(std::string_view endpoint);
// True for an https:// endpoint (TLS).
bool IsTlsGrpcEndpoint(std::string_view endpoint);
// Checks the endpoint, that every header can be sent as gRPC metadata (names compared
// lowercased) and the TLS files (net::ValidateTlsOptions; TLS settings on a plaintext endpoint
// are an error too). The errors Create would give, for configuration checks.
Status ValidateOtlpGrpcOptions(const OtlpGrpcOptions& opts);

// Maps a finished call: OK ok; retryable per net::IsRetryableGrpcCode (a RetryInfo in
// `details`, a serialized google.rpc.Status, also gives the delay) as Unavailable; any other
// code permanent, as InvalidArgument naming the code and the server's message.
PushResult ClassifyGrpcResult(int code, std::string_view message, std::string_view details);

class OtlpGrpcExporter : public Exporter {
 public:
  // Fails with InvalidArgument when the endpoint, a header or a TLS file cannot be used. Warns
  // when TLS skips verification.
  static Result<std::unique_ptr<OtlpGrpcExporter>> Create(net::EventLoop& loop,
                                                          OtlpGrpcOptions opts);
  ~OtlpGrpcExporter() override;  // cancels calls in flight; their `done` is dropped
  OtlpGrpcExporter(const OtlpGrpcExporter&) = delete;
  OtlpGrpcExporter& operator=(const OtlpGrpcExporter&) = delete;

  void Push(EnvelopePtr e, PushDone done) override;
  const OtlpGrpcStats& stats() const;

 private:
  struct Core;
  struct CallState;
  explicit OtlpGrpcExporter(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace vigil::send
