// RuleService over a real SeriesStore and rule files on disk: recording results and ALERTS on
// the page, alerts handed to the sink with Alertmanager's times, reloads that keep state or are
// refused, and alert state that survives a restart through the state file.
#include "collector/rules/service/rule_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace vigil::rules {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1'700'000'000'000;  // a multiple of 10 s
constexpr int64_t kStep = 10'000;

constexpr const char* kRules = R"(groups:
  - name: red
    interval: 10s
    rules:
      - record: service:queue_depth:max
        expr: max by (service) (queue_depth)
      - alert: Deep
        expr: service:queue_depth:max > 15
        for: 20s
        labels: {severity: page}
        annotations: {summary: "{{ $labels.service }} holds {{ $value }}"}
)";

// A rate needs two samples: right after a restart it has none to give.
constexpr const char* kRateRules = R"(groups:
  - name: red
    interval: 10s
    rules:
      - alert: Errors
        expr: rate(errors_total[1m]) > 0
)";

class RuleServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil-rule-service-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Write("rules.yaml", kRules);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }

  RuleServiceOptions Options(bool with_state = false) {
    RuleServiceOptions o;
    o.files = {(dir_ / "rules.yaml").string()};
    o.evaluation_interval = std::chrono::seconds(10);
    o.external_labels = {{"cluster", "test"}};
    if (with_state) o.state_file = (dir_ / "state.json").string();
    return o;
  }

  std::unique_ptr<RuleService> Make(aggregate::SeriesStore& store, RuleServiceOptions o) {
    auto s = RuleService::Create(store, exporters::PrometheusOptions{}, std::move(o),
                                 [this](std::vector<OutgoingAlert> a) {
                                   for (auto& x : a) sent_.push_back(std::move(x));
                                 });
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Sets the gauge, then evaluates at step k.
  void Step(aggregate::SeriesStore& store, RuleService& rules, int k, double depth) {
    ASSERT_TRUE(store.SetGauge({"queue_depth", "depth"}, {{"service", "a"}}, depth).ok());
    rules.EvaluateAt(kT0 + k * kStep);
  }
  // Adds errors, then evaluates at step k.
  void ErrorStep(aggregate::SeriesStore& store, RuleService& rules, int k) {
    ASSERT_TRUE(store.AddCounter({"errors_total", "errors"}, {{"service", "a"}}, 10).ok());
    rules.EvaluateAt(kT0 + k * kStep);
  }

  static const Alert* Find(const std::vector<Alert>& alerts, std::string_view name) {
    for (const Alert& a : alerts) {
      if (a.alertname == name) return &a;
    }
    return nullptr;
  }

  fs::path dir_;
  std::vector<OutgoingAlert> sent_;
};

TEST_F(RuleServiceTest, PendingThenFiringThenResolvedWithAlertmanagerTimes) {
  aggregate::SeriesStore store;
  auto rules = Make(store, Options());
  ASSERT_NE(rules, nullptr);
  Step(store, *rules, 0, 10);  // below the threshold
  EXPECT_TRUE(rules->Alerts().empty());
  Step(store, *rules, 1, 20);  // above: pending
  ASSERT_EQ(rules->Alerts().size(), 1u);
  EXPECT_EQ(rules->Alerts()[0].state, AlertState::kPending);
  const std::string page = rules->RenderRuleSeries();
  EXPECT_NE(page.find("service:queue_depth:max{service=\"a\"} 20"), std::string::npos) << page;
  EXPECT_NE(page.find("ALERTS{alertname=\"Deep\",alertstate=\"pending\",service=\"a\","
                      "severity=\"page\"} 1"),
            std::string::npos)
      << page;
  EXPECT_TRUE(sent_.empty());  // pending alerts are not sent

  Step(store, *rules, 2, 30);
  Step(store, *rules, 3, 40);  // 20 s pending: firing
  ASSERT_EQ(sent_.size(), 1u);
  const OutgoingAlert& f = sent_[0];
  EXPECT_EQ(f.alert.state, AlertState::kFiring);
  EXPECT_EQ(f.starts_at_ms, kT0 + 3 * kStep);
  EXPECT_EQ(f.ends_at_ms, kT0 + 3 * kStep + 4 * 60'000);  // 4 x resend_delay
  EXPECT_EQ(eval::LabelValue(f.alert.annotations, "summary"), "a holds 40");
  EXPECT_NE(rules->RenderRuleSeries().find("alertstate=\"firing\""), std::string::npos);

  Step(store, *rules, 4, 0);  // drained: resolved
  ASSERT_EQ(sent_.size(), 2u);
  const OutgoingAlert& r = sent_.back();
  EXPECT_EQ(r.alert.state, AlertState::kInactive);
  EXPECT_EQ(r.alert.resolved_at_ms, kT0 + 4 * kStep);
  EXPECT_EQ(r.ends_at_ms, r.alert.resolved_at_ms);
  EXPECT_EQ(r.starts_at_ms, kT0 + 3 * kStep);
  EXPECT_GE(rules->stats().evaluations.load(), 5u);
  EXPECT_EQ(rules->stats().rule_failures.load(), 0u);
}

TEST_F(RuleServiceTest, BadReloadKeepsRulesGoodReloadKeepsAlertState) {
  aggregate::SeriesStore store;
  auto rules = Make(store, Options());
  ASSERT_NE(rules, nullptr);
  for (int k = 0; k < 4; ++k) Step(store, *rules, k, 20);
  const std::vector<Alert> alerts_before = rules->Alerts();
  const Alert* before = Find(alerts_before, "Deep");
  ASSERT_NE(before, nullptr);
  ASSERT_EQ(before->state, AlertState::kFiring);
  const int64_t active_at = before->active_at_ms;

  Write("rules.yaml", "groups:\n  - name: red\n    rules:\n      - alert: X\n        expr: rate(\n");
  Status st = rules->Reload(Options());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("rules.yaml:5:"), std::string::npos) << st.message();
  EXPECT_EQ(rules->rule_count(), 2u);
  Step(store, *rules, 4, 20);
  const std::vector<Alert> alerts_kept = rules->Alerts();
  ASSERT_NE(Find(alerts_kept, "Deep"), nullptr);
  EXPECT_EQ(Find(alerts_kept, "Deep")->state, AlertState::kFiring);

  Write("rules.yaml", std::string(kRules) +
                          "      - record: total:depth\n        expr: sum(queue_depth) * 3\n");
  ASSERT_TRUE(rules->Reload(Options()).ok());
  EXPECT_EQ(rules->rule_count(), 3u);
  Step(store, *rules, 5, 20);
  const std::vector<Alert> alerts_after = rules->Alerts();
  const Alert* after = Find(alerts_after, "Deep");
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(after->state, AlertState::kFiring);
  EXPECT_EQ(after->active_at_ms, active_at);
  EXPECT_NE(rules->RenderRuleSeries().find("total:depth 60"), std::string::npos)
      << rules->RenderRuleSeries();
  EXPECT_EQ(rules->stats().reload_failures.load(), 1u);
}

TEST_F(RuleServiceTest, RestartKeepsAFiringAlertFiring) {
  Write("rules.yaml", kRateRules);
  int64_t fired_at = 0;
  {
    aggregate::SeriesStore store;
    auto rules = Make(store, Options(/*with_state=*/true));
    ASSERT_NE(rules, nullptr);
    for (int k = 0; k < 3; ++k) ErrorStep(store, *rules, k);
    ASSERT_EQ(rules->Alerts().at(0).state, AlertState::kFiring);
    fired_at = rules->Alerts()[0].fired_at_ms;
  }  // destroyed: state saved
  ASSERT_TRUE(fs::exists(dir_ / "state.json"));

  // A new process: the series store starts empty, so the first evaluation has no rate yet.
  aggregate::SeriesStore store;
  auto rules = Make(store, Options(/*with_state=*/true));
  ASSERT_NE(rules, nullptr);
  rules->RestoreState();
  sent_.clear();
  ErrorStep(store, *rules, 10);  // one sample: no rate, but the restored alert holds
  ASSERT_EQ(rules->Alerts().size(), 1u);
  EXPECT_EQ(rules->Alerts()[0].state, AlertState::kFiring);
  ErrorStep(store, *rules, 11);
  ASSERT_EQ(rules->Alerts().size(), 1u);
  EXPECT_EQ(rules->Alerts()[0].state, AlertState::kFiring);
  EXPECT_EQ(rules->Alerts()[0].fired_at_ms, fired_at);
  for (const OutgoingAlert& a : sent_) EXPECT_EQ(a.alert.state, AlertState::kFiring);
}

TEST_F(RuleServiceTest, CreateFailsWithFilePositionAndGlobsExpand) {
  Write("broken.rules.yaml", "groups:\n  - name: g\n    rules:\n      - record: x\n        expr: nosuchfn(y)\n");
  aggregate::SeriesStore store;
  RuleServiceOptions o = Options();
  o.files = {(dir_ / "*.rules.yaml").string()};
  auto s = RuleService::Create(store, {}, o, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("broken.rules.yaml:5:"), std::string::npos)
      << s.status().message();
  EXPECT_NE(s.status().message().find("nosuchfn"), std::string::npos) << s.status().message();

  Result<std::vector<std::string>> none = ExpandRuleFileGlobs({(dir_ / "*.nothing").string()});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

}  // namespace
}  // namespace vigil::rules
