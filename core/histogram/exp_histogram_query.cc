// Reading an ExpHistogram: nearest-rank quantiles and classic cumulative `le` counts.
#include <algorithm>
#include <cmath>

#include "core/histogram/exp_histogram.h"

namespace vigil::hist {
namespace {

// A bucket index near log_base(x) - 0.5 (where the midpoint equals x), clamped into
// [lo - 1, hi] so the caller's exact correction loop is short and the cast cannot overflow.
int64_t MidpointIndexGuess(double x, int32_t scale, const BucketArray& b) {
  const double guess = std::ldexp(std::log2(x), scale) - 0.5;
  const double lo = static_cast<double>(b.lo()) - 1;
  const double hi = static_cast<double>(b.hi());
  return static_cast<int64_t>(std::floor(std::clamp(guess, lo, hi)));
}

}  // namespace

double ExpHistogram::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return kNaN;
  const uint64_t rank = std::clamp<uint64_t>(
      static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))), 1, count_);
  double value = 0;
  uint64_t seen = 0;
  bool found = false;
  // Ascending value order: negative buckets from the largest magnitude, zero, then positive.
  for (int32_t i = negative_.hi() - 1; !found && i >= negative_.lo(); --i) {
    seen += negative_.Get(i);
    if (seen >= rank) {
      value = -BucketMidpoint(scale_, i);
      found = true;
    }
  }
  if (!found) {
    seen += zero_count_;
    found = seen >= rank;  // value stays 0
  }
  for (int32_t i = positive_.lo(); !found && i < positive_.hi(); ++i) {
    seen += positive_.Get(i);
    if (seen >= rank) {
      value = BucketMidpoint(scale_, i);
      found = true;
    }
  }
  if (min_max_known_) value = std::clamp(value, min_, max_);
  return value;
}

uint64_t ExpHistogram::CountAtOrBelow(double le) const {
  if (std::isnan(le)) return 0;
  if (le >= 0) {
    uint64_t total = negative_.Total() + zero_count_;
    if (positive_.empty()) return total;
    if (std::isinf(le)) return total + positive_.Total();
    // Largest positive bucket whose midpoint is <= le; the loops settle the log2 estimate
    // against BucketMidpoint itself so this agrees exactly with the quantile's midpoints.
    int64_t last = le > 0 ? MidpointIndexGuess(le, scale_, positive_) : positive_.lo() - 1;
    while (last + 1 < positive_.hi() &&
           BucketMidpoint(scale_, static_cast<int32_t>(last + 1)) <= le) {
      ++last;
    }
    while (last >= positive_.lo() && BucketMidpoint(scale_, static_cast<int32_t>(last)) > le) {
      --last;
    }
    return total + positive_.SumRange(positive_.lo(), last + 1);
  }
  // le < 0: negative buckets whose value -midpoint <= le, i.e. midpoint >= |le|.
  if (negative_.empty() || std::isinf(le)) return 0;
  const double magnitude = -le;
  int64_t first = MidpointIndexGuess(magnitude, scale_, negative_) + 1;
  while (first > negative_.lo() &&
         BucketMidpoint(scale_, static_cast<int32_t>(first - 1)) >= magnitude) {
    --first;
  }
  while (first < negative_.hi() &&
         BucketMidpoint(scale_, static_cast<int32_t>(first)) < magnitude) {
    ++first;
  }
  return negative_.SumRange(first, negative_.hi());
}

}  // namespace vigil::hist
