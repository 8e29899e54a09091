// ExplicitHistogram: a classic (explicit-bounds) histogram as the collector keeps it: the OTLP
// HistogramDataPoint's bounds, per-bucket counts, count and sum. Plus the arithmetic the
// collector needs on histogram points: merging (adding) explicit histograms with equal bounds and
// subtracting an earlier cumulative state from a later one, for explicit and exponential
// layouts. Value types and free functions; no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/histogram/exp_histogram.h"
#include "core/status.h"

namespace vigil::aggregate {

struct ExplicitHistogram {
  // Strictly increasing finite upper bounds; bucket i holds (bounds[i-1], bounds[i]], the last
  // bucket (bounds.size()) everything above the last bound.
  std::vector<double> bounds;
  std::vector<uint64_t> counts;  // bounds.size() + 1 entries, not cumulative
  uint64_t count = 0;
  double sum = 0;

  friend bool operator==(const ExplicitHistogram&, const ExplicitHistogram&) = default;

  // Adds `other` bucket by bucket. InvalidArgument, leaving *this unchanged, when the bounds
  // differ: buckets with different edges cannot be added without inventing counts.
  Status Merge(const ExplicitHistogram& other);
};

// Checks an incoming point: bounds strictly increasing and finite, one more count than bounds,
// counts adding up to `count` (without overflow), sum not NaN. InvalidArgument says which.
Status ValidateExplicitHistogram(const ExplicitHistogram& h);

// `later - earlier` for two cumulative states of one stream. FailedPrecondition when `later` is
// not a continuation of `earlier` (different bounds, or any count going down): a reset.
Result<ExplicitHistogram> SubtractExplicit(const ExplicitHistogram& later,
                                           const ExplicitHistogram& earlier);

// The same for exponential points. Both are brought to the coarser of their scales first (a
// cumulative histogram only ever downscales); FailedPrecondition on a decrease or a changed zero
// threshold. The result has no min/max (they cannot be derived from two cumulative states).
Result<hist::ExpHistogramData> SubtractExpData(const hist::ExpHistogramData& later,
                                               const hist::ExpHistogramData& earlier);

// `d` re-bucketed to `scale` (<= d.scale): bucket i at scale s lands in i >> (s - scale).
hist::ExpHistogramData DownscaleExpData(const hist::ExpHistogramData& d, int32_t scale);

// "[0.1, 0.5, 1]" for error messages (at most the first 8 bounds).
std::string DescribeBounds(const std::vector<double>& bounds);

}  // namespace vigil::aggregate
