// Evaluator function calls: arguments are evaluated and handed to CallFunction with the
// range-vector window (offset applied) in the context; results compose with operators.
// Expected results were checked against promtool 2.42 on the same input.
#include <gtest/gtest.h>

#include "tests/collector/rules/eval/eval_test_util.h"

namespace vigil::eval {
namespace {

using testing::EvalText;
using testing::kMinute;
using testing::Load;

class EvaluatorCallsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Load(store_, R"(c{job="a"})", "0+60x10");
    Load(store_, R"(c{job="b"})", "0+120x10");
  }
  SampleStore store_;
};

TEST_F(EvaluatorCallsTest, TimeAndVector) {
  EXPECT_EQ(EvalText(store_, "time() + 1", 10 * kMinute), "scalar 601");
  EXPECT_EQ(EvalText(store_, "vector(2) * 3", 0), "{} 6\n");
  EXPECT_EQ(EvalText(store_, "vector(time()) * on() group_left c", 2 * kMinute),
            "error: found duplicate series for the match group {} on the right hand-side of the "
            "operation: [{__name__=\"c\", job=\"b\"}, {__name__=\"c\", job=\"a\"}];many-to-many "
            "matching not allowed: matching labels must be unique on one side");
}

TEST_F(EvaluatorCallsTest, RangeFunctionsSeeTheSelectorWindow) {
  EXPECT_EQ(EvalText(store_, "rate(c[5m])", 10 * kMinute), "{job=\"a\"} 1\n{job=\"b\"} 2\n");
  EXPECT_EQ(EvalText(store_, "rate(c[5m] offset 5m)", 10 * kMinute),
            "{job=\"a\"} 1\n{job=\"b\"} 2\n");
  EXPECT_EQ(EvalText(store_, "rate({__name__=\"c\"}[5m]) > 1.5", 10 * kMinute), "{job=\"b\"} 2\n");
  EXPECT_EQ(EvalText(store_, "sum(rate(c[5m])) by (job) / on(job) group_left count by(job) (c)",
                     5 * kMinute),
            "{job=\"a\"} 1\n{job=\"b\"} 2\n");
  EXPECT_EQ(EvalText(store_, "abs(-c)", kMinute), "{job=\"a\"} 60\n{job=\"b\"} 120\n");
}

}  // namespace
}  // namespace vigil::eval
