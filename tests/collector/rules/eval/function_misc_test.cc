// Element-wise math, clamp, absent, vector/scalar/time/timestamp and label_replace.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "collector/rules/eval/function_call.h"
#include "tests/collector/rules/eval/function_test_util.h"

namespace vigil::eval {
namespace {

using testing::CallVector;
using testing::L;
using testing::OnlyValue;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Vector One(double v) { return {testing::FloatSample(L({{"__name__", "m"}, {"a", "1"}}), v)}; }

double Apply(std::string_view fn, double v) { return OnlyValue(CallVector(fn, {Value(One(v))})); }

double Apply2(std::string_view fn, double v, double s) {
  return OnlyValue(CallVector(fn, {Value(One(v)), Value(Scalar{s})}));
}

TEST(FunctionMiscTest, ElementWiseMath) {
  EXPECT_DOUBLE_EQ(Apply("abs", -2.5), 2.5);
  EXPECT_DOUBLE_EQ(Apply("ceil", 1.2), 2);
  EXPECT_DOUBLE_EQ(Apply("floor", -1.2), -2);
  EXPECT_DOUBLE_EQ(Apply("sqrt", 16), 4);
  EXPECT_DOUBLE_EQ(Apply("exp", 1), std::exp(1.0));
  EXPECT_DOUBLE_EQ(Apply("ln", std::exp(2.0)), 2);
  EXPECT_DOUBLE_EQ(Apply("log2", 8), 3);
  EXPECT_DOUBLE_EQ(Apply("log10", 1000), 3);
  EXPECT_DOUBLE_EQ(Apply("sgn", -7), -1);
  EXPECT_TRUE(std::isnan(Apply("sqrt", -1)));
  const Vector out = CallVector("abs", {Value(One(-1))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].labels, L({{"a", "1"}}));
}

TEST(FunctionMiscTest, RoundTiesGoUp) {
  EXPECT_DOUBLE_EQ(Apply("round", 2.5), 3);
  EXPECT_DOUBLE_EQ(Apply("round", -2.5), -2);
  EXPECT_DOUBLE_EQ(Apply2("round", 7.3, 0.5), 7.5);
  EXPECT_DOUBLE_EQ(Apply2("round", 12, 5), 10);
}

TEST(FunctionMiscTest, ClampFollowsGoMinMax) {
  EXPECT_DOUBLE_EQ(Apply2("clamp_min", 1, 3), 3);
  EXPECT_DOUBLE_EQ(Apply2("clamp_max", 5, 3), 3);
  EXPECT_TRUE(std::isnan(Apply2("clamp_min", kNaN, 0)));
  EXPECT_TRUE(std::isnan(Apply2("clamp_max", 1, kNaN)));
  const auto clamp = [](double v, double lo, double hi) {
    return CallVector("clamp", {Value(One(v)), Value(Scalar{lo}), Value(Scalar{hi})});
  };
  EXPECT_DOUBLE_EQ(OnlyValue(clamp(-5, 0, 10)), 0);
  EXPECT_DOUBLE_EQ(OnlyValue(clamp(50, 0, 10)), 10);
  EXPECT_TRUE(clamp(5, 10, 0).empty());  // min > max
}

TEST(FunctionMiscTest, HistogramSamplesHaveNoMath) {
  Vector v = One(1);
  v[0].h = std::make_shared<hist::ExpHistogram>();
  EXPECT_TRUE(CallVector("abs", {Value(v)}).empty());
}

struct SelectorArg {
  std::vector<promql::ExprPtr> exprs;
  FunctionContext ctx;
  explicit SelectorArg(promql::VectorSelector sel) {
    exprs.push_back(std::make_unique<promql::Expr>(promql::Expr{std::move(sel), 0}));
    ctx.arg_exprs = &exprs;
  }
};

TEST(FunctionMiscTest, AbsentTakesLabelsFromEqualityMatchers) {
  promql::VectorSelector sel;
  sel.metric_name = "up";
  sel.matchers.push_back({"job", promql::MatchOp::kEqual, "api", nullptr});
  sel.matchers.push_back({"env", promql::MatchOp::kRegexMatch, "prod", nullptr});
  sel.matchers.push_back({"dc", promql::MatchOp::kEqual, "x", nullptr});
  sel.matchers.push_back({"dc", promql::MatchOp::kEqual, "y", nullptr});  // ambiguous: dropped
  sel.matchers.push_back({"__name__", promql::MatchOp::kEqual, "up", nullptr});
  SelectorArg arg(std::move(sel));
  const Vector r = CallVector("absent", {Value(Vector{})}, arg.ctx);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].v, 1);
  EXPECT_EQ(r[0].labels, L({{"job", "api"}}));
  EXPECT_TRUE(CallVector("absent", {Value(One(3))}, arg.ctx).empty());
}

TEST(FunctionMiscTest, AbsentOfAnExpressionHasNoLabels) {
  std::vector<promql::ExprPtr> exprs;
  exprs.push_back(std::make_unique<promql::Expr>(promql::Expr{promql::NumberLiteral{1}, 0}));
  FunctionContext ctx;
  ctx.arg_exprs = &exprs;
  const Vector r = CallVector("absent", {Value(Vector{})}, ctx);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].labels.empty());
}

TEST(FunctionMiscTest, VectorScalarTime) {
  FunctionContext ctx;
  ctx.t_ms = 123456;
  const Vector v = CallVector("vector", {Value(Scalar{4})}, ctx);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_TRUE(v[0].labels.empty());
  EXPECT_DOUBLE_EQ(v[0].v, 4);
  EXPECT_EQ(v[0].t_ms, 123456);

  std::vector<Value> args = {Value(One(9))};
  Result<Value> s = CallFunction("scalar", args, ctx);
  ASSERT_TRUE(s.ok());
  EXPECT_DOUBLE_EQ(std::get<Scalar>(s.value()).v, 9);
  Vector two = One(1);
  two.push_back(testing::FloatSample(L({{"a", "2"}}), 2));
  args = {Value(two)};
  s = CallFunction("scalar", args, ctx);
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(std::isnan(std::get<Scalar>(s.value()).v));

  std::vector<Value> none;
  Result<Value> t = CallFunction("time", none, ctx);
  ASSERT_TRUE(t.ok());
  EXPECT_DOUBLE_EQ(std::get<Scalar>(t.value()).v, 123.456);
}

TEST(FunctionMiscTest, TimestampIsTheSampleTime) {
  Vector v = One(1);
  v[0].t_ms = 5500;
  const Vector r = CallVector("timestamp", {Value(v)});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].v, 5.5);
  EXPECT_EQ(r[0].labels, L({{"a", "1"}}));
}

Result<Value> LabelReplace(Vector v, std::string dst, std::string repl, std::string src,
                           std::string re) {
  std::vector<Value> args = {Value(std::move(v)), Value(String{std::move(dst)}),
                             Value(String{std::move(repl)}), Value(String{std::move(src)}),
                             Value(String{std::move(re)})};
  return CallFunction("label_replace", args, {});
}

Labels ReplacedLabels(std::string repl, std::string re = "(.*)-(.*)") {
  Vector v = {testing::FloatSample(L({{"__name__", "m"}, {"src", "web-42"}}), 1)};
  Result<Value> r = LabelReplace(v, "dst", std::move(repl), "src", std::move(re));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return {};
  return std::get<Vector>(r.value()).at(0).labels;
}

TEST(FunctionMiscTest, LabelReplaceExpandsGoTemplates) {
  EXPECT_EQ(ReplacedLabels("$2"), L({{"__name__", "m"}, {"dst", "42"}, {"src", "web-42"}}));
  EXPECT_EQ(LabelValue(ReplacedLabels("${1}x$2"), "dst"), "webx42");
  EXPECT_EQ(LabelValue(ReplacedLabels("$$1"), "dst"), "$1");
  // $1x names group "1x", which does not exist: it expands to nothing.
  EXPECT_EQ(LabelValue(ReplacedLabels("a$1x"), "dst"), "a");
  EXPECT_EQ(LabelValue(ReplacedLabels("${1"), "dst"), "${1");  // malformed: literal
  // No match (the regex is anchored): unchanged.
  EXPECT_EQ(ReplacedLabels("$1", "web"), L({{"__name__", "m"}, {"src", "web-42"}}));
  // An empty result removes the label.
  Vector v = {testing::FloatSample(L({{"__name__", "m"}, {"dst", "old"}}), 1)};
  Result<Value> r = LabelReplace(v, "dst", "", "missing", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::get<Vector>(r.value())[0].labels, L({{"__name__", "m"}}));
}

TEST(FunctionMiscTest, LabelReplaceErrors) {
  Result<Value> bad_re = LabelReplace(One(1), "dst", "$1", "a", "(unclosed");
  ASSERT_FALSE(bad_re.ok());
  EXPECT_EQ(bad_re.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_re.status().message(), "invalid regular expression in label_replace(): (unclosed");
  Result<Value> bad_dst = LabelReplace(One(1), "1dst", "$1", "a", "(.*)");
  ASSERT_FALSE(bad_dst.ok());
  EXPECT_EQ(bad_dst.status().message(), "invalid destination label name in label_replace(): 1dst");
  // Overwriting the distinguishing label makes two series identical.
  Vector two = {testing::FloatSample(L({{"__name__", "m"}, {"a", "1"}}), 1),
                testing::FloatSample(L({{"__name__", "m"}, {"a", "2"}}), 2)};
  Result<Value> dup = LabelReplace(two, "a", "x", "a", ".*");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "vector cannot contain metrics with the same labelset");
}

}  // namespace
}  // namespace vigil::eval
