// Merging ExpHistograms and OTLP points: exactness against one histogram fed every value, scale
// alignment, and validation of points from the outside.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/histogram/exp_histogram.h"

namespace vigil::hist {
namespace {

std::vector<double> LatencyValues(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(-4, 2);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    double v = dist(rng);
    if (i % 50 == 0) v = -v;  // some negatives and zeros exercise every part of the layout
    if (i % 77 == 0) v = 0;
    out.push_back(v);
  }
  return out;
}

// Everything but the floating-point sum must be identical.
void ExpectSame(const ExpHistogram& got, const ExpHistogram& want) {
  ExpHistogramData g = got.ToData();
  ExpHistogramData w = want.ToData();
  EXPECT_NEAR(g.sum, w.sum, 1e-9 * std::fabs(w.sum));
  g.sum = w.sum = 0;
  EXPECT_EQ(g, w) << "scale " << g.scale << " vs " << w.scale;
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0}) {
    EXPECT_EQ(got.Quantile(q), want.Quantile(q)) << "q=" << q;
  }
  for (double le : {-1.0, 0.0, 0.005, 0.1, 1.0, 10.0}) {
    EXPECT_EQ(got.CountAtOrBelow(le), want.CountAtOrBelow(le)) << "le=" << le;
  }
}

TEST(MergeTest, MergingPartsEqualsOneHistogramOfAllValues) {
  const std::vector<double> values = LatencyValues(60000, 1);
  for (int parts : {2, 3, 7}) {
    SCOPED_TRACE(parts);
    ExpHistogram single;
    std::vector<ExpHistogram> part(static_cast<size_t>(parts));
    std::mt19937 rng(parts);
    for (double v : values) {
      single.Record(v);
      part[rng() % part.size()].Record(v);
    }
    ExpHistogram merged;
    for (const ExpHistogram& p : part) merged.Merge(p);
    ExpectSame(merged, single);
  }
}

TEST(MergeTest, PartsAtDifferentScalesEqualTheSingleDownscaled) {
  const std::vector<double> values = LatencyValues(30000, 2);
  ExpHistogram single;  // scale 6
  ExpHistogram direct({.scale = 2});
  std::vector<ExpHistogram> part{ExpHistogram({.scale = 6}), ExpHistogram({.scale = 4}),
                                 ExpHistogram({.scale = 2})};
  for (size_t i = 0; i < values.size(); ++i) {
    single.Record(values[i]);
    direct.Record(values[i]);
    part[i % part.size()].Record(values[i]);
  }
  ExpHistogram merged;  // starts at 6, ends at the coarsest part's scale
  for (const ExpHistogram& p : part) merged.Merge(p);
  EXPECT_EQ(merged.scale(), 2);
  // Downscaling the single histogram by merging it into a scale-2 one...
  ExpHistogram downscaled({.scale = 2});
  downscaled.Merge(single);
  ExpectSame(merged, downscaled);
  // ...and recording every value at scale 2 directly give the same buckets.
  ExpectSame(merged, direct);
}

TEST(MergeTest, CombinedRangeBeyondMaxBucketsDownscalesLikeTheSingle) {
  const ExpHistogramOptions o{.scale = 6, .max_buckets = 160};
  ExpHistogram low(o), high(o), single(o);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> exponent(0, 1);
  for (int i = 0; i < 5000; ++i) {
    const double a = std::exp2(-20 + 2 * exponent(rng));  // 2 octaves near 1 us
    const double b = std::exp2(5 + 2 * exponent(rng));    // 2 octaves near 60 s
    low.Record(a);
    high.Record(b);
    single.Record(a);
    single.Record(b);
  }
  ASSERT_EQ(low.scale(), 6);
  ASSERT_EQ(high.scale(), 6);
  ExpHistogram merged(o);
  merged.Merge(low);
  merged.Merge(high);
  EXPECT_LT(merged.scale(), 6);
  ExpectSame(merged, single);
}

TEST(MergeTest, SourceWithoutBucketsKeepsTheScale) {
  ExpHistogram h;
  h.Record(0.25);
  ExpHistogram coarse_empty({.scale = 0});
  h.Merge(coarse_empty);
  EXPECT_EQ(h.scale(), 6);
  ExpHistogram coarse_zeros({.scale = 0});
  coarse_zeros.Record(0.0, 5);
  h.Merge(coarse_zeros);
  EXPECT_EQ(h.scale(), 6);
  EXPECT_EQ(h.zero_count(), 5u);
  EXPECT_EQ(h.count(), 6u);
  ExpHistogram coarse({.scale = 0});
  coarse.Record(3.0);
  h.Merge(coarse);
  EXPECT_EQ(h.scale(), 0) << "a source with buckets brings its coarser scale";
}

TEST(MergeTest, SelfMergeDoubles) {
  ExpHistogram h;
  for (double v : LatencyValues(1000, 3)) h.Record(v);
  const ExpHistogram before = h;
  h.Merge(h);
  EXPECT_EQ(h.count(), 2 * before.count());
  EXPECT_EQ(h.zero_count(), 2 * before.zero_count());
  EXPECT_EQ(h.Quantile(0.9), before.Quantile(0.9));
}

TEST(MergeTest, DataRoundTripIsExact) {
  ExpHistogram h;
  for (double v : LatencyValues(5000, 4)) h.Record(v);
  h.Record(std::nan(""));
  const ExpHistogramData d = h.ToData();
  EXPECT_EQ(d.count, d.zero_count + h.positive().Total() + h.negative().Total());
  Result<ExpHistogram> back = ExpHistogram::FromData(d);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ToData(), d);
  // Merging data equals merging the histogram itself.
  ExpHistogram via_data;
  ASSERT_TRUE(via_data.MergeData(d).ok());
  ExpHistogram via_merge;
  via_merge.Merge(h);
  EXPECT_EQ(via_data.ToData(), via_merge.ToData());
}

TEST(MergeTest, FinerDataIsDownscaledToTheOptionsScale) {
  ExpHistogram fine({.scale = 9, .max_buckets = 16384});
  for (double v : LatencyValues(3000, 6)) fine.Record(v);
  ASSERT_EQ(fine.scale(), 9);
  Result<ExpHistogram> h = ExpHistogram::FromData(fine.ToData(), {.scale = 5});
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->scale(), 5);
  ExpHistogram direct({.scale = 5});
  for (double v : LatencyValues(3000, 6)) direct.Record(v);
  ExpectSame(*h, direct);
}

TEST(MergeTest, DataWithoutMinMaxMakesThemUnknown) {
  ExpHistogramData d;
  d.scale = 0;
  d.count = 2;
  d.sum = 3;
  d.positive = {0, {2}};  // (1, 2]
  ExpHistogram h;
  h.Record(1.5);
  ASSERT_TRUE(h.MergeData(d).ok());
  EXPECT_EQ(h.count(), 3u);
  EXPECT_TRUE(std::isnan(h.min()));
  EXPECT_FALSE(h.ToData().has_min_max);
  EXPECT_NEAR(h.Quantile(0.5), std::sqrt(2.0), 1e-12) << "unclamped midpoint of (1, 2]";
}

TEST(MergeTest, LargerZeroThresholdFoldsSmallBuckets) {
  ExpHistogram h;
  h.Record(1e-5);
  h.Record(0.5);
  ExpHistogramData d;
  d.scale = 6;
  d.count = 1;
  d.zero_count = 1;
  d.zero_threshold = 1e-3;
  ASSERT_TRUE(h.MergeData(d).ok());
  EXPECT_EQ(h.zero_threshold(), 1e-3);
  EXPECT_EQ(h.zero_count(), 2u) << "1e-5 now lies inside the zero bucket";
  EXPECT_EQ(h.positive().Total(), 1u);
  EXPECT_EQ(h.count(), 3u);
}

// A valid point to break one field at a time.
ExpHistogramData ValidData() {
  ExpHistogramData d;
  d.scale = 3;
  d.count = 10;
  d.sum = 12.5;
  d.has_min_max = true;
  d.min = -1;
  d.max = 4;
  d.zero_count = 1;
  d.positive = {-2, {1, 0, 4, 2}};
  d.negative = {0, {2}};
  return d;
}

void ExpectInvalid(const ExpHistogramData& d, const std::string& needle) {
  ExpHistogram h;
  h.Record(2.0);
  const ExpHistogramData before = h.ToData();
  const Status s = h.MergeData(d);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(needle), std::string::npos) << s.message();
  EXPECT_EQ(h.ToData(), before) << "a rejected point changes nothing";
  Result<ExpHistogram> r = ExpHistogram::FromData(d);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
}

TEST(MergeDataValidationTest, AcceptsTheBaseline) {
  ExpHistogram h;
  EXPECT_TRUE(h.MergeData(ValidData()).ok());
  EXPECT_EQ(h.scale(), 3);
  EXPECT_EQ(h.count(), 10u);
}

TEST(MergeDataValidationTest, RejectsCountsThatDoNotAddUp) {
  ExpHistogramData d = ValidData();
  d.count = 11;
  ExpectInvalid(d,
                "bucket counts (positive 7 + negative 2 + zero_count 1) do not add up to count 11");
  d = ValidData();
  d.positive.counts.push_back(~uint64_t{0});
  ExpectInvalid(d, "positive bucket counts overflow");
}

TEST(MergeDataValidationTest, RejectsBadScale) {
  ExpHistogramData d = ValidData();
  d.scale = 21;
  ExpectInvalid(d, "scale 21 outside [-10, 20]");
  d.scale = -11;
  ExpectInvalid(d, "scale -11 outside [-10, 20]");
}

TEST(MergeDataValidationTest, RejectsAbsurdSpans) {
  ExpHistogramData d = ValidData();
  d.negative.counts.assign(kMaxDataSpan + 1, 0);
  d.negative.counts[0] = 2;
  ExpectInvalid(d, "negative span has 1048577 buckets, more than 1048576");
  d = ValidData();
  d.positive.offset = 2000 * 8;  // 2^2000 is no double
  ExpectInvalid(d, "positive buckets [16000, 16003] lie outside the index range [-8593, 8191]");
  d = ValidData();
  d.negative.offset = std::numeric_limits<int32_t>::min();
  ExpectInvalid(d, "negative buckets [-2147483648");
}

TEST(MergeDataValidationTest, RejectsBadFloats) {
  ExpHistogramData d = ValidData();
  d.zero_threshold = -1;
  ExpectInvalid(d, "zero_threshold must be finite and >= 0, got -1");
  d = ValidData();
  d.sum = std::nan("");
  ExpectInvalid(d, "sum must be finite, got nan");
  d = ValidData();
  d.min = 5;
  ExpectInvalid(d, "min 5 > max 4");
  d = ValidData();
  d.max = std::numeric_limits<double>::infinity();
  ExpectInvalid(d, "min and max must be finite");
}

}  // namespace
}  // namespace vigil::hist
