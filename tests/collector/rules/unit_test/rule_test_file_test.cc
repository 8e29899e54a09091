#include "collector/rules/unit_test/rule_test_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

Status ParseError(const std::string& yaml) {
  Result<RuleTestFile> f = ParseRuleTestText(yaml, "t.yaml");
  EXPECT_FALSE(f.ok()) << yaml;
  return f.status();
}

TEST(RuleTestFileTest, ParsesEveryField) {
  Result<RuleTestFile> f = ParseRuleTestText(R"(
evaluation_interval: 30s
group_eval_order: [b, a]
tests:
- name: first
  interval: 15s
  external_labels: {region: eu}
  external_url: http://x
  input_series:
  - series: 'up{job="a"}'
    values: '1+1x2 _ stale'
  alert_rule_test:
  - eval_time: 2m
    alertname: Down
    exp_alerts:
    - exp_labels: {severity: page, code: 500}
      exp_annotations: {summary: hi}
  promql_expr_test:
  - expr: up
    eval_time: 1m
    exp_samples:
    - labels: 'up{job="a"}'
      value: 1.5e-7
    - labels: '{}'
      value: .inf
- input_series:
)",
                                             "dir/t.yaml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->evaluation_interval, milliseconds(30'000));
  EXPECT_EQ(f->group_eval_order, (std::vector<std::string>{"b", "a"}));
  ASSERT_EQ(f->tests.size(), 2u);
  const TestGroup& g = f->tests[0];
  EXPECT_EQ(g.name, "first");
  EXPECT_EQ(g.interval, milliseconds(15'000));
  EXPECT_EQ(g.external_labels, (eval::Labels{{"region", "eu"}}));
  EXPECT_EQ(g.external_url, "http://x");
  ASSERT_EQ(g.input_series.size(), 1u);
  EXPECT_EQ(g.input_series[0].labels, (eval::Labels{{"__name__", "up"}, {"job", "a"}}));
  EXPECT_EQ(g.input_series[0].values.size(), 5u);
  EXPECT_FALSE(g.input_series[0].values[3].has_value());
  ASSERT_EQ(g.alert_tests.size(), 1u);
  EXPECT_EQ(g.alert_tests[0].eval_time, milliseconds(120'000));
  EXPECT_EQ(g.alert_tests[0].alertname, "Down");
  ASSERT_EQ(g.alert_tests[0].exp_alerts.size(), 1u);
  EXPECT_EQ(g.alert_tests[0].exp_alerts[0].labels,
            (eval::Labels{{"code", "500"}, {"severity", "page"}}));
  EXPECT_EQ(g.alert_tests[0].exp_alerts[0].annotations, (eval::Labels{{"summary", "hi"}}));
  ASSERT_EQ(g.promql_tests.size(), 1u);
  EXPECT_EQ(g.promql_tests[0].expr, "up");
  EXPECT_EQ(g.promql_tests[0].eval_time, milliseconds(60'000));
  ASSERT_EQ(g.promql_tests[0].exp_samples.size(), 2u);
  EXPECT_EQ(g.promql_tests[0].exp_samples[0].value, 1.5e-7);
  EXPECT_EQ(g.promql_tests[0].exp_samples[0].labels_pos.ToString(), "dir/t.yaml:22:16");
  EXPECT_TRUE(std::isinf(g.promql_tests[0].exp_samples[1].value));
  // The second group's interval defaults to evaluation_interval.
  EXPECT_EQ(f->tests[1].interval, milliseconds(30'000));
}

TEST(RuleTestFileTest, DefaultsToOneMinute) {
  Result<RuleTestFile> f = ParseRuleTestText("tests:\n- input_series: []\n", "t.yaml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->evaluation_interval, milliseconds(60'000));
  EXPECT_EQ(f->tests[0].interval, milliseconds(60'000));
  Result<RuleTestFile> empty = ParseRuleTestText("", "t.yaml");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->tests.empty());
}

TEST(RuleTestFileTest, ErrorsCarryPositions) {
  struct Case {
    const char* yaml;
    const char* want;
  };
  for (const Case& c : {
           Case{"rule_files: [a\ntests: [\n", "t.yaml:2:"},
           Case{"rule_files: []\nfoo: 1\n", "t.yaml:2:1: unknown field \"foo\" in the test file"},
           Case{"tests:\n- intervall: 1m\n", "t.yaml:2:3: unknown field \"intervall\" in a test"},
           Case{"evaluation_interval: 5x\n", "t.yaml:1:22: evaluation_interval: invalid duration"},
           Case{"tests: {a: 1}\n", "t.yaml:1:8: tests must be a list"},
           Case{"- 1\n", "t.yaml:1:1: the test file must be a mapping"},
           Case{"group_eval_order: [a, b, a]\n",
                "t.yaml:1:26: group name repeated in evaluation order: a"},
           Case{"tests:\n- input_series:\n  - series: 'up{job=\"a\"}'\n    values: '1 2 x'\n",
                "t.yaml:4:18: values \"1 2 x\": unexpected \"x\""},
           Case{"tests:\n- input_series:\n  - series: up{job=a}\n    values: 1\n",
                "t.yaml:3:20: series \"up{job=a}\": unexpected identifier \"a\""},
           Case{"tests:\n- input_series:\n  - values: 1\n",
                "t.yaml:3:5: input series has no series"},
           Case{"tests:\n- input_series:\n  - series: '{job=\"a\"}'\n",
                "t.yaml:3:13: series \"{job=\"a\"}\" has no metric name"},
           Case{"tests:\n- name: g1\n  alert_rule_test:\n  - eval_time: 1m\n",
                "t.yaml:4:5: an item under alert_rule_test misses required attribute alertname "
                "at eval_time 1m (in TestGroup g1)"},
           Case{"tests:\n- promql_expr_test:\n  - expr: up\n    exp_samples:\n    - value: abc\n",
                "t.yaml:5:14: value must be a number"},
           Case{"tests:\n- alert_rule_test:\n  - alertname: A\n    exp_alerts:\n"
                "    - exp_labels: [a]\n",
                "t.yaml:5:19: exp_labels must be a mapping"},
           Case{"tests:\n- external_labels: {a: 1, a: 2}\n", "is given twice"},
           Case{"tests:\n- interval: 1m\n  interval: 2m\n",
                "t.yaml:3:3: field \"interval\" is repeated"},
       }) {
    Status s = ParseError(c.yaml);
    EXPECT_NE(s.message().find(c.want), std::string::npos) << c.yaml << "\n" << s.message();
  }
}

class RuleFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vigil_rule_test_file_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rules");
    for (const char* name : {"rules/b.yaml", "rules/a.yaml", "rules/c.txt", "one.yaml"}) {
      std::ofstream(dir_ / name) << "groups: []\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(RuleFilesTest, RelativeToTheTestFileAndGlobbedInOrder) {
  std::string test_path = (dir_ / "t.yaml").string();
  std::ofstream(test_path) << "rule_files: ['rules/*.yaml', one.yaml, missing.yaml, "
                           << (dir_ / "rules/c.txt").string() << "]\n";
  Result<RuleTestFile> f = LoadRuleTestFile(test_path);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::vector<std::string> want = {(dir_ / "rules/a.yaml").string(),
                                   (dir_ / "rules/b.yaml").string(), (dir_ / "one.yaml").string(),
                                   (dir_ / "rules/c.txt").string()};
  EXPECT_EQ(f->rule_files, want);
  EXPECT_EQ(f->unmatched_patterns, (std::vector<std::string>{(dir_ / "missing.yaml").string()}));
}

TEST_F(RuleFilesTest, UnreadableFileIsNotFound) {
  Result<RuleTestFile> f = LoadRuleTestFile((dir_ / "nope.yaml").string());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kNotFound);
  EXPECT_NE(f.status().message().find("nope.yaml"), std::string::npos);
}

}  // namespace
}  // namespace vigil::rules
