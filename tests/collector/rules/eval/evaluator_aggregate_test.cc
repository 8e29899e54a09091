// Evaluator aggregations: sum/avg/min/max/count with by/without, topk/bottomk (ties and NaN
// resolved as Prometheus's heap does), quantile, and native-histogram sums. Expected results
// were checked against promtool 2.42 on the same input.
#include <gtest/gtest.h>

#include "tests/collector/rules/eval/eval_test_util.h"

namespace vigil::eval {
namespace {

using testing::EvalText;
using testing::Load;

class EvaluatorAggregateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Load(store_, R"(m{job="a", inst="1"})", "1");
    Load(store_, R"(m{job="a", inst="2"})", "3");
    Load(store_, R"(m{job="b", inst="1"})", "5");
    Load(store_, R"(m{job="b", inst="2"})", "5");
    Load(store_, R"(m{job="b", inst="3"})", "5");
    Load(store_, R"(m{job="c", inst="1"})", "NaN");
    Load(store_, R"(m{job="c", inst="2"})", "2");
    Load(store_, R"(n{job="a", inst="1"})", "10");
    Load(store_, R"(big{i="1"})", "1e308");
    Load(store_, R"(big{i="2"})", "1e308");
    Load(store_, R"(big{i="3"})", "-Inf");
  }
  std::string Eval(std::string_view expr) { return EvalText(store_, expr, 0); }
  SampleStore store_;
};

TEST_F(EvaluatorAggregateTest, SumAvgCountWithGrouping) {
  EXPECT_EQ(Eval("sum by(job) (m)"), "{job=\"a\"} 4\n{job=\"b\"} 15\n{job=\"c\"} NaN\n");
  EXPECT_EQ(Eval("sum(m)"), "{} NaN\n");
  EXPECT_EQ(Eval("sum by(nothing) (m)"), "{} NaN\n");
  EXPECT_EQ(Eval("sum(missing)"), "");
  EXPECT_EQ(Eval(R"(sum without(inst) ({__name__=~"m|n"}))"),
            "{job=\"a\"} 14\n{job=\"b\"} 15\n{job=\"c\"} NaN\n");
  EXPECT_EQ(Eval(R"(count by(__name__) ({__name__=~"m|n"}))"), "m 7\nn 1\n");
  EXPECT_EQ(Eval("count without(job) (m)"), "{inst=\"1\"} 3\n{inst=\"2\"} 3\n{inst=\"3\"} 1\n");
  EXPECT_EQ(Eval("count(m > 2)"), "{} 4\n");
  EXPECT_EQ(Eval("avg by(job) (m)"), "{job=\"a\"} 2\n{job=\"b\"} 5\n{job=\"c\"} NaN\n");
  // The incremental mean neither overflows on large values nor turns -Inf into NaN.
  EXPECT_EQ(Eval(R"(avg(big{i!="3"}))"), "{} 1e+308\n");
  EXPECT_EQ(Eval("avg(big)"), "{} -Inf\n");
}

TEST_F(EvaluatorAggregateTest, MinMaxSkipNaNWhenOtherValuesExist) {
  EXPECT_EQ(Eval("min by(job) (m)"), "{job=\"a\"} 1\n{job=\"b\"} 5\n{job=\"c\"} 2\n");
  EXPECT_EQ(Eval("max by(job) (m)"), "{job=\"a\"} 3\n{job=\"b\"} 5\n{job=\"c\"} 2\n");
  EXPECT_EQ(Eval(R"(max(m{job="c"}))"), "{} 2\n");
  EXPECT_EQ(Eval(R"(min(m{job="c", inst="1"}))"), "{} NaN\n");
}

TEST_F(EvaluatorAggregateTest, TopkBottomkKeepSeriesLabels) {
  // Three series tie at 5: the heap keeps the first two in label order.
  EXPECT_EQ(Eval("topk(2, m)"), "m{inst=\"1\", job=\"b\"} 5\nm{inst=\"2\", job=\"b\"} 5\n");
  EXPECT_EQ(Eval("topk(4, m)"),
            "m{inst=\"1\", job=\"b\"} 5\nm{inst=\"2\", job=\"a\"} 3\n"
            "m{inst=\"2\", job=\"b\"} 5\nm{inst=\"3\", job=\"b\"} 5\n");
  EXPECT_EQ(Eval("topk by(job) (1, m)"),
            "m{inst=\"1\", job=\"b\"} 5\nm{inst=\"2\", job=\"a\"} 3\nm{inst=\"2\", job=\"c\"} 2\n");
  EXPECT_EQ(Eval("bottomk(2, m)"), "m{inst=\"1\", job=\"a\"} 1\nm{inst=\"2\", job=\"c\"} 2\n");
  EXPECT_EQ(Eval("bottomk by(job) (1, m)"),
            "m{inst=\"1\", job=\"a\"} 1\nm{inst=\"1\", job=\"b\"} 5\nm{inst=\"2\", job=\"c\"} 2\n");
  // k is truncated; NaN is only chosen when nothing else is left.
  EXPECT_EQ(Eval(R"(topk(2.9, m{job="b"}))"),
            "m{inst=\"1\", job=\"b\"} 5\nm{inst=\"2\", job=\"b\"} 5\n");
  EXPECT_EQ(Eval(R"(topk(100, m{job="c"}))"),
            "m{inst=\"1\", job=\"c\"} NaN\nm{inst=\"2\", job=\"c\"} 2\n");
  EXPECT_EQ(Eval(R"(topk(1, m{job="c"}))"), "m{inst=\"2\", job=\"c\"} 2\n");
  EXPECT_EQ(Eval(R"(bottomk(1, m{job="c"}))"), "m{inst=\"2\", job=\"c\"} 2\n");
  EXPECT_EQ(Eval("topk(0, m)"), "");
  EXPECT_EQ(Eval("bottomk(-3, m)"), "");
}

TEST_F(EvaluatorAggregateTest, TopkParameterThatDoesNotFitInt64IsAnError) {
  EXPECT_EQ(Eval("topk(1e19, m)"), "error: Scalar value 1e+19 overflows int64");
  EXPECT_EQ(Eval("bottomk(scalar(missing), m)"), "error: Scalar value NaN overflows int64");
}

TEST_F(EvaluatorAggregateTest, QuantileInterpolatesBetweenRanks) {
  EXPECT_EQ(Eval("quantile(0.5, m)"), "{} 3\n");
  EXPECT_EQ(Eval("quantile by(job) (0.25, m)"),
            "{job=\"a\"} 1.5\n{job=\"b\"} 5\n{job=\"c\"} NaN\n");
  EXPECT_EQ(Eval("quantile(-1, m)"), "{} -Inf\n");
  EXPECT_EQ(Eval("quantile(2, m)"), "{} +Inf\n");
  EXPECT_EQ(Eval(R"(quantile(0.9, m{job="a"}))"), "{} 2.8000000000000003\n");
}

TEST(EvaluatorAggregateHistogramTest, SumMergesNativeHistograms) {
  SampleStore store;
  auto h1 = std::make_shared<hist::ExpHistogram>();
  h1->Record(1);
  h1->Record(2);
  auto h2 = std::make_shared<hist::ExpHistogram>();
  h2->Record(4);
  ASSERT_TRUE(store.AppendHistogram({{"__name__", "lat"}, {"pod", "a"}}, 0, h1).ok());
  ASSERT_TRUE(store.AppendHistogram({{"__name__", "lat"}, {"pod", "b"}}, 0, h2).ok());
  Load(store, R"(lat{pod="c"})", "100");
  EXPECT_EQ(EvalText(store, R"(sum(lat{pod!="c"}))", 0), "{} hist(count=3 sum=7)\n");
  EXPECT_EQ(EvalText(store, "count(lat)", 0), "{} 3\n");
  // Floats take no part in min/max/topk beside histograms; the histogram inputs are unchanged.
  EXPECT_EQ(EvalText(store, "max(lat)", 0), "{} 100\n");
  EXPECT_EQ(EvalText(store, "topk(5, lat)", 0), "lat{pod=\"c\"} 100\n");
  EXPECT_EQ(h1->count(), 2u);
  // A mean of integer-count buckets is not representable: no result for that group.
  EXPECT_EQ(EvalText(store, R"(avg(lat{pod!="c"}))", 0), "");
}

}  // namespace
}  // namespace vigil::eval
