// The <aggregation>_over_time family, changes and resets, including their NaN/±Inf rules and
// which of them keep the metric name.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "collector/rules/eval/function_call.h"
#include "tests/collector/rules/eval/function_test_util.h"

namespace vigil::eval {
namespace {

using testing::CallVector;
using testing::FloatSeries;
using testing::L;
using testing::OnlyValue;
using testing::Window;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Series Values(std::initializer_list<double> vs) {
  Series s;
  s.labels = L({{"__name__", "m"}, {"job", "j"}});
  int64_t t = 0;
  for (double v : vs) s.floats.push_back({t += 10000, v});
  return s;
}

double Over(std::string_view fn, Series s) {
  return OnlyValue(CallVector(fn, {Value(Matrix{std::move(s)})}, Window(300, 300)));
}

double Quantile(double phi, Series s) {
  return OnlyValue(
      CallVector("quantile_over_time", {Value(Scalar{phi}), Value(Matrix{s})}, Window(300, 300)));
}

TEST(FunctionOverTimeTest, BasicAggregations) {
  const Series s = Values({1, 2, 3, 6});
  EXPECT_DOUBLE_EQ(Over("avg_over_time", s), 3);
  EXPECT_DOUBLE_EQ(Over("sum_over_time", s), 12);
  EXPECT_DOUBLE_EQ(Over("min_over_time", s), 1);
  EXPECT_DOUBLE_EQ(Over("max_over_time", s), 6);
  EXPECT_DOUBLE_EQ(Over("count_over_time", s), 4);
  EXPECT_DOUBLE_EQ(Over("last_over_time", s), 6);
  EXPECT_DOUBLE_EQ(Over("present_over_time", s), 1);
}

TEST(FunctionOverTimeTest, OnlyLastOverTimeKeepsTheName) {
  const Series s = Values({1, 2});
  const Vector last = CallVector("last_over_time", {Value(Matrix{s})}, Window(300, 300));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].labels, s.labels);
  const Vector avg = CallVector("avg_over_time", {Value(Matrix{s})}, Window(300, 300));
  ASSERT_EQ(avg.size(), 1u);
  EXPECT_EQ(avg[0].labels, L({{"job", "j"}}));
}

TEST(FunctionOverTimeTest, MinMaxSkipNaNUnlessAllAreNaN) {
  EXPECT_DOUBLE_EQ(Over("max_over_time", Values({kNaN, 1, 5, kNaN})), 5);
  EXPECT_DOUBLE_EQ(Over("min_over_time", Values({kNaN, 1, 5})), 1);
  EXPECT_TRUE(std::isnan(Over("max_over_time", Values({kNaN, kNaN}))));
}

TEST(FunctionOverTimeTest, AvgWithInfinities) {
  EXPECT_EQ(Over("avg_over_time", Values({1, kInf, 3})), kInf);
  EXPECT_TRUE(std::isnan(Over("avg_over_time", Values({kInf, -kInf}))));
  EXPECT_TRUE(std::isnan(Over("avg_over_time", Values({1, kNaN}))));
  // The incremental mean does not overflow where the sum would.
  EXPECT_DOUBLE_EQ(Over("avg_over_time", Values({1e308, 1e308})), 1e308);
  EXPECT_EQ(Over("sum_over_time", Values({1e308, 1e308})), kInf);
}

TEST(FunctionOverTimeTest, SumsAreCompensated) {
  // A plain sum loses the 1 next to 1e16; promtool 2.42 answers 1 (and 0 for the mean).
  EXPECT_DOUBLE_EQ(Over("sum_over_time", Values({1e16, 1, -1e16})), 1);
  EXPECT_DOUBLE_EQ(Over("avg_over_time", Values({1e16, 1, -1e16})), 0);
}

TEST(FunctionOverTimeTest, StddevAndStdvar) {
  const Series s = Values({2, 4, 4, 4, 5, 5, 7, 9});  // mean 5, squared deviations sum to 32
  EXPECT_DOUBLE_EQ(Over("stdvar_over_time", s), 4);
  EXPECT_DOUBLE_EQ(Over("stddev_over_time", s), 2);
}

TEST(FunctionOverTimeTest, QuantileInterpolatesBetweenRanks) {
  const Series s = Values({4, 1, 3, 2});
  EXPECT_DOUBLE_EQ(Quantile(0.5, s), 2.5);  // rank 1.5 between 2 and 3
  EXPECT_DOUBLE_EQ(Quantile(0.9, s), 3.7);  // rank 2.7 between 3 and 4
  EXPECT_DOUBLE_EQ(Quantile(0, s), 1);
  EXPECT_DOUBLE_EQ(Quantile(1, s), 4);
}

TEST(FunctionOverTimeTest, QuantileOutOfRangePhi) {
  const Series s = Values({1, 2});
  EXPECT_EQ(Quantile(-0.5, s), -kInf);
  EXPECT_EQ(Quantile(1.5, s), kInf);
  EXPECT_TRUE(std::isnan(Quantile(kNaN, s)));
}

TEST(FunctionOverTimeTest, ChangesTreatsNaNToNaNAsNoChange) {
  // 1->1 no, 1->2 yes, 2->NaN yes, NaN->NaN no, NaN->3 yes.
  EXPECT_DOUBLE_EQ(Over("changes", Values({1, 1, 2, kNaN, kNaN, 3})), 3);
  EXPECT_DOUBLE_EQ(Over("changes", Values({7})), 0);
}

TEST(FunctionOverTimeTest, ResetsCountsDecreases) {
  EXPECT_DOUBLE_EQ(Over("resets", Values({5, 3, 4, 1, 1})), 2);
}

TEST(FunctionOverTimeTest, StaleOnlySeriesProducesNothing) {
  Series s = Values({});
  s.floats.push_back({10000, StaleNaN()});
  EXPECT_TRUE(CallVector("sum_over_time", {Value(Matrix{s})}, Window(300, 300)).empty());
  EXPECT_TRUE(CallVector("count_over_time", {Value(Matrix{s})}, Window(300, 300)).empty());
}

TEST(FunctionOverTimeTest, HistogramSamplesCountButHaveNoFloatValue) {
  Series s = Values({});
  auto h = std::make_shared<hist::ExpHistogram>();
  h->Record(2.0);
  s.histograms.push_back({10000, h});
  s.histograms.push_back({20000, h});
  EXPECT_DOUBLE_EQ(Over("count_over_time", s), 2);
  EXPECT_TRUE(CallVector("sum_over_time", {Value(Matrix{s})}, Window(300, 300)).empty());
  // last_over_time returns the newest sample, here a histogram after a float.
  s.floats.push_back({15000, 9});
  const Vector last = CallVector("last_over_time", {Value(Matrix{s})}, Window(300, 300));
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].h, h);
}

TEST(FunctionOverTimeTest, AbsentOverTime) {
  promql::MatrixSelector sel;
  sel.selector.metric_name = "up";
  sel.selector.matchers.push_back({"job", promql::MatchOp::kEqual, "api", nullptr});
  sel.selector.matchers.push_back({"env", promql::MatchOp::kNotEqual, "dev", nullptr});
  sel.range_ms = 300000;
  std::vector<promql::ExprPtr> exprs;
  exprs.push_back(std::make_unique<promql::Expr>(promql::Expr{sel, 0}));
  FunctionContext ctx = Window(300, 300);
  ctx.arg_exprs = &exprs;
  const Vector r = CallVector("absent_over_time", {Value(Matrix{})}, ctx);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].v, 1);
  EXPECT_EQ(r[0].labels, L({{"job", "api"}}));
  EXPECT_TRUE(CallVector("absent_over_time", {Value(Matrix{Values({1})})}, ctx).empty());
}

TEST(FunctionOverTimeTest, DroppedNamesCollide) {
  Series a = Values({1});
  Series b = Values({2});
  b.labels = L({{"__name__", "other"}, {"job", "j"}});
  std::vector<Value> args = {Value(Matrix{a, b})};
  Result<Value> r = CallFunction("max_over_time", args, Window(300, 300));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
  std::vector<Value> args2 = {Value(Matrix{a, b})};
  EXPECT_TRUE(CallFunction("last_over_time", args2, Window(300, 300)).ok());
}

}  // namespace
}  // namespace vigil::eval
