// CumulativeToDelta rewrites an application's cumulative metrics as deltas, series by series,
// before the agent forwards them: the collector merges deltas from many agents and restarts by
// adding them up, which cumulative points from many processes cannot give. Owned and used by
// one thread (the agent's event loop, where the OTLP receiver runs): not thread-safe.
//
// Rules:
//  - Converted: monotonic cumulative Sum, cumulative Histogram and ExponentialHistogram.
//    Gauges, Summaries, non-monotonic Sums and anything already DELTA pass unchanged.
//  - A series is resource attributes + scope (name, version, attributes) + metric name and
//    type + point attributes (attribute order does not matter).
//  - First point of a series: its start_time_unix_nano is after the agent started, so the
//    whole cumulative value accrued while the agent could see it: forwarded whole, as the first
//    delta. Otherwise (the process ran before the agent, or start_time is unset) it is only the
//    baseline: remembered, not forwarded, since forwarding it would count the past again after
//    every agent restart.
//  - Later points: delta = current - previous over [previous time, current time]. A changed
//    start_time or a decrease (count, sum of a Sum, any bucket; finer exponential scale or
//    changed explicit bounds) is a reset: the point's whole value is the delta since it.
//  - A point not newer than the previous one of its series (a retried export) is dropped.
//  - Points flagged "no recorded value" are dropped and leave the state alone.
//  - At most max_series series are tracked; points of new series beyond it are rejected
//    (reported back in partial_success and counted). Series idle for idle_timeout are forgotten.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "agent/derive/histogram_delta.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace vigil::derive {

struct CumulativeToDeltaOptions {
  size_t max_series = 10000;
  std::chrono::milliseconds idle_timeout{std::chrono::minutes(10)};
  // Wall-clock start of the agent (ns since the epoch): the baseline rule's reference.
  uint64_t agent_start_unix_nano = 0;
};

// What one Convert call did, in data points.
struct ConvertOutcome {
  size_t converted = 0;     // cumulative points forwarded as deltas
  size_t baselines = 0;     // first points kept as the baseline only
  size_t resets = 0;        // of `converted`: points that started a series over
  size_t stale = 0;         // not newer than the previous point (dropped)
  size_t no_value = 0;      // flagged "no recorded value" (dropped)
  size_t series_limit = 0;  // rejected: max_series reached
};

struct CumulativeToDeltaStats {
  uint64_t converted = 0, baselines = 0, resets = 0, stale = 0, series_limit = 0, evicted = 0;
};

class CumulativeToDelta {
 public:
  explicit CumulativeToDelta(CumulativeToDeltaOptions options);

  // Rewrites `req` in place per the rules above. Points that are not forwarded are removed, and
  // so are metrics, scopes and resources left without points by that. `now_unix_nano` stamps
  // series activity for idle eviction.
  ConvertOutcome Convert(
      opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest* req,
      uint64_t now_unix_nano);

  // Forgets series without a point for idle_timeout.
  void EvictIdle(uint64_t now_unix_nano);

  size_t series() const { return series_.size(); }
  const CumulativeToDeltaStats& stats() const { return stats_; }

 private:
  struct Series {
    uint64_t start_time = 0, time = 0, last_seen = 0;
    bool is_int = false;
    double double_value = 0;
    int64_t int_value = 0;
    HistogramSnapshot histogram;
    ExpHistogramSnapshot exp_histogram;
  };

  // Converts one metric's points (NumberDataPoint, HistogramDataPoint or
  // ExponentialHistogramDataPoint) in place, removing those not forwarded. `prefix` is the
  // series key up to the point attributes. Defined in the .cc, the only user.
  template <typename Point>
  void ConvertPoints(google::protobuf::RepeatedPtrField<Point>* points, const std::string& prefix,
                     uint64_t now_unix_nano, ConvertOutcome* out);
  // Finds or creates the series; nullptr when the bound is reached.
  Series* Lookup(const std::string& key, bool* created, uint64_t now_unix_nano);

  CumulativeToDeltaOptions options_;
  std::unordered_map<std::string, Series> series_;
  CumulativeToDeltaStats stats_;
};

}  // namespace vigil::derive
