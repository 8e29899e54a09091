#include "core/send/otlp_grpc_exporter.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <mutex>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/net/address.h"
#include "core/net/grpc/grpc_logging.h"
#include "core/net/grpc/grpc_status.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "core/send/partial_success.h"
#include "core/text/ascii.h"

namespace vigil::send {
namespace {

Status CheckMetadata(const net::HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    std::string key = name;
    for (char& c : key) c = text::AsciiLower(c);
    const bool key_ok = !key.empty() && !key.starts_with("grpc-") && !key.ends_with("-bin") &&
                        std::all_of(key.begin(), key.end(), [](char c) {
                          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                                 c == '_' || c == '.';
                        });
    if (!key_ok) {
      return Status::InvalidArgument("header \"" + key +
                                     "\" cannot be sent as gRPC metadata (allowed: a-z 0-9 - _ "
                                     "., not grpc-*, not *-bin)");
    }
    if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
      return Status::InvalidArgument("header \"" + key + "\": value must be printable ASCII");
    }
  }
  return Status::Ok();
}

std::string Flatten(const ::grpc::ByteBuffer& buffer) {
  std::string out;
  std::vector<::grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const ::grpc::Slice& s : slices) {
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return out;
}

// The channel credentials: plaintext for http:// and host:port; for https://, gRPC's SSL
// credentials with the CA bundle (the system's when no ca_file, as HttpClient does) and the
// client certificate, or, with insecure_skip_verify, TLS credentials that check nothing.
Result<std::shared_ptr<::grpc::ChannelCredentials>> MakeCredentials(const OtlpGrpcOptions& o) {
  if (!IsTlsGrpcEndpoint(o.endpoint)) return ::grpc::InsecureChannelCredentials();
  const net::TlsOptions& tls = o.tls;
  std::string cert_pem;
  std::string key_pem;
  if (!tls.cert_file.empty()) {
    auto cert = net::ReadTlsFile(tls.cert_file, "cert_file");
    if (!cert.ok()) return cert.status();
    auto key = net::ReadTlsFile(tls.key_file, "key_file");
    if (!key.ok()) return key.status();
    cert_pem = std::move(*cert);
    key_pem = std::move(*key);
  }
  if (tls.insecure_skip_verify) {
    spdlog::warn(
        "TLS to {}: insecure_skip_verify is on: the server's certificate and name are NOT "
        "checked; anyone on the path can read and change this traffic",
        o.endpoint);
    namespace gx = ::grpc::experimental;
    gx::TlsChannelCredentialsOptions t;
    t.set_verify_server_certs(false);
    t.set_check_call_host(false);
    t.set_certificate_verifier(std::make_shared<gx::NoOpCertificateVerifier>());
    if (!cert_pem.empty()) {
      t.set_certificate_provider(std::make_shared<gx::StaticDataCertificateProvider>(
          std::vector<gx::IdentityKeyCertPair>{{key_pem, cert_pem}}));
      t.watch_identity_key_cert_pairs();
    }
    return gx::TlsCredentials(t);
  }
  ::grpc::SslCredentialsOptions ssl;
  if (tls.ca_file.empty()) {
    ssl.pem_root_certs = net::SystemCaBundlePem();
  } else {
    auto ca = net::ReadTlsFile(tls.ca_file, "ca_file");
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = std::move(*ca);
  }
  ssl.pem_cert_chain = std::move(cert_pem);
  ssl.pem_private_key = std::move(key_pem);
  return ::grpc::SslCredentials(ssl);
}

}  // namespace

bool IsTlsGrpcEndpoint(std::string_view endpoint) { return endpoint.starts_with("https://"); }

Result<std::string> OtlpGrpcTarget(std::string_view endpoint) {
  std::string_view rest = endpoint;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find("://") != std::string_view::npos) {
    return Status::InvalidArgument("endpoint \"" + std::string(endpoint) +
                                   "\": expected host:port (gRPC endpoints have no path)");
  }
  auto hp = net::ParseHostPort(rest);
  if (!hp.ok() || hp->second == 0) {
    return Status::InvalidArgument("endpoint \"" + std::string(endpoint) +
                                   "\": expected host:port with a non-zero port");
  }
  const std::string& host = hp->first;
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(hp->second);
}

Status ValidateOtlpGrpcOptions(const OtlpGrpcOptions& opts) {
  auto target = OtlpGrpcTarget(opts.endpoint);
  if (!target.ok()) return target.status();
  VIGIL_RETURN_IF_ERROR(CheckMetadata(opts.headers));
  if (IsTlsGrpcEndpoint(opts.endpoint)) return net::ValidateTlsOptions(opts.tls);
  if (opts.tls.configured()) {
    return Status::InvalidArgument("endpoint \"" + opts.endpoint +
                                   "\": tls settings need an https:// endpoint");
  }
  return Status::Ok();
}

PushResult ClassifyGrpcResult(int code, std::string_view message, std::string_view details) {
  if (code == 0) return PushResult::Ok();
  const auto grpc_code = static_cast<net::GrpcCode>(code);
  std::optional<std::chrono::milliseconds> delay;
  if (!details.empty()) {
    auto st = net::DecodeRpcStatus(details);
    if (st.ok()) {
      delay = st->retry_delay;
    } else {
      spdlog::debug("ignoring grpc-status-details-bin: {}", st.status().message());
    }
  }
  std::string text = "gRPC " + net::GrpcCodeName(grpc_code);
  if (!message.empty()) text += ": " + PrintableText(message);
  if (net::IsRetryableGrpcCode(grpc_code, delay.has_value())) {
    return PushResult::Retryable(Status::Unavailable("export failed: " + text), delay);
  }
  return PushResult::Permanent(Status::InvalidArgument("server rejected the batch: " + text));
}

struct OtlpGrpcExporter::CallState {
  ::grpc::ClientContext ctx;
  ::grpc::ByteBuffer request;
  ::grpc::ByteBuffer response;
  PushDone done;
};

struct OtlpGrpcExporter::Core {
  OtlpGrpcOptions opts;
  net::Executor executor;
  std::shared_ptr<::grpc::Channel> channel;
  std::unique_ptr<::grpc::GenericStub> stub;
  OtlpGrpcStats stats;
  PartialSuccessLog partial_log;
  std::mutex mu;
  std::unordered_set<::grpc::ClientContext*> in_flight;  // guarded by mu; cancelled on close
  bool closed = false;                                   // guarded by mu
};

Result<std::unique_ptr<OtlpGrpcExporter>> OtlpGrpcExporter::Create(net::EventLoop& loop,
                                                                   OtlpGrpcOptions opts) {
  VIGIL_RETURN_IF_ERROR(ValidateOtlpGrpcOptions(opts).WithContext("OTLP/gRPC exporter"));
  net::RouteGrpcLogsToSpdlog();
  auto target = OtlpGrpcTarget(opts.endpoint);
  if (!target.ok()) return target.status();
  for (auto& header : opts.headers) {
    for (char& c : header.first) c = text::AsciiLower(c);
  }
  auto core = std::make_shared<Core>();
  ::grpc::ChannelArguments args;
  // RetryExporter owns retries and their backoff; gRPC's own would hide failures from it.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  // After a refused connection gRPC fails calls fast until its reconnect backoff expires
  // (up to 120 s by default): keep that short so a restarted backend is reached quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  auto creds = MakeCredentials(opts);
  if (!creds.ok()) return creds.status().WithContext("OTLP/gRPC exporter");
  core->channel = ::grpc::CreateCustomChannel(*target, *creds, args);
  core->stub = std::make_unique<::grpc::GenericStub>(core->channel);
  core->executor = loop.executor();
  core->opts = std::move(opts);
  return std::unique_ptr<OtlpGrpcExporter>(new OtlpGrpcExporter(std::move(core)));
}

OtlpGrpcExporter::OtlpGrpcExporter(std::shared_ptr<Core> core) : core_(std::move(core)) {}

OtlpGrpcExporter::~OtlpGrpcExporter() {
  std::lock_guard lock(core_->mu);
  core_->closed = true;
  for (::grpc::ClientContext* ctx : core_->in_flight) ctx->TryCancel();
}

const OtlpGrpcStats& OtlpGrpcExporter::stats() const { return core_->stats; }

void OtlpGrpcExporter::Push(EnvelopePtr e, PushDone done) {
  Core& c = *core_;
  auto call = std::make_shared<CallState>();
  call->done = std::move(done);
  call->ctx.set_deadline(std::chrono::system_clock::now() + c.opts.timeout);
  call->ctx.set_compression_algorithm(c.opts.gzip ? GRPC_COMPRESS_GZIP : GRPC_COMPRESS_NONE);
  for (const auto& [key, value] : c.opts.headers) call->ctx.AddMetadata(key, value);
  // Forwarded data from other producers carries no vigil batch key.
  if (!e->key.empty()) {
    std::string key(kBatchKeyHeader);
    for (char& ch : key) ch = text::AsciiLower(ch);
    call->ctx.AddMetadata(key, e->key);
  }
  ::grpc::Slice slice(e->body);
  call->request = ::grpc::ByteBuffer(&slice, 1);
  {
    std::lock_guard lock(c.mu);
    if (c.closed) return;  // being destroyed: the completion is dropped, as documented
    c.in_flight.insert(&call->ctx);
  }
  c.stats.requests.fetch_add(1, std::memory_order_relaxed);
  c.stats.body_bytes.fetch_add(e->body.size(), std::memory_order_relaxed);
  c.stats.wire_bytes.fetch_add(e->body.size(), std::memory_order_relaxed);

  std::weak_ptr<Core> weak = core_;
  const Signal signal = e->signal;
  c.stub->UnaryCall(&call->ctx, std::string(net::OtlpGrpcMethodOf(signal)), ::grpc::StubOptions(),
                    &call->request, &call->response, [weak, call, signal](::grpc::Status s) {
                      auto core = weak.lock();
                      if (!core) return;  // exporter destroyed: shutting down
                      {
                        std::lock_guard lock(core->mu);
                        core->in_flight.erase(&call->ctx);
                      }
                      PushResult result =
                          ClassifyGrpcResult(s.error_code(), s.error_message(), s.error_details());
                      if (result.status.ok()) {
                        PartialSuccess ps = ParsePartialSuccess(signal, Flatten(call->response));
                        if (ps.any()) {
                          core->partial_log.Record(core->opts.endpoint + " (gRPC)", signal, ps,
                                                   core->stats.partial_responses,
                                                   core->stats.partial_rejections);
                        }
                      }
                      core->executor.Post([done = std::move(call->done), result] { done(result); });
                    });
}

}  // namespace vigil::send
