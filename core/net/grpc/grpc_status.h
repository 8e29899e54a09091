// How OTLP/HTTP answers and OTLP/gRPC statuses translate into each other (the OTLP spec's
// retryable codes, RetryInfo for throttling) and the google.rpc.Status / google.rpc.RetryInfo
// bytes carried in the grpc-status-details-bin trailer. Pure functions; thread-safe.
#pragma once

#include <grpcpp/support/status_code_enum.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/net/http_types.h"
#include "core/status.h"

namespace vigil::net {

using GrpcCode = ::grpc::StatusCode;

// "INVALID_ARGUMENT", ...; "CODE_<n>" for values outside the enum.
std::string GrpcCodeName(GrpcCode code);

// The gRPC code an OTLP/HTTP status stands for: 2xx OK, 400/415 INVALID_ARGUMENT, 413
// RESOURCE_EXHAUSTED (no RetryInfo: the same message will never fit), 429/502/503/504
// UNAVAILABLE, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404/405/501 UNIMPLEMENTED, 500
// INTERNAL, anything else UNKNOWN.
GrpcCode GrpcCodeForHttpStatus(int http_status);

// OTLP/gRPC: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS may
// succeed later; RESOURCE_EXHAUSTED only when the server sent RetryInfo; nothing else does.
bool IsRetryableGrpcCode(GrpcCode code, bool has_retry_info);

// A receiver's HTTP answer as a gRPC reply.
struct GrpcReply {
  GrpcCode code = GrpcCode::OK;
  std::string message;   // error text for the client (empty on OK)
  std::string details;   // serialized google.rpc.Status for grpc-status-details-bin, or ""
  std::string response;  // the Export*ServiceResponse bytes (OK only)
};

// 2xx: OK with the body as the response message (partial_success travels inside it). Errors:
// the code from GrpcCodeForHttpStatus, the message from the body (ErrorMessageOfBody), and for
// UNAVAILABLE with a Retry-After of delay-seconds, a RetryInfo detail with that delay.
GrpcReply GrpcReplyFromHttp(const HttpResponse& response);

// The human text of an error answer: google.rpc.Status.message of an application/x-protobuf
// body, the body itself (trimmed, control characters blanked, capped) otherwise, or
// "HTTP <status>" when that leaves nothing.
std::string ErrorMessageOfBody(const HttpResponse& response);

// google.rpc.Status{code, message, details} with, when `retry_delay` is set, one Any holding
// google.rpc.RetryInfo{retry_delay}.
std::string EncodeRpcStatus(int code, std::string_view message,
                            std::optional<std::chrono::milliseconds> retry_delay = std::nullopt);

struct RpcStatus {
  int code = 0;
  std::string message;
  std::optional<std::chrono::milliseconds> retry_delay;  // from a RetryInfo detail
};

// Parses a serialized google.rpc.Status; details other than RetryInfo are skipped. Malformed
// bytes are InvalidArgument. Negative delays become 0; delays are capped at one day.
Result<RpcStatus> DecodeRpcStatus(std::string_view bytes);

}  // namespace vigil::net
