// The typed form of a promtool rule unit-test file (rule_files, evaluation_interval,
// group_eval_order, tests with input_series, alert_rule_test and promql_expr_test), loaded
// strictly: unknown fields, bad durations and bad series notation are InvalidArgument
// "file:line:col: what". Plain values once loaded; the loader functions are thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/eval/value.h"
#include "collector/rules/rule_file/rule_group.h"
#include "collector/rules/unit_test/series_notation.h"
#include "core/status.h"

namespace vigil::rules {

struct TestInputSeries {
  eval::Labels labels;              // sorted, with __name__
  std::vector<SeriesValue> values;  // the i-th at i * interval
  SourcePosition pos;
};

struct ExpectedAlert {
  eval::Labels labels;  // as written, without alertname (the runner adds it)
  eval::Labels annotations;
};

struct AlertTestCase {
  std::chrono::milliseconds eval_time{0};
  std::string alertname;
  std::vector<ExpectedAlert> exp_alerts;
  SourcePosition pos;
};

// The labels are kept as written: promtool reports a bad one as a failure of its test case
// (the others still run), so the runner parses them.
struct ExpectedSample {
  std::string labels;
  double value = 0;
  SourcePosition labels_pos;
};

struct PromqlTestCase {
  std::string expr;
  SourcePosition expr_pos;
  std::chrono::milliseconds eval_time{0};
  std::vector<ExpectedSample> exp_samples;
};

struct TestGroup {
  std::string name;
  SourcePosition pos;
  std::chrono::milliseconds interval{0};  // input sample spacing; default evaluation_interval
  std::vector<TestInputSeries> input_series;
  std::vector<AlertTestCase> alert_tests;
  std::vector<PromqlTestCase> promql_tests;
  eval::Labels external_labels;
  std::string external_url;
};

struct RuleTestFile {
  std::string path;
  // rule_files resolved against the test file's directory and glob-expanded, in order.
  std::vector<std::string> rule_files;
  // Patterns that matched nothing: promtool warns and goes on.
  std::vector<std::string> unmatched_patterns;
  std::chrono::milliseconds evaluation_interval{60'000};
  std::vector<std::string> group_eval_order;
  std::vector<TestGroup> tests;
};

// Reads and parses `path`. A file that cannot be read is NotFound naming it.
Result<RuleTestFile> LoadRuleTestFile(const std::string& path);

// Parses a test file's text; `path` names it in errors and locates relative rule_files.
Result<RuleTestFile> ParseRuleTestText(std::string_view yaml, const std::string& path);

}  // namespace vigil::rules
