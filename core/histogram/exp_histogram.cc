// ExpHistogram: the slow recording path, downscaling and merging.
#include "core/histogram/exp_histogram.h"

#include <algorithm>

namespace vigil::hist {
namespace {

// The non-empty part of an OTLP bucket span, seen like a BucketArray for merging.
class SpanSource {
 public:
  explicit SpanSource(const BucketSpan& span) : span_(span) {
    const auto& c = span.counts;
    size_t first = 0;
    size_t last = c.size();
    while (first < last && c[first] == 0) ++first;
    while (last > first && c[last - 1] == 0) --last;
    lo_ = span.offset + static_cast<int32_t>(first);
    hi_ = span.offset + static_cast<int32_t>(last);
  }
  bool empty() const { return lo_ >= hi_; }
  int32_t lo() const { return lo_; }
  int32_t hi() const { return hi_; }
  template <typename F>
  void ForEach(F&& f) const {
    for (int32_t i = lo_; i < hi_; ++i) {
      const uint64_t c = span_.counts[static_cast<size_t>(i - span_.offset)];
      if (c != 0) f(i, c);
    }
  }

 private:
  const BucketSpan& span_;
  int32_t lo_;
  int32_t hi_;
};

// The window [lo, hi) of `b` after `k` halvings, widened by [*lo, *hi).
template <typename Buckets>
void Widen(const Buckets& b, int32_t k, int64_t* lo, int64_t* hi) {
  if (b.empty()) return;
  *lo = std::min<int64_t>(*lo, b.lo() >> k);
  *hi = std::max<int64_t>(*hi, ((b.hi() - 1) >> k) + 1);
}

}  // namespace

ExpHistogram::ExpHistogram(ExpHistogramOptions o) : options_(o) {
  options_.scale = std::clamp(options_.scale, kMinScale, kMaxScale);
  options_.max_buckets = std::clamp(options_.max_buckets, kMinMaxBuckets, kMaxDataSpan);
  scale_ = options_.scale;
  EnsureIndexTable();
}

int32_t ExpHistogram::HalvingsToFit(int64_t lo, int64_t hi) const {
  if (lo >= hi) return 0;
  int32_t k = 0;
  while (((hi - 1) >> k) - (lo >> k) + 1 > options_.max_buckets) ++k;
  return k;
}

void ExpHistogram::Downscale(int32_t k) {
  if (k <= 0) return;
  positive_.Downscale(k);
  negative_.Downscale(k);
  scale_ -= k;
}

void ExpHistogram::RecordSlow(BucketArray& buckets, int32_t index, uint64_t n) {
  int64_t lo = index;
  int64_t hi = int64_t{index} + 1;
  Widen(buckets, 0, &lo, &hi);
  // Halving the resolution until the range fits keeps every bucket exact (bucket i at scale s
  // is the union of buckets 2i and 2i+1 at scale s+1) at the cost of precision. The other sign
  // only shrinks, so it keeps fitting.
  const int32_t k = HalvingsToFit(lo, hi);
  if (k > 0) {
    Downscale(k);
    index >>= k;
  }
  buckets.Add(index, n, options_.max_buckets);
}

template <typename Source>
void ExpHistogram::MergeBuckets(int32_t src_scale, const Source& pos, const Source& neg) {
  // A source without buckets says nothing about resolution: it must not coarsen this one.
  if (pos.empty() && neg.empty()) return;
  const int32_t target = std::min(scale_, src_scale);
  const int32_t mine_shift = scale_ - target;
  const int32_t src_shift = src_scale - target;
  int64_t pos_lo = std::numeric_limits<int64_t>::max(),
          pos_hi = std::numeric_limits<int64_t>::min();
  int64_t neg_lo = pos_lo, neg_hi = pos_hi;
  Widen(positive_, mine_shift, &pos_lo, &pos_hi);
  Widen(pos, src_shift, &pos_lo, &pos_hi);
  Widen(negative_, mine_shift, &neg_lo, &neg_hi);
  Widen(neg, src_shift, &neg_lo, &neg_hi);
  // The same minimal halving a single histogram fed everything would have made, so the merge
  // result is identical to it.
  const int32_t extra = std::max(HalvingsToFit(pos_lo, pos_hi), HalvingsToFit(neg_lo, neg_hi));
  Downscale(mine_shift + extra);
  const int32_t shift = src_shift + extra;
  const uint32_t max_span = options_.max_buckets;
  auto add = [&](BucketArray& mine, const Source& theirs) {
    if (theirs.empty()) return;
    mine.Reserve(theirs.lo() >> shift, ((theirs.hi() - 1) >> shift) + 1, max_span);
    theirs.ForEach([&](int32_t i, uint64_t c) { mine.Add(i >> shift, c, max_span); });
  };
  add(positive_, pos);
  add(negative_, neg);
}

void ExpHistogram::MergeScalars(uint64_t count, double sum, bool has_min_max, double min,
                                double max, uint64_t zero_count, double zero_threshold) {
  if (count > 0) {
    if (has_min_max) {
      min_ = std::min(min_, min);
      max_ = std::max(max_, max);
    } else {
      min_max_known_ = false;
    }
  }
  count_ += count;
  sum_ += sum;
  zero_count_ += zero_count;
  if (zero_threshold > zero_threshold_) zero_threshold_ = zero_threshold;
  FoldIntoZeroBucket();
}

void ExpHistogram::FoldIntoZeroBucket() {
  if (zero_threshold_ <= 0) return;
  for (BucketArray* b : {&positive_, &negative_}) {
    while (!b->empty() && hist::LowerBoundary(scale_, b->lo() + 1) <= zero_threshold_) {
      zero_count_ += b->TakeBelow(b->lo() + 1);
    }
  }
}

void ExpHistogram::Merge(const ExpHistogram& other) {
  if (&other == this) {
    const ExpHistogram copy = other;
    Merge(copy);
    return;
  }
  MergeBuckets(other.scale_, other.positive_, other.negative_);
  MergeScalars(other.count_, other.sum_, other.min_max_known_, other.min_, other.max_,
               other.zero_count_, other.zero_threshold_);
  dropped_ += other.dropped_;
}

Status ExpHistogram::MergeData(const ExpHistogramData& d) {
  VIGIL_RETURN_IF_ERROR(ValidateExpHistogramData(d));
  MergeBuckets(d.scale, SpanSource(d.positive), SpanSource(d.negative));
  MergeScalars(d.count, d.sum, d.has_min_max, d.min, d.max, d.zero_count, d.zero_threshold);
  return Status::Ok();
}

Result<ExpHistogram> ExpHistogram::FromData(const ExpHistogramData& d, ExpHistogramOptions o) {
  ExpHistogram h(o);
  VIGIL_RETURN_IF_ERROR(h.MergeData(d));
  return h;
}

void ExpHistogram::Clear() {
  scale_ = options_.scale;
  min_max_known_ = true;
  count_ = zero_count_ = dropped_ = 0;
  sum_ = 0;
  min_ = std::numeric_limits<double>::infinity();
  max_ = -std::numeric_limits<double>::infinity();
  zero_threshold_ = 0;
  positive_.Clear();
  negative_.Clear();
}

size_t ExpHistogram::MemoryBytes() const {
  return sizeof(*this) + positive_.HeapBytes() + negative_.HeapBytes();
}

}  // namespace vigil::hist
