// Mergeable base-2 exponential histogram in the OTLP ExponentialHistogram layout (the same as
// Prometheus native histograms): bucket i at scale s holds (base^i, base^(i+1)], base =
// 2^(2^-s). A value type owned by one thread at a time (no internal locking); copy to share.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/histogram/bucket_array.h"
#include "core/histogram/index_mapping.h"
#include "core/status.h"

namespace vigil::hist {

struct ExpHistogramOptions {
  int32_t scale = 6;            // starting (finest) scale; clamped to [kMinScale, kMaxScale]
  uint32_t max_buckets = 2048;  // per sign; clamped to [kMinMaxBuckets, kMaxDataSpan]
};

// A run of buckets: counts[k] is bucket offset + k.
struct BucketSpan {
  int32_t offset = 0;
  std::vector<uint64_t> counts;
  friend bool operator==(const BucketSpan&, const BucketSpan&) = default;
};

// The OTLP data point view.
struct ExpHistogramData {
  int32_t scale = 0;
  uint64_t count = 0;
  double sum = 0;
  bool has_min_max = false;
  double min = 0, max = 0;
  uint64_t zero_count = 0;
  double zero_threshold = 0;
  BucketSpan positive, negative;
  friend bool operator==(const ExpHistogramData&, const ExpHistogramData&) = default;
};

// Smallest max_buckets accepted: at kMinScale every finite double fits in 3 buckets, so
// downscaling can always make the range fit.
inline constexpr uint32_t kMinMaxBuckets = 4;
// Largest bucket span accepted in data or options.
inline constexpr uint32_t kMaxDataSpan = uint32_t{1} << 20;

// Checks what MergeData relies on; InvalidArgument names the first problem found.
Status ValidateExpHistogramData(const ExpHistogramData& d);

class ExpHistogram {
 public:
  explicit ExpHistogram(ExpHistogramOptions o = {});

  // Hot path. NaN and +-inf are not recorded but counted in dropped().
  void Record(double v) { Record(v, 1); }
  void Record(double v, uint64_t n);

  // Adds `other`; the result is at the coarser of the two scales (coarser still if the combined
  // range needs it). Exact: equal to one histogram fed both inputs, downscaled to that scale.
  void Merge(const ExpHistogram& other);
  // Adds an OTLP point after ValidateExpHistogramData; on error nothing changes. A point without
  // min/max makes min()/max() unknown (NaN) from then on.
  Status MergeData(const ExpHistogramData& d);

  // Nearest-rank quantile over buckets: the geometric midpoint of the bucket holding rank
  // ceil(q * count), clamped to [min, max]. NaN if empty or q is outside [0, 1].
  double Quantile(double q) const;
  // Count of buckets whose geometric midpoint is <= le (the zero bucket counts when le >= 0):
  // the classic Prometheus cumulative `le` bucket.
  uint64_t CountAtOrBelow(double le) const;

  ExpHistogramData ToData() const;
  // A histogram with options `o` holding `d` (at the coarser of o.scale and d.scale).
  static Result<ExpHistogram> FromData(const ExpHistogramData& d, ExpHistogramOptions o = {});

  // Empties the histogram and returns to options().scale; keeps buffers for reuse.
  void Clear();

  bool empty() const { return count_ == 0; }
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // NaN when empty or unknown (see MergeData).
  double min() const { return min_max_known_ && count_ > 0 ? min_ : kNaN; }
  double max() const { return min_max_known_ && count_ > 0 ? max_ : kNaN; }
  uint64_t zero_count() const { return zero_count_; }
  double zero_threshold() const { return zero_threshold_; }
  int32_t scale() const { return scale_; }
  uint64_t dropped() const { return dropped_; }
  const ExpHistogramOptions& options() const { return options_; }
  const BucketArray& positive() const { return positive_; }
  const BucketArray& negative() const { return negative_; }
  // Heap bytes plus sizeof(*this).
  size_t MemoryBytes() const;

  static double LowerBoundary(int32_t scale, int32_t index) {
    return ::vigil::hist::LowerBoundary(scale, index);
  }

 private:
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

  void RecordSlow(BucketArray& buckets, int32_t index, uint64_t n);
  // Halvings needed for the windows [lo, hi) of both signs to fit max_buckets.
  int32_t HalvingsToFit(int64_t lo, int64_t hi) const;
  void Downscale(int32_t k);
  // Adds buckets given at `src_scale`; `pos`/`neg` are (lo, hi, for_each) of the source.
  template <typename Source>
  void MergeBuckets(int32_t src_scale, const Source& pos, const Source& neg);
  // Moves buckets lying wholly inside [-zero_threshold, zero_threshold] into the zero bucket.
  void FoldIntoZeroBucket();
  void MergeScalars(uint64_t count, double sum, bool has_min_max, double min, double max,
                    uint64_t zero_count, double zero_threshold);

  ExpHistogramOptions options_;
  int32_t scale_;
  bool min_max_known_ = true;
  uint64_t count_ = 0;
  uint64_t zero_count_ = 0;
  uint64_t dropped_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
  double zero_threshold_ = 0;
  BucketArray positive_;
  BucketArray negative_;
};

inline void ExpHistogram::Record(double v, uint64_t n) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  if (((bits >> 52) & 0x7FF) == 0x7FF) [[unlikely]] {  // NaN or infinity
    dropped_ += n;
    return;
  }
  if (n == 0) [[unlikely]]
    return;
  count_ += n;
  sum_ += v * static_cast<double>(n);
  min_ = v < min_ ? v : min_;
  max_ = v > max_ ? v : max_;
  if (std::fabs(v) <= zero_threshold_) [[unlikely]] {
    zero_count_ += n;
    return;
  }
  const int32_t index = ValueToIndex(v, scale_);
  BucketArray& buckets = (bits >> 63) != 0 ? negative_ : positive_;
  if (!buckets.TryAdd(index, n)) [[unlikely]]
    RecordSlow(buckets, index, n);
}

}  // namespace vigil::hist
