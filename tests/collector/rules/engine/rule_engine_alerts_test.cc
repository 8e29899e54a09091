#include <gtest/gtest.h>

#include "collector/rules/engine/rule_engine.h"
#include "tests/collector/rules/engine/engine_test_util.h"

namespace vigil::rules {
namespace {

using testing::L;
using testing::LiveAt;
using testing::StaleAt;
using M = std::map<std::string, double>;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kMin = testing::kMinute;

// One alerting rule over `errors{job}`; each Step writes the jobs' values and evaluates.
class AlertTimeline : public ::testing::Test {
 protected:
  void Load(const std::string& rule_yaml, EngineOptions options = {},
            const std::string& group_extra = "") {
    testing::TempDir dir;
    Result<std::vector<CompiledGroup>> groups = testing::CompileText(
        dir, "groups:\n  - name: g\n" + group_extra + "    rules:\n" + rule_yaml);
    ASSERT_TRUE(groups.ok()) << groups.status().ToString();
    engine_ = std::make_unique<RuleEngine>(std::move(*groups), std::move(options));
  }

  GroupEvalResult Step(int64_t t, const std::map<std::string, double>& values) {
    for (const auto& [job, v] : values) {
      EXPECT_TRUE(store_.Append(L({{"__name__", "errors"}, {"job", job}}), t, v).ok());
    }
    return engine_->EvalGroup(0, t, store_);
  }

  // The only alert; fails the test when there is not exactly one.
  Alert Only() {
    std::vector<Alert> alerts = engine_->Alerts();
    EXPECT_EQ(alerts.size(), 1u);
    return alerts.empty() ? Alert{} : alerts[0];
  }

  std::unique_ptr<RuleEngine> engine_;
  eval::SampleStore store_;
};

const char kPendingSeries[] =
    "ALERTS{alertname=\"HighErrors\", alertstate=\"pending\", job=\"a\", "
    "severity=\"page\"}";
const char kFiringSeries[] =
    "ALERTS{alertname=\"HighErrors\", alertstate=\"firing\", job=\"a\", "
    "severity=\"page\"}";
const char kForStateSeries[] =
    "ALERTS_FOR_STATE{alertname=\"HighErrors\", job=\"a\", "
    "severity=\"page\"}";

TEST_F(AlertTimeline, PendingFiringResolvedAndRetention) {
  EngineOptions options;
  options.resolved_retention = std::chrono::minutes(5);
  Load(R"(      - alert: HighErrors
        expr: errors > 0
        for: 2m
        labels:
          severity: page
)",
       options);

  Step(kT0, {{"a", 1}});
  Alert a = Only();
  EXPECT_EQ(a.state, AlertState::kPending);
  EXPECT_EQ(a.active_at_ms, kT0);
  EXPECT_EQ(a.fired_at_ms, 0);
  EXPECT_EQ(a.group, "g");
  EXPECT_EQ(a.alertname, "HighErrors");
  EXPECT_EQ(a.expr, "errors > 0");
  EXPECT_EQ(a.labels, L({{"alertname", "HighErrors"}, {"job", "a"}, {"severity", "page"}}));
  EXPECT_EQ(LiveAt(store_, "ALERTS", kT0), (M{{kPendingSeries, 1}}));
  EXPECT_EQ(LiveAt(store_, "ALERTS_FOR_STATE", kT0), (M{{kForStateSeries, kT0 / 1000}}));

  Step(kT0 + kMin, {{"a", 3}});
  EXPECT_EQ(Only().state, AlertState::kPending);
  EXPECT_EQ(Only().value, 3);

  GroupEvalResult r = Step(kT0 + 2 * kMin, {{"a", 1}});
  a = Only();
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.active_at_ms, kT0);
  EXPECT_EQ(a.fired_at_ms, kT0 + 2 * kMin);
  EXPECT_EQ(LiveAt(store_, "ALERTS", kT0 + 2 * kMin), (M{{kFiringSeries, 1}}));
  EXPECT_EQ(StaleAt(store_, "ALERTS", kT0 + 2 * kMin), std::vector<std::string>{kPendingSeries});
  EXPECT_EQ(LiveAt(store_, "ALERTS_FOR_STATE", kT0 + 2 * kMin), (M{{kForStateSeries, kT0 / 1000}}));
  EXPECT_EQ(r.samples_written, 3u);  // firing ALERTS, ALERTS_FOR_STATE, pending stale marker

  Step(kT0 + 3 * kMin, {{"a", 0}});
  a = Only();
  EXPECT_EQ(a.state, AlertState::kInactive);
  EXPECT_EQ(a.resolved_at_ms, kT0 + 3 * kMin);
  EXPECT_EQ(a.fired_at_ms, kT0 + 2 * kMin);
  EXPECT_TRUE(LiveAt(store_, "ALERTS", kT0 + 3 * kMin).empty());
  EXPECT_EQ(StaleAt(store_, "ALERTS", kT0 + 3 * kMin), std::vector<std::string>{kFiringSeries});
  EXPECT_EQ(StaleAt(store_, "ALERTS_FOR_STATE", kT0 + 3 * kMin),
            std::vector<std::string>{kForStateSeries});

  // Kept while resolved_at is within the retention (inclusive), dropped after.
  for (int m = 4; m <= 8; ++m) Step(kT0 + m * kMin, {{"a", 0}});
  EXPECT_EQ(Only().state, AlertState::kInactive);
  Step(kT0 + 9 * kMin, {{"a", 0}});
  EXPECT_TRUE(engine_->Alerts().empty());
}

TEST_F(AlertTimeline, PendingAlertThatVanishesIsDropped) {
  Load(
      "      - alert: HighErrors\n        expr: errors > 0\n        for: 5m\n"
      "        labels:\n          severity: page\n");
  Step(kT0, {{"a", 1}});
  EXPECT_EQ(Only().state, AlertState::kPending);
  Step(kT0 + kMin, {{"a", 0}});
  EXPECT_TRUE(engine_->Alerts().empty());
  EXPECT_EQ(StaleAt(store_, "ALERTS", kT0 + kMin), std::vector<std::string>{kPendingSeries});
  // Coming back starts the wait again.
  Step(kT0 + 2 * kMin, {{"a", 1}});
  EXPECT_EQ(Only().active_at_ms, kT0 + 2 * kMin);
}

TEST_F(AlertTimeline, ForZeroFiresOnFirstEvaluation) {
  Load("      - alert: HighErrors\n        expr: errors > 0\n");
  Step(kT0, {{"a", 1}});
  Alert a = Only();
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.active_at_ms, kT0);
  EXPECT_EQ(a.fired_at_ms, kT0);
  EXPECT_EQ(LiveAt(store_, "ALERTS", kT0),
            (M{{"ALERTS{alertname=\"HighErrors\", alertstate=\"firing\", job=\"a\"}", 1}}));
}

TEST_F(AlertTimeline, ResolvedAlertThatReturnsStartsPendingAgain) {
  Load("      - alert: HighErrors\n        expr: errors > 0\n        for: 1m\n");
  Step(kT0, {{"a", 1}});
  Step(kT0 + kMin, {{"a", 1}});
  EXPECT_EQ(Only().state, AlertState::kFiring);
  Step(kT0 + 2 * kMin, {{"a", 0}});
  EXPECT_EQ(Only().state, AlertState::kInactive);
  Step(kT0 + 3 * kMin, {{"a", 1}});
  Alert a = Only();
  EXPECT_EQ(a.state, AlertState::kPending);
  EXPECT_EQ(a.active_at_ms, kT0 + 3 * kMin);
  EXPECT_EQ(a.resolved_at_ms, 0);
}

TEST_F(AlertTimeline, KeepFiringForHoldsAndExpires) {
  Load("      - alert: HighErrors\n        expr: errors > 0\n        keep_firing_for: 2m\n");
  Step(kT0, {{"a", 1}});
  EXPECT_EQ(Only().state, AlertState::kFiring);
  const std::string firing = "ALERTS{alertname=\"HighErrors\", alertstate=\"firing\", job=\"a\"}";

  Step(kT0 + kMin, {{"a", 0}});
  Alert a = Only();
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.keep_firing_since_ms, kT0 + kMin);
  EXPECT_EQ(LiveAt(store_, "ALERTS", kT0 + kMin), (M{{firing, 1}}));

  // Back in the result: the hold is reset.
  Step(kT0 + 2 * kMin, {{"a", 1}});
  EXPECT_EQ(Only().keep_firing_since_ms, 0);

  Step(kT0 + 3 * kMin, {{"a", 0}});
  EXPECT_EQ(Only().keep_firing_since_ms, kT0 + 3 * kMin);
  Step(kT0 + 4 * kMin, {{"a", 0}});
  EXPECT_EQ(Only().state, AlertState::kFiring);  // 1m < 2m
  Step(kT0 + 5 * kMin, {{"a", 0}});              // 2m: the hold is over
  a = Only();
  EXPECT_EQ(a.state, AlertState::kInactive);
  EXPECT_EQ(a.resolved_at_ms, kT0 + 5 * kMin);
  EXPECT_EQ(a.fired_at_ms, kT0);
  EXPECT_EQ(StaleAt(store_, "ALERTS", kT0 + 5 * kMin), std::vector<std::string>{firing});
}

TEST_F(AlertTimeline, TemplatesInLabelsAndAnnotations) {
  EngineOptions options;
  options.external_labels = L({{"cluster", "eu1"}});
  Load(R"(      - alert: Ratio
        expr: errors / 4
        labels:
          where: "{{ $externalLabels.cluster }}/{{ $labels.job }}"
          team: "{{ $labels.team }}"
        annotations:
          summary: "{{ $labels.job }} at {{ $value | humanizePercentage }}"
          broken: "{{ $labels.job | humanize }}"
)",
       options);
  Step(kT0, {{"api", 1}});
  Alert a = Only();
  // "team" expands to "" and is dropped from the alert; __name__ never reaches an alert.
  EXPECT_EQ(a.labels, L({{"alertname", "Ratio"}, {"job", "api"}, {"where", "eu1/api"}}));
  ASSERT_EQ(a.annotations.size(), 2u);
  EXPECT_EQ(a.annotations[0].first, "broken");
  EXPECT_EQ(a.annotations[0].second.rfind("<error expanding template: ", 0), 0u)
      << a.annotations[0].second;
  EXPECT_EQ(a.annotations[1], (std::pair<std::string, std::string>{"summary", "api at 25%"}));
  EXPECT_EQ(a.value, 0.25);
  // As in Prometheus, ALERTS starts from the unexpanded rule labels, so the dropped label shows
  // its template text there.
  EXPECT_EQ(LiveAt(store_, "ALERTS", kT0),
            (M{{"ALERTS{alertname=\"Ratio\", alertstate=\"firing\", job=\"api\", team=\"{{ "
                "$labels.team }}\", where=\"eu1/api\"}",
                1}}));
}

TEST_F(AlertTimeline, ClashingAlertLabelsFail) {
  Load(
      "      - alert: HighErrors\n        expr: errors > 0\n"
      "        labels:\n          job: any\n");
  GroupEvalResult r = Step(kT0, {{"a", 1}, {"b", 1}});
  EXPECT_EQ(r.rules_failed, 1u);
  EXPECT_EQ(r.samples_written, 0u);
  EXPECT_EQ(engine_->Health()[0].last_error,
            "vector contains metrics with the same labelset after applying alert labels");
  EXPECT_TRUE(engine_->Alerts().empty());
}

TEST_F(AlertTimeline, LimitClearsAlertsAndFails) {
  Load("      - alert: HighErrors\n        expr: errors > 0\n", {}, "    limit: 1\n");
  Step(kT0, {{"a", 1}});
  EXPECT_EQ(Only().state, AlertState::kFiring);
  GroupEvalResult r = Step(kT0 + kMin, {{"a", 1}, {"b", 1}});
  EXPECT_EQ(r.rules_failed, 1u);
  EXPECT_EQ(engine_->Health()[0].last_error, "exceeded limit of 1 with 2 alerts");
  EXPECT_TRUE(engine_->Alerts().empty());
  EXPECT_TRUE(testing::At(store_, "ALERTS", kT0 + kMin).empty());
  // Back under the limit: the alert starts over (and fires at once, for: 0).
  EXPECT_TRUE(
      store_.Append(L({{"__name__", "errors"}, {"job", "b"}}), kT0 + 2 * kMin, eval::StaleNaN())
          .ok());
  r = Step(kT0 + 2 * kMin, {{"a", 1}});
  EXPECT_EQ(r.rules_failed, 0u);
  EXPECT_EQ(Only().active_at_ms, kT0 + 2 * kMin);
}

TEST_F(AlertTimeline, TakeAlertsToSendResendsAndReportsResolution) {
  EngineOptions options;
  options.resolved_retention = std::chrono::minutes(5);
  Load("      - alert: HighErrors\n        expr: errors > 0\n        for: 1m\n", options);
  const auto delay = std::chrono::minutes(1);
  Step(kT0, {{"a", 1}});
  EXPECT_TRUE(engine_->TakeAlertsToSend(kT0, delay).empty());  // pending is never sent
  Step(kT0 + kMin, {{"a", 1}});

  const int64_t t = kT0 + kMin;
  std::vector<Alert> sent = engine_->TakeAlertsToSend(t, delay);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].state, AlertState::kFiring);
  EXPECT_EQ(sent[0].last_sent_ms, t);
  EXPECT_TRUE(engine_->TakeAlertsToSend(t + 30000, delay).empty());
  EXPECT_TRUE(engine_->TakeAlertsToSend(t + 60000, delay).empty());  // strictly after the delay
  EXPECT_EQ(engine_->TakeAlertsToSend(t + 60001, delay).size(), 1u);

  // Last sent at kT0+2m+1ms; resolved at kT0+3m, before the resend delay has passed: a
  // resolution since the last send goes out at once.
  Step(kT0 + 2 * kMin, {{"a", 1}});
  Step(kT0 + 3 * kMin, {{"a", 0}});
  sent = engine_->TakeAlertsToSend(kT0 + 3 * kMin, delay);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].state, AlertState::kInactive);
  EXPECT_EQ(sent[0].resolved_at_ms, kT0 + 3 * kMin);
  EXPECT_TRUE(engine_->TakeAlertsToSend(kT0 + 3 * kMin + 30000, delay).empty());
  EXPECT_EQ(engine_->TakeAlertsToSend(kT0 + 4 * kMin + 1, delay).size(), 1u);
  // Past the retention nothing more is sent.
  EXPECT_TRUE(engine_->TakeAlertsToSend(kT0 + 8 * kMin + 1, delay).empty());
}

TEST(RuleEngineAlertsTest, AlertsAreSortedAcrossGroups) {
  testing::TempDir dir;
  Result<std::vector<CompiledGroup>> groups = testing::CompileText(dir, R"(groups:
  - name: b
    rules:
      - alert: Zeta
        expr: errors > 0
  - name: a
    rules:
      - alert: Beta
        expr: errors > 0
      - alert: Alpha
        expr: errors > 0
)");
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  RuleEngine engine(std::move(*groups), {});
  eval::SampleStore store;
  for (const char* job : {"y", "x"}) {
    ASSERT_TRUE(store.Append(L({{"__name__", "errors"}, {"job", job}}), kT0, 1).ok());
  }
  engine.EvalGroup(0, kT0, store);
  engine.EvalGroup(1, kT0, store);
  std::vector<std::string> order;
  for (const Alert& a : engine.Alerts()) {
    order.push_back(a.group + "/" + a.alertname + "/" +
                    std::string(eval::LabelValue(a.labels, "job")));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a/Alpha/x", "a/Alpha/y", "a/Beta/x", "a/Beta/y",
                                             "b/Zeta/x", "b/Zeta/y"}));
  EXPECT_EQ(AlertStateName(AlertState::kFiring), "firing");
  EXPECT_EQ(AlertStateName(AlertState::kPending), "pending");
  EXPECT_EQ(AlertStateName(AlertState::kInactive), "inactive");
}

}  // namespace
}  // namespace vigil::rules
