// Item-level checks on received OTLP requests, before they are forwarded: each span, log
// record or metric that breaks a rule the protobuf schema cannot express (id lengths, a metric
// without a known data type, histogram buckets that do not match their bounds) is removed and
// counted, so one bad item does not cost the whole request; the caller reports the count and
// the first reason in partial_success. Free functions; stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::agent::receive {

struct Validation {
  int64_t accepted = 0;  // items left in the request (spans, log records, data points)
  int64_t rejected = 0;  // items removed
  // Empty when nothing was removed; else "N of M <items> rejected; first: <path>: <reason>".
  std::string message;
};

// Spans: trace id of 16 bytes and span id of 8, neither all zero; parent span id empty or 8
// bytes; each link's ids likewise. Empty scopes and resources left behind are removed.
Validation ValidateTraces(
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest* req);

// Log records: trace id empty or 16 bytes, span id empty or 8 bytes.
Validation ValidateLogs(opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest* req);

// Metrics: a name and a known data type (a metric whose type this agent does not know, e.g.
// from a newer OTLP, counts as one rejected point); histogram points whose bucket_counts are
// not one more than explicit_bounds. Counted in data points.
Validation ValidateMetrics(
    opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest* req);

// Data points in a metric (0 for an unknown type).
int64_t PointCount(const opentelemetry::proto::metrics::v1::Metric& m);
int64_t PointCount(
    const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& r);
int64_t SpanCount(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& r);
int64_t LogRecordCount(
    const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& r);

}  // namespace vigil::agent::receive
