// The three OTLP/gRPC Export methods and the OTLP/HTTP paths that carry the same messages, so a
// gRPC request can be served by the OTLP/HTTP handler of its signal and the exporter can name
// the method to call. Constants only.
#pragma once

#include <array>
#include <string_view>

#include "core/send/exporter.h"

namespace vigil::net {

struct OtlpGrpcMethod {
  send::Signal signal;
  std::string_view method;     // full gRPC method name, "/package.Service/Export"
  std::string_view http_path;  // "/v1/traces", ...
};

inline constexpr std::array<OtlpGrpcMethod, 3> kOtlpGrpcMethods = {{
    {send::Signal::kTraces, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
     "/v1/traces"},
    {send::Signal::kMetrics, "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
     "/v1/metrics"},
    {send::Signal::kLogs, "/opentelemetry.proto.collector.logs.v1.LogsService/Export", "/v1/logs"},
}};

constexpr std::string_view OtlpGrpcMethodOf(send::Signal signal) {
  for (const auto& m : kOtlpGrpcMethods) {
    if (m.signal == signal) return m.method;
  }
  return {};
}

}  // namespace vigil::net
