// Valid PromQL: every expression parses, formats to its canonical text, and that text parses
// back to the same canonical text; plus the types TypeOf reports.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "collector/rules/promql/duration.h"
#include "collector/rules/promql/format.h"
#include "collector/rules/promql/lexer.h"
#include "collector/rules/promql/parser.h"

namespace vigil::promql {
namespace {

struct RoundTrip {
  const char* input;
  const char* canonical;
};

const RoundTrip kCases[] = {
    // literals
    {"1", "1"},
    {"1.5", "1.5"},
    {"1e3", "1000"},
    {"2.5e-3", "0.0025"},
    {"0x1f", "31"},
    {"0X10", "16"},
    {"Inf", "Inf"},
    {"-inf", "-Inf"},
    {"NaN", "NaN"},
    {".5", "0.5"},
    {"-1", "-1"},
    {"+7", "7"},
    {"'single'", "\"single\""},
    {"\"dq \\\"q\\\" \\n\"", "\"dq \\\"q\\\" \\n\""},
    {"`raw \\n`", "\"raw \\\\n\""},
    {"\"\\x41\\u00e9\"", "\"A\xc3\xa9\""},
    // selectors
    {"up", "up"},
    {"http_requests_total{job=\"api\"}", "http_requests_total{job=\"api\"}"},
    {"foo{a='b', c!=\"d\", e=~\"x.*\", f!~`y`}", "foo{a=\"b\", c!=\"d\", e=~\"x.*\", f!~\"y\"}"},
    {"{__name__=\"x\"}", "{__name__=\"x\"}"},
    {"{__name__=~\"job:.*\",env=\"p\",}", "{__name__=~\"job:.*\", env=\"p\"}"},
    {"job:request_rate:5m", "job:request_rate:5m"},
    {"foo{}", "foo"},
    {"foo offset 5m", "foo offset 5m"},
    {"foo offset -1h30m", "foo offset -1h30m"},
    {"foo[5m]", "foo[5m]"},
    {"foo[90s]", "foo[1m30s]"},
    {"foo[1h30m]", "foo[1h30m]"},
    {"foo[7d]", "foo[1w]"},
    {"foo[1y]", "foo[1y]"},
    {"foo[1500ms]", "foo[1s500ms]"},
    {"foo[1d] offset 1w", "foo[1d] offset 1w"},
    {"foo{a=\"b\"}[5m] offset 30s", "foo{a=\"b\"}[5m] offset 30s"},
    // functions
    {"rate(http_requests_total[5m])", "rate(http_requests_total[5m])"},
    {"irate(x[1m])", "irate(x[1m])"},
    {"increase(x[1h])", "increase(x[1h])"},
    {"delta(temp[10m])", "delta(temp[10m])"},
    {"avg_over_time(x[5m])", "avg_over_time(x[5m])"},
    {"max_over_time(x[5m])", "max_over_time(x[5m])"},
    {"min_over_time(x[5m])", "min_over_time(x[5m])"},
    {"sum_over_time(x[5m])", "sum_over_time(x[5m])"},
    {"count_over_time(x[5m])", "count_over_time(x[5m])"},
    {"quantile_over_time(0.9,x[5m])", "quantile_over_time(0.9, x[5m])"},
    {"histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
     "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))"},
    {"abs(-x)", "abs(-x)"},
    {"clamp_min(x, 0)", "clamp_min(x, 0)"},
    {"clamp_max(x, 100)", "clamp_max(x, 100)"},
    {"absent(up{job=\"a\"})", "absent(up{job=\"a\"})"},
    {"vector(1)", "vector(1)"},
    {"scalar(x)", "scalar(x)"},
    {"time()", "time()"},
    {"time() - process_start_time_seconds", "time() - process_start_time_seconds"},
    // aggregations
    {"sum(x)", "sum(x)"},
    {"sum by (job) (x)", "sum by (job) (x)"},
    {"sum(x) by (job, instance)", "sum by (job, instance) (x)"},
    {"avg without (instance) (x)", "avg without (instance) (x)"},
    {"max(x) without ()", "max without () (x)"},
    {"min by () (x)", "min(x)"},
    {"count(up == 1)", "count(up == 1)"},
    {"topk(5, x)", "topk(5, x)"},
    {"bottomk by (job) (3, x)", "bottomk by (job) (3, x)"},
    {"quantile(0.5, x) by (le,)", "quantile by (le) (0.5, x)"},
    {"sum by (on, by) (x)", "sum by (on, by) (x)"},
    {"count without (nan, Inf) (x{inf=\"1\"})", "count without (nan, Inf) (x{inf=\"1\"})"},
    // binary operators, precedence and modifiers
    {"a + b * c", "a + b * c"},
    {"(a + b) * c", "(a + b) * c"},
    {"a - b - c", "a - b - c"},
    {"a - (b - c)", "a - (b - c)"},
    {"2 ^ 3 ^ 2", "2 ^ 3 ^ 2"},
    {"-2 ^ 2", "-2 ^ 2"},
    {"a % b atan2 c", "a % b atan2 c"},
    {"a > 1 and b < 2 or c", "a > 1 and b < 2 or c"},
    {"a unless b", "a unless b"},
    {"1 == bool 2", "1 == bool 2"},
    {"a >= bool 10", "a >= bool 10"},
    {"a != b", "a != b"},
    {"a <= 0.5", "a <= 0.5"},
    {"a / on(job) b", "a / on (job) b"},
    {"a * ignoring(instance, pod) b", "a * ignoring (instance, pod) b"},
    {"a * on(job) group_left(team) b", "a * on (job) group_left (team) b"},
    {"a + on(job) group_right b", "a + on (job) group_right () b"},
    {"a and on() b", "a and on () b"},
    {"a + on(x) group_left () (b)", "a + on (x) group_left () (b)"},
    {"-(a + b)", "-(a + b)"},
    {"2 - -1", "2 - -1"},
    {"1 + 2 * 3 > bool 4", "1 + 2 * 3 > bool 4"},
    {"  rate( x [ 5m ] )\n  > 0 # trailing comment", "rate(x[5m]) > 0"},
    // optional trailing arguments: round's to_nearest may be given or left out
    {"round(a)", "round(a)"},
    {"round(a, 0.5)", "round(a, 0.5)"},
    {"round(a,scalar(b))", "round(a, scalar(b))"},
};

TEST(PromqlFormatTest, CanonicalFormRoundTrips) {
  int checked = 0;
  for (const RoundTrip& c : kCases) {
    SCOPED_TRACE(c.input);
    Result<ExprPtr> e = ParseExpr(c.input);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    std::string formatted = Format(**e);
    EXPECT_EQ(formatted, c.canonical);
    Result<ExprPtr> again = ParseExpr(formatted);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(Format(**again), formatted);
    EXPECT_EQ(TypeOf(**again), TypeOf(**e));
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

TEST(PromqlFormatTest, PrecedenceShapesTheTree) {
  // a + b * c: the root is +, with * on the right.
  Result<ExprPtr> e = ParseExpr("a + b * c");
  ASSERT_TRUE(e.ok());
  const Binary* add = (*e)->As<Binary>();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->op, BinaryOp::kAdd);
  ASSERT_NE(add->rhs->As<Binary>(), nullptr);
  EXPECT_EQ(add->rhs->As<Binary>()->op, BinaryOp::kMul);

  // 2 ^ 3 ^ 2 is right-associative: 2 ^ (3 ^ 2).
  e = ParseExpr("2 ^ 3 ^ 2");
  ASSERT_TRUE(e.ok());
  const Binary* pow = (*e)->As<Binary>();
  ASSERT_NE(pow, nullptr);
  ASSERT_NE(pow->lhs->As<NumberLiteral>(), nullptr);
  EXPECT_EQ(pow->lhs->As<NumberLiteral>()->value, 2);
  ASSERT_NE(pow->rhs->As<Binary>(), nullptr);

  // -2 ^ 2 is -(2 ^ 2), so the root is the unary minus.
  e = ParseExpr("-2 ^ 2");
  ASSERT_TRUE(e.ok());
  const Unary* neg = (*e)->As<Unary>();
  ASSERT_NE(neg, nullptr);
  EXPECT_NE(neg->expr->As<Binary>(), nullptr);

  // or binds loosest, and/unless next, then comparisons.
  e = ParseExpr("a or b and c > d");
  ASSERT_TRUE(e.ok());
  const Binary* or_op = (*e)->As<Binary>();
  ASSERT_NE(or_op, nullptr);
  EXPECT_EQ(or_op->op, BinaryOp::kOr);
  ASSERT_NE(or_op->rhs->As<Binary>(), nullptr);
  EXPECT_EQ(or_op->rhs->As<Binary>()->op, BinaryOp::kAnd);
  EXPECT_EQ(or_op->rhs->As<Binary>()->rhs->As<Binary>()->op, BinaryOp::kGtr);
}

TEST(PromqlFormatTest, SelectorDetails) {
  Result<ExprPtr> e = ParseExpr("foo{a=~\"b|c\"}[5m] offset -1m");
  ASSERT_TRUE(e.ok());
  const MatrixSelector* m = (*e)->As<MatrixSelector>();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->range_ms, 300000);
  EXPECT_EQ(m->selector.offset_ms, -60000);
  EXPECT_EQ(m->selector.metric_name, "foo");
  ASSERT_EQ(m->selector.matchers.size(), 1u);
  // The regex is anchored: "b" and "c" match, "bc" and "xb" do not.
  const LabelMatcher& lm = m->selector.matchers[0];
  EXPECT_TRUE(lm.Matches("b"));
  EXPECT_TRUE(lm.Matches("c"));
  EXPECT_FALSE(lm.Matches("bc"));
  EXPECT_FALSE(lm.Matches("xb"));
}

TEST(PromqlFormatTest, TypeOfFollowsPrometheusRules) {
  auto type_of = [](const char* s) {
    Result<ExprPtr> e = ParseExpr(s);
    EXPECT_TRUE(e.ok()) << s << ": " << e.status().ToString();
    return e.ok() ? TypeOf(**e) : ValueType::kString;
  };
  EXPECT_EQ(type_of("1 + 2"), ValueType::kScalar);
  EXPECT_EQ(type_of("\"s\""), ValueType::kString);
  EXPECT_EQ(type_of("foo"), ValueType::kInstantVector);
  EXPECT_EQ(type_of("foo[1m]"), ValueType::kRangeVector);
  EXPECT_EQ(type_of("foo * 2"), ValueType::kInstantVector);
  EXPECT_EQ(type_of("scalar(foo)"), ValueType::kScalar);
  EXPECT_EQ(type_of("time()"), ValueType::kScalar);
  EXPECT_EQ(type_of("(foo[5m])"), ValueType::kRangeVector);
  EXPECT_EQ(type_of("-scalar(foo)"), ValueType::kScalar);
  EXPECT_EQ(type_of("sum(foo)"), ValueType::kInstantVector);
  EXPECT_EQ(type_of("1 < bool 2"), ValueType::kScalar);
}

TEST(PromqlFormatTest, NumbersAndDurations) {
  Result<ExprPtr> e = ParseExpr("NaN");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::isnan((*e)->As<NumberLiteral>()->value));
  e = ParseExpr("-Inf");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(std::isinf((*e)->As<NumberLiteral>()->value));
  EXPECT_LT((*e)->As<NumberLiteral>()->value, 0);

  EXPECT_EQ(ParseDuration("1h30m")->count(), 5400000);
  EXPECT_EQ(ParseDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseDuration("1y")->count(), 365LL * 86400000);
  EXPECT_EQ(ParseDuration("2w1d")->count(), 15LL * 86400000);
  EXPECT_FALSE(ParseDuration("5m1h").ok());  // units out of order
  EXPECT_FALSE(ParseDuration("5x").ok());
  EXPECT_FALSE(ParseDuration("m").ok());
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(0)), "0s");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(-60000)), "-1m");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(8 * 86400000LL + 1)), "1w1d1ms");
}

TEST(PromqlFormatTest, ErrorPositionsCountLinesAndColumns) {
  EXPECT_EQ(FormatPosition("ab\ncd", 0), "1:1");
  EXPECT_EQ(FormatPosition("ab\ncd", 4), "2:2");
  Result<ExprPtr> e = ParseExpr("sum(\n  foo{a=1})");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "2:9: unexpected number \"1\", expected string");
}

}  // namespace
}  // namespace vigil::promql
