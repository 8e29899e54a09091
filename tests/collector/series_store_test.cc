#include "collector/aggregate/series_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <map>
#include <thread>
#include <vector>

namespace vigil::aggregate {
namespace {

using std::chrono::seconds;
using Clock = std::chrono::system_clock;

// A slot-aligned instant (divisible by 5 s), so expiry boundaries are exact.
const Clock::time_point kT0 = Clock::time_point(seconds(1'700'000'000));

hist::ExpHistogram Hist(std::initializer_list<double> values) {
  hist::ExpHistogram h{hist::ExpHistogramOptions{}};
  for (double v : values) h.Record(v);
  return h;
}

struct Seen {
  uint64_t count = 0;
  double sum = 0;
  uint64_t window_count = 0;
  double counter = 0;
};

// Visits the store and keys what it saw by "family|k=v,k=v".
std::map<std::string, Seen> Snapshot(const SeriesStore& store, Clock::time_point now) {
  std::map<std::string, Seen> out;
  store.Visit(
      [&](const SeriesView& s) {
        std::string key = std::string(s.family) + "|";
        for (const auto& [k, v] : s.labels) key += k + "=" + v + ",";
        Seen& seen = out[key];
        if (s.kind == MetricKind::kHistogram) {
          seen.count = s.cumulative->count();
          seen.sum = s.cumulative->sum();
          seen.window_count = s.window->count();
        } else {
          seen.counter = s.counter;
        }
      },
      now);
  return out;
}

TEST(SeriesStoreTest, ConcurrentMergesFromManyThreadsAreExact) {
  SeriesStore store(StoreOptions{});
  constexpr int kThreads = 4, kIters = 500, kSeries = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIters; ++i) {
        Labels labels = {{"route", "/r" + std::to_string(i % kSeries)}, {"svc", "a"}};
        hist::ExpHistogram delta = Hist({0.1, 0.2, 1.0 + t});
        ASSERT_TRUE(store.MergeHistogram({"latency_seconds", "help"}, labels, delta, kT0).ok());
        ASSERT_TRUE(store.AddCounter({"errors_total", "help"}, labels, 2).ok());
      }
    });
  }
  for (auto& th : threads) th.join();

  EXPECT_EQ(store.series(), 2u * kSeries);
  auto seen = Snapshot(store, kT0);
  ASSERT_EQ(seen.size(), 2u * kSeries);
  const uint64_t per_series_merges = kThreads * kIters / kSeries;
  for (int r = 0; r < kSeries; ++r) {
    std::string labels = "route=/r" + std::to_string(r) + ",svc=a,";
    const Seen& h = seen["latency_seconds|" + labels];
    EXPECT_EQ(h.count, 3 * per_series_merges);
    EXPECT_EQ(h.window_count, 3 * per_series_merges);
    EXPECT_DOUBLE_EQ(seen["errors_total|" + labels].counter, 2.0 * per_series_merges);
  }
  double total_sum = 0;
  for (const auto& [k, s] : seen) total_sum += s.sum;
  // Each thread t adds 0.1 + 0.2 + (1 + t) per merge.
  double expected = 0;
  for (int t = 0; t < kThreads; ++t) expected += kIters * (0.3 + 1.0 + t);
  EXPECT_NEAR(total_sum, expected, 1e-6 * expected);
}

TEST(SeriesStoreTest, WindowDropsSlotsOlderThanTheWindow) {
  SeriesStore store(StoreOptions{.window = seconds(60), .slot = seconds(5), .histogram = {}});
  Labels l = {{"svc", "a"}};
  ASSERT_TRUE(store.MergeHistogram({"d_seconds", "h"}, l, Hist({1, 2, 3, 4, 5}), kT0).ok());
  ASSERT_TRUE(store.MergeHistogram({"d_seconds", "h"}, l, Hist({6, 7, 8}), kT0 + seconds(30)).ok());

  EXPECT_EQ(Snapshot(store, kT0 + seconds(30)).begin()->second.window_count, 8u);
  EXPECT_EQ(Snapshot(store, kT0 + seconds(59)).begin()->second.window_count, 8u);
  // 60 s on, the first slot [t0, t0+5) has left the 12-slot window.
  auto later = Snapshot(store, kT0 + seconds(60)).begin()->second;
  EXPECT_EQ(later.window_count, 3u);
  EXPECT_EQ(later.count, 8u);  // the cumulative state keeps everything
  auto much_later = Snapshot(store, kT0 + seconds(95)).begin()->second;
  EXPECT_EQ(much_later.window_count, 0u);
  EXPECT_EQ(much_later.count, 8u);
}

TEST(SeriesStoreTest, ReusedRingSlotStartsEmpty) {
  SeriesStore store(StoreOptions{.window = seconds(60), .slot = seconds(5), .histogram = {}});
  Labels l = {{"svc", "a"}};
  ASSERT_TRUE(store.MergeHistogram({"d_seconds", "h"}, l, Hist({1, 2}), kT0).ok());
  // Exactly one ring turn later: same ring entry, new epoch.
  ASSERT_TRUE(store.MergeHistogram({"d_seconds", "h"}, l, Hist({3}), kT0 + seconds(60)).ok());
  auto s = Snapshot(store, kT0 + seconds(60)).begin()->second;
  EXPECT_EQ(s.window_count, 1u);
  EXPECT_EQ(s.count, 3u);
  // A delta stamped in the past of that ring entry counts only cumulatively.
  ASSERT_TRUE(store.MergeHistogram({"d_seconds", "h"}, l, Hist({4}), kT0).ok());
  s = Snapshot(store, kT0 + seconds(60)).begin()->second;
  EXPECT_EQ(s.window_count, 1u);
  EXPECT_EQ(s.count, 4u);
}

TEST(SeriesStoreTest, CardinalityLimitDropsNewSeriesOnly) {
  SeriesStore store(StoreOptions{
      .max_series_per_metric = 3, .window = seconds(60), .slot = seconds(5), .histogram = {}});
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store.AddCounter({"c_total", "h"}, {{"id", std::to_string(i)}}, 1).ok());
  }
  Status st = store.AddCounter({"c_total", "h"}, {{"id", "overflow"}}, 1);
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("c_total"), std::string::npos) << st.message();
  st = store.MergeHistogram({"c_seconds", "h"}, {{"id", "0"}}, Hist({1}), kT0);
  EXPECT_TRUE(st.ok()) << "another family has its own bound: " << st.ToString();
  // Existing series keep counting.
  EXPECT_TRUE(store.AddCounter({"c_total", "h"}, {{"id", "1"}}, 5).ok());
  EXPECT_EQ(store.stats().series_dropped_cardinality.load(), 1u);
  EXPECT_EQ(store.series(), 4u);
  auto seen = Snapshot(store, kT0);
  EXPECT_EQ(seen.count("c_total|id=overflow,"), 0u);
  EXPECT_DOUBLE_EQ(seen["c_total|id=1,"].counter, 6);
}

TEST(SeriesStoreTest, LabelOrderDoesNotSplitASeries) {
  SeriesStore store(StoreOptions{});
  ASSERT_TRUE(store.AddCounter({"c_total", "h"}, {{"b", "2"}, {"a", "1"}}, 1).ok());
  ASSERT_TRUE(store.AddCounter({"c_total", "h"}, {{"a", "1"}, {"b", "2"}}, 1).ok());
  EXPECT_EQ(store.series(), 1u);
  EXPECT_DOUBLE_EQ(Snapshot(store, kT0)["c_total|a=1,b=2,"].counter, 2);
}

TEST(SeriesStoreTest, LabelValuesCannotForgeAnotherSeries) {
  SeriesStore store(StoreOptions{});
  ASSERT_TRUE(store.AddCounter({"c_total", "h"}, {{"a", "x"}, {"b", "y"}}, 1).ok());
  ASSERT_TRUE(store.AddCounter({"c_total", "h"}, {{"a", std::string("x\0b\0y", 5)}}, 1).ok());
  EXPECT_EQ(store.series(), 2u);
}

TEST(SeriesStoreTest, RejectsBadCounterDeltasAndKindClashes) {
  SeriesStore store(StoreOptions{});
  EXPECT_EQ(store.AddCounter({"c_total", "h"}, {}, -1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.AddCounter({"c_total", "h"}, {}, std::nan("")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store.AddCounter({"c_total", "h"}, {}, INFINITY).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(store.MergeHistogram({"x_seconds", "h"}, {}, Hist({1}), kT0).ok());
  Status st = store.AddCounter({"x_seconds", "h"}, {}, 1);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("x_seconds"), std::string::npos);
  EXPECT_EQ(store.series(), 1u);
}

}  // namespace
}  // namespace vigil::aggregate
