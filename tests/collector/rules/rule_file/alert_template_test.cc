#include "collector/rules/rule_file/alert_template.h"

#include <gtest/gtest.h>

namespace vigil::rules {
namespace {

TemplateData Data() {
  TemplateData d;
  d.labels = {{"job", "api"}, {"instance", "10.0.0.1:80"}, {"ratio", "0.25"}, {"word", "abc"}};
  d.value = 0.0723;
  d.external_labels = {{"cluster", "eu1"}};
  return d;
}

std::string Render(std::string_view text, const TemplateData& data = Data()) {
  Result<Template> t = ParseTemplate(text);
  if (!t.ok()) return "parse error: " + t.status().message();
  Result<std::string> out = Expand(*t, data);
  return out.ok() ? *out : "expand error: " + out.status().message();
}

std::string ParseError(std::string_view text) { return ParseTemplate(text).status().message(); }

TEST(AlertTemplateTest, ExpandsVariables) {
  EXPECT_EQ(Render("plain text"), "plain text");
  EXPECT_EQ(Render("{{ $labels.job }} on {{$labels.instance}}"), "api on 10.0.0.1:80");
  EXPECT_EQ(Render("value {{ $value }}"), "value 0.0723");
  EXPECT_EQ(Render("{{ $externalLabels.cluster }}"), "eu1");
  EXPECT_EQ(Render("[{{ $labels.missing }}]"), "[]");  // Prometheus uses missingkey=zero
  EXPECT_EQ(Render("{{ \"lit\" }} {{ 42 }}"), "lit 42");
  EXPECT_EQ(Render("a{{/* a comment */}}b"), "ab");
}

TEST(AlertTemplateTest, PipelinesAndCalls) {
  EXPECT_EQ(Render("{{ $value | humanizePercentage }}"), "7.23%");
  EXPECT_EQ(Render("{{ humanize 1234567 }}"), "1.235M");
  EXPECT_EQ(Render("{{ $labels.ratio | humanizePercentage }}"), "25%");
  EXPECT_EQ(Render("{{ 90061 | humanizeDuration }}"), "1d 1h 1m 1s");
  EXPECT_EQ(Render("{{ printf \"%.2f\" $value }}"), "0.07");
  EXPECT_EQ(Render("{{ $value | printf \"%.3f\" }}"), "0.072");
  EXPECT_EQ(Render("{{ $labels.job | printf `<%s>` }}"), "<api>");
  EXPECT_EQ(Render("{{ $value | humanize | printf \"%s!\" }}"), "72.3m!");
}

TEST(AlertTemplateTest, PrintfTakesAnyNumberOfValues) {
  EXPECT_EQ(Render("{{ printf \"%s %s\" $labels.job $labels.instance }}"), "api 10.0.0.1:80");
  EXPECT_EQ(Render("{{ printf \"%s has %.0f%% (%s)\" $labels.job 42.5 \"5m\" }}"),
            "api has 42% (5m)");
  EXPECT_EQ(Render("{{ printf \"%5.1f|%-6s|%g\" $value $labels.job 0.5 }}"), "  0.1|api   |0.5");
  EXPECT_EQ(Render("{{ printf \"%q\" $labels.instance }}"), "\"10.0.0.1:80\"");
  EXPECT_EQ(Render("{{ printf \"%s: %v\" $externalLabels.cluster $value }}"), "eu1: 0.0723");
  // The piped value comes last, as in Go.
  EXPECT_EQ(Render("{{ $value | humanize | printf \"%s=%s\" $labels.job }}"), "api=72.3m");
  EXPECT_EQ(Render("{{ printf \"100%%\" }}"), "100%");
}

TEST(AlertTemplateTest, TrimMarkersEatAdjacentWhitespace) {
  EXPECT_EQ(Render("a  \n {{- $labels.job -}} \n  b"), "aapib");
  EXPECT_EQ(Render("a {{- $labels.job }} b"), "aapi b");
  EXPECT_EQ(Render("a {{ $labels.job -}} b"), "a apib");
}

TEST(AlertTemplateTest, UnbalancedBraces) {
  EXPECT_EQ(ParseError("x {{ $value"),
            "unclosed action: \"{{\" at column 3 has no matching \"}}\"");
  EXPECT_EQ(ParseError("{{ $value {{ $value }}"),
            "unclosed action: \"{{\" at column 1 has no matching \"}}\"");
  EXPECT_EQ(ParseError("a }} b"), "unexpected \"}}\" at column 3 without a matching \"{{\"");
  EXPECT_EQ(ParseError("{{ $value }} }}"),
            "unexpected \"}}\" at column 14 without a matching \"{{\"");
  EXPECT_EQ(ParseError("{{ \"}}\""), "unclosed action: \"{{\" at column 1 has no matching \"}}\"");
}

TEST(AlertTemplateTest, UnknownFunctionsAndVariables) {
  EXPECT_EQ(ParseError("{{ $value | humanise }}"),
            "in action \"{{ $value | humanise }}\": unknown function \"humanise\"");
  EXPECT_EQ(ParseError("{{ $foo }}"), "in action \"{{ $foo }}\": undefined variable \"$foo\"");
  EXPECT_EQ(ParseError("{{ $labels }}"),
            "in action \"{{ $labels }}\": $labels needs a label name, e.g. $labels.job");
  EXPECT_EQ(ParseError("{{ $value.x }}"),
            "in action \"{{ $value.x }}\": $value is a number and has no field \"x\"");
  EXPECT_EQ(ParseError("{{ .Labels.job }}"),
            "in action \"{{ .Labels.job }}\": \".\" (the template data) is not supported; use "
            "$labels, $value or $externalLabels");
  EXPECT_EQ(ParseError("{{ 1x }}"), "in action \"{{ 1x }}\": bad number \"1x\"");
}

TEST(AlertTemplateTest, MalformedPipelines) {
  EXPECT_EQ(ParseError("{{ }}"), "in action \"{{ }}\": empty action \"{{}}\"");
  EXPECT_EQ(ParseError("{{ $value | }}"),
            "in action \"{{ $value | }}\": missing command after \"|\"");
  EXPECT_EQ(ParseError("{{ | humanize }}"),
            "in action \"{{ | humanize }}\": missing command before \"|\"");
  EXPECT_EQ(ParseError("{{ $value $value }}"),
            "in action \"{{ $value $value }}\": two values in one command without a function "
            "between them");
  EXPECT_EQ(ParseError("{{ humanize }}"),
            "in action \"{{ humanize }}\": wrong number of args for humanize: want 1 got 0");
  EXPECT_EQ(ParseError("{{ $value | humanize 3 }}"),
            "in action \"{{ $value | humanize 3 }}\": wrong number of args for humanize: want 1 "
            "got 2");
  EXPECT_EQ(ParseError("{{ $value | $value }}"),
            "in action \"{{ $value | $value }}\": a value cannot follow \"|\"; a function must");
  EXPECT_EQ(ParseError("{{ printf $value }}"),
            "in action \"{{ printf $value }}\": printf needs a quoted format string as its first "
            "argument");
  EXPECT_EQ(ParseError("{{ printf \"%.2f\" }}"),
            "in action \"{{ printf \"%.2f\" }}\": printf format \"%.2f\" has 1 verb but 0 values "
            "were given");
  EXPECT_EQ(ParseError("{{ printf \"%.2f %.2f\" $value }}"),
            "in action \"{{ printf \"%.2f %.2f\" $value }}\": printf format \"%.2f %.2f\" has 2 "
            "verbs but 1 value was given");
  EXPECT_EQ(ParseError("{{ $value | printf \"%s\" $labels.job }}"),
            "in action \"{{ $value | printf \"%s\" $labels.job }}\": printf format \"%s\" has 1 "
            "verb but 2 values were given");
  EXPECT_EQ(ParseError("{{ printf \"%x\" $value }}"),
            "in action \"{{ printf \"%x\" $value }}\": printf \"%x\": printf verb %x is not "
            "supported; use %f, %F, %e, %E, %g, %G or %v for numbers and %s, %v or %q for strings");
  EXPECT_EQ(ParseError("{{ humanize $value humanize }}"),
            "in action \"{{ humanize $value humanize }}\": unexpected \"humanize\": only the first "
            "word of a command may name a function");
  EXPECT_EQ(ParseError("{{ printf \"abc }}"),
            "unclosed action: \"{{\" at column 1 has no matching \"}}\"");
}

TEST(AlertTemplateTest, ExpandFailsOnNonNumericInput) {
  EXPECT_EQ(Render("{{ $labels.word | humanize }}"),
            "expand error: humanize: cannot convert \"abc\" to a number");
  EXPECT_EQ(Render("{{ $labels.job | printf \"%.2f\" }}"),
            "expand error: printf verb %.2f cannot format a string (value 1, \"api\")");
  EXPECT_EQ(Render("{{ printf \"%s %q\" $labels.job $value }}"),
            "expand error: printf verb %q cannot format a number (value 2, 0.0723)");
}

}  // namespace
}  // namespace vigil::rules
