// ExpHistogram recording, quantiles, `le` counts, downscaling, Clear and memory.
#include "core/histogram/exp_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace vigil::hist {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(ExpHistogramTest, RecordsCountSumMinMax) {
  ExpHistogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_TRUE(std::isnan(h.min()));
  h.Record(0.5);
  h.Record(2.0, 3);
  h.Record(0.0);
  h.Record(-1.5);
  EXPECT_EQ(h.count(), 6u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.5 + 6.0 - 1.5);
  EXPECT_EQ(h.min(), -1.5);
  EXPECT_EQ(h.max(), 2.0);
  EXPECT_EQ(h.zero_count(), 1u);
  EXPECT_EQ(h.scale(), 6);
  EXPECT_EQ(h.positive().Get(ValueToIndex(2.0, 6)), 3u);
  EXPECT_EQ(h.positive().Get(ValueToIndex(0.5, 6)), 1u);
  EXPECT_EQ(h.negative().Get(ValueToIndex(1.5, 6)), 1u);
  EXPECT_EQ(h.positive().Total() + h.negative().Total() + h.zero_count(), h.count());
}

TEST(ExpHistogramTest, NanAndInfinityAreDroppedAndCounted) {
  ExpHistogram h;
  h.Record(std::numeric_limits<double>::quiet_NaN());
  h.Record(kInf, 4);
  h.Record(-kInf);
  h.Record(1.0);
  EXPECT_EQ(h.dropped(), 6u);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.sum(), 1.0);
  EXPECT_EQ(h.max(), 1.0);
  h.Record(3.0, 0);  // n == 0 records nothing
  EXPECT_EQ(h.count(), 1u);
}

TEST(ExpHistogramTest, QuantileOfEmptyOrBadQIsNan) {
  ExpHistogram h;
  EXPECT_TRUE(std::isnan(h.Quantile(0.5)));
  h.Record(1.0);
  EXPECT_TRUE(std::isnan(h.Quantile(-0.1)));
  EXPECT_TRUE(std::isnan(h.Quantile(1.5)));
  EXPECT_TRUE(std::isnan(h.Quantile(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(h.Quantile(0.5), 1.0) << "the midpoint is clamped to [min, max]";
}

TEST(ExpHistogramTest, QuantileWalksNegativeZeroPositiveInOrder) {
  ExpHistogram h;
  for (double v : {-100.0, -10.0, 0.0, 0.0, 10.0, 100.0}) h.Record(v);
  // Nearest rank ceil(q * 6): ranks 1..6 are -100, -10, 0, 0, 10, 100 (within bucket error).
  EXPECT_EQ(h.Quantile(0), -100.0);  // clamped to min
  EXPECT_NEAR(h.Quantile(2.0 / 6), -10.0, 0.06);
  EXPECT_EQ(h.Quantile(0.5), 0.0);
  EXPECT_EQ(h.Quantile(4.0 / 6), 0.0);
  EXPECT_NEAR(h.Quantile(5.0 / 6), 10.0, 0.06);
  EXPECT_EQ(h.Quantile(1), 100.0);  // clamped to max
}

TEST(ExpHistogramTest, QuantileReturnsTheBucketsGeometricMidpoint) {
  ExpHistogram h;
  h.Record(1.0);  // bucket -1 at scale 6: (2^(-1/64), 1]
  h.Record(3.0);
  h.Record(1.003);  // bucket 0, midpoint 2^(0.5/64) ~ 1.00543, inside [min, max]
  EXPECT_DOUBLE_EQ(h.Quantile(0.5), BucketMidpoint(6, 0));
  EXPECT_DOUBLE_EQ(h.Quantile(0.5), std::exp2(0.5 / 64));
}

TEST(ExpHistogramTest, DownscalesWhenTheRangeExceedsMaxBuckets) {
  ExpHistogram h({.scale = 6, .max_buckets = 64});
  h.Record(1.0);
  h.Record(1.5);
  EXPECT_EQ(h.scale(), 6);
  h.Record(1000.0);  // ~10 octaves: 640 buckets at scale 6, 80 at 3, 40 at 2
  EXPECT_EQ(h.scale(), 2);
  EXPECT_LE(h.positive().hi() - h.positive().lo(), 64);
  EXPECT_EQ(h.positive().Get(ValueToIndex(1000.0, 2)), 1u);
  EXPECT_EQ(h.positive().Total(), 3u);
  // Negative values get their own window of up to max_buckets at the shared scale.
  h.Record(-1e-3);
  h.Record(-1.0);
  EXPECT_EQ(h.scale(), 2);
  EXPECT_EQ(h.negative().Total(), 2u);
  // Values spanning the whole double range still fit by downscaling further.
  h.Record(1e-300);
  h.Record(1e300);
  EXPECT_LT(h.scale(), 0);
  EXPECT_LE(h.positive().hi() - h.positive().lo(), 64);
  EXPECT_EQ(h.count(), 7u);
}

TEST(ExpHistogramTest, OptionsAreClampedToSaneValues) {
  ExpHistogram h({.scale = 99, .max_buckets = 0});
  EXPECT_EQ(h.scale(), kMaxScale);
  EXPECT_EQ(h.options().max_buckets, kMinMaxBuckets);
  h.Record(std::numeric_limits<double>::denorm_min());
  h.Record(std::numeric_limits<double>::max());
  EXPECT_EQ(h.count(), 2u);
  EXPECT_GE(h.scale(), kMinScale);
  ExpHistogram coarse({.scale = -50});
  EXPECT_EQ(coarse.scale(), kMinScale);
}

// Expected CountAtOrBelow computed value by value: a value counts when its bucket's midpoint
// (signed; 0 for the zero bucket) is <= le.
uint64_t CountByValue(const std::vector<double>& values, int32_t scale, double le) {
  uint64_t n = 0;
  for (double v : values) {
    const double mid = v == 0 ? 0 : std::copysign(BucketMidpoint(scale, ValueToIndex(v, scale)), v);
    n += mid <= le;
  }
  return n;
}

TEST(ExpHistogramTest, CountAtOrBelowMatchesPerValueMidpoints) {
  std::mt19937_64 rng(9);
  std::lognormal_distribution<double> dist(-3, 2);
  std::vector<double> values;
  ExpHistogram h;
  for (int i = 0; i < 20000; ++i) {
    double v = dist(rng);
    if (i % 10 == 0) v = -v;
    if (i % 97 == 0) v = 0;
    values.push_back(v);
    h.Record(v);
  }
  for (double le : {-kInf, -50.0, -1.0, -0.05, -1e-6, 0.0, 1e-6, 0.001, 0.005, 0.01,
                    0.05,  0.1,   0.25, 0.5,   1.0,   2.5, 5.0,  10.0,  1e6,   kInf}) {
    EXPECT_EQ(h.CountAtOrBelow(le), CountByValue(values, h.scale(), le)) << "le=" << le;
  }
  EXPECT_EQ(h.CountAtOrBelow(kInf), h.count());
  EXPECT_EQ(h.CountAtOrBelow(-kInf), 0u);
  EXPECT_EQ(h.CountAtOrBelow(std::numeric_limits<double>::quiet_NaN()), 0u);
}

TEST(ExpHistogramTest, CountAtOrBelowUsesTheMidpointNotTheUpperBound) {
  ExpHistogram h;
  h.Record(1.0);  // bucket (0.98923, 1], midpoint 2^(-1/128) = 0.994599
  EXPECT_EQ(h.CountAtOrBelow(0.9947), 1u);
  EXPECT_EQ(h.CountAtOrBelow(0.9945), 0u);
  h.Record(0.0);
  EXPECT_EQ(h.CountAtOrBelow(0.0), 1u) << "the zero bucket counts at le >= 0";
  EXPECT_EQ(h.CountAtOrBelow(-1e-9), 0u);
}

TEST(ExpHistogramTest, ClearReturnsToTheStartingScale) {
  ExpHistogram h({.scale = 6, .max_buckets = 16});
  h.Record(1.0);
  h.Record(1e6);
  h.Record(std::nan(""));
  ASSERT_LT(h.scale(), 6);
  h.Clear();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.scale(), 6);
  EXPECT_EQ(h.dropped(), 0u);
  EXPECT_EQ(h.zero_count(), 0u);
  EXPECT_TRUE(std::isnan(h.Quantile(0.5)));
  EXPECT_EQ(h.CountAtOrBelow(kInf), 0u);
  h.Record(2.0);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.positive().Get(ValueToIndex(2.0, 6)), 1u);
}

TEST(ExpHistogramTest, MemoryOfATypicalLatencyHistogram) {
  // 1 ms .. 10 s is 13.3 octaves: about 851 buckets at scale 6.
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> dist(std::log(0.05), 1.2);
  ExpHistogram h;
  for (int i = 0; i < 100000; ++i) h.Record(std::clamp(dist(rng), 1e-3, 10.0));
  const BucketArray& b = h.positive();
  EXPECT_EQ(h.scale(), 6);
  EXPECT_LE(b.hi() - b.lo(), 852);
  const size_t counters = static_cast<size_t>(b.hi() - b.lo()) * b.width();
  // Counters, at most a quarter of slack, and the object itself; nothing for the empty sign.
  EXPECT_LE(h.MemoryBytes(), sizeof(ExpHistogram) + counters * 5 / 4 + 64);
  EXPECT_LT(h.MemoryBytes(), 4096u);
  EXPECT_EQ(h.negative().HeapBytes(), 0u);
  ExpHistogram empty;
  EXPECT_EQ(empty.MemoryBytes(), sizeof(ExpHistogram));
}

}  // namespace
}  // namespace vigil::hist
