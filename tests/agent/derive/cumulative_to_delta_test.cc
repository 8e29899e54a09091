#include "agent/derive/cumulative_to_delta.h"

#include <gtest/gtest.h>

#include "tests/agent/receive/otlp_test_util.h"

namespace vigil::derive {
namespace {

namespace pb = opentelemetry::proto;
using agent::testing::CumulativeSum;
using agent::testing::MetricsRequest;

constexpr uint64_t kAgentStart = 1'000'000;
constexpr uint64_t kSec = 1'000'000'000;

CumulativeToDelta Make(size_t max_series = 100) {
  return CumulativeToDelta(CumulativeToDeltaOptions{.max_series = max_series,
                                                    .idle_timeout = std::chrono::seconds(60),
                                                    .agent_start_unix_nano = kAgentStart});
}

const pb::metrics::v1::NumberDataPoint* OnlyPoint(const MetricsRequest& r) {
  if (r.resource_metrics_size() != 1) return nullptr;
  const auto& m = r.resource_metrics(0).scope_metrics(0).metrics(0);
  EXPECT_EQ(m.sum().aggregation_temporality(), pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  return m.sum().data_points_size() == 1 ? &m.sum().data_points(0) : nullptr;
}

TEST(CumulativeToDelta, SeriesOlderThanTheAgentStartWithABaselineOnly) {
  CumulativeToDelta c = Make();
  MetricsRequest first = CumulativeSum("requests", "a", 100, kAgentStart - 5, kAgentStart + kSec);
  ConvertOutcome o = c.Convert(&first, 1);
  EXPECT_EQ(o.baselines, 1u);
  EXPECT_EQ(first.resource_metrics_size(), 0);  // nothing to forward, empty containers gone

  MetricsRequest second =
      CumulativeSum("requests", "a", 130, kAgentStart - 5, kAgentStart + 2 * kSec);
  o = c.Convert(&second, 2);
  EXPECT_EQ(o.converted, 1u);
  const auto* p = OnlyPoint(second);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->as_int(), 30);
  EXPECT_EQ(p->start_time_unix_nano(), kAgentStart + kSec);  // the previous point's time
  EXPECT_EQ(p->time_unix_nano(), kAgentStart + 2 * kSec);
}

TEST(CumulativeToDelta, SeriesStartedAfterTheAgentForwardsItsFirstValueWhole) {
  CumulativeToDelta c = Make();
  MetricsRequest first = CumulativeSum("requests", "a", 7, kAgentStart + 10, kAgentStart + kSec);
  EXPECT_EQ(c.Convert(&first, 1).converted, 1u);
  const auto* p = OnlyPoint(first);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->as_int(), 7);
  EXPECT_EQ(p->start_time_unix_nano(), kAgentStart + 10);
}

TEST(CumulativeToDelta, ResetByNewStartTimeOrDecrease) {
  CumulativeToDelta c = Make();
  uint64_t t = kAgentStart + kSec;
  MetricsRequest r = CumulativeSum("requests", "a", 50, 5, t);
  c.Convert(&r, 1);  // baseline
  // The process restarted: a new start time; its whole value is new.
  r = CumulativeSum("requests", "a", 4, t + 10, t + kSec);
  ConvertOutcome o = c.Convert(&r, 2);
  EXPECT_EQ(o.resets, 1u);
  ASSERT_NE(OnlyPoint(r), nullptr);
  EXPECT_EQ(OnlyPoint(r)->as_int(), 4);
  EXPECT_EQ(OnlyPoint(r)->start_time_unix_nano(), t + 10);
  // Next point of the new run: a plain delta.
  r = CumulativeSum("requests", "a", 9, t + 10, t + 2 * kSec);
  c.Convert(&r, 3);
  EXPECT_EQ(OnlyPoint(r)->as_int(), 5);
  // A decrease without a start time: also a reset, bounded by the previous point's time.
  r = CumulativeSum("requests", "a", 2, 0, t + 3 * kSec);
  o = c.Convert(&r, 4);
  EXPECT_EQ(o.resets, 1u);
  EXPECT_EQ(OnlyPoint(r)->as_int(), 2);
  EXPECT_EQ(OnlyPoint(r)->start_time_unix_nano(), t + 2 * kSec);
}

TEST(CumulativeToDelta, RetriedPointsAreDroppedNotCountedTwice) {
  CumulativeToDelta c = Make();
  MetricsRequest r = CumulativeSum("requests", "a", 10, 5, kAgentStart + kSec);
  c.Convert(&r, 1);
  r = CumulativeSum("requests", "a", 15, 5, kAgentStart + 2 * kSec);
  c.Convert(&r, 2);
  MetricsRequest again = CumulativeSum("requests", "a", 15, 5, kAgentStart + 2 * kSec);
  EXPECT_EQ(c.Convert(&again, 3).stale, 1u);
  EXPECT_EQ(again.resource_metrics_size(), 0);
}

TEST(CumulativeToDelta, AttributesInAnyOrderAreOneSeriesAndDifferentValuesAreTwo) {
  CumulativeToDelta c = Make();
  MetricsRequest r = CumulativeSum("requests", "a", 10, 5, kAgentStart + kSec);
  auto* p = r.mutable_resource_metrics(0)
                ->mutable_scope_metrics(0)
                ->mutable_metrics(0)
                ->mutable_sum()
                ->mutable_data_points(0);
  agent::testing::SetString(p->add_attributes(), "b", "x");
  MetricsRequest swapped = r;
  auto* q = swapped.mutable_resource_metrics(0)
                ->mutable_scope_metrics(0)
                ->mutable_metrics(0)
                ->mutable_sum()
                ->mutable_data_points(0);
  q->mutable_attributes()->SwapElements(0, 1);
  q->set_as_int(12);
  q->set_time_unix_nano(kAgentStart + 2 * kSec);
  c.Convert(&r, 1);
  c.Convert(&swapped, 2);
  EXPECT_EQ(c.series(), 1u);
  ASSERT_NE(OnlyPoint(swapped), nullptr);
  EXPECT_EQ(OnlyPoint(swapped)->as_int(), 2);
  MetricsRequest other = CumulativeSum("requests", "b", 1, 5, kAgentStart + kSec);
  c.Convert(&other, 3);
  EXPECT_EQ(c.series(), 2u);
}

TEST(CumulativeToDelta, SeriesBoundRejectsNewSeriesAndIdleOnesAreForgotten) {
  CumulativeToDelta c = Make(/*max_series=*/2);
  for (const char* a : {"a", "b", "c"}) {
    MetricsRequest r = CumulativeSum("requests", a, 1, 5, kAgentStart + kSec);
    c.Convert(&r, 1 * kSec);
  }
  EXPECT_EQ(c.series(), 2u);
  EXPECT_EQ(c.stats().series_limit, 1u);
  c.EvictIdle(1 * kSec + 61 * kSec);
  EXPECT_EQ(c.series(), 0u);
  EXPECT_EQ(c.stats().evicted, 2u);
  MetricsRequest r = CumulativeSum("requests", "c", 1, 5, kAgentStart + kSec);
  EXPECT_EQ(c.Convert(&r, 70 * kSec).series_limit, 0u);
}

TEST(CumulativeToDelta, GaugesNonMonotonicAndDeltaSumsPassUnchanged) {
  CumulativeToDelta c = Make();
  MetricsRequest r = CumulativeSum("in_use", "a", 10, 5, kAgentStart + kSec);
  r.mutable_resource_metrics(0)
      ->mutable_scope_metrics(0)
      ->mutable_metrics(0)
      ->mutable_sum()
      ->set_is_monotonic(false);
  auto* sm = r.mutable_resource_metrics(0)->mutable_scope_metrics(0);
  auto* g = sm->add_metrics();
  g->set_name("temp");
  g->mutable_gauge()->add_data_points()->set_as_double(21.5);
  MetricsRequest delta = CumulativeSum("d", "a", 3, 5, kAgentStart + kSec);
  delta.mutable_resource_metrics(0)
      ->mutable_scope_metrics(0)
      ->mutable_metrics(0)
      ->mutable_sum()
      ->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  sm->add_metrics()->CopyFrom(delta.resource_metrics(0).scope_metrics(0).metrics(0));
  const MetricsRequest before = r;
  c.Convert(&r, 1);
  EXPECT_EQ(r.SerializeAsString(), before.SerializeAsString());
  EXPECT_EQ(c.series(), 0u);
}

TEST(CumulativeToDelta, HistogramsBecomeDeltasAndResetOnDecrease) {
  CumulativeToDelta c = Make();
  auto make = [](uint64_t count, std::vector<uint64_t> buckets, double sum, uint64_t time) {
    MetricsRequest r;
    auto* m = r.add_resource_metrics()->add_scope_metrics()->add_metrics();
    m->set_name("latency");
    m->mutable_histogram()->set_aggregation_temporality(
        pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
    auto* p = m->mutable_histogram()->add_data_points();
    p->set_start_time_unix_nano(5);
    p->set_time_unix_nano(time);
    p->set_count(count);
    p->set_sum(sum);
    p->set_min(0.1);
    for (double b : {1.0, 2.0}) p->add_explicit_bounds(b);
    for (uint64_t b : buckets) p->add_bucket_counts(b);
    return r;
  };
  MetricsRequest r = make(3, {1, 1, 1}, 4.0, kAgentStart + kSec);
  c.Convert(&r, 1);
  r = make(7, {2, 3, 2}, 10.5, kAgentStart + 2 * kSec);
  c.Convert(&r, 2);
  const auto& p = r.resource_metrics(0).scope_metrics(0).metrics(0).histogram().data_points(0);
  EXPECT_EQ(p.count(), 4u);
  EXPECT_EQ(std::vector<uint64_t>(p.bucket_counts().begin(), p.bucket_counts().end()),
            (std::vector<uint64_t>{1, 2, 1}));
  EXPECT_DOUBLE_EQ(p.sum(), 6.5);
  EXPECT_FALSE(p.has_min());                           // not derivable for an interval
  r = make(8, {1, 5, 2}, 11, kAgentStart + 3 * kSec);  // one bucket went down: a reset
  EXPECT_EQ(c.Convert(&r, 3).resets, 1u);
  EXPECT_EQ(r.resource_metrics(0).scope_metrics(0).metrics(0).histogram().data_points(0).count(),
            8u);
}

TEST(CumulativeToDelta, ExponentialHistogramsSubtractAcrossADownscale) {
  CumulativeToDelta c = Make();
  auto make = [](int scale, int offset, std::vector<uint64_t> counts, uint64_t zero,
                 uint64_t time) {
    MetricsRequest r;
    auto* m = r.add_resource_metrics()->add_scope_metrics()->add_metrics();
    m->set_name("latency");
    auto* eh = m->mutable_exponential_histogram();
    eh->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
    auto* p = eh->add_data_points();
    p->set_start_time_unix_nano(5);
    p->set_time_unix_nano(time);
    p->set_scale(scale);
    p->set_zero_count(zero);
    uint64_t total = zero;
    p->mutable_positive()->set_offset(offset);
    for (uint64_t n : counts) {
      p->mutable_positive()->add_bucket_counts(n);
      total += n;
    }
    p->set_count(total);
    return r;
  };
  // Scale 3, buckets at indices 4..7 = {1, 2, 3, 4}; at scale 2 those are indices 2,2,3,3.
  MetricsRequest r = make(3, 4, {1, 2, 3, 4}, 1, kAgentStart + kSec);
  c.Convert(&r, 1);
  // Cumulative at scale 2: index 2 -> 3+2, index 3 -> 7+1, index 4 -> 6 (new range).
  r = make(2, 2, {5, 8, 6}, 3, kAgentStart + 2 * kSec);
  ASSERT_EQ(c.Convert(&r, 2).converted, 1u);
  const auto& p =
      r.resource_metrics(0).scope_metrics(0).metrics(0).exponential_histogram().data_points(0);
  EXPECT_EQ(p.scale(), 2);
  EXPECT_EQ(std::vector<uint64_t>(p.positive().bucket_counts().begin(),
                                  p.positive().bucket_counts().end()),
            (std::vector<uint64_t>{2, 1, 6}));
  EXPECT_EQ(p.zero_count(), 2u);
  EXPECT_EQ(p.count(), 11u);
  // A finer scale than before cannot follow a cumulative series: a reset.
  r = make(3, 4, {9, 9, 9, 9, 9, 9}, 3, kAgentStart + 3 * kSec);
  EXPECT_EQ(c.Convert(&r, 3).resets, 1u);
}

TEST(HistogramDelta, DownscaleMergesNeighboursIncludingNegativeIndices) {
  ExpBucketsSnapshot b{-3, {1, 2, 3, 4}};         // indices -3..0
  ExpBucketsSnapshot d = DownscaleBuckets(b, 1);  // -3>>1=-2, -2>>1=-1, -1>>1=-1, 0>>1=0
  EXPECT_EQ(d.offset, -2);
  EXPECT_EQ(d.counts, (std::vector<uint64_t>{1, 5, 4}));
}

}  // namespace
}  // namespace vigil::derive
