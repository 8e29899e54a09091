// Evaluator binary operators: scalar arithmetic, vector/scalar filtering and `bool`, every
// vector-matching mode with its errors, and the set operators. Expected results were checked
// against promtool 2.42 on the same input.
#include <gtest/gtest.h>

#include "tests/collector/rules/eval/eval_test_util.h"

namespace vigil::eval {
namespace {

using testing::EvalText;
using testing::Load;

class EvaluatorBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Load(store_, R"(errs{method="get", code="500"})", "24");
    Load(store_, R"(errs{method="get", code="404"})", "30");
    Load(store_, R"(errs{method="put", code="501"})", "3");
    Load(store_, R"(errs{method="post", code="500"})", "6");
    Load(store_, R"(errs{method="post", code="404"})", "21");
    Load(store_, R"(reqs{method="get"})", "600");
    Load(store_, R"(reqs{method="del"})", "34");
    Load(store_, R"(reqs{method="post"})", "120");
    Load(store_, R"(info{method="get", owner="alice", team="x"})", "1");
    Load(store_, R"(info{method="post", team="y"})", "1");
    Load(store_, R"(errs2{method="get", code="500"})", "1");
  }
  std::string Eval(std::string_view expr) { return EvalText(store_, expr, 0); }
  SampleStore store_;
};

TEST_F(EvaluatorBinaryTest, ScalarArithmeticAndPrecedence) {
  EXPECT_EQ(Eval("2 ^ 3 ^ 2"), "scalar 512");
  EXPECT_EQ(Eval("-2 ^ 2"), "scalar -4");
  EXPECT_EQ(Eval("5 % -3 + 0 * 7 - 1 / 0"), "scalar -Inf");
  EXPECT_EQ(Eval("7 % 0"), "scalar NaN");
  EXPECT_EQ(Eval("1 >= bool 2"), "scalar 0");
  EXPECT_EQ(Eval("2 == bool 2"), "scalar 1");
  EXPECT_EQ(Eval("1 atan2 1"), "scalar 0.7853981633974483");
  EXPECT_EQ(Eval("-1 atan2 -0"), "scalar -1.5707963267948966");
  EXPECT_EQ(Eval("0 atan2 -1"), "scalar 3.141592653589793");
  EXPECT_EQ(Eval("-3 atan2 -4"), "scalar -2.498091544796509");
}

TEST_F(EvaluatorBinaryTest, VectorScalarArithmeticDropsName) {
  EXPECT_EQ(Eval(R"(errs{code="500"} % 5)"),
            "{code=\"500\", method=\"get\"} 4\n{code=\"500\", method=\"post\"} 1\n");
  EXPECT_EQ(Eval(R"(errs{code="500"} ^ 0.5)"),
            "{code=\"500\", method=\"get\"} 4.898979485566356\n"
            "{code=\"500\", method=\"post\"} 2.449489742783178\n");
  EXPECT_EQ(Eval(R"(10 - errs{code="404"})"),
            "{code=\"404\", method=\"get\"} -20\n{code=\"404\", method=\"post\"} -11\n");
  // atan2 keeps the metric name in Prometheus 2.42.
  EXPECT_EQ(Eval(R"(reqs{method="get"} atan2 0)"), "reqs{method=\"get\"} 1.5707963267948966\n");
}

TEST_F(EvaluatorBinaryTest, VectorScalarComparisonFiltersAndKeepsVectorValue) {
  // Scalar on the left: the vector's own value is returned, and the name stays.
  EXPECT_EQ(Eval("10 > errs"),
            "errs{code=\"500\", method=\"post\"} 6\nerrs{code=\"501\", method=\"put\"} 3\n");
  EXPECT_EQ(Eval("reqs >= 120"), "reqs{method=\"get\"} 600\nreqs{method=\"post\"} 120\n");
  EXPECT_EQ(Eval("reqs != 600"), "reqs{method=\"del\"} 34\nreqs{method=\"post\"} 120\n");
  EXPECT_EQ(Eval("reqs < bool 100"),
            "{method=\"del\"} 1\n{method=\"get\"} 0\n{method=\"post\"} 0\n");
  EXPECT_EQ(Eval("100 == bool reqs{method=\"del\"}"), "{method=\"del\"} 0\n");
}

TEST_F(EvaluatorBinaryTest, OneToOneMatching) {
  EXPECT_EQ(Eval(R"(errs{code="500"} / ignoring(code) reqs)"),
            "{method=\"get\"} 0.04\n{method=\"post\"} 0.05\n");
  // on(...) keeps only the listed labels.
  EXPECT_EQ(Eval(R"(reqs / on(method) errs{code="500"})"),
            "{method=\"get\"} 25\n{method=\"post\"} 20\n");
  EXPECT_EQ(Eval(R"(reqs > on(method) errs{code="500"})"),
            "{method=\"get\"} 600\n{method=\"post\"} 120\n");
  // ignoring(...) keeps the rest, and a filtering comparison keeps the name.
  EXPECT_EQ(Eval(R"(reqs > ignoring(code) errs{code="500"})"),
            "reqs{method=\"get\"} 600\nreqs{method=\"post\"} 120\n");
  // Default matching ignores only the metric name.
  EXPECT_EQ(Eval(R"(errs{code="500"} == errs2)"), "");
  EXPECT_EQ(Eval(R"(errs{code="500"} != errs2)"), "errs{code=\"500\", method=\"get\"} 24\n");
  EXPECT_EQ(Eval(R"(errs{code="500"} - errs2)"), "{code=\"500\", method=\"get\"} 23\n");
  EXPECT_EQ(Eval(R"(errs{code="404"} atan2 on(method) reqs)"),
            "{method=\"get\"} 0.049958395721942765\n{method=\"post\"} 0.17324566645236494\n");
}

TEST_F(EvaluatorBinaryTest, ManyToOneAndOneToMany) {
  const std::string ratio =
      "{code=\"404\", method=\"get\"} 0.05\n{code=\"404\", method=\"post\"} 0.175\n"
      "{code=\"500\", method=\"get\"} 0.04\n{code=\"500\", method=\"post\"} 0.05\n";
  EXPECT_EQ(Eval("errs / ignoring(code) group_left reqs"), ratio);
  EXPECT_EQ(Eval("errs / on(method) group_left reqs"), ratio);
  // group_right: labels from the many (right) side, values computed left op right.
  EXPECT_EQ(Eval("reqs / ignoring(code) group_right errs"),
            "{code=\"404\", method=\"get\"} 20\n{code=\"404\", method=\"post\"} "
            "5.714285714285714\n{code=\"500\", method=\"get\"} 25\n"
            "{code=\"500\", method=\"post\"} 20\n");
  // Included labels come from the one side and vanish where it lacks them.
  EXPECT_EQ(Eval("errs * on(method) group_left(owner, team) info"),
            "{code=\"404\", method=\"get\", owner=\"alice\", team=\"x\"} 30\n"
            "{code=\"404\", method=\"post\", team=\"y\"} 21\n"
            "{code=\"500\", method=\"get\", owner=\"alice\", team=\"x\"} 24\n"
            "{code=\"500\", method=\"post\", team=\"y\"} 6\n");
  EXPECT_EQ(Eval("errs > on(method) group_left reqs / 10"),
            "errs{code=\"404\", method=\"post\"} 21\n");
  EXPECT_EQ(Eval("errs > bool on(method) group_left reqs / 10"),
            "{code=\"404\", method=\"get\"} 0\n{code=\"404\", method=\"post\"} 1\n"
            "{code=\"500\", method=\"get\"} 0\n{code=\"500\", method=\"post\"} 0\n");
}

TEST_F(EvaluatorBinaryTest, MatchingErrors) {
  EXPECT_EQ(Eval("errs / ignoring(code) reqs"),
            "error: multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
  EXPECT_EQ(Eval("errs / ignoring(method) group_left errs"),
            "error: found duplicate series for the match group {code=\"500\"} on the right "
            "hand-side of the operation: [{__name__=\"errs\", code=\"500\", method=\"post\"}, "
            "{__name__=\"errs\", code=\"500\", method=\"get\"}];many-to-many matching not "
            "allowed: matching labels must be unique on one side");
  EXPECT_EQ(Eval("reqs < on() group_right info"),
            "error: found duplicate series for the match group {} on the left hand-side of the "
            "operation: [{__name__=\"reqs\", method=\"del\"}, {__name__=\"reqs\", "
            "method=\"get\"}];many-to-many matching not allowed: matching labels must be unique "
            "on one side");
  EXPECT_EQ(Eval(R"({__name__=~"errs|errs2"} / on(method) group_left reqs)"),
            "error: multiple matches for labels: grouping labels must ensure unique matches");
  EXPECT_EQ(Eval(R"({__name__=~"errs|errs2"} + 1)"),
            "error: vector cannot contain metrics with the same labelset");
}

TEST_F(EvaluatorBinaryTest, SetOperators) {
  const std::string all_errs =
      "errs{code=\"404\", method=\"get\"} 30\nerrs{code=\"404\", method=\"post\"} 21\n"
      "errs{code=\"500\", method=\"get\"} 24\nerrs{code=\"500\", method=\"post\"} 6\n";
  EXPECT_EQ(Eval("errs and on(method) reqs"), all_errs);
  EXPECT_EQ(Eval("errs unless on(method) reqs"), "errs{code=\"501\", method=\"put\"} 3\n");
  EXPECT_EQ(Eval("reqs or on(method) errs"),
            "errs{code=\"501\", method=\"put\"} 3\nreqs{method=\"del\"} 34\n"
            "reqs{method=\"get\"} 600\nreqs{method=\"post\"} 120\n");
  EXPECT_EQ(Eval("reqs or errs"),
            all_errs +
                "errs{code=\"501\", method=\"put\"} 3\nreqs{method=\"del\"} 34\n"
                "reqs{method=\"get\"} 600\nreqs{method=\"post\"} 120\n");
  // Without on/ignoring the metric name is not compared.
  EXPECT_EQ(Eval(R"(errs{code="500"} and errs2)"), "errs{code=\"500\", method=\"get\"} 24\n");
  EXPECT_EQ(Eval(R"(errs{code="500"} unless errs2)"), "errs{code=\"500\", method=\"post\"} 6\n");
  EXPECT_EQ(Eval(R"(errs and ignoring(code, method) info{team="nobody"})"), "");
  EXPECT_EQ(Eval("missing or reqs{method=\"del\"}"), "reqs{method=\"del\"} 34\n");
}

TEST(EvaluatorBinaryHistogramTest, HistogramSamplesLeaveArithmeticButPassSetOperators) {
  SampleStore store;
  auto h = std::make_shared<hist::ExpHistogram>();
  h->Record(1);
  ASSERT_TRUE(store.AppendHistogram({{"__name__", "lat"}, {"a", "1"}}, 0, h).ok());
  Load(store, R"(lat{a="2"})", "5");
  EXPECT_EQ(EvalText(store, "lat * 2", 0), "{a=\"2\"} 10\n");
  EXPECT_EQ(EvalText(store, "lat > 0", 0), "lat{a=\"2\"} 5\n");
  EXPECT_EQ(EvalText(store, "lat or vector(1)", 0),
            "lat{a=\"1\"} hist(count=1 sum=1)\nlat{a=\"2\"} 5\n{} 1\n");
}

}  // namespace
}  // namespace vigil::eval
