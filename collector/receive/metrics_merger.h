// MetricsMerger: turns a parsed OTLP ExportMetricsServiceRequest into SeriesStore merges
// (Prometheus names and labels, delta exponential histograms and monotonic delta sums), and
// tallies what it could not take for the OTLP partial_success answer. Holds a reference to the
// store; stateless otherwise, so one instance may serve all loop threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "collector/aggregate/series_store.h"
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
  // `histogram` are the options each incoming point's histogram is built with.
  MetricsMerger(aggregate::SeriesStore& store, hist::ExpHistogramOptions histogram)
      : store_(store), histogram_(histogram) {}

  // Merges what is supported and rejects the rest point by point. Labels: resource attribute
  // `service.name` becomes `service_name` (other resource and scope attributes are ignored for
  // now); point attributes become labels with sanitized names; empty values are left out.
  MergeOutcome Merge(
      const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& request,
      std::chrono::system_clock::time_point now);

 private:
  aggregate::SeriesStore& store_;
  hist::ExpHistogramOptions histogram_;
};

}  // namespace vigil::receive
