// Turns the RED deltas of one flush into an OTLP ExportMetricsServiceRequest: one ResourceMetrics
// per service (resource attribute service.name), an ExponentialHistogram
// `http.server.request.duration` (seconds, DELTA) and a monotonic DELTA Sum
// `http.server.request.errors` per (route, status). Runs on the pipeline thread once per flush,
// so it uses the generated protobuf classes (clarity over speed). Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/derive/red_metrics.h"

namespace vigil::agent {

inline constexpr const char* kDurationMetric = "http.server.request.duration";
inline constexpr const char* kErrorsMetric = "http.server.request.errors";

struct EncodedMetrics {
  std::string body;  // serialized ExportMetricsServiceRequest
  size_t data_points = 0;
};

// `start_unix_nano`/`time_unix_nano` bound the delta interval.
EncodedMetrics EncodeRedMetrics(const std::vector<derive::SeriesDelta>& deltas,
                                uint64_t start_unix_nano, uint64_t time_unix_nano,
                                const std::string& agent_version);

}  // namespace vigil::agent
