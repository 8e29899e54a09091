// MetricsMerger: turns a parsed OTLP ExportMetricsServiceRequest into SeriesStore writes
// (Prometheus names and labels; sums, gauges, explicit and exponential histograms; DELTA points
// added, CUMULATIVE points turned into deltas per producer by a CumulativeTracker) and tallies
// what it could not take for the OTLP partial_success answer. Holds a reference to the store and
// owns the tracker; thread-safe, so one instance serves all loop threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "collector/aggregate/series_store.h"
#include "collector/receive/cumulative_tracker.h"
#include "core/histogram/exp_histogram.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace vigil::receive {

struct MergeOutcome {
  int64_t merged_points = 0;
  int64_t rejected_points = 0;     // all causes, cardinality included
  int64_t cardinality_points = 0;  // of rejected_points: series over the per-metric bound
  // Empty when nothing was rejected; else a count and the first few distinct reasons.
  std::string error_message;
};

class MetricsMerger {
 public:
  // `histogram` are the options each incoming exponential point is built with;
  // `max_cumulative_streams` bounds the tracker's memory.
  MetricsMerger(aggregate::SeriesStore& store, hist::ExpHistogramOptions histogram,
                size_t max_cumulative_streams = 1'000'000)
      : store_(store), histogram_(histogram), tracker_(max_cumulative_streams) {}

  // Merges what is valid and rejects the rest point by point. Labels: resource attributes
  // `service.name` -> `service_name` and `service.namespace` -> `service_namespace` (other
  // resource and scope attributes are ignored); point attributes become labels with sanitized
  // names; empty values are left out. `default_producer` names the sender of CUMULATIVE points
  // whose resource has no service.instance.id (the agent id from the batch key, or "").
  MergeOutcome Merge(
      const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& request,
      std::chrono::system_clock::time_point now, std::string_view default_producer = "");

  const CumulativeTracker& tracker() const { return tracker_; }

 private:
  struct Context;
  void MergeSum(Context& ctx, const opentelemetry::proto::metrics::v1::Metric& m);
  void MergeGauge(Context& ctx, const opentelemetry::proto::metrics::v1::Metric& m);
  void MergeExplicit(Context& ctx, const opentelemetry::proto::metrics::v1::Metric& m);
  void MergeExponential(Context& ctx, const opentelemetry::proto::metrics::v1::Metric& m);

  aggregate::SeriesStore& store_;
  hist::ExpHistogramOptions histogram_;
  CumulativeTracker tracker_;
};

}  // namespace vigil::receive
