// A native histogram with float counts: the intermediate form rate/increase/delta use to
// subtract, correct for counter resets and scale ExpHistogram samples (Prometheus's
// FloatHistogram arithmetic). A plain value type for one evaluation; not synchronized.
#pragma once

#include <cstdint>
#include <map>

#include "collector/rules/eval/value.h"
#include "core/status.h"

namespace vigil::eval::fn {

struct FloatHistogram {
  int32_t scale = 0;
  double zero_threshold = 0;
  double zero_count = 0;
  double count = 0;
  double sum = 0;
  // Bucket index -> count; a negative bucket i holds |v| in (base^i, base^(i+1)].
  std::map<int32_t, double> positive;
  std::map<int32_t, double> negative;

  static FloatHistogram From(const hist::ExpHistogram& h);

  // Halves the resolution until the scale is `target` (no-op when already as coarse).
  void DownscaleTo(int32_t target);
  // Makes the zero bucket cover [-threshold, threshold], folding the buckets that lie inside it;
  // a bucket straddling the new threshold widens it to that bucket's upper bound.
  void WidenZeroBucket(double threshold);
  // *this += factor * other, at the coarser scale and wider zero bucket of the two.
  void AddScaled(const FloatHistogram& other, double factor);
  void Scale(double factor);
  // Whether going from `prev` to *this can only be explained by a counter reset: the count or
  // any bucket went down, the resolution got finer, or the zero bucket got narrower.
  bool IsResetFrom(const FloatHistogram& prev) const;
  // Rounds every count to the nearest integer (ExpHistogram counts are integral; negative
  // counts, possible after delta(), become 0). InvalidArgument when the sum is not finite.
  Result<HistogramPtr> ToExpHistogram() const;
};

}  // namespace vigil::eval::fn
