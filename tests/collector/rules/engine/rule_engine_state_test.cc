#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "collector/rules/engine/alert_state_codec.h"
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

const char kRules[] = R"(groups:
  - name: g
    rules:
      - record: copy
        expr: errors
      - alert: HighErrors
        expr: errors > 0
        for: 5m
        annotations:
          summary: "{{ $labels.job }} is failing"
)";

class AlertStateTest : public ::testing::Test {
 protected:
  std::unique_ptr<RuleEngine> NewEngine(const std::string& yaml = kRules) {
    Result<std::vector<CompiledGroup>> groups = testing::CompileText(dir_, yaml);
    EXPECT_TRUE(groups.ok()) << groups.status().ToString();
    if (!groups.ok()) return nullptr;
    return std::make_unique<RuleEngine>(std::move(*groups), EngineOptions{});
  }

  void Step(RuleEngine& engine, eval::SampleStore& store, int64_t t, double v) {
    ASSERT_TRUE(store.Append(L({{"__name__", "errors"}, {"job", "a"}}), t, v).ok());
    engine.EvalGroup(0, t, store);
  }

  // An engine whose alert fired at kT0+5m (pending since kT0).
  std::unique_ptr<RuleEngine> FiringEngine(eval::SampleStore& store) {
    auto engine = NewEngine();
    for (int m = 0; m <= 5; ++m) Step(*engine, store, kT0 + m * kMin, 2);
    EXPECT_EQ(engine->Alerts().at(0).state, AlertState::kFiring);
    return engine;
  }

  testing::TempDir dir_;
};

TEST_F(AlertStateTest, RestartKeepsFiringAlertFiring) {
  eval::SampleStore before;
  auto old_engine = FiringEngine(before);
  std::string saved = old_engine->SerializeState();

  auto engine = NewEngine();
  ASSERT_TRUE(engine->RestoreState(saved).ok());
  std::vector<Alert> restored = engine->Alerts();
  ASSERT_EQ(restored.size(), 1u);
  const Alert& a = restored[0];
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.active_at_ms, kT0);
  EXPECT_EQ(a.fired_at_ms, kT0 + 5 * kMin);
  EXPECT_EQ(a.labels, old_engine->Alerts()[0].labels);
  EXPECT_EQ(a.annotations, L({{"summary", "a is failing"}}));
  EXPECT_EQ(a.value, 2);
  EXPECT_EQ(a.expr, "errors > 0");

  // The first evaluation after the restart (empty store, as after a real restart) keeps it
  // firing; it is never pending again.
  eval::SampleStore after;
  Step(*engine, after, kT0 + 7 * kMin, 2);
  EXPECT_EQ(engine->Alerts()[0].state, AlertState::kFiring);
  EXPECT_EQ(engine->Alerts()[0].fired_at_ms, kT0 + 5 * kMin);
  EXPECT_EQ(LiveAt(after, "ALERTS", kT0 + 7 * kMin),
            (M{{"ALERTS{alertname=\"HighErrors\", alertstate=\"firing\", job=\"a\"}", 1}}));
  EXPECT_EQ(LiveAt(after, "ALERTS_FOR_STATE", kT0 + 7 * kMin),
            (M{{"ALERTS_FOR_STATE{alertname=\"HighErrors\", job=\"a\"}", kT0 / 1000}}));
  // A new process has sent nothing yet.
  EXPECT_EQ(engine->TakeAlertsToSend(kT0 + 7 * kMin, std::chrono::minutes(1)).size(), 1u);
}

TEST_F(AlertStateTest, RestoredPendingAlertKeepsItsStart) {
  eval::SampleStore store;
  auto old_engine = NewEngine();
  Step(*old_engine, store, kT0, 1);
  EXPECT_EQ(old_engine->Alerts().at(0).state, AlertState::kPending);

  auto engine = NewEngine();
  ASSERT_TRUE(engine->RestoreState(old_engine->SerializeState()).ok());
  eval::SampleStore after;
  Step(*engine, after, kT0 + 4 * kMin, 1);
  EXPECT_EQ(engine->Alerts().at(0).state, AlertState::kPending);
  Step(*engine, after, kT0 + 5 * kMin, 1);  // 5m after the original active_at
  EXPECT_EQ(engine->Alerts().at(0).state, AlertState::kFiring);
}

TEST_F(AlertStateTest, SaveAndLoadFile) {
  eval::SampleStore store;
  auto old_engine = FiringEngine(store);
  const std::string path = dir_.path() + "/alerts.json";
  ASSERT_TRUE(old_engine->SaveStateFile(path).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  auto engine = NewEngine();
  ASSERT_TRUE(engine->LoadStateFile(path).ok());
  ASSERT_EQ(engine->Alerts().size(), 1u);
  EXPECT_EQ(engine->Alerts()[0].state, AlertState::kFiring);
  EXPECT_EQ(engine->SerializeState(), old_engine->SerializeState());

  // Saving again replaces the file.
  ASSERT_TRUE(NewEngine()->SaveStateFile(path).ok());
  auto empty = NewEngine();
  ASSERT_TRUE(empty->LoadStateFile(path).ok());
  EXPECT_TRUE(empty->Alerts().empty());
}

TEST_F(AlertStateTest, MissingFileRestoresNothing) {
  auto engine = NewEngine();
  EXPECT_TRUE(engine->LoadStateFile(dir_.path() + "/never-written.json").ok());
  EXPECT_TRUE(engine->Alerts().empty());
}

TEST_F(AlertStateTest, CorruptFileNamesThePath) {
  auto engine = NewEngine();
  const std::string path = dir_.Write("bad.json", "{\"version\":1,\"alerts\":[");
  Status s = engine->LoadStateFile(path);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind(path + ": alert state: not valid JSON", 0), 0u) << s.message();
}

TEST_F(AlertStateTest, UnwritableDirectoryFails) {
  auto engine = NewEngine();
  Status s = engine->SaveStateFile(dir_.path() + "/no/such/dir/alerts.json");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no/such/dir"), std::string::npos) << s.message();
}

TEST_F(AlertStateTest, CorruptDocumentsRestoreNothing) {
  eval::SampleStore store;
  std::string good = FiringEngine(store)->SerializeState();
  const std::string entry =
      R"({"group":"g","rule":"HighErrors","labels":{"alertname":"HighErrors","job":"a"},)"
      R"("state":"firing","active_at_ms":5})";
  struct Case {
    std::string doc;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"{not json", "alert state: not valid JSON"},
      {"[]", "alert state: not a JSON object"},
      {R"({"alerts":[]})", "alert state: document: missing \"version\""},
      {R"({"version":2,"alerts":[]})", "alert state: unsupported version 2 (expected 1)"},
      {R"({"version":1})", "alert state: \"alerts\" must be a list"},
      // A good entry before a bad one: still nothing is restored.
      {R"({"version":1,"alerts":[)" + entry +
           R"(,{"group":"g","rule":"HighErrors",)"
           R"("state":"firing","active_at_ms":5}]})",
       "alert state: alerts[1]: missing \"labels\""},
      {R"({"version":1,"alerts":[{"group":"g","rule":"HighErrors","labels":{"job":1},)"
       R"("state":"firing","active_at_ms":5}]})",
       "alert state: alerts[0]: \"labels\" must be an object of strings"},
      {R"({"version":1,"alerts":[{"group":"g","rule":"HighErrors","labels":{},)"
       R"("state":"exploded","active_at_ms":5}]})",
       "alert state: alerts[0]: unknown state \"exploded\""},
      {R"({"version":1,"alerts":[{"group":"g","rule":"HighErrors","labels":{},)"
       R"("state":"firing","active_at_ms":"soon"}]})",
       "alert state: alerts[0]: \"active_at_ms\" must be an integer"},
      {R"({"version":1,"alerts":[{"group":"g","rule":"HighErrors","labels":{},)"
       R"("state":"firing","active_at_ms":5,"value":"lots"}]})",
       "alert state: alerts[0]: bad \"value\" lots"},
  };
  for (const Case& c : cases) {
    auto engine = NewEngine();
    Status s = engine->RestoreState(c.doc);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.doc;
    EXPECT_EQ(s.message().rfind(c.error, 0), 0u) << s.message();
    EXPECT_TRUE(engine->Alerts().empty()) << c.doc;
  }
  // The entry alone is fine.
  auto engine = NewEngine();
  ASSERT_TRUE(engine->RestoreState(R"({"version":1,"alerts":[)" + entry + "]}").ok());
  EXPECT_EQ(engine->Alerts().size(), 1u);
}

TEST_F(AlertStateTest, EntriesOfUnknownRulesAreIgnored) {
  eval::SampleStore store;
  std::string saved = FiringEngine(store)->SerializeState();
  auto renamed = NewEngine(
      std::string(kRules).replace(std::string(kRules).find("HighErrors"), 10, "OtherAlert"));
  ASSERT_TRUE(renamed->RestoreState(saved).ok());
  EXPECT_TRUE(renamed->Alerts().empty());
}

TEST(AlertStateCodecTest, RoundTripsAwkwardStringsAndValues) {
  PersistedAlert p;
  p.group = "g \"quoted\"";
  p.rule = "R\\1";
  p.rule_index = 2;
  p.alert.labels = L({{"alertname", "R\\1"}, {"msg", "line1\nline2\t\x01 caf\xc3\xa9"}});
  p.alert.annotations = L({{"a", ""}});
  p.alert.value = -INFINITY;
  p.alert.state = AlertState::kInactive;
  p.alert.active_at_ms = -5;
  p.alert.fired_at_ms = 7;
  p.alert.resolved_at_ms = 9;
  p.alert.keep_firing_since_ms = 8;
  PersistedAlert nan = p;
  nan.alert.value = NAN;
  nan.alert.state = AlertState::kPending;

  Result<std::vector<PersistedAlert>> back = DecodeAlertState(EncodeAlertState({p, nan}));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  const PersistedAlert& q = (*back)[0];
  EXPECT_EQ(q.group, p.group);
  EXPECT_EQ(q.rule, p.rule);
  EXPECT_EQ(q.rule_index, 2);
  EXPECT_EQ(q.alert.labels, p.alert.labels);
  EXPECT_EQ(q.alert.annotations, p.alert.annotations);
  EXPECT_EQ(q.alert.value, -INFINITY);
  EXPECT_EQ(q.alert.state, AlertState::kInactive);
  EXPECT_EQ(q.alert.active_at_ms, -5);
  EXPECT_EQ(q.alert.fired_at_ms, 7);
  EXPECT_EQ(q.alert.resolved_at_ms, 9);
  EXPECT_EQ(q.alert.keep_firing_since_ms, 8);
  EXPECT_TRUE(std::isnan((*back)[1].alert.value));
  EXPECT_EQ((*back)[1].alert.state, AlertState::kPending);
}

TEST_F(AlertStateTest, ReloadInheritsAlertsAndMarksRemovedRulesStale) {
  eval::SampleStore store;
  auto old_engine = FiringEngine(store);
  auto reloaded = NewEngine(R"(groups:
  - name: g
    rules:
      - alert: HighErrors
        expr: errors > 0
        for: 5m
        annotations:
          summary: "changed"
      - record: copy_v2
        expr: errors
)");
  reloaded->InheritState(*old_engine);
  ASSERT_EQ(reloaded->Alerts().size(), 1u);
  EXPECT_EQ(reloaded->Alerts()[0].state, AlertState::kFiring);

  const int64_t t = kT0 + 6 * kMin;
  Step(*reloaded, store, t, 2);
  Alert a = reloaded->Alerts()[0];
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.active_at_ms, kT0);
  EXPECT_EQ(a.annotations, L({{"summary", "changed"}}));
  // The removed recording rule's series end with a stale marker; the new rule writes.
  EXPECT_EQ(StaleAt(store, "copy", t), std::vector<std::string>{"copy{job=\"a\"}"});
  EXPECT_EQ(LiveAt(store, "copy_v2", t), (M{{"copy_v2{job=\"a\"}", 2}}));

  // The inherited series set still produces stale markers when the alert resolves.
  Step(*reloaded, store, t + kMin, 0);
  EXPECT_EQ(StaleAt(store, "ALERTS", t + kMin),
            std::vector<std::string>{"ALERTS{alertname=\"HighErrors\", alertstate=\"firing\", "
                                     "job=\"a\"}"});
}

TEST_F(AlertStateTest, RenamedGroupInheritsNothing) {
  eval::SampleStore store;
  auto old_engine = FiringEngine(store);
  std::string yaml = kRules;
  yaml.replace(yaml.find("name: g"), 7, "name: h");
  auto reloaded = NewEngine(yaml);
  reloaded->InheritState(*old_engine);
  EXPECT_TRUE(reloaded->Alerts().empty());
}

}  // namespace
}  // namespace vigil::rules
