// CUMULATIVE points: the tracker's per-(series, producer) differences and resets, the histogram
// subtraction it relies on, and the whole path through the receiver with several producers.
#include <gtest/gtest.h>

#include "collector/aggregate/explicit_histogram.h"
#include "collector/receive/cumulative_tracker.h"
#include "collector/receive/otlp_http_receiver.h"
#include "tests/collector/metrics_test_util.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
using pb::collector::metrics::v1::ExportMetricsServiceRequest;
using pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE;

TEST(CumulativeTracker, FirstPointCountsThenDifferencesThenResets) {
  CumulativeTracker t;
  const std::string s = CumulativeTracker::StreamKey("c_total", "series", "producer-a");
  EXPECT_EQ(t.CounterDelta(s, 100, 10), 10);  // the producer counted 10 since its start
  EXPECT_EQ(t.CounterDelta(s, 100, 15), 5);
  EXPECT_EQ(t.CounterDelta(s, 100, 15), 0);
  EXPECT_EQ(t.CounterDelta(s, 100, 4), 4);  // went down: a restart without a new start time
  EXPECT_EQ(t.CounterDelta(s, 200, 9), 9);  // new start time: a restart
  EXPECT_EQ(t.CounterDelta(s, 200, 12), 3);
  EXPECT_EQ(t.stats().resets.load(), 2u);
  // Another producer of the same series is a stream of its own.
  const std::string other = CumulativeTracker::StreamKey("c_total", "series", "producer-b");
  EXPECT_EQ(t.CounterDelta(other, 100, 7), 7);
  EXPECT_EQ(t.size(), 2u);
}

TEST(CumulativeTracker, UpDownSumsFollowTheProducersCurrentValue) {
  CumulativeTracker t;
  const std::string s = CumulativeTracker::StreamKey("g", "", "p");
  EXPECT_EQ(t.UpDownDelta(s, 1, 5), 5);
  EXPECT_EQ(t.UpDownDelta(s, 1, 2), -3);  // a decrease is legal, not a reset
  EXPECT_EQ(t.UpDownDelta(s, 9, 4), 2);   // after a restart the new value replaces the old
  EXPECT_EQ(t.stats().resets.load(), 1u);
}

TEST(CumulativeTracker, ExplicitHistogramsSubtractBucketwiseAndResetOnDecrease) {
  CumulativeTracker t;
  const std::string s = CumulativeTracker::StreamKey("h", "", "p");
  aggregate::ExplicitHistogram a{{1, 2}, {1, 2, 0}, 3, 2.5};
  aggregate::ExplicitHistogram b{{1, 2}, {2, 2, 1}, 5, 7.5};
  EXPECT_EQ(t.ExplicitDelta(s, 1, a), a);
  aggregate::ExplicitHistogram want{{1, 2}, {1, 0, 1}, 2, 5};
  EXPECT_EQ(t.ExplicitDelta(s, 1, b), want);
  EXPECT_EQ(t.ExplicitDelta(s, 1, a), a);  // counts went down: reset
  EXPECT_EQ(t.stats().resets.load(), 1u);
}

TEST(CumulativeTracker, ExponentialHistogramsSubtractAcrossScales) {
  hist::ExpHistogram early({.scale = 3}), late({.scale = 3});
  for (double v : {1.1, 2.5, 3.0}) {
    early.Record(v);
    late.Record(v);
  }
  for (double v : {1.2, 7.0, 900.0}) late.Record(v);
  CumulativeTracker t;
  const std::string s = CumulativeTracker::StreamKey("e", "", "p");
  (void)t.ExpDelta(s, 5, early.ToData());
  // The later state at a coarser scale, as a producer's histogram gets when it downscales.
  hist::ExpHistogramData later = aggregate::DownscaleExpData(late.ToData(), 1);
  hist::ExpHistogramData d = t.ExpDelta(s, 5, later);
  EXPECT_EQ(d.scale, 1);
  EXPECT_EQ(d.count, 3u);
  EXPECT_NEAR(d.sum, 1.2 + 7.0 + 900.0, 1e-9);
  EXPECT_FALSE(d.has_min_max);
  hist::ExpHistogram expected({.scale = 1});
  for (double v : {1.2, 7.0, 900.0}) expected.Record(v);
  auto got = hist::ExpHistogram::FromData(d, {.scale = 1});
  ASSERT_TRUE(got.ok()) << got.status().message();
  for (double le : {1.0, 2.0, 8.0, 1000.0}) {
    EXPECT_EQ(got->CountAtOrBelow(le), expected.CountAtOrBelow(le)) << le;
  }
}

TEST(ExplicitHistogramMath, SubtractionRefusesNonContinuations) {
  aggregate::ExplicitHistogram a{{1}, {1, 1}, 2, 1};
  aggregate::ExplicitHistogram other_bounds{{2}, {1, 1}, 2, 1};
  EXPECT_EQ(aggregate::SubtractExplicit(a, other_bounds).status().code(),
            StatusCode::kFailedPrecondition);
  hist::ExpHistogram small, big;
  small.Record(5.0);
  big.Record(0.5);
  EXPECT_EQ(aggregate::SubtractExpData(big.ToData(), small.ToData()).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(CumulativeTracker, MemoryIsBoundedByForgettingOldStreams) {
  CumulativeTracker t(/*max_streams=*/64);
  for (int i = 0; i < 1000; ++i) {
    (void)t.CounterDelta(CumulativeTracker::StreamKey("c", std::to_string(i), "p"), 0, 1);
  }
  EXPECT_LE(t.size(), 64u);
  EXPECT_GT(t.stats().forgotten.load(), 0u);
}

// Through the receiver: two producers of one series, told apart by service.instance.id.
class CumulativeReceiverTest : public ::testing::Test {
 protected:
  void PostCounter(const std::string& instance, uint64_t start, int64_t value,
                   const std::string& batch_key = "") {
    ExportMetricsServiceRequest req;
    auto* m = testing::AddScope(req, "shop", instance)->add_metrics();
    m->set_name("orders");
    m->mutable_sum()->set_is_monotonic(true);
    m->mutable_sum()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_CUMULATIVE);
    auto* p = m->mutable_sum()->add_data_points();
    p->set_start_time_unix_nano(start);
    p->set_as_int(value);
    net::HttpRequest http;
    http.method = "POST";
    http.headers = {{"Content-Type", "application/x-protobuf"}};
    if (!batch_key.empty()) http.headers.emplace_back("X-Vigil-Batch-Key", batch_key);
    http.body = req.SerializeAsString();
    ASSERT_EQ(receiver_.HandleMetrics(http).status, 200);
  }
  double Total() {
    double total = 0;
    store_.Visit([&](const aggregate::SeriesView& s) { total += s.counter; },
                 std::chrono::system_clock::now());
    return total;
  }

  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
  dedup::IdempotencyCache cache_{100};
  OtlpHttpReceiver receiver_{store_, &cache_};
};

TEST_F(CumulativeReceiverTest, ProducersAddUpAndResetsCountTheNewValue) {
  PostCounter("a", 1, 10);
  PostCounter("b", 1, 100);
  EXPECT_EQ(Total(), 110);
  PostCounter("a", 1, 25);
  PostCounter("b", 1, 130);
  EXPECT_EQ(Total(), 155);  // a's 25 + b's 130
  PostCounter("a", 2, 5);   // a restarted: 5 new
  EXPECT_EQ(Total(), 160);
  PostCounter("a", 2, 3);  // went down with the same start: a restart again
  EXPECT_EQ(Total(), 163);
  EXPECT_EQ(receiver_.merger().tracker().stats().resets.load(), 2u);
}

TEST_F(CumulativeReceiverTest, WithoutInstanceIdTheBatchKeysAgentIsTheProducer) {
  PostCounter("", 1, 10, "agent-a/boot1/1");
  PostCounter("", 1, 40, "agent-b/boot1/1");
  PostCounter("", 1, 12, "agent-a/boot1/2");
  EXPECT_EQ(Total(), 52);  // a: 12, b: 40
  // No id at all: one "unknown" producer.
  PostCounter("", 1, 5);
  PostCounter("", 1, 8);
  EXPECT_EQ(Total(), 60);
}

}  // namespace
}  // namespace vigil::receive
