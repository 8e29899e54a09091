// FloatHistogram arithmetic: the subset of Prometheus's native-histogram math that rate(),
// increase() and delta() need (change of resolution, zero-bucket widening, scaled addition,
// reset detection), and the conversion back to an ExpHistogram sample.
#include "collector/rules/eval/function_float_histogram.h"

#include <algorithm>
#include <cmath>

#include "core/histogram/index_mapping.h"

namespace vigil::eval::fn {
namespace {

void DownscaleBuckets(std::map<int32_t, double>& buckets, int32_t k) {
  std::map<int32_t, double> out;
  // An arithmetic right shift floors, which is how bucket i maps to bucket i >> k.
  for (const auto& [i, c] : buckets) out[i >> k] += c;
  buckets = std::move(out);
}

// Moves the buckets of one sign lying inside [0, *threshold] into *zero_count, first widening
// *threshold to the upper bound of a bucket that straddles it.
void FoldBelow(std::map<int32_t, double>& buckets, int32_t scale, double* threshold,
               double* zero_count) {
  while (!buckets.empty()) {
    const auto first = buckets.begin();
    const double lower = hist::LowerBoundary(scale, first->first);
    if (lower >= *threshold) break;
    *threshold = std::max(*threshold, hist::LowerBoundary(scale, first->first + 1));
    *zero_count += first->second;
    buckets.erase(first);
  }
}

void AddBuckets(std::map<int32_t, double>& into, const std::map<int32_t, double>& from,
                double factor) {
  for (const auto& [i, c] : from) into[i] += factor * c;
}

// Whether any bucket of `curr` holds less than the same bucket of `prev` (same scale).
bool AnyBucketDecreased(const std::map<int32_t, double>& curr,
                        const std::map<int32_t, double>& prev) {
  for (const auto& [i, c] : prev) {
    const auto it = curr.find(i);
    const double now = it == curr.end() ? 0 : it->second;
    if (now < c) return true;
  }
  return false;
}

// The counts of `buckets` as one dense span, rounded to integers; also adds them to *total.
hist::BucketSpan ToSpan(const std::map<int32_t, double>& buckets, uint64_t* total) {
  hist::BucketSpan span;
  if (buckets.empty()) return span;
  span.offset = buckets.begin()->first;
  span.counts.assign(static_cast<size_t>(buckets.rbegin()->first - span.offset + 1), 0);
  for (const auto& [i, c] : buckets) {
    const uint64_t n = c > 0 ? static_cast<uint64_t>(std::llround(c)) : 0;
    span.counts[static_cast<size_t>(i - span.offset)] = n;
    *total += n;
  }
  // Trim buckets rounded to zero at either end so the span stays tight.
  size_t lead = 0;
  while (lead < span.counts.size() && span.counts[lead] == 0) ++lead;
  size_t trail = span.counts.size();
  while (trail > lead && span.counts[trail - 1] == 0) --trail;
  span.counts = std::vector<uint64_t>(span.counts.begin() + static_cast<ptrdiff_t>(lead),
                                      span.counts.begin() + static_cast<ptrdiff_t>(trail));
  span.offset += static_cast<int32_t>(lead);
  if (span.counts.empty()) span.offset = 0;
  return span;
}

}  // namespace

FloatHistogram FloatHistogram::From(const hist::ExpHistogram& h) {
  FloatHistogram f;
  f.scale = h.scale();
  f.zero_threshold = h.zero_threshold();
  f.zero_count = static_cast<double>(h.zero_count());
  f.count = static_cast<double>(h.count());
  f.sum = h.sum();
  h.positive().ForEach([&](int32_t i, uint64_t c) { f.positive[i] = static_cast<double>(c); });
  h.negative().ForEach([&](int32_t i, uint64_t c) { f.negative[i] = static_cast<double>(c); });
  return f;
}

void FloatHistogram::DownscaleTo(int32_t target) {
  if (target >= scale) return;
  const int32_t k = scale - target;
  DownscaleBuckets(positive, k);
  DownscaleBuckets(negative, k);
  scale = target;
}

void FloatHistogram::WidenZeroBucket(double threshold) {
  if (threshold <= zero_threshold) return;
  // Folding one sign may widen the threshold; fold again until both signs agree.
  double t = threshold;
  for (;;) {
    const double before = t;
    FoldBelow(positive, scale, &t, &zero_count);
    FoldBelow(negative, scale, &t, &zero_count);
    if (t == before) break;
  }
  zero_threshold = t;
}

void FloatHistogram::AddScaled(const FloatHistogram& other, double factor) {
  FloatHistogram o = other;
  const int32_t target = std::min(scale, o.scale);
  DownscaleTo(target);
  o.DownscaleTo(target);
  const double threshold = std::max(zero_threshold, o.zero_threshold);
  WidenZeroBucket(threshold);
  o.WidenZeroBucket(zero_threshold);
  WidenZeroBucket(o.zero_threshold);
  zero_count += factor * o.zero_count;
  count += factor * o.count;
  sum += factor * o.sum;
  AddBuckets(positive, o.positive, factor);
  AddBuckets(negative, o.negative, factor);
}

void FloatHistogram::Scale(double factor) {
  zero_count *= factor;
  count *= factor;
  sum *= factor;
  for (auto& [i, c] : positive) c *= factor;
  for (auto& [i, c] : negative) c *= factor;
}

bool FloatHistogram::IsResetFrom(const FloatHistogram& prev) const {
  if (count < prev.count) return true;
  if (scale > prev.scale) return true;
  if (zero_threshold < prev.zero_threshold) return true;
  FloatHistogram p = prev;
  p.DownscaleTo(scale);
  p.WidenZeroBucket(zero_threshold);
  // Widening may have had to go past our threshold: the layouts no longer line up.
  if (p.zero_threshold != zero_threshold) return true;
  if (zero_count < p.zero_count) return true;
  return AnyBucketDecreased(positive, p.positive) || AnyBucketDecreased(negative, p.negative);
}

Result<HistogramPtr> FloatHistogram::ToExpHistogram() const {
  if (!std::isfinite(sum)) {
    return Status::InvalidArgument("native histogram result has a non-finite sum");
  }
  hist::ExpHistogramData d;
  d.scale = scale;
  d.sum = sum;
  d.zero_threshold = zero_threshold;
  d.zero_count = zero_count > 0 ? static_cast<uint64_t>(std::llround(zero_count)) : 0;
  uint64_t total = d.zero_count;
  d.positive = ToSpan(positive, &total);
  d.negative = ToSpan(negative, &total);
  d.count = total;
  hist::ExpHistogramOptions o;
  o.scale = scale;
  const size_t span = std::max(d.positive.counts.size(), d.negative.counts.size());
  o.max_buckets = static_cast<uint32_t>(std::max<size_t>(span, o.max_buckets));
  Result<hist::ExpHistogram> h = hist::ExpHistogram::FromData(d, o);
  if (!h.ok()) return h.status();
  return HistogramPtr(std::make_shared<const hist::ExpHistogram>(std::move(h).value()));
}

}  // namespace vigil::eval::fn
