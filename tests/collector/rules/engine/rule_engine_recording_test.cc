#include <gtest/gtest.h>

#include "collector/rules/engine/rule_engine.h"
#include "tests/collector/rules/engine/engine_test_util.h"

namespace vigil::rules {
namespace {

using testing::L;
using testing::LiveAt;
using testing::StaleAt;
using testing::TempDir;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kMin = testing::kMinute;

std::unique_ptr<RuleEngine> Engine(const std::string& yaml) {
  TempDir dir;
  Result<std::vector<CompiledGroup>> groups = testing::CompileText(dir, yaml);
  EXPECT_TRUE(groups.ok()) << groups.status().ToString();
  if (!groups.ok()) return nullptr;
  return std::make_unique<RuleEngine>(std::move(*groups), EngineOptions{});
}

void Put(eval::SampleStore& store, const std::string& job, int64_t t, double v,
         const std::string& instance = "1") {
  ASSERT_TRUE(
      store.Append(L({{"__name__", "errors"}, {"job", job}, {"instance", instance}}), t, v).ok());
}

TEST(RuleEngineRecordingTest, LaterRulesSeeEarlierResultsAtTheSameTime) {
  auto engine = Engine(R"(groups:
  - name: rec
    rules:
      - record: job:errors:sum
        expr: sum by (job) (errors)
        labels:
          team: core
      - record: job:errors:doubled
        expr: job:errors:sum * 2
      - record: answer
        expr: "42"
)");
  ASSERT_NE(engine, nullptr);
  eval::SampleStore store;
  Put(store, "a", kT0, 1, "1");
  Put(store, "a", kT0, 2, "2");
  Put(store, "b", kT0, 5, "1");

  GroupEvalResult r = engine->EvalGroup(0, kT0, store);
  EXPECT_EQ(r.rules_failed, 0u);
  EXPECT_EQ(r.samples_written, 5u);
  using M = std::map<std::string, double>;
  EXPECT_EQ(LiveAt(store, "job:errors:sum", kT0),
            (M{{"job:errors:sum{job=\"a\", team=\"core\"}", 3},
               {"job:errors:sum{job=\"b\", team=\"core\"}", 5}}));
  EXPECT_EQ(LiveAt(store, "job:errors:doubled", kT0),
            (M{{"job:errors:doubled{job=\"a\", team=\"core\"}", 6},
               {"job:errors:doubled{job=\"b\", team=\"core\"}", 10}}));
  EXPECT_EQ(LiveAt(store, "answer", kT0), (M{{"answer", 42}}));  // a scalar: no labels

  std::vector<RuleHealth> health = engine->Health();
  ASSERT_EQ(health.size(), 3u);
  EXPECT_EQ(health[0].name, "job:errors:sum");
  EXPECT_EQ(health[0].group, "rec");
  for (const RuleHealth& h : health) {
    EXPECT_TRUE(h.ok) << h.name << ": " << h.last_error;
    EXPECT_EQ(h.last_eval_ms, kT0);
  }
  EXPECT_EQ(health[0].last_samples, 2u);
  EXPECT_EQ(health[2].last_samples, 1u);
}

TEST(RuleEngineRecordingTest, VanishedSeriesGetStaleMarkers) {
  auto engine = Engine(R"(groups:
  - name: g
    rules:
      - record: high
        expr: errors > 1
)");
  ASSERT_NE(engine, nullptr);
  eval::SampleStore store;
  Put(store, "a", kT0, 2);
  Put(store, "b", kT0, 3);
  EXPECT_EQ(engine->EvalGroup(0, kT0, store).samples_written, 2u);
  Put(store, "a", kT0 + kMin, 0);
  Put(store, "b", kT0 + kMin, 3);
  GroupEvalResult r = engine->EvalGroup(0, kT0 + kMin, store);
  EXPECT_EQ(r.samples_written, 2u);  // high{job="b"} and the stale marker of high{job="a"}
  EXPECT_EQ(LiveAt(store, "high", kT0 + kMin),
            (std::map<std::string, double>{{"high{instance=\"1\", job=\"b\"}", 3}}));
  EXPECT_EQ(StaleAt(store, "high", kT0 + kMin),
            std::vector<std::string>{"high{instance=\"1\", job=\"a\"}"});
  // The marker is written once, not at every later evaluation.
  Put(store, "b", kT0 + 2 * kMin, 3);
  engine->EvalGroup(0, kT0 + 2 * kMin, store);
  EXPECT_TRUE(StaleAt(store, "high", kT0 + 2 * kMin).empty());
}

TEST(RuleEngineRecordingTest, ClashingLabelSetsFailAndKeepPreviousSeries) {
  auto engine = Engine(R"(groups:
  - name: g
    rules:
      - record: fixed
        expr: errors
        labels:
          job: all
      - record: after
        expr: count(errors)
)");
  ASSERT_NE(engine, nullptr);
  eval::SampleStore store;
  Put(store, "a", kT0, 1);
  engine->EvalGroup(0, kT0, store);
  EXPECT_EQ(LiveAt(store, "fixed", kT0).size(), 1u);

  Put(store, "a", kT0 + kMin, 1);
  Put(store, "b", kT0 + kMin, 1);
  GroupEvalResult r = engine->EvalGroup(0, kT0 + kMin, store);
  EXPECT_EQ(r.rules_failed, 1u);
  std::vector<RuleHealth> h = engine->Health();
  EXPECT_FALSE(h[0].ok);
  EXPECT_EQ(h[0].last_error,
            "vector contains metrics with the same labelset after applying rule labels");
  EXPECT_EQ(h[0].last_samples, 0u);
  EXPECT_TRUE(h[1].ok);  // the failure does not stop the group
  EXPECT_EQ(LiveAt(store, "after", kT0 + kMin).begin()->second, 2);
  // Nothing written for the failed rule, and no stale marker either.
  EXPECT_TRUE(testing::At(store, "fixed", kT0 + kMin).empty());

  ASSERT_TRUE(store
                  .Append(L({{"__name__", "errors"}, {"job", "b"}, {"instance", "1"}}),
                          kT0 + 2 * kMin, eval::StaleNaN())
                  .ok());
  Put(store, "a", kT0 + 2 * kMin, 4);
  r = engine->EvalGroup(0, kT0 + 2 * kMin, store);
  EXPECT_EQ(r.rules_failed, 0u);
  EXPECT_TRUE(engine->Health()[0].ok);
  EXPECT_EQ(engine->Health()[0].last_error, "");
  EXPECT_EQ(LiveAt(store, "fixed", kT0 + 2 * kMin),
            (std::map<std::string, double>{{"fixed{instance=\"1\", job=\"all\"}", 4}}));
}

TEST(RuleEngineRecordingTest, LimitFailsTheRule) {
  auto engine = Engine(R"(groups:
  - name: g
    limit: 1
    rules:
      - record: copy
        expr: errors
)");
  ASSERT_NE(engine, nullptr);
  eval::SampleStore store;
  Put(store, "a", kT0, 1);
  Put(store, "b", kT0, 1);
  GroupEvalResult r = engine->EvalGroup(0, kT0, store);
  EXPECT_EQ(r.rules_failed, 1u);
  EXPECT_EQ(r.samples_written, 0u);
  EXPECT_EQ(engine->Health()[0].last_error, "exceeded limit of 1 with 2 series");
  EXPECT_TRUE(testing::At(store, "copy", kT0).empty());
}

TEST(RuleEngineRecordingTest, RuntimeErrorIsRecordedAndOthersRun) {
  auto engine = Engine(R"(groups:
  - name: g
    rules:
      - record: bad
        expr: errors * on() errors
      - record: good
        expr: sum(errors)
)");
  ASSERT_NE(engine, nullptr);
  eval::SampleStore store;
  Put(store, "a", kT0, 1);
  Put(store, "b", kT0, 2);
  GroupEvalResult r = engine->EvalGroup(0, kT0, store);
  EXPECT_EQ(r.rules_failed, 1u);
  std::vector<RuleHealth> h = engine->Health();
  EXPECT_FALSE(h[0].ok);
  EXPECT_FALSE(h[0].last_error.empty());
  EXPECT_TRUE(h[1].ok);
  EXPECT_EQ(LiveAt(store, "good", kT0).begin()->second, 3);
  EXPECT_EQ(engine->EvalGroup(7, kT0, store).samples_written, 0u);  // no such group
}

}  // namespace
}  // namespace vigil::rules
