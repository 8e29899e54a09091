#include "collector/aggregate/explicit_histogram.h"

#include <algorithm>
#include <cmath>

#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::aggregate {
namespace {

Status Reset(const std::string& why) { return Status::FailedPrecondition("reset: " + why); }

// later - earlier over one sign's buckets (already at one scale); false on a decrease.
bool SubtractSpan(const hist::BucketSpan& later, const hist::BucketSpan& earlier,
                  hist::BucketSpan* out) {
  out->offset = later.offset;
  out->counts = later.counts;
  for (size_t k = 0; k < earlier.counts.size(); ++k) {
    const uint64_t c = earlier.counts[k];
    if (c == 0) continue;
    const int64_t i = static_cast<int64_t>(earlier.offset) + static_cast<int64_t>(k) - later.offset;
    if (i < 0 || i >= static_cast<int64_t>(later.counts.size())) return false;
    uint64_t& dst = out->counts[static_cast<size_t>(i)];
    if (dst < c) return false;
    dst -= c;
  }
  // Keep the span tight: a delta usually touches few buckets.
  size_t first = 0;
  while (first < out->counts.size() && out->counts[first] == 0) ++first;
  size_t last = out->counts.size();
  while (last > first && out->counts[last - 1] == 0) --last;
  if (first == last) {
    out->counts.clear();
    out->offset = 0;
    return true;
  }
  out->counts = std::vector<uint64_t>(out->counts.begin() + static_cast<ptrdiff_t>(first),
                                      out->counts.begin() + static_cast<ptrdiff_t>(last));
  out->offset += static_cast<int32_t>(first);
  return true;
}

hist::BucketSpan DownscaleSpan(const hist::BucketSpan& in, int32_t shift) {
  if (shift <= 0 || in.counts.empty()) return in;
  hist::BucketSpan out;
  const int64_t lo = static_cast<int64_t>(in.offset) >> shift;
  const int64_t hi =
      (static_cast<int64_t>(in.offset) + static_cast<int64_t>(in.counts.size()) - 1) >> shift;
  out.offset = static_cast<int32_t>(lo);
  out.counts.assign(static_cast<size_t>(hi - lo + 1), 0);
  for (size_t k = 0; k < in.counts.size(); ++k) {
    const int64_t idx = (static_cast<int64_t>(in.offset) + static_cast<int64_t>(k)) >> shift;
    out.counts[static_cast<size_t>(idx - lo)] += in.counts[k];
  }
  return out;
}

}  // namespace

Status ExplicitHistogram::Merge(const ExplicitHistogram& other) {
  if (other.bounds != bounds) {
    return Status::InvalidArgument(
        "explicit bounds " + DescribeBounds(other.bounds) + " differ from the series' bounds " +
        DescribeBounds(bounds) + "; points with different bounds cannot be merged into one series");
  }
  if (counts.size() != other.counts.size()) {
    return Status::InvalidArgument("bucket count arrays differ in length");
  }
  for (size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
  count += other.count;
  sum += other.sum;
  return Status::Ok();
}

Status ValidateExplicitHistogram(const ExplicitHistogram& h) {
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    if (!std::isfinite(h.bounds[i])) {
      return Status::InvalidArgument("explicit bound " + std::to_string(i) + " is not finite");
    }
    if (i > 0 && !(h.bounds[i] > h.bounds[i - 1])) {
      return Status::InvalidArgument("explicit bounds are not strictly increasing: " +
                                     DescribeBounds(h.bounds));
    }
  }
  if (h.counts.size() != h.bounds.size() + 1) {
    return Status::InvalidArgument(std::to_string(h.counts.size()) + " bucket counts for " +
                                   std::to_string(h.bounds.size()) +
                                   " explicit bounds; expected one more count than bounds");
  }
  uint64_t total = 0;
  for (uint64_t c : h.counts) {
    if (total > UINT64_MAX - c) {
      return Status::InvalidArgument("bucket counts add up to more than 2^64 but count is " +
                                     std::to_string(h.count));
    }
    total += c;
  }
  if (total != h.count) {
    return Status::InvalidArgument("bucket counts add up to " + std::to_string(total) +
                                   " but count is " + std::to_string(h.count));
  }
  if (std::isnan(h.sum)) return Status::InvalidArgument("histogram sum is NaN");
  return Status::Ok();
}

Result<ExplicitHistogram> SubtractExplicit(const ExplicitHistogram& later,
                                           const ExplicitHistogram& earlier) {
  if (later.bounds != earlier.bounds || later.counts.size() != earlier.counts.size()) {
    return Reset("explicit bounds changed");
  }
  if (later.count < earlier.count) return Reset("count went down");
  ExplicitHistogram d;
  d.bounds = later.bounds;
  d.counts.resize(later.counts.size());
  for (size_t i = 0; i < later.counts.size(); ++i) {
    if (later.counts[i] < earlier.counts[i]) return Reset("a bucket count went down");
    d.counts[i] = later.counts[i] - earlier.counts[i];
  }
  d.count = later.count - earlier.count;
  d.sum = later.sum - earlier.sum;
  return d;
}

hist::ExpHistogramData DownscaleExpData(const hist::ExpHistogramData& d, int32_t scale) {
  if (scale >= d.scale) return d;
  hist::ExpHistogramData out = d;
  out.scale = scale;
  out.positive = DownscaleSpan(d.positive, d.scale - scale);
  out.negative = DownscaleSpan(d.negative, d.scale - scale);
  return out;
}

Result<hist::ExpHistogramData> SubtractExpData(const hist::ExpHistogramData& later,
                                               const hist::ExpHistogramData& earlier) {
  const int32_t scale = std::min(later.scale, earlier.scale);
  const hist::ExpHistogramData l = DownscaleExpData(later, scale);
  const hist::ExpHistogramData e = DownscaleExpData(earlier, scale);
  if (l.zero_threshold != e.zero_threshold) return Reset("zero threshold changed");
  if (l.count < e.count) return Reset("count went down");
  if (l.zero_count < e.zero_count) return Reset("zero count went down");
  hist::ExpHistogramData d;
  d.scale = scale;
  d.count = l.count - e.count;
  d.sum = l.sum - e.sum;
  d.zero_count = l.zero_count - e.zero_count;
  d.zero_threshold = l.zero_threshold;
  if (!SubtractSpan(l.positive, e.positive, &d.positive) ||
      !SubtractSpan(l.negative, e.negative, &d.negative)) {
    return Reset("a bucket count went down");
  }
  return d;
}

std::string DescribeBounds(const std::vector<double>& bounds) {
  constexpr size_t kShown = 8;
  std::string s = "[";
  for (size_t i = 0; i < bounds.size() && i < kShown; ++i) {
    if (i > 0) s += ", ";
    s += exporters::FormatLabelNumber(bounds[i]);
  }
  if (bounds.size() > kShown) s += ", ... (" + std::to_string(bounds.size()) + " bounds)";
  return s + "]";
}

}  // namespace vigil::aggregate
