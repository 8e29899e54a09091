#include "collector/rules/rule_file/rule_file_loader.h"

#include <gtest/gtest.h>

namespace vigil::rules {
namespace {

using std::chrono::milliseconds;

const std::string kDir = std::string(VIGIL_SOURCE_DIR) + "/tests/collector/rules/testdata/";

// A group "g" whose rule list starts on line 4; each rule item starts at column 9.
std::string WithRules(const std::string& rules) {
  return "groups:\n  - name: g\n    rules:\n" + rules;
}

std::string TextError(const std::string& yaml) {
  Result<std::vector<RuleGroup>> r = ParseRuleText(yaml, "inline.yaml");
  EXPECT_FALSE(r.ok()) << yaml;
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  return r.status().message();
}

std::string Expanded(const TemplatedValue& v, const TemplateData& d) {
  Result<std::string> out = Expand(v.tmpl, d);
  return out.ok() ? *out : "error: " + out.status().message();
}

TEST(RuleFileLoaderTest, LoadsValidFiles) {
  Result<std::vector<RuleGroup>> r =
      LoadRuleFiles({kDir + "valid_alerts.yaml", kDir + "valid_recording.yaml"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);

  const RuleGroup& slo = (*r)[0];
  EXPECT_EQ(slo.name, "api-slo");
  EXPECT_EQ(slo.pos.ToString(), kDir + "valid_alerts.yaml:2:5");
  EXPECT_EQ(slo.interval, milliseconds(30000));
  EXPECT_EQ(slo.limit, 10);
  ASSERT_EQ(slo.rules.size(), 2u);

  const Rule& ratio = slo.rules[0];
  EXPECT_EQ(ratio.kind, Rule::Kind::kAlerting);
  EXPECT_EQ(ratio.name, "HighErrorRatio");
  EXPECT_EQ(ratio.expr,
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m]))\n"
            "  / sum by (job) (rate(http_requests_total[5m])) > 0.05\n");
  EXPECT_EQ(ratio.expr_pos.line, 7);
  EXPECT_EQ(ratio.for_duration, milliseconds(600000));
  EXPECT_EQ(ratio.keep_firing_for, milliseconds(300000));
  TemplateData data{{{"job", "api"}}, 0.0723, {{"cluster", "eu1"}}};
  EXPECT_EQ(Expanded(ratio.labels.at("severity"), data), "page");
  EXPECT_EQ(Expanded(ratio.labels.at("team"), data), "eu1");
  EXPECT_EQ(Expanded(ratio.annotations.at("summary"), data), "High error ratio on api");
  EXPECT_EQ(Expanded(ratio.annotations.at("description"), data), "api serves 7.23% errors in eu1.");
  EXPECT_EQ(ratio.annotations.at("summary").pos.line, 16);

  const Rule& slow = slo.rules[1];
  EXPECT_EQ(slow.name, "SlowRequests");
  EXPECT_EQ(slow.pos.ToString(), kDir + "valid_alerts.yaml:20:9");
  EXPECT_EQ(slow.expr_pos.ToString(), kDir + "valid_alerts.yaml:21:15");
  EXPECT_EQ(slow.expr.rfind("histogram_quantile(0.99, ", 0), 0u);
  EXPECT_EQ(slow.for_duration, milliseconds(5400000));
  EXPECT_EQ(slow.keep_firing_for, milliseconds(0));
  data.value = 0.75;
  EXPECT_EQ(Expanded(slow.annotations.at("summary"), data), "p99 latency of api is 750ms");
  EXPECT_EQ(Expanded(slow.annotations.at("value"), data), "0.75s");

  const RuleGroup& rec = (*r)[1];
  EXPECT_EQ(rec.name, "api-recording");
  EXPECT_EQ(rec.interval, milliseconds(86400000));
  ASSERT_EQ(rec.rules.size(), 2u);
  EXPECT_EQ(rec.rules[0].kind, Rule::Kind::kRecording);
  EXPECT_EQ(rec.rules[0].name, "job:http_requests:rate5m");
  EXPECT_EQ(rec.rules[0].labels.at("source").text, "vigil");
  EXPECT_EQ(rec.rules[1].expr,
            "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / "
            "job:http_requests:rate5m\n");

  EXPECT_EQ((*r)[2].name, "empty-group");
  EXPECT_FALSE((*r)[2].interval.has_value());
  EXPECT_TRUE((*r)[2].rules.empty());
}

TEST(RuleFileLoaderTest, InvalidExampleFiles) {
  Result<std::vector<RuleGroup>> r = LoadRuleFiles({kDir + "invalid_syntax.yaml"});
  ASSERT_FALSE(r.ok());
  // The flow list opened on line 5 is still open when the file ends.
  EXPECT_EQ(r.status().message(),
            kDir + "invalid_syntax.yaml:6:1: invalid YAML: end of sequence flow not found");

  r = LoadRuleFiles({kDir + "invalid_unknown_key.yaml"});
  EXPECT_EQ(r.status().message(),
            kDir +
                "invalid_unknown_key.yaml:6:9: unknown field \"summary\" in rule (expected "
                "alert, record, expr, for, keep_firing_for, labels, annotations)");

  r = LoadRuleFiles({kDir + "valid_alerts.yaml", kDir + "invalid_duplicate_group.yaml"});
  EXPECT_EQ(r.status().message(), kDir +
                                      "invalid_duplicate_group.yaml:4:5: group \"api-slo\" is "
                                      "already defined at " +
                                      kDir + "valid_alerts.yaml:2:5");
  // Alone, the same file is fine: the duplicate is across files.
  EXPECT_TRUE(LoadRuleFiles({kDir + "invalid_duplicate_group.yaml"}).ok());

  r = LoadRuleFiles({kDir + "invalid_bad_template.yaml"});
  EXPECT_EQ(r.status().message(),
            kDir +
                "invalid_bad_template.yaml:8:24: alert \"Down\": annotation \"description\": "
                "template: in action \"{{ $value | humanise }}\": unknown function "
                "\"humanise\"");

  r = LoadRuleFiles({kDir + "no_such_file.yaml"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "cannot read " + kDir + "no_such_file.yaml: No such file or directory");
}

TEST(RuleFileLoaderTest, EmptyDocumentsHoldNoGroups) {
  EXPECT_TRUE(ParseRuleText("", "e.yaml")->empty());
  EXPECT_TRUE(ParseRuleText("groups:\n", "e.yaml")->empty());
}

TEST(RuleFileLoaderTest, FileAndGroupStructureErrors) {
  EXPECT_EQ(TextError("- a\n"), "inline.yaml:1:1: rule file must be a mapping with \"groups\"");
  EXPECT_EQ(TextError("groups: 3\n"), "inline.yaml:1:9: \"groups\" must be a list");
  EXPECT_EQ(TextError("groups: []\ngroup: []\n"),
            "inline.yaml:2:1: unknown field \"group\" at top level (expected groups)");
  EXPECT_EQ(TextError("groups:\n  - just-a-string\n"),
            "inline.yaml:2:5: each group must be a mapping");
  EXPECT_EQ(TextError("groups:\n  - rules: []\n"), "inline.yaml:2:5: group has no \"name\"");
  EXPECT_EQ(TextError("groups:\n  - name: \"\"\n"),
            "inline.yaml:2:5: group name must not be empty");
  EXPECT_EQ(TextError("groups:\n  - name: [x]\n"),
            "inline.yaml:2:11: group \"name\" must be a string");
  EXPECT_EQ(TextError("groups:\n  - name: a\n  - name: a\n"),
            "inline.yaml:3:5: group \"a\" is repeated in the same file (first at line 2)");
  EXPECT_EQ(TextError("groups:\n  - name: a\n    interval: 5x\n"),
            "inline.yaml:3:15: group \"a\": interval: invalid duration \"5x\": unknown unit \"x\" "
            "(use y, w, d, h, m, s, ms)");
  EXPECT_EQ(TextError("groups:\n  - name: a\n    limit: -1\n"),
            "inline.yaml:3:12: group \"a\": limit must be a non-negative integer, got \"-1\"");
  EXPECT_EQ(TextError("groups:\n  - name: a\n    rules: {}\n"),
            "inline.yaml:3:12: group \"a\": \"rules\" must be a list");
  EXPECT_EQ(TextError("groups:\n  - name: a\n    name: b\n"),
            "inline.yaml:3:5: field \"name\" is repeated in group (first at line 2)");
  EXPECT_EQ(TextError("groups:\n  - name: a\n    intervl: 1m\n"),
            "inline.yaml:3:5: unknown field \"intervl\" in group (expected name, interval, limit, "
            "rules)");
}

TEST(RuleFileLoaderTest, RuleErrors) {
  EXPECT_EQ(TextError(WithRules("      - foo\n")), "inline.yaml:4:9: each rule must be a mapping");
  EXPECT_EQ(TextError(WithRules("      - alert: A\n        record: b\n        expr: up\n")),
            "inline.yaml:4:9: rule has both \"alert\" and \"record\"; exactly one is allowed");
  EXPECT_EQ(TextError(WithRules("      - expr: up\n")),
            "inline.yaml:4:9: rule needs one of \"alert\" or \"record\"");
  EXPECT_EQ(TextError(WithRules("      - record: job-rate\n        expr: up\n")),
            "inline.yaml:4:17: record name \"job-rate\" is not a valid metric name");
  EXPECT_EQ(TextError(WithRules("      - alert: \"\"\n        expr: up\n")),
            "inline.yaml:4:9: alert name must not be empty");
  EXPECT_EQ(TextError(WithRules("      - alert: A\n")),
            "inline.yaml:4:9: alert \"A\" has no \"expr\"");
  EXPECT_EQ(TextError(WithRules("      - alert: A\n        expr: \"\"\n")),
            "inline.yaml:5:15: alert \"A\": expr must not be empty");
  EXPECT_EQ(TextError(WithRules("      - alert: A\n        expr: up\n        expr: down\n")),
            "inline.yaml:6:9: field \"expr\" is repeated in rule (first at line 5)");
  EXPECT_EQ(TextError(WithRules("      - record: r\n        expr: up\n        for: 5m\n")),
            "inline.yaml:6:14: recording rule \"r\" cannot have \"for\"");
  EXPECT_EQ(TextError(WithRules("      - record: r\n        expr: up\n        annotations: {}\n")),
            "inline.yaml:6:22: recording rule \"r\" cannot have \"annotations\"");
  EXPECT_EQ(TextError(WithRules("      - alert: A\n        expr: up\n        for: 10\n")),
            "inline.yaml:6:14: alert \"A\": for: invalid duration \"10\": missing unit (one of y, "
            "w, d, h, m, s, ms)");
  EXPECT_EQ(
      TextError(WithRules("      - alert: A\n        expr: up\n        keep_firing_for: 1x\n")),
      "inline.yaml:6:26: alert \"A\": keep_firing_for: invalid duration \"1x\": unknown "
      "unit \"x\" (use y, w, d, h, m, s, ms)");
}

TEST(RuleFileLoaderTest, LabelAndAnnotationErrors) {
  const std::string head = "      - alert: A\n        expr: up\n";
  EXPECT_EQ(TextError(WithRules(head + "        labels: [a]\n")),
            "inline.yaml:6:17: alert \"A\": labels must be a mapping of names to strings");
  EXPECT_EQ(TextError(WithRules(head + "        labels:\n          1abc: x\n")),
            "inline.yaml:7:11: alert \"A\": invalid label name \"1abc\"");
  EXPECT_EQ(TextError(WithRules(head + "        labels:\n          __name__: x\n")),
            "inline.yaml:7:11: alert \"A\": label name \"__name__\" is reserved (names starting "
            "with \"__\" are internal)");
  EXPECT_EQ(TextError(WithRules(head + "        labels:\n          sev: [a]\n")),
            "inline.yaml:7:16: alert \"A\": label \"sev\" must be a string");
  EXPECT_EQ(TextError(WithRules(head + "        labels:\n          sev: a\n          sev: b\n")),
            "inline.yaml:8:11: alert \"A\": label \"sev\" is repeated");
  EXPECT_EQ(TextError(WithRules(head + "        annotations:\n          bad-name: x\n")),
            "inline.yaml:7:11: alert \"A\": invalid annotation name \"bad-name\"");
  EXPECT_EQ(TextError(WithRules(head + "        labels:\n          sev: \"{{ $value\"\n")),
            "inline.yaml:7:16: alert \"A\": label \"sev\": template: unclosed action: \"{{\" at "
            "column 1 has no matching \"}}\"");
  EXPECT_EQ(TextError(WithRules(head + "        annotations:\n          s: \"{{ $instance }}\"\n")),
            "inline.yaml:7:14: alert \"A\": annotation \"s\": template: in action \"{{ $instance "
            "}}\": undefined variable \"$instance\"");
}

TEST(RuleFileLoaderTest, RecordingRuleLabelsAreNotTemplates) {
  Result<std::vector<RuleGroup>> r = ParseRuleText(
      WithRules("      - record: r\n        expr: up\n        labels:\n          x: \"{{ oops\"\n"),
      "inline.yaml");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const TemplatedValue& x = (*r)[0].rules[0].labels.at("x");
  EXPECT_EQ(Expanded(x, TemplateData{}), "{{ oops");
  EXPECT_EQ(x.pos.ToString(), "inline.yaml:7:14");
}

TEST(RuleFileLoaderTest, NameValidators) {
  EXPECT_TRUE(IsValidMetricName("job:rate5m"));
  EXPECT_TRUE(IsValidMetricName("_x9"));
  EXPECT_FALSE(IsValidMetricName("9x"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("le"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
  EXPECT_FALSE(IsValidLabelName("é"));
}

}  // namespace
}  // namespace vigil::rules
