#include "collector/rules/unit_test/rule_test_runner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "collector/rules/unit_test/test_group_runner.h"

namespace vigil::rules {
namespace {

std::string Fixture(const std::string& name) {
  return std::string(VIGIL_SOURCE_DIR) + "/tests/collector/rules/unit_test/testdata/" + name;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(RuleTestRunnerTest, PassingFileReportsSuccess) {
  std::string path = Fixture("pass.yaml");
  RuleTestReport r = RunRuleTestFiles({path});
  EXPECT_TRUE(r.passed) << r.text;
  EXPECT_EQ(r.text, "Unit Testing:  " + path + "\n  SUCCESS\n\n");
}

// The expected text is promtool 2.42's output for the same file (stderr and stdout merged).
TEST(RuleTestRunnerTest, FailingExpectationsReportLikePromtool) {
  std::string path = Fixture("fail.yaml");
  RuleTestReport r = RunRuleTestFiles({path});
  EXPECT_FALSE(r.passed);
  const std::string want =
      "Unit Testing:  " + path +
      "\n"
      "  FAILED:\n"
      "    name: wrong alerts,\n"
      "    alertname: InstanceDown, time: 1m, \n"
      "        exp:[\n"
      "            0:\n"
      "              Labels:{alertname=\"InstanceDown\", instance=\"i1\", job=\"api\", "
      "severity=\"page\"}\n"
      "              Annotations:{}\n"
      "            ], \n"
      "        got:[]\n"
      "\n"
      "    name: wrong alerts,\n"
      "    alertname: InstanceDown, time: 3m, \n"
      "        exp:[\n"
      "            0:\n"
      "              Labels:{alertname=\"InstanceDown\", instance=\"i1\", job=\"api\", "
      "severity=\"page\"}\n"
      "              Annotations:{summary=\"Instance i1 of api down\"}\n"
      "            ], \n"
      "        got:[\n"
      "            0:\n"
      "              Labels:{alertname=\"InstanceDown\", instance=\"i1\", job=\"api\", "
      "severity=\"page\"}\n"
      "              Annotations:{summary=\"Instance i1 of api down\"},\n"
      "            1:\n"
      "              Labels:{alertname=\"InstanceDown\", instance=\"i2\", job=\"api\", "
      "severity=\"page\"}\n"
      "              Annotations:{summary=\"Instance i2 of api down\"}\n"
      "            ]\n"
      "\n"
      "    expr: \"job:up:sum\", time: 2m,\n"
      "        exp: {__name__=\"job:up:sum\", job=\"api\"} 2E+00, {__name__=\"job:up:sum\", "
      "job=\"db\"} 1.5E-07\n"
      "        got: {__name__=\"job:up:sum\", job=\"api\"} 1E+00\n"
      "\n"
      "    expr: \"nosuch\", time: 2m,\n"
      "        exp: {__name__=\"nosuch\"} 1E+00\n"
      "        got: nil\n"
      "\n"
      "    expr: \"up\", time: 2m,\n"
      "        exp: nil\n"
      "        got: {__name__=\"up\", instance=\"i1\", job=\"api\"} 1E+00\n"
      "\n";
  ASSERT_GE(r.text.size(), want.size()) << r.text;
  EXPECT_EQ(r.text.substr(0, want.size()), want);
  // Positions differ from promtool's (vigil points into the test file); the shape does not.
  std::string rest = r.text.substr(want.size());
  EXPECT_TRUE(Contains(
      rest, "    expr: \"up\", time: 2m, err: labels \"up{job=\\\"api\\\"\": " + path + ":44:28: "))
      << rest;
  EXPECT_TRUE(Contains(rest,
                       "    expr: \"\\\"text\\\"\", time: 2m, err: rule result is not a "
                       "vector or scalar\n\n"))
      << rest;
  EXPECT_TRUE(Contains(rest,
                       "    expr: \"1 / 0\", time: 2m,\n        exp: {} -Inf\n        got: "
                       "{} +Inf\n\n\n"))
      << rest;
}

TEST(RuleTestRunnerTest, RuleEvaluationErrorStopsTheGroup) {
  std::string path = Fixture("runtime_error.yaml");
  RuleTestReport r = RunRuleTestFiles({path});
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Contains(r.text, "  FAILED:\n    rule: y, time: 0s, err: ")) << r.text;
  EXPECT_TRUE(Contains(r.text, "many-to-many matching not allowed")) << r.text;
  // The expression test after the failure is not run (it would fail too: 1 != 2).
  EXPECT_FALSE(Contains(r.text, "expr:")) << r.text;
}

TEST(RuleTestRunnerTest, RuleLoadErrorsAndUnmatchedGlobs) {
  std::string path = Fixture("uses_bad_rules.yaml");
  RuleTestReport r = RunRuleTestFiles({path});
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Contains(r.text, "  WARNING: no file match pattern " + Fixture("no_such_*.yaml") +
                                   "\n  FAILED:\n" + Fixture("bad_expr_rules.yaml") + ":5:"))
      << r.text;
}

TEST(RuleTestRunnerTest, FileErrorsAreReportedPerFileWithPosition) {
  std::string bad = Fixture("bad_series.yaml");
  std::string missing = Fixture("does_not_exist.yaml");
  std::string pass = Fixture("pass.yaml");
  RuleTestReport r = RunRuleTestFiles({bad, missing, pass});
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(Contains(r.text, "Unit Testing:  " + bad + "\n  FAILED:\n" + bad +
                                   ":6:20: values \"1 2 3x\": unexpected end of input"))
      << r.text;
  EXPECT_TRUE(Contains(r.text, "Unit Testing:  " + missing + "\n  FAILED:\ncannot read " + missing))
      << r.text;
  // A later good file still runs and passes.
  EXPECT_TRUE(Contains(r.text, "Unit Testing:  " + pass + "\n  SUCCESS\n\n")) << r.text;
}

TEST(RuleTestRunnerTest, GroupEvalOrderAndFileOrder) {
  // Both files expect `consumed` to see `produced` of the same step (order.yaml) or of the
  // previous one (file_order.yaml); swapping the order would fail either.
  RuleTestReport r = RunRuleTestFiles({Fixture("order.yaml"), Fixture("file_order.yaml")});
  EXPECT_TRUE(r.passed) << r.text;
  EXPECT_FALSE(Contains(r.text, "FAILED")) << r.text;
}

TEST(RuleTestRunnerTest, NoFilesPasses) {
  RuleTestReport r = RunRuleTestFiles({});
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.text, "");
}

TEST(RuleTestRunnerTest, ValuesMatchExactlyOrWithinOneUlp) {
  EXPECT_TRUE(TestValuesMatch(0.3, 0.1 + 0.2));  // one ULP apart
  EXPECT_TRUE(TestValuesMatch(1, 1));
  EXPECT_TRUE(TestValuesMatch(-std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(TestValuesMatch(0.3, 0.30000000000000010));
  EXPECT_FALSE(TestValuesMatch(1, 1.0001));
  EXPECT_FALSE(TestValuesMatch(std::nan(""), std::nan("")));  // as promtool
}

}  // namespace
}  // namespace vigil::rules
