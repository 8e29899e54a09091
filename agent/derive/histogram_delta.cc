#include "agent/derive/histogram_delta.h"

#include <algorithm>

namespace vigil::derive {
namespace {

namespace pb = opentelemetry::proto::metrics::v1;

ExpBucketsSnapshot SnapshotOf(const pb::ExponentialHistogramDataPoint::Buckets& b) {
  return ExpBucketsSnapshot{b.offset(), {b.bucket_counts().begin(), b.bucket_counts().end()}};
}

// cur - prev per bucket index, both at the same scale. False when prev holds counts that cur
// does not (an index outside cur's range with a count, or a larger count).
bool SubtractBuckets(const ExpBucketsSnapshot& prev,
                     const pb::ExponentialHistogramDataPoint::Buckets& cur,
                     std::vector<uint64_t>* out) {
  const int64_t cur_begin = cur.offset();
  const int64_t cur_end = cur_begin + cur.bucket_counts_size();
  out->assign(cur.bucket_counts().begin(), cur.bucket_counts().end());
  for (size_t j = 0; j < prev.counts.size(); ++j) {
    const uint64_t c = prev.counts[j];
    if (c == 0) continue;
    const int64_t index = static_cast<int64_t>(prev.offset) + static_cast<int64_t>(j);
    if (index < cur_begin || index >= cur_end) return false;
    uint64_t& slot = (*out)[static_cast<size_t>(index - cur_begin)];
    if (slot < c) return false;
    slot -= c;
  }
  return true;
}

void Store(const std::vector<uint64_t>& counts, pb::ExponentialHistogramDataPoint::Buckets* b) {
  for (size_t i = 0; i < counts.size(); ++i) b->set_bucket_counts(static_cast<int>(i), counts[i]);
}

}  // namespace

HistogramSnapshot SnapshotOf(const pb::HistogramDataPoint& p) {
  return HistogramSnapshot{.count = p.count(),
                           .has_sum = p.has_sum(),
                           .sum = p.sum(),
                           .bounds = {p.explicit_bounds().begin(), p.explicit_bounds().end()},
                           .buckets = {p.bucket_counts().begin(), p.bucket_counts().end()}};
}

ExpHistogramSnapshot SnapshotOf(const pb::ExponentialHistogramDataPoint& p) {
  return ExpHistogramSnapshot{.count = p.count(),
                              .has_sum = p.has_sum(),
                              .sum = p.sum(),
                              .scale = p.scale(),
                              .zero_count = p.zero_count(),
                              .positive = SnapshotOf(p.positive()),
                              .negative = SnapshotOf(p.negative())};
}

bool SubtractHistogram(const HistogramSnapshot& prev, pb::HistogramDataPoint* cur) {
  if (cur->count() < prev.count) return false;
  if (!std::equal(prev.bounds.begin(), prev.bounds.end(), cur->explicit_bounds().begin(),
                  cur->explicit_bounds().end())) {
    return false;
  }
  if (static_cast<size_t>(cur->bucket_counts_size()) != prev.buckets.size()) return false;
  for (size_t i = 0; i < prev.buckets.size(); ++i) {
    if (cur->bucket_counts(static_cast<int>(i)) < prev.buckets[i]) return false;
  }
  for (size_t i = 0; i < prev.buckets.size(); ++i) {
    const int k = static_cast<int>(i);
    cur->set_bucket_counts(k, cur->bucket_counts(k) - prev.buckets[i]);
  }
  cur->set_count(cur->count() - prev.count);
  if (cur->has_sum() && prev.has_sum) {
    cur->set_sum(cur->sum() - prev.sum);
  } else {
    cur->clear_sum();
  }
  cur->clear_min();
  cur->clear_max();
  return true;
}

ExpBucketsSnapshot DownscaleBuckets(const ExpBucketsSnapshot& b, int shift) {
  if (shift <= 0 || b.counts.empty()) return b;
  // >> on a negative index is an arithmetic shift (C++20), i.e. floor division by 2^shift,
  // which is how exponential bucket indices map to a coarser scale.
  const int64_t first = static_cast<int64_t>(b.offset) >> shift;
  const int64_t last =
      (static_cast<int64_t>(b.offset) + static_cast<int64_t>(b.counts.size()) - 1) >> shift;
  ExpBucketsSnapshot out{static_cast<int32_t>(first),
                         std::vector<uint64_t>(static_cast<size_t>(last - first + 1))};
  for (size_t j = 0; j < b.counts.size(); ++j) {
    const int64_t index = (static_cast<int64_t>(b.offset) + static_cast<int64_t>(j)) >> shift;
    out.counts[static_cast<size_t>(index - first)] += b.counts[j];
  }
  return out;
}

bool SubtractExpHistogram(const ExpHistogramSnapshot& prev,
                          pb::ExponentialHistogramDataPoint* cur) {
  if (cur->count() < prev.count || cur->zero_count() < prev.zero_count) return false;
  if (cur->scale() > prev.scale) return false;  // SDKs only ever downscale a cumulative series
  const int shift = prev.scale - cur->scale();
  std::vector<uint64_t> positive, negative;
  if (!SubtractBuckets(DownscaleBuckets(prev.positive, shift), cur->positive(), &positive) ||
      !SubtractBuckets(DownscaleBuckets(prev.negative, shift), cur->negative(), &negative)) {
    return false;
  }
  if (!positive.empty()) Store(positive, cur->mutable_positive());
  if (!negative.empty()) Store(negative, cur->mutable_negative());
  cur->set_count(cur->count() - prev.count);
  cur->set_zero_count(cur->zero_count() - prev.zero_count);
  if (cur->has_sum() && prev.has_sum) {
    cur->set_sum(cur->sum() - prev.sum);
  } else {
    cur->clear_sum();
  }
  cur->clear_min();
  cur->clear_max();
  return true;
}

}  // namespace vigil::derive
