// The arithmetic of cumulative -> delta for OTLP histogram points: a snapshot of a cumulative
// point (what CumulativeToDelta remembers per series) and the subtraction of the previous
// snapshot from the current point. Free functions and plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <vector>

#include "opentelemetry/proto/metrics/v1/metrics.pb.h"

namespace vigil::derive {

// The cumulative state of an explicit-bucket histogram point.
struct HistogramSnapshot {
  uint64_t count = 0;
  bool has_sum = false;
  double sum = 0;
  std::vector<double> bounds;
  std::vector<uint64_t> buckets;
};

// One side (positive or negative) of an exponential histogram: counts from index `offset` up.
struct ExpBucketsSnapshot {
  int32_t offset = 0;
  std::vector<uint64_t> counts;
};

struct ExpHistogramSnapshot {
  uint64_t count = 0;
  bool has_sum = false;
  double sum = 0;
  int32_t scale = 0;
  uint64_t zero_count = 0;
  ExpBucketsSnapshot positive, negative;
};

HistogramSnapshot SnapshotOf(const opentelemetry::proto::metrics::v1::HistogramDataPoint& p);
ExpHistogramSnapshot SnapshotOf(
    const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& p);

// Turns the cumulative `cur` into the delta since `prev`: counts, buckets and sum become
// differences; min and max are cleared (an interval's extremes cannot be derived from two
// cumulative points). Returns false, leaving `cur` untouched, when `cur` cannot follow `prev`
// (a count or bucket decreased, the bucket bounds changed, or the exponential scale got
// finer): the series was reset. A coarser scale is fine: `prev` is downscaled to it first.
bool SubtractHistogram(const HistogramSnapshot& prev,
                       opentelemetry::proto::metrics::v1::HistogramDataPoint* cur);
bool SubtractExpHistogram(const ExpHistogramSnapshot& prev,
                          opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint* cur);

// `b` moved from its scale down by `shift` (>= 0) scale steps: index i becomes i >> shift and
// counts landing in the same bucket add up. Exposed for tests.
ExpBucketsSnapshot DownscaleBuckets(const ExpBucketsSnapshot& b, int shift);

}  // namespace vigil::derive
