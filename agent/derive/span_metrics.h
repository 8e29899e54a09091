// SpanMetrics turns received OTLP spans into the same RED series the log path derives
// (service, route, status -> duration histogram + error count), so a request counts the same
// whether the agent saw it as a log line or as a span. Wraps its own RedMetrics; owned and used
// by one thread (the agent's event loop, where the OTLP receiver runs): not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/derive/red_metrics.h"
#include "core/status.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::derive {

struct SpanMetricsOptions {
  // Span kinds (opentelemetry.proto.trace.v1.Span.SpanKind values) that are requests.
  std::vector<int> kinds = {2 /*server*/, 5 /*consumer*/};
  // A span whose http.response.status_code is >= this is an error (as the log path's rule).
  int error_status_min = 500;
  // service for spans whose resource has no service.name.
  std::string default_service = "unknown_service";
};

struct SpanMetricsStats {
  uint64_t spans_recorded = 0;
  uint64_t spans_skipped_kind = 0;  // kind not in `kinds`
  uint64_t spans_bad_duration = 0;  // end before start: not a measurable request
};

// "internal", "server", "client", "producer", "consumer" -> the SpanKind value; anything else is
// InvalidArgument naming the accepted names.
Result<int> ParseSpanKind(std::string_view name);

class SpanMetrics {
 public:
  SpanMetrics(RedOptions red, SpanMetricsOptions options);

  // Records every span of a request kind: service = resource attribute service.name, route =
  // attribute http.route (else the span name), status = attribute http.response.status_code
  // (an int; 0 when absent), duration = end - start, error = status ERROR or status >=
  // error_status_min. Returns the number of spans recorded.
  size_t Record(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req);

  // As RedMetrics::TakeDeltas.
  std::vector<SeriesDelta> TakeDeltas() { return red_.TakeDeltas(); }
  const RedStats& red_stats() const { return red_.stats(); }
  const SpanMetricsStats& stats() const { return stats_; }

 private:
  bool IsRequestKind(int kind) const;

  RedMetrics red_;
  SpanMetricsOptions options_;
  SpanMetricsStats stats_;
};

}  // namespace vigil::derive
