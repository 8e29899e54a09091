#include <gtest/gtest.h>

#include "collector/rules/engine/expr_position.h"
#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/rule_file/rule_file_loader.h"
#include "tests/collector/rules/engine/engine_test_util.h"

namespace vigil::rules {
namespace {

using testing::CompileText;
using testing::TempDir;

// Rules start on line 4; an `expr: ` value at this indentation starts at column 15.
std::string WithRules(const std::string& rules) {
  return "groups:\n  - name: g\n    rules:\n" + rules;
}

// The error for `yaml`, with the temp dir's path replaced by "DIR".
std::string CompileError(const TempDir& dir, const std::string& yaml) {
  Result<std::vector<CompiledGroup>> r = CompileText(dir, yaml);
  EXPECT_FALSE(r.ok()) << yaml;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::string msg = r.status().message();
  size_t at = msg.find(dir.path());
  if (at != std::string::npos) msg.replace(at, dir.path().size(), "DIR");
  return msg;
}

TEST(RuleCompilerTest, CompilesGroupsWithIntervalsAndLimits) {
  TempDir dir;
  Result<std::vector<CompiledGroup>> r = CompileText(dir, R"(groups:
  - name: fast
    interval: 30s
    limit: 5
    rules:
      - record: job:x:sum
        expr: sum by (job) (x)
      - alert: XHigh
        expr: job:x:sum > 10
        for: 5m
  - name: default
    rules:
      - record: y2
        expr: y * 2
)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "fast");
  EXPECT_EQ((*r)[0].interval, std::chrono::milliseconds(30000));
  EXPECT_EQ((*r)[0].limit, 5);
  ASSERT_EQ((*r)[0].rules.size(), 2u);
  ASSERT_NE((*r)[0].rules[0].expr, nullptr);
  EXPECT_NE((*r)[0].rules[0].expr->As<promql::Aggregate>(), nullptr);
  EXPECT_NE((*r)[0].rules[1].expr->As<promql::Binary>(), nullptr);
  EXPECT_EQ((*r)[0].rules[1].rule.for_duration, std::chrono::minutes(5));
  EXPECT_EQ((*r)[1].interval, testing::kInterval);  // no interval: the default
  EXPECT_EQ((*r)[1].limit, 0);
}

TEST(RuleCompilerTest, PlainScalarErrorPosition) {
  TempDir dir;
  EXPECT_EQ(
      CompileError(dir, WithRules("      - alert: A\n"
                                  "        expr: rate(x[5m]) > bogus(1)\n")),
      "DIR/rules.yaml:5:29: alert \"A\": unknown function \"bogus\" (not supported by vigil)");
}

TEST(RuleCompilerTest, DoubleQuotedScalarCountsQuoteAndEscapes) {
  TempDir dir;
  EXPECT_EQ(
      CompileError(dir, WithRules("      - alert: A\n"
                                  "        expr: \"x{a=\\\"b\\\"} > bogus(1)\"\n")),
      "DIR/rules.yaml:5:29: alert \"A\": unknown function \"bogus\" (not supported by vigil)");
}

TEST(RuleCompilerTest, SingleQuotedScalarCountsDoubledQuotes) {
  TempDir dir;
  EXPECT_EQ(CompileError(dir, WithRules("      - record: r\n"
                                        "        expr: 'x{a=\"it''s\"} > bogus(1)'\n")),
            "DIR/rules.yaml:5:31: recording rule \"r\": unknown function \"bogus\" (not supported "
            "by vigil)");
}

TEST(RuleCompilerTest, LiteralBlockScalarMapsLines) {
  TempDir dir;
  EXPECT_EQ(CompileError(dir, WithRules("      - alert: Ok\n"
                                        "        expr: up == 0\n"
                                        "      - alert: B\n"
                                        "        expr: |  # comment on the header\n"
                                        "          sum by (job) (\n"
                                        "            rate(x[5m])\n"
                                        "          ) > bogus(1)\n")),
            "DIR/rules.yaml:10:15: alert \"B\": unknown function \"bogus\" (not supported by "
            "vigil)");
}

TEST(RuleCompilerTest, FoldedAndMultiLinePlainScalarsMapLines) {
  TempDir dir;
  const std::string want =
      "DIR/rules.yaml:7:13: alert \"C\": unknown function \"bogus\" (not supported by vigil)";
  EXPECT_EQ(CompileError(dir, WithRules("      - alert: C\n"
                                        "        expr: >-\n"
                                        "          sum(x)\n"
                                        "          > bogus(1)\n")),
            want);
  EXPECT_EQ(CompileError(dir, WithRules("      - alert: C\n"
                                        "        expr:\n"
                                        "          sum(x)\n"
                                        "          > bogus(1)\n")),
            want);
}

TEST(RuleCompilerTest, ErrorAtEndOfExpression) {
  TempDir dir;
  std::string msg = CompileError(dir, WithRules("      - alert: A\n"
                                                "        expr: sum(rate(x[5m])\n"));
  // "sum(rate(x[5m])" is 15 bytes from column 15: the end is column 30.
  EXPECT_EQ(msg.rfind("DIR/rules.yaml:5:30: alert \"A\": ", 0), 0u) << msg;
}

TEST(RuleCompilerTest, UnsupportedConstructsAreNamed) {
  TempDir dir;
  EXPECT_EQ(CompileError(dir, WithRules("      - alert: A\n"
                                        "        expr: x @ 100\n")),
            "DIR/rules.yaml:5:17: alert \"A\": @ modifier is not supported by vigil");
  std::string msg = CompileError(dir, WithRules("      - alert: A\n"
                                                "        expr: max_over_time(x[5m:1m])\n"));
  EXPECT_EQ(msg.rfind("DIR/rules.yaml:5:30: alert \"A\": ", 0), 0u) << msg;
  EXPECT_NE(msg.find("subqueries are not supported"), std::string::npos) << msg;
}

TEST(RuleCompilerTest, RangeVectorResultIsRefused) {
  TempDir dir;
  EXPECT_EQ(CompileError(dir, WithRules("      - record: r\n"
                                        "        expr: \"  x[5m]\"\n")),
            "DIR/rules.yaml:5:18: recording rule \"r\": expression must evaluate to an instant "
            "vector or a scalar, not a range vector");
  EXPECT_EQ(CompileError(dir, WithRules("      - alert: S\n"
                                        "        expr: '\"text\"'\n")),
            "DIR/rules.yaml:5:16: alert \"S\": expression must evaluate to an instant vector or "
            "a scalar, not a string");
}

TEST(RuleCompilerTest, ErrorsInLaterFilesNameThatFile) {
  TempDir dir;
  std::string a = dir.Write("a.yaml", WithRules("      - record: ok\n        expr: x\n"));
  std::string b = dir.Write("b.yaml",
                            "groups:\n  - name: other\n    rules:\n"
                            "      - alert: Bad\n        expr: x +\n");
  Result<std::vector<CompiledGroup>> r = LoadAndCompileRules({a, b}, testing::kInterval);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind(b + ":5:", 0), 0u) << r.status().message();
}

TEST(RuleCompilerTest, LoaderErrorsPassThrough) {
  TempDir dir;
  Result<std::vector<CompiledGroup>> r =
      LoadAndCompileRules({dir.path() + "/missing.yaml"}, testing::kInterval);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("missing.yaml"), std::string::npos);
}

TEST(RuleCompilerTest, TextWithoutFileFallsBackToColumnShift) {
  Result<std::vector<RuleGroup>> groups =
      ParseRuleText(WithRules("      - alert: A\n        expr: x > bogus(1)\n"), "inline.yaml");
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  Result<std::vector<CompiledGroup>> r = CompileRuleGroups(std::move(*groups), testing::kInterval);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("inline.yaml:5:19: alert \"A\": unknown function", 0), 0u)
      << r.status().message();
}

TEST(RuleCompilerTest, InvalidRecordNameInBuiltGroups) {
  RuleGroup g;
  g.name = "g";
  Rule rule;
  rule.kind = Rule::Kind::kRecording;
  rule.name = "not-a-metric";
  rule.pos = {"built.yaml", 3, 7};
  rule.expr = "x";
  rule.expr_pos = {"built.yaml", 4, 15};
  g.rules.push_back(rule);
  Result<std::vector<CompiledGroup>> r = CompileRuleGroups({g}, testing::kInterval);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "built.yaml:3:7: record name \"not-a-metric\" is not a valid metric name");
}

TEST(ExprPositionTest, MapsUnicodeEscapesAndLines) {
  // \u00e9 decodes to two bytes; the text after it must still land on the right column.
  std::string file = "k: \"a{b=\\\"\\u00e9\\\"} + c\"\n";
  std::string expr = "a{b=\"\xc3\xa9\"} + c";
  SourcePosition p = MapExprOffset(file, {"f", 1, 4}, expr, expr.find('c'));
  EXPECT_EQ(p.ToString(), "f:1:23");
  EXPECT_EQ(OffsetOfLineColumn("ab\ncd", 2, 2), 4u);
  EXPECT_EQ(OffsetOfLineColumn("ab", 5, 1), 2u);
  // A scalar that does not match the file text falls back to shifting expr_pos.
  EXPECT_EQ(MapExprOffset("k: zzz\n", {"f", 1, 4}, "a\nbc", 3).ToString(), "f:2:2");
}

}  // namespace
}  // namespace vigil::rules
