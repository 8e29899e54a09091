// Invalid PromQL: each expression fails with InvalidArgument, the 1-based line:column of the
// offending construct and a message naming it.
#include <gtest/gtest.h>

#include <string>

#include "collector/rules/promql/parser.h"

namespace vigil::promql {
namespace {

struct BadCase {
  const char* input;
  const char* error;
};

const BadCase kCases[] = {
    // lexing
    {"", "1:1: empty expression"},
    {"foo{a=\"b}", "1:7: unterminated quoted string"},
    {"foo{a='b\n'}", "1:7: unterminated quoted string"},
    {"\"\\q\"", "1:2: unknown escape sequence \"\\q\" in string"},
    {"\"\\x4\"", "1:2: invalid escape sequence in string"},
    {"foo ! bar", "1:5: unexpected character after \"!\""},
    {"foo $ bar", "1:5: unexpected character \"$\""},
    {"foo[5x]", "1:5: invalid duration \"5x\": unknown unit \"x\" (use y, w, d, h, m, s, ms)"},
    {"foo[5m1h]",
     "1:5: invalid duration \"5m1h\": units must go from largest to smallest, each at most once"},
    {"1.5m", "1:1: bad number or duration \"1.5m\""},
    {"0xfg", "1:1: bad number \"0xfg\""},
    // selectors and modifiers
    {"foo{", "1:5: unexpected end of input, expected label matcher"},
    {"foo{a=\"b\",,}", "1:11: unexpected \",\", expected label matcher"},
    {"foo{a=\"b\" c=\"d\"}", "1:11: unexpected identifier \"c\", expected \",\" or \"}\""},
    {"foo{a=1}", "1:7: unexpected number \"1\", expected string"},
    {"foo{a}", "1:6: unexpected \"}\", expected label match operator (=, !=, =~, !~)"},
    {"{}", "1:1: vector selector must contain at least one non-empty matcher"},
    {"{a=\"\", b=~\".*\"}", "1:1: vector selector must contain at least one non-empty matcher"},
    {"foo{__name__=\"bar\"}", "1:5: metric name must not be set twice: \"foo\" or \"bar\""},
    {"foo[5m:1m]", "1:4: subqueries are not supported by vigil"},
    {"rate(foo[5m])[10m:]", "1:14: subqueries are not supported by vigil"},
    {"(foo)[5m]", "1:6: ranges only allowed for vector selectors"},
    {"foo[5]", "1:5: unexpected number \"5\", expected duration"},
    {"foo[5m", "1:7: unexpected end of input, expected \"]\""},
    {"foo offset 5m[1m]", "1:14: no offset modifiers allowed before range"},
    {"foo offset 1m offset 2m", "1:15: offset may not be set multiple times"},
    {"sum(foo) offset 5m",
     "1:10: offset modifier must be preceded by an instant vector selector or range vector "
     "selector"},
    {"foo offset", "1:11: unexpected end of input, expected duration"},
    {"foo @ 100", "1:5: @ modifier is not supported by vigil"},
    {"5m", "1:1: unexpected duration \"5m\", expected expression"},
    // functions
    {"rate(foo[5m]) > label_join(foo, \"a\", \",\", \"b\")",
     "1:17: unknown function \"label_join\" (not supported by vigil)"},
    {"rate(foo)",
     "1:6: expected type range vector in call to function \"rate\", got instant vector"},
    {"rate(foo[5m], 1)", "1:1: expected 1 argument(s) in call to \"rate\", got 2"},
    {"time(1)", "1:1: expected 0 argument(s) in call to \"time\", got 1"},
    {"round(foo, 1, 2)", "1:1: expected 1 or 2 argument(s) in call to \"round\", got 3"},
    {"round()", "1:1: expected 1 or 2 argument(s) in call to \"round\", got 0"},
    {"round(foo, bar)",
     "1:12: expected type scalar in call to function \"round\", got instant vector"},
    {"abs(foo[5m])",
     "1:5: expected type instant vector in call to function \"abs\", got range vector"},
    {"histogram_quantile(foo, bar)",
     "1:20: expected type scalar in call to function \"histogram_quantile\", got instant vector"},
    {"clamp_min(foo, \"x\")",
     "1:16: expected type scalar in call to function \"clamp_min\", got string"},
    {"abs(foo", "1:8: unexpected end of input, expected \",\" or \")\""},
    // aggregations
    {"sum(foo[5m])",
     "1:5: expected type instant vector in aggregation expression, got range vector"},
    {"topk(foo)",
     "1:5: wrong number of arguments for aggregate expression \"topk\": expected 2, got 1"},
    {"sum(1, foo)",
     "1:4: wrong number of arguments for aggregate expression \"sum\": expected 1, got 2"},
    {"topk(bar, foo)", "1:6: expected type scalar in aggregation parameter, got instant vector"},
    {"sum by (a) (foo) by (b)", "1:18: aggregation may have only one by/without clause"},
    {"sum by (\"a\") (foo)", "1:9: unexpected string \"a\", expected label name"},
    {"sum by (a:b) (foo)", "1:9: unexpected identifier \"a:b\", expected label name"},
    {"foo{1=\"a\"}", "1:5: unexpected number \"1\", expected label matcher"},
    {"sum by a (foo)", "1:8: unexpected identifier \"a\", expected \"(\""},
    {"stddev(foo)", "1:1: unsupported aggregation \"stddev\" (not supported by vigil)"},
    // binary operators and types
    {"1 > 2", "1:3: comparisons between scalars must use bool modifier"},
    {"foo + bool bar", "1:7: bool modifier can only be used on comparison operators"},
    {"1 and foo", "1:3: set operator \"and\" not allowed in binary scalar expression"},
    {"foo or 1", "1:5: set operator \"or\" not allowed in binary scalar expression"},
    {"foo + on(a) 1", "1:5: vector matching only allowed between instant vectors"},
    {"foo and on(a) group_left bar", "1:15: no grouping allowed for \"and\" operation"},
    {"foo * on(a) group_left(a) bar",
     "1:5: label \"a\" must not occur in ON and GROUP clause at once"},
    {"foo * group_left bar", "1:7: \"group_left\" must follow on(...) or ignoring(...)"},
    {"foo[5m] + 1",
     "1:1: binary expression must contain only scalar and instant vector types, got range vector"},
    {"1 + \"a\"",
     "1:5: binary expression must contain only scalar and instant vector types, got string"},
    {"-foo[5m]",
     "1:1: unary expression only allowed on expressions of type scalar or instant vector, got "
     "range vector"},
    {"foo +", "1:6: unexpected end of input, expected expression"},
    {"(foo", "1:5: unexpected end of input, expected \")\""},
    {"foo bar", "1:5: unexpected identifier \"bar\", expected binary operator or end of input"},
    {"foo + on(x) group_left (b)", "1:27: unexpected end of input, expected expression"},
    {"by", "1:1: unexpected identifier \"by\", expected expression"},
    {"foo\n  > )", "2:5: unexpected \")\", expected expression"},
};

TEST(PromqlErrorsTest, ReportsPositionAndConstruct) {
  int checked = 0;
  for (const BadCase& c : kCases) {
    SCOPED_TRACE(c.input);
    Result<ExprPtr> e = ParseExpr(c.input);
    ASSERT_FALSE(e.ok()) << "parsed unexpectedly";
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(e.status().message(), c.error);
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

TEST(PromqlErrorsTest, BadRegexFailsAtParseTime) {
  Result<ExprPtr> e = ParseExpr("foo{job=~\"api(\"}");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
  const std::string prefix = "1:10: invalid regular expression \"api(\": ";
  EXPECT_EQ(e.status().message().substr(0, prefix.size()), prefix) << e.status().message();

  e = ParseExpr("foo{job!~\"[z-a]\"}");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("invalid regular expression \"[z-a]\""), std::string::npos)
      << e.status().message();
}

}  // namespace
}  // namespace vigil::promql
