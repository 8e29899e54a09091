// rate/increase/delta/irate/idelta: extrapolation at both range edges, the counter zero-point
// limit, counter resets, and native histogram counters. Expected values are worked out by hand
// from Prometheus's extrapolatedRate rules (and cross-checked with promtool 2.42).
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "collector/rules/eval/function_call.h"
#include "tests/collector/rules/eval/function_test_util.h"

namespace vigil::eval {
namespace {

using testing::CallVector;
using testing::FloatSeries;
using testing::L;
using testing::OnlyValue;
using testing::Window;

Vector Call1(std::string_view fn, Series s, const FunctionContext& ctx) {
  return CallVector(fn, {Value(Matrix{std::move(s)})}, ctx);
}

TEST(FunctionRateTest, SteadyCounterWithSamplesOnBothEdges) {
  // promtool: m 0+10x10 every 1m, rate(m[5m]) at 10m: six samples 50..100 span the range.
  Series s = FloatSeries(L({{"__name__", "m"}, {"a", "1"}}),
                         {{300, 50}, {360, 60}, {420, 70}, {480, 80}, {540, 90}, {600, 100}});
  const Vector r = Call1("rate", s, Window(600, 300));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].v, 50.0 / 300);
  EXPECT_EQ(r[0].labels, L({{"a", "1"}}));  // name dropped
  EXPECT_EQ(r[0].t_ms, 600000);
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("increase", s, Window(600, 300))), 50);
}

TEST(FunctionRateTest, ExtrapolatesToEdgesWithinOnePointOneIntervals) {
  // 30s to each edge < 1.1 * 60s: extrapolate over the full 300s. The zero point (60s before
  // the first sample) lies further away than the edge, so it does not limit.
  Series s =
      FloatSeries(L({{"__name__", "m"}}), {{30, 10}, {90, 20}, {150, 30}, {210, 40}, {270, 50}});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("increase", s, Window(300, 300))), 40.0 * 300 / 240);
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("rate", s, Window(300, 300))), 40.0 * 300 / 240 / 300);
}

TEST(FunctionRateTest, ExtrapolatesHalfAnIntervalWhenEdgesAreFar) {
  // 200s to the start and 280s to the end, both > 66s: only 30s is added on each side.
  Series s = FloatSeries(L({{"__name__", "m"}}), {{200, 100}, {260, 106}, {320, 112}});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("increase", s, Window(600, 600))), 12.0 * 180 / 120);
}

TEST(FunctionRateTest, CounterIsNotExtrapolatedBelowZero) {
  // Going back from 1 at 12/120 per second, the counter hits zero 10s before the first sample;
  // that (not the 100s to the range start) bounds the start side. The end side adds 30s.
  Series s = FloatSeries(L({{"__name__", "m"}}), {{100, 1}, {160, 7}, {220, 13}});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("increase", s, Window(300, 300))), 12.0 * 160 / 120);
  // delta is not a counter function: no zero-point limit, 30s added on both sides.
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("delta", s, Window(300, 300))), 12.0 * 180 / 120);
}

TEST(FunctionRateTest, CounterResetAddsBackTheValueBeforeTheDrop) {
  Series s = FloatSeries(L({{"__name__", "m"}}), {{0, 10}, {60, 20}, {120, 5}, {180, 15}});
  // 15 - 10 + 20 (lost at the reset).
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("increase", s, Window(180, 180))), 25);
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("rate", s, Window(180, 180))), 25.0 / 180);
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("resets", s, Window(180, 180))), 1);
  // delta treats the drop as a plain decrease.
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("delta", s, Window(180, 180))), 5);
}

TEST(FunctionRateTest, DeltaCanBeNegative) {
  Series s = FloatSeries(L({{"__name__", "g"}}), {{0, 30}, {60, 20}, {120, 10}});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("delta", s, Window(120, 120))), -20);
}

TEST(FunctionRateTest, FewerThanTwoSamplesGiveNoResult) {
  Series one = FloatSeries(L({{"__name__", "m"}}), {{60, 5}});
  for (const char* fn : {"rate", "increase", "delta", "irate", "idelta"}) {
    EXPECT_TRUE(Call1(fn, one, Window(120, 120)).empty()) << fn;
  }
}

TEST(FunctionRateTest, StaleMarkersAreNotSamples) {
  Series s = FloatSeries(L({{"__name__", "m"}}), {{0, 0}, {60, 6}});
  s.floats.push_back({90000, StaleNaN()});
  s.floats.push_back({120000, 12});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("increase", s, Window(120, 120))), 12);
}

TEST(FunctionRateTest, IrateUsesTheLastTwoSamples) {
  Series s = FloatSeries(L({{"__name__", "m"}}), {{0, 0}, {60, 100}, {90, 130}});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("irate", s, Window(120, 120))), 1.0);
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("idelta", s, Window(120, 120))), 30);
  // A reset between the last two: the counter counted 20 since restarting, over 30s.
  Series reset = FloatSeries(L({{"__name__", "m"}}), {{60, 100}, {90, 20}});
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("irate", reset, Window(120, 120))), 20.0 / 30);
  EXPECT_DOUBLE_EQ(OnlyValue(Call1("idelta", reset, Window(120, 120))), -80);
}

TEST(FunctionRateTest, SameLabelsetAfterDroppingNamesIsAnError) {
  Matrix m = {FloatSeries(L({{"__name__", "a"}, {"x", "1"}}), {{0, 0}, {60, 1}}),
              FloatSeries(L({{"__name__", "b"}, {"x", "1"}}), {{0, 0}, {60, 1}})};
  std::vector<Value> args = {Value(m)};
  Result<Value> r = CallFunction("rate", args, Window(60, 60));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "vector cannot contain metrics with the same labelset");
}

TEST(FunctionRateTest, UnknownFunctionIsUnimplemented) {
  std::vector<Value> args;
  Result<Value> r = CallFunction("holt_winters", args, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("holt_winters"), std::string::npos);
}

// --- native histograms ---

HistogramPtr Hist(std::initializer_list<std::pair<double, uint64_t>> obs, int32_t scale = 0) {
  hist::ExpHistogramOptions o;
  o.scale = scale;
  auto h = std::make_shared<hist::ExpHistogram>(o);
  for (const auto& [v, n] : obs) h->Record(v, n);
  return h;
}

Series HistSeries(std::initializer_list<std::pair<double, HistogramPtr>> pts) {
  Series s;
  s.labels = L({{"__name__", "lat"}, {"svc", "api"}});
  for (const auto& [t, h] : pts) s.histograms.push_back({static_cast<int64_t>(t * 1000), h});
  return s;
}

TEST(FunctionRateTest, NativeHistogramIncreaseCorrectsResets) {
  // At scale 0, 1.5 lies in bucket 0 = (1, 2] and 3 in bucket 1 = (2, 4].
  Series s = HistSeries({{0, Hist({{1.5, 2}, {3, 1}})},
                         {60, Hist({{1.5, 4}, {3, 3}})},
                         {120, Hist({{3, 2}})}});  // count fell 7 -> 2: a reset
  const Vector r = Call1("increase", s, Window(120, 120));
  ASSERT_EQ(r.size(), 1u);
  ASSERT_NE(r[0].h, nullptr);
  EXPECT_EQ(r[0].labels, L({{"svc", "api"}}));
  // last - first + the value before the reset: bucket 0: 0 - 2 + 4, bucket 1: 2 - 1 + 3.
  EXPECT_EQ(r[0].h->positive().Get(0), 2u);
  EXPECT_EQ(r[0].h->positive().Get(1), 4u);
  EXPECT_EQ(r[0].h->count(), 6u);
  EXPECT_DOUBLE_EQ(r[0].h->sum(), 6.0 - 6.0 + 15.0);
}

TEST(FunctionRateTest, NativeHistogramRateExtrapolatesEveryBucket) {
  // Samples 10s inside both edges of a 140s range: factor (120 + 10 + 10) / 120 = 7/6.
  Series s = HistSeries({{10, Hist({{1.5, 1}, {3, 2}})},
                         {70, Hist({{1.5, 4}, {3, 8}})},
                         {130, Hist({{1.5, 7}, {3, 14}})}});
  const Vector inc = Call1("increase", s, Window(140, 140));
  ASSERT_EQ(inc.size(), 1u);
  ASSERT_NE(inc[0].h, nullptr);
  EXPECT_EQ(inc[0].h->positive().Get(0), 7u);   // 6 * 7/6
  EXPECT_EQ(inc[0].h->positive().Get(1), 14u);  // 12 * 7/6
  EXPECT_DOUBLE_EQ(inc[0].h->sum(), (7 * 1.5 + 14 * 3 - 1.5 - 6) * 7 / 6);
  // Over a 1s range the per-second rate equals the increase (integral, so exact).
  Series short_s = HistSeries({{0, Hist({{1.5, 1}})}, {1, Hist({{1.5, 4}, {3, 5}})}});
  const Vector rate = Call1("rate", short_s, Window(1, 1));
  ASSERT_EQ(rate.size(), 1u);
  ASSERT_NE(rate[0].h, nullptr);
  EXPECT_EQ(rate[0].h->positive().Get(0), 3u);
  EXPECT_EQ(rate[0].h->positive().Get(1), 5u);
  EXPECT_EQ(rate[0].h->count(), 8u);
}

TEST(FunctionRateTest, NativeHistogramAtDifferentScalesUsesTheCoarser) {
  // Scale 1 buckets are (sqrt2^i, sqrt2^(i+1)]; at scale 0 both 1.2 and 1.9 fall in bucket 0.
  Series s = HistSeries({{0, Hist({{1.2, 1}}, 1)}, {60, Hist({{1.2, 1}, {1.9, 3}}, 0)}});
  const Vector r = Call1("increase", s, Window(60, 60));
  ASSERT_EQ(r.size(), 1u);
  ASSERT_NE(r[0].h, nullptr);
  EXPECT_EQ(r[0].h->scale(), 0);
  EXPECT_EQ(r[0].h->positive().Get(0), 3u);
}

TEST(FunctionRateTest, WindowMixingFloatsAndHistogramsHasNoRate) {
  Series s = HistSeries({{0, Hist({{1.5, 1}})}, {60, Hist({{1.5, 2}})}});
  s.floats.push_back({30000, 1});
  EXPECT_TRUE(Call1("rate", s, Window(60, 60)).empty());
}

}  // namespace
}  // namespace vigil::eval
