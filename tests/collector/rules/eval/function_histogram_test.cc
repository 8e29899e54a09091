// histogram_quantile over classic `le` buckets (grouping, interpolation, lowest-bucket and +Inf
// rules, monotonicity fix) and over native exponential histograms; histogram_count/_sum.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>

#include "collector/rules/eval/function_call.h"
#include "tests/collector/rules/eval/function_test_util.h"

namespace vigil::eval {
namespace {

using testing::CallVector;
using testing::L;
using testing::OnlyValue;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Sample Bucket(std::string le, double count, std::string instance = "a") {
  return testing::FloatSample(
      L({{"__name__", "req_bucket"}, {"instance", instance}, {"le", std::move(le)}}), count);
}

Vector Classic(std::initializer_list<std::pair<const char*, double>> buckets) {
  Vector v;
  for (const auto& [le, c] : buckets) v.push_back(Bucket(le, c));
  return v;
}

double Q(double q, const Vector& v) {
  return OnlyValue(CallVector("histogram_quantile", {Value(Scalar{q}), Value(v)}));
}

TEST(FunctionHistogramTest, ClassicInterpolatesInsideTheBucket) {
  const Vector v = Classic({{"0.1", 10}, {"0.5", 30}, {"1", 40}, {"+Inf", 50}});
  // rank 25 lies in (0.1, 0.5], 15 of its 20 observations in.
  EXPECT_DOUBLE_EQ(Q(0.5, v), 0.1 + 0.4 * 15 / 20);
  // The lowest bucket starts at 0: rank 5 of 10.
  EXPECT_DOUBLE_EQ(Q(0.1, v), 0.05);
  // A rank in the +Inf bucket answers the highest finite bound.
  EXPECT_DOUBLE_EQ(Q(0.95, v), 1);
  const Vector out = CallVector("histogram_quantile", {Value(Scalar{0.5}), Value(v)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].labels, L({{"instance", "a"}}));
}

TEST(FunctionHistogramTest, ClassicLowestBucketAtOrBelowZero) {
  const Vector v = Classic({{"-1", 5}, {"0", 10}, {"+Inf", 20}});
  EXPECT_DOUBLE_EQ(Q(0.1, v), -1);
  // rank 8 lies in (-1, 0]: 3 of its 5.
  EXPECT_DOUBLE_EQ(Q(0.4, v), -1 + 1.0 * 3 / 5);
}

TEST(FunctionHistogramTest, ClassicEdgeCasesGiveNaN) {
  EXPECT_TRUE(std::isnan(Q(0.5, Classic({{"0.1", 10}, {"1", 20}}))));  // no +Inf bucket
  EXPECT_TRUE(std::isnan(Q(0.5, Classic({{"+Inf", 20}}))));            // only +Inf
  EXPECT_TRUE(std::isnan(Q(0.5, Classic({{"1", 0}, {"+Inf", 0}}))));   // no observations
  EXPECT_TRUE(std::isnan(Q(kNaN, Classic({{"1", 1}, {"+Inf", 2}}))));
}

TEST(FunctionHistogramTest, ClassicPhiOutOfRange) {
  const Vector v = Classic({{"1", 1}, {"+Inf", 2}});
  EXPECT_EQ(Q(-0.1, v), -kInf);
  EXPECT_EQ(Q(1.1, v), kInf);
}

TEST(FunctionHistogramTest, ClassicFixesNonMonotonicCounts) {
  // 8 < 10 is raised to 10: rank 10 then ends exactly at the top of (0, 1].
  EXPECT_DOUBLE_EQ(Q(0.5, Classic({{"1", 10}, {"2", 8}, {"+Inf", 20}})), 1);
}

TEST(FunctionHistogramTest, ClassicCoalescesEqualBoundsAndSkipsBadLe) {
  // "1" and "1.0" are one bucket of 4 + 6 = 10; "abc" is not a bucket.
  const Vector v = Classic({{"1", 4}, {"1.0", 6}, {"abc", 99}, {"+Inf", 20}});
  EXPECT_DOUBLE_EQ(Q(0.25, v), 0.5);
}

TEST(FunctionHistogramTest, ClassicGroupsByLabelsOtherThanLe) {
  Vector v = {Bucket("1", 10, "a"), Bucket("+Inf", 10, "a"), Bucket("2", 0, "b"),
              Bucket("4", 8, "b"), Bucket("+Inf", 8, "b")};
  Vector out = CallVector("histogram_quantile", {Value(Scalar{0.5}), Value(v)});
  ASSERT_EQ(out.size(), 2u);
  std::sort(out.begin(), out.end(),
            [](const Sample& x, const Sample& y) { return x.labels < y.labels; });
  EXPECT_EQ(out[0].labels, L({{"instance", "a"}}));
  EXPECT_DOUBLE_EQ(out[0].v, 0.5);
  EXPECT_EQ(out[1].labels, L({{"instance", "b"}}));
  EXPECT_DOUBLE_EQ(out[1].v, 3);  // rank 4 of 8 in (2, 4]
}

HistogramPtr Native(std::initializer_list<std::pair<double, uint64_t>> obs) {
  hist::ExpHistogramOptions o;
  o.scale = 0;  // buckets (2^i, 2^(i+1)]
  auto h = std::make_shared<hist::ExpHistogram>(o);
  for (const auto& [v, n] : obs) h->Record(v, n);
  return h;
}

Vector NativeVector(HistogramPtr h) {
  Sample s;
  s.labels = L({{"__name__", "lat"}, {"svc", "api"}});
  s.h = std::move(h);
  return {s};
}

TEST(FunctionHistogramTest, NativeInterpolatesInsideExponentialBuckets) {
  const HistogramPtr h = Native({{1.5, 4}, {3, 4}});
  const Vector v = NativeVector(h);
  EXPECT_DOUBLE_EQ(Q(0.5, v), 2);   // rank 4 ends bucket (1, 2]
  EXPECT_DOUBLE_EQ(Q(0.75, v), 3);  // rank 6: 2 of 4 into (2, 4]
  EXPECT_DOUBLE_EQ(Q(0, v), 1);     // lower bound of the first bucket
  EXPECT_DOUBLE_EQ(Q(0.25, v), 1.5);
  // ExpHistogram's own nearest-rank estimate lands in the same bucket.
  EXPECT_GT(h->Quantile(0.75), 2);
  EXPECT_LE(h->Quantile(0.75), 4);
  EXPECT_EQ(Q(2, v), kInf);
  EXPECT_EQ(Q(-1, v), -kInf);
  const Vector out = CallVector("histogram_quantile", {Value(Scalar{0.5}), Value(v)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].labels, L({{"svc", "api"}}));
}

TEST(FunctionHistogramTest, NativeNegativeAndZeroBuckets) {
  const Vector v = NativeVector(Native({{-3, 2}, {0, 2}, {1.5, 4}}));
  EXPECT_DOUBLE_EQ(Q(0.125, v), -3);  // rank 1 of 2 in [-4, -2)
  EXPECT_DOUBLE_EQ(Q(0.375, v), 0);   // the zero bucket [0, 0]
  EXPECT_DOUBLE_EQ(Q(1, v), 2);
}

TEST(FunctionHistogramTest, NativeZeroBucketWithOnlyPositiveBucketsStartsAtZero) {
  hist::ExpHistogramData d;
  d.scale = 0;
  d.zero_threshold = 0.5;
  d.zero_count = 2;
  d.positive = {0, {2}};
  d.count = 4;
  d.sum = 3;
  Result<hist::ExpHistogram> h = hist::ExpHistogram::FromData(d, {0, 160});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  const Vector v = NativeVector(std::make_shared<hist::ExpHistogram>(std::move(h).value()));
  EXPECT_DOUBLE_EQ(Q(0.25, v), 0.25);  // rank 1 of 2 in [0, 0.5]
}

TEST(FunctionHistogramTest, EmptyNativeHistogramIsNaN) {
  EXPECT_TRUE(std::isnan(Q(0.5, NativeVector(Native({})))));
}

TEST(FunctionHistogramTest, CountAndSumOfNativeSamplesOnly) {
  Vector v = NativeVector(Native({{1.5, 4}, {3, 2}}));
  v.push_back(testing::FloatSample(L({{"__name__", "x"}}), 7));  // floats are skipped
  const Vector count = CallVector("histogram_count", {Value(v)});
  ASSERT_EQ(count.size(), 1u);
  EXPECT_DOUBLE_EQ(count[0].v, 6);
  EXPECT_EQ(count[0].labels, L({{"svc", "api"}}));
  EXPECT_DOUBLE_EQ(OnlyValue(CallVector("histogram_sum", {Value(v)})), 12);
}

}  // namespace
}  // namespace vigil::eval
