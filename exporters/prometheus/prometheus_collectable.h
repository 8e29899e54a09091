// PrometheusCollectable: renders the collector's SeriesStore for a Prometheus scrape: each
// histogram family as classic `_bucket{le}`/`_sum`/`_count` plus a `<name>_window_<unit>`
// summary of sliding-window quantiles, each explicit-bounds histogram as a classic histogram with
// its own bounds, each counter as a COUNTER and each gauge as a GAUGE. Holds a reference to the
// store, which must outlive it; Collect() is const and safe from any thread (the store does the
// locking).
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/aggregate/series_store.h"

namespace vigil::exporters {

struct PrometheusOptions {
  // Upper bounds of the classic buckets (sorted and deduplicated on construction; +Inf is
  // always added). Defaults follow the Prometheus client libraries' latency buckets.
  std::vector<double> bucket_bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  // Quantiles shown on the window summary, each in [0, 1].
  std::vector<double> quantiles = {0.5, 0.95, 0.99};
};

class PrometheusCollectable : public prometheus::Collectable {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // `clock` picks the end of the sliding window; tests inject a fixed time.
  explicit PrometheusCollectable(const aggregate::SeriesStore& store,
                                 PrometheusOptions options = {}, Clock clock = nullptr);

  // Families sorted by name, series in each sorted by labels, so scrapes diff cleanly.
  std::vector<prometheus::MetricFamily> Collect() const override;

  // Collect() in the Prometheus text exposition format 0.0.4.
  std::string RenderText() const;

  const PrometheusOptions& options() const { return options_; }

 private:
  const aggregate::SeriesStore& store_;
  PrometheusOptions options_;
  Clock clock_;
};

// The window summary's name for a histogram family: the unit suffix stays last, as Prometheus
// naming asks ("http_server_request_duration_seconds" -> "..._duration_window_seconds"); a
// name without a known unit just gets "_window".
std::string WindowFamilyName(std::string_view histogram_family);

// A quantile or bucket bound as a label value: the shortest text that reads back as `v`.
std::string FormatLabelNumber(double v);

}  // namespace vigil::exporters
