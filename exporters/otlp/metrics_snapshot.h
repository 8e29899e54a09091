// MetricsSnapshot: renders the collector's SeriesStore as an OTLP ExportMetricsServiceRequest for
// one export destination, in the temporality that destination asked for. Cumulative: the store's
// state as it is. Delta: the difference since this snapshotter's previous export (series that did
// not change are left out; gauges are always sent). Counters become monotonic Sums, gauges Gauges,
// exponential histograms ExponentialHistograms, explicit ones Histograms; the labels
// service_name / service_namespace become the resource's service.name / service.namespace again.
// One instance per destination; not thread-safe (its owner serializes Build calls).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "collector/aggregate/explicit_histogram.h"
#include "collector/aggregate/series_store.h"
#include "core/histogram/exp_histogram.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace vigil::exporters {

enum class Temporality { kCumulative, kDelta };

// The instrumentation scope name the collector's exports carry.
inline constexpr const char* kExportScope = "vigil-collector";

class MetricsSnapshot {
 public:
  explicit MetricsSnapshot(Temporality temporality) : temporality_(temporality) {}

  // Builds the next export at `now`; `*points` gets its number of data points (0: nothing to
  // send). In delta mode the state advances: the next Build reports changes after this one.
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest Build(
      const aggregate::SeriesStore& store, std::chrono::system_clock::time_point now,
      size_t* points);

  Temporality temporality() const { return temporality_; }

 private:
  // What the previous delta export saw of one series (cumulative values) and when.
  struct Last {
    std::chrono::system_clock::time_point at;
    double counter = 0;
    hist::ExpHistogramData exp;
    aggregate::ExplicitHistogram explicit_histogram;
  };

  Temporality temporality_;
  std::unordered_map<std::string, Last> last_;  // by SeriesView::key
};

}  // namespace vigil::exporters
