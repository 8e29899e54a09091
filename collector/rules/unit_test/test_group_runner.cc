#include "collector/rules/unit_test/test_group_runner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/eval/evaluator.h"
#include "collector/rules/eval/sample_store.h"
#include "collector/rules/promql/duration.h"
#include "collector/rules/promql/parser.h"
#include "collector/rules/unit_test/report_format.h"
#include "core/text/quote.h"

namespace vigil::rules {
namespace {

// Input samples handed to the store step by step, as promtool's lazy loader does: a recording
// rule writing into an input series then interleaves with it in time order.
class InputFeeder {
 public:
  InputFeeder(const std::vector<TestInputSeries>& inputs, std::chrono::milliseconds interval) {
    // A series given twice keeps its last definition (promtool's load command does the same).
    std::map<eval::Labels, std::vector<eval::FloatPoint>> by_labels;
    for (const TestInputSeries& s : inputs) {
      std::vector<eval::FloatPoint>& points = by_labels[s.labels];
      points.clear();
      for (size_t i = 0; i < s.values.size(); ++i) {
        if (s.values[i])
          points.push_back({static_cast<int64_t>(i) * interval.count(), *s.values[i]});
      }
    }
    for (auto& [labels, points] : by_labels) series_.push_back({labels, std::move(points), 0});
  }

  // Appends every sample at or before t_ms not yet appended; errors as promtool reports them.
  void AppendUntil(int64_t t_ms, eval::SampleStore& store, std::vector<std::string>& errs) {
    for (Pending& s : series_) {
      for (; s.next < s.points.size() && s.points[s.next].t_ms <= t_ms; ++s.next) {
        const eval::FloatPoint& p = s.points[s.next];
        Status st = store.Append(s.labels, p.t_ms, p.v);
        if (!st.ok()) {
          errs.push_back("    series: " + GoLabelsString(s.labels) +
                         ", time: " + GoDurationString(p.t_ms) + ", err: " + st.message());
        }
      }
    }
  }

 private:
  struct Pending {
    eval::Labels labels;
    std::vector<eval::FloatPoint> points;
    size_t next = 0;
  };
  std::vector<Pending> series_;
};

// Groups named in group_eval_order run in that order; promtool ranks the others like the
// first named one, and a stable sort keeps them in file order among themselves.
void OrderGroups(std::vector<CompiledGroup>& groups, const std::vector<std::string>& order) {
  auto rank = [&](const CompiledGroup& g) {
    auto it = std::find(order.begin(), order.end(), g.name);
    return it == order.end() ? 0 : it - order.begin();
  };
  std::stable_sort(
      groups.begin(), groups.end(),
      [&](const CompiledGroup& a, const CompiledGroup& b) { return rank(a) < rank(b); });
}

std::string TestNamePrefix(const TestGroup& group) {
  return group.name.empty() ? "" : "    name: " + group.name + ",\n";
}

void CheckAlerts(const TestGroup& group, const AlertTestCase& c, const RuleEngine& engine,
                 std::vector<std::string>& errs) {
  std::vector<LabelsAndAnnotations> got;
  for (const Alert& a : engine.Alerts()) {
    if (a.state == AlertState::kFiring && a.alertname == c.alertname) {
      got.push_back({a.labels, a.annotations});
    }
  }
  std::vector<LabelsAndAnnotations> exp;
  for (const ExpectedAlert& e : c.exp_alerts) {
    // The test gives the rule's labels; the alertname label comes from the engine.
    LabelsAndAnnotations x{e.labels, e.annotations};
    eval::SetLabel(x.labels, "alertname", c.alertname);
    exp.push_back(std::move(x));
  }
  std::sort(got.begin(), got.end());
  std::sort(exp.begin(), exp.end());
  if (got == exp) return;
  const std::string indent(12, ' ');
  errs.push_back(TestNamePrefix(group) + "    alertname: " + c.alertname +
                 ", time: " + promql::FormatDuration(c.eval_time) +
                 ", \n        exp:" + IndentLines(AlertListString(exp), indent) +
                 ", \n        got:" + IndentLines(AlertListString(got), indent));
}

struct ParsedSample {
  eval::Labels labels;
  double value = 0;
};

std::string SamplesString(const std::vector<ParsedSample>& samples) {
  if (samples.empty()) return "nil";
  std::string out;
  for (const ParsedSample& s : samples) {
    if (!out.empty()) out += ", ";
    out += GoLabelsString(s.labels) + " " + GoFloatE(s.value);
  }
  return out;
}

void CheckExpr(const PromqlTestCase& c, const eval::SampleStore& store,
               std::vector<std::string>& errs) {
  std::string head =
      "    expr: " + text::GoQuoted(c.expr) + ", time: " + promql::FormatDuration(c.eval_time);
  auto fail = [&](const std::string& what) { errs.push_back(head + ", err: " + what); };
  Result<promql::ExprPtr> expr = promql::ParseExpr(c.expr);
  if (!expr.ok()) return fail(expr.status().message());
  Result<eval::Value> value = eval::Evaluate(**expr, c.eval_time.count(), store);
  if (!value.ok()) return fail(value.status().message());

  std::vector<ParsedSample> got;
  if (const auto* vec = std::get_if<eval::Vector>(&*value)) {
    for (const eval::Sample& s : *vec) got.push_back({s.labels, s.v});
  } else if (const auto* scalar = std::get_if<eval::Scalar>(&*value)) {
    got.push_back({{}, scalar->v});
  } else {
    return fail("rule result is not a vector or scalar");
  }

  std::vector<ParsedSample> exp;
  for (const ExpectedSample& e : c.exp_samples) {
    size_t offset = 0;
    Result<eval::Labels> labels = ParseMetricNotation(e.labels, &offset);
    if (!labels.ok()) {
      SourcePosition at = e.labels_pos;
      at.column += static_cast<int>(offset);
      return fail("labels " + text::GoQuoted(e.labels) + ": " + at.ToString() + ": " +
                  labels.status().message());
    }
    exp.push_back({std::move(*labels), e.value});
  }

  auto by_labels = [](const ParsedSample& a, const ParsedSample& b) { return a.labels < b.labels; };
  std::sort(got.begin(), got.end(), by_labels);
  std::sort(exp.begin(), exp.end(), by_labels);
  bool same = got.size() == exp.size();
  for (size_t i = 0; same && i < got.size(); ++i) {
    same = got[i].labels == exp[i].labels && TestValuesMatch(exp[i].value, got[i].value);
  }
  if (!same) {
    errs.push_back(head + ",\n        exp: " + SamplesString(exp) +
                   "\n        got: " + SamplesString(got));
  }
}

}  // namespace

bool TestValuesMatch(double expected, double got) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  return expected == got || std::nextafter(expected, -kInf) == got ||
         std::nextafter(expected, kInf) == got;
}

std::vector<std::string> RunTestGroup(const RuleTestFile& file, const TestGroup& group) {
  Result<std::vector<CompiledGroup>> compiled =
      LoadAndCompileRules(file.rule_files, group.interval);
  if (!compiled.ok()) return {compiled.status().message()};
  OrderGroups(*compiled, file.group_eval_order);
  EngineOptions options;
  options.external_labels = group.external_labels;
  RuleEngine engine(std::move(*compiled), options);
  eval::SampleStore store;
  InputFeeder feeder(group.input_series, group.interval);

  int64_t max_eval_ms = 0;
  for (const AlertTestCase& c : group.alert_tests)
    max_eval_ms = std::max(max_eval_ms, c.eval_time.count());
  for (const PromqlTestCase& c : group.promql_tests)
    max_eval_ms = std::max(max_eval_ms, c.eval_time.count());
  // Alert cases by eval time, file order kept within one time.
  std::vector<const AlertTestCase*> alert_cases;
  for (const AlertTestCase& c : group.alert_tests) alert_cases.push_back(&c);
  std::stable_sort(
      alert_cases.begin(), alert_cases.end(),
      [](const AlertTestCase* a, const AlertTestCase* b) { return a->eval_time < b->eval_time; });

  std::vector<std::string> errs;
  const int64_t step = file.evaluation_interval.count();
  size_t next_alert = 0;
  for (int64_t ts = 0; ts <= max_eval_ms; ts += step) {
    feeder.AppendUntil(ts, store, errs);
    std::vector<std::string> eval_errs;
    for (size_t g = 0; g < engine.groups().size(); ++g) {
      GroupEvalResult r = engine.EvalGroup(g, ts, store);
      if (r.rules_failed == 0) continue;
      for (const RuleHealth& h : engine.Health()) {
        if (!h.ok && h.group == engine.groups()[g].name) {
          eval_errs.push_back("    rule: " + h.name + ", time: " + GoDurationString(ts) +
                              ", err: " + h.last_error);
        }
      }
    }
    // A rule that cannot be evaluated ends the group: later comparisons would only mislead.
    if (!eval_errs.empty()) {
      errs.insert(errs.end(), eval_errs.begin(), eval_errs.end());
      return errs;
    }
    // An eval_time between two steps is checked against the earlier step, as in promtool.
    while (next_alert < alert_cases.size() && alert_cases[next_alert]->eval_time.count() >= ts &&
           alert_cases[next_alert]->eval_time.count() < ts + step) {
      CheckAlerts(group, *alert_cases[next_alert], engine, errs);
      ++next_alert;
    }
  }
  for (const PromqlTestCase& c : group.promql_tests) CheckExpr(c, store, errs);
  return errs;
}

}  // namespace vigil::rules
