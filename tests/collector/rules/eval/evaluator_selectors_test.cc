// Evaluator: literals, instant selectors (lookback edges, staleness, offset, histograms),
// range selectors, unary operators and parentheses.
#include <gtest/gtest.h>

#include "tests/collector/rules/eval/eval_test_util.h"

namespace vigil::eval {
namespace {

using testing::EvalText;
using testing::kMinute;
using testing::Load;

TEST(EvaluatorLiteralsTest, NumbersStringsAndParens) {
  SampleStore store;
  EXPECT_EQ(EvalText(store, "42", 0), "scalar 42");
  EXPECT_EQ(EvalText(store, "-(1.5)", 0), "scalar -1.5");
  EXPECT_EQ(EvalText(store, "\"text\"", 0), "string text");
  EXPECT_EQ(EvalText(store, "((2))", 0), "scalar 2");
  Result<Value> r = testing::Eval(store, "7", 1234);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<Scalar>(r.value()).t_ms, 1234);
}

TEST(EvaluatorSelectorTest, LookbackIncludesSampleExactlyFiveMinutesOld) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "3");  // one sample at t=0
  EXPECT_EQ(EvalText(store, "m", 0), "m{a=\"1\"} 3\n");
  EXPECT_EQ(EvalText(store, "m", 5 * kMinute), "m{a=\"1\"} 3\n");
  EXPECT_EQ(EvalText(store, "m", 5 * kMinute + 1), "");
  EXPECT_EQ(EvalText(store, "m", -1), "");  // nothing before the first sample
}

TEST(EvaluatorSelectorTest, PicksNewestSampleAndStampsEvaluationTime) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "1 2 3");
  Load(store, R"(m{a="2"})", "10 _ _");
  Load(store, R"(n{a="1"})", "5");
  EXPECT_EQ(EvalText(store, "m", 90'000), "m{a=\"1\"} 2\nm{a=\"2\"} 10\n");
  EXPECT_EQ(EvalText(store, R"(m{a!="2"})", 2 * kMinute), "m{a=\"1\"} 3\n");
  EXPECT_EQ(EvalText(store, R"({__name__=~"m|n", a="1"})", 2 * kMinute),
            "m{a=\"1\"} 3\nn{a=\"1\"} 5\n");
  Result<Value> r = testing::Eval(store, "m", 90'000);
  ASSERT_TRUE(r.ok());
  for (const Sample& s : std::get<Vector>(r.value())) EXPECT_EQ(s.t_ms, 90'000);
}

TEST(EvaluatorSelectorTest, StaleMarkerHidesSeriesUntilNextSample) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "1 stale _ 4");
  EXPECT_EQ(EvalText(store, "m", 0), "m{a=\"1\"} 1\n");
  EXPECT_EQ(EvalText(store, "m", 59'999), "m{a=\"1\"} 1\n");
  EXPECT_EQ(EvalText(store, "m", kMinute), "");
  EXPECT_EQ(EvalText(store, "m", 2 * kMinute + 30'000), "");
  EXPECT_EQ(EvalText(store, "m", 3 * kMinute), "m{a=\"1\"} 4\n");
}

TEST(EvaluatorSelectorTest, OrdinaryNaNIsAValue) {
  SampleStore store;
  Load(store, "m", "NaN");
  EXPECT_EQ(EvalText(store, "m", 0), "m NaN\n");
}

TEST(EvaluatorSelectorTest, OffsetShiftsTheLookbackWindow) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "0+1x10");  // value i at minute i
  EXPECT_EQ(EvalText(store, "m offset 1m", 6 * kMinute), "m{a=\"1\"} 5\n");
  EXPECT_EQ(EvalText(store, "m offset -2m", 3 * kMinute), "m{a=\"1\"} 5\n");
  // 16m with offset 1m looks at 15m: the 10m sample is exactly 5m old.
  EXPECT_EQ(EvalText(store, "m offset 1m", 16 * kMinute), "m{a=\"1\"} 10\n");
  EXPECT_EQ(EvalText(store, "m offset 1m", 16 * kMinute + 1), "");
}

TEST(EvaluatorSelectorTest, HistogramSamples) {
  SampleStore store;
  auto h = std::make_shared<hist::ExpHistogram>();
  h->Record(2);
  h->Record(3);
  ASSERT_TRUE(store.Append({{"__name__", "lat"}}, 0, 1).ok());
  ASSERT_TRUE(store.AppendHistogram({{"__name__", "lat"}}, kMinute, h).ok());
  EXPECT_EQ(EvalText(store, "lat", kMinute), "lat hist(count=2 sum=5)\n");
  EXPECT_EQ(EvalText(store, "lat", 30'000), "lat 1\n");
  ASSERT_TRUE(store.Append({{"__name__", "lat"}}, 2 * kMinute, StaleNaN()).ok());
  EXPECT_EQ(EvalText(store, "lat", 2 * kMinute), "");
}

TEST(EvaluatorRangeSelectorTest, WindowIsInclusiveAndDropsStaleMarkers) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "0 1 2 stale 4 5 6");
  Load(store, R"(m{a="2"})", "9 _ _ _ _ _ _");
  auto points = [&](std::string_view expr, int64_t t) {
    Result<Value> r = testing::Eval(store, expr, t);
    EXPECT_TRUE(r.ok()) << r.status().message();
    std::string out;
    if (!r.ok()) return out;
    for (const Series& s : std::get<Matrix>(r.value())) {
      out += LabelsToString(s.labels) + ":";
      for (const FloatPoint& p : s.floats) {
        out += " " + testing::FormatNumber(p.v) + "@" + std::to_string(p.t_ms / 1000);
      }
      out += "\n";
    }
    return out;
  };
  EXPECT_EQ(points("m[2m]", 5 * kMinute), "m{a=\"1\"}: 4@240 5@300\n");
  EXPECT_EQ(points("m[2m]", 4 * kMinute), "m{a=\"1\"}: 2@120 4@240\n");
  // [t-range, t] closed at both ends; series with only a stale marker or nothing are left out.
  EXPECT_EQ(points("m[1m] offset 2m", 5 * kMinute), "m{a=\"1\"}: 2@120\n");
  EXPECT_EQ(points("m[59s]", 3 * kMinute), "");
  EXPECT_EQ(points("m[5m]", 5 * kMinute),
            "m{a=\"1\"}: 0@0 1@60 2@120 4@240 5@300\nm{a=\"2\"}: 9@0\n");
}

TEST(EvaluatorUnaryTest, MinusDropsNamePlusKeepsIt) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "3");
  Load(store, R"(n{a="2"})", "4");
  EXPECT_EQ(EvalText(store, "-m", 0), "{a=\"1\"} -3\n");
  EXPECT_EQ(EvalText(store, "+m", 0), "m{a=\"1\"} 3\n");
  EXPECT_EQ(EvalText(store, "-(-m)", 0), "{a=\"1\"} 3\n");
  EXPECT_EQ(EvalText(store, "-{__name__=~\"m|n\"}", 0), "{a=\"1\"} -3\n{a=\"2\"} -4\n");
}

TEST(EvaluatorUnaryTest, MinusThatMergesSeriesIsAnError) {
  SampleStore store;
  Load(store, R"(m{a="1"})", "3");
  Load(store, R"(n{a="1"})", "4");
  EXPECT_EQ(EvalText(store, "-{a=\"1\"}", 0),
            "error: vector cannot contain metrics with the same labelset");
}

}  // namespace
}  // namespace vigil::eval
