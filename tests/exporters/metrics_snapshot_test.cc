// MetricsSnapshot: the store rendered as OTLP in cumulative and delta temporality, with the
// resource restored from the service labels and the original OTLP names and units.
#include "exporters/otlp/metrics_snapshot.h"

#include <gtest/gtest.h>

namespace vigil::exporters {
namespace {

namespace pb = opentelemetry::proto;
using pb::collector::metrics::v1::ExportMetricsServiceRequest;
using Clock = std::chrono::system_clock;
const Clock::time_point kT0 = Clock::time_point(std::chrono::seconds(1'700'000'000));

uint64_t Ns(Clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

const pb::metrics::v1::Metric* Find(const ExportMetricsServiceRequest& req,
                                    const std::string& name) {
  for (const auto& rm : req.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) {
        if (m.name() == name) return &m;
      }
    }
  }
  return nullptr;
}

class MetricsSnapshotTest : public ::testing::Test {
 protected:
  void AddData(double errors, std::vector<double> latencies, uint64_t explicit_low) {
    const aggregate::Labels labels = {{"service_name", "shop"}, {"http_route", "/buy"}};
    ASSERT_TRUE(store_
                    .AddCounter({"http_server_request_errors_total", "Errors.",
                                 "http.server.request.errors", "{request}"},
                                labels, errors)
                    .ok());
    ASSERT_TRUE(store_.SetGauge({"queue_depth", "Depth.", "queue.depth", "1"}, labels, 42).ok());
    hist::ExpHistogram h;
    for (double v : latencies) h.Record(v);
    ASSERT_TRUE(store_
                    .MergeHistogram({"http_server_request_duration_seconds", "Latency.",
                                     "http.server.request.duration", "s"},
                                    labels, h, kT0)
                    .ok());
    aggregate::ExplicitHistogram e{{1, 2}, {explicit_low, 0, 1}, explicit_low + 1, 3.0};
    ASSERT_TRUE(
        store_.MergeExplicitHistogram({"wait_seconds", "Wait.", "wait", "s"}, labels, e).ok());
  }

  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
};

TEST_F(MetricsSnapshotTest, CumulativeCarriesTheTotalsAndTheResource) {
  MetricsSnapshot snap(Temporality::kCumulative);
  AddData(5, {0.1, 0.2}, 2);
  size_t points = 0;
  (void)snap.Build(store_, kT0, &points);
  AddData(3, {0.3}, 1);
  ExportMetricsServiceRequest req = snap.Build(store_, kT0 + std::chrono::seconds(10), &points);
  EXPECT_EQ(points, 4u);
  ASSERT_EQ(req.resource_metrics_size(), 1);
  const auto& res = req.resource_metrics(0).resource();
  ASSERT_EQ(res.attributes_size(), 1);
  EXPECT_EQ(res.attributes(0).key(), "service.name");
  EXPECT_EQ(res.attributes(0).value().string_value(), "shop");
  EXPECT_EQ(req.resource_metrics(0).scope_metrics(0).scope().name(), kExportScope);

  const auto* errors = Find(req, "http.server.request.errors");
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->unit(), "{request}");
  EXPECT_TRUE(errors->sum().is_monotonic());
  EXPECT_EQ(errors->sum().aggregation_temporality(),
            pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE);
  const auto& ep = errors->sum().data_points(0);
  EXPECT_EQ(ep.as_double(), 8);
  ASSERT_EQ(ep.attributes_size(), 1);  // service_name moved to the resource
  EXPECT_EQ(ep.attributes(0).key(), "http_route");
  EXPECT_EQ(ep.time_unix_nano(), Ns(kT0 + std::chrono::seconds(10)));
  EXPECT_LE(ep.start_time_unix_nano(), Ns(Clock::now()));  // when the series was created

  const auto* lat = Find(req, "http.server.request.duration");
  ASSERT_NE(lat, nullptr);
  ASSERT_TRUE(lat->has_exponential_histogram());
  EXPECT_EQ(lat->exponential_histogram().data_points(0).count(), 3u);
  EXPECT_NEAR(lat->exponential_histogram().data_points(0).sum(), 0.6, 1e-12);
  EXPECT_TRUE(lat->exponential_histogram().data_points(0).has_min());

  const auto* wait = Find(req, "wait");
  ASSERT_NE(wait, nullptr);
  const auto& wp = wait->histogram().data_points(0);
  EXPECT_EQ(wp.count(), 5u);
  EXPECT_EQ(std::vector<uint64_t>(wp.bucket_counts().begin(), wp.bucket_counts().end()),
            (std::vector<uint64_t>{3, 0, 2}));
  EXPECT_EQ(std::vector<double>(wp.explicit_bounds().begin(), wp.explicit_bounds().end()),
            (std::vector<double>{1, 2}));

  const auto* depth = Find(req, "queue.depth");
  ASSERT_NE(depth, nullptr);
  EXPECT_EQ(depth->gauge().data_points(0).as_double(), 42);
}

TEST_F(MetricsSnapshotTest, DeltaReportsChangesSinceThePreviousExport) {
  MetricsSnapshot snap(Temporality::kDelta);
  AddData(5, {0.1, 0.2}, 2);
  size_t points = 0;
  ExportMetricsServiceRequest first = snap.Build(store_, kT0, &points);
  EXPECT_EQ(points, 4u);
  EXPECT_EQ(Find(first, "http.server.request.errors")->sum().data_points(0).as_double(), 5);
  EXPECT_EQ(Find(first, "http.server.request.errors")->sum().aggregation_temporality(),
            pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);

  AddData(3, {0.3}, 1);
  const auto t1 = kT0 + std::chrono::seconds(10);
  ExportMetricsServiceRequest second = snap.Build(store_, t1, &points);
  EXPECT_EQ(points, 4u);
  const auto& ep = Find(second, "http.server.request.errors")->sum().data_points(0);
  EXPECT_EQ(ep.as_double(), 3);
  EXPECT_EQ(ep.start_time_unix_nano(), Ns(kT0));  // the previous export's end
  EXPECT_EQ(ep.time_unix_nano(), Ns(t1));
  const auto& lp =
      Find(second, "http.server.request.duration")->exponential_histogram().data_points(0);
  EXPECT_EQ(lp.count(), 1u);
  EXPECT_NEAR(lp.sum(), 0.3, 1e-12);
  EXPECT_FALSE(lp.has_min());  // not derivable from two cumulative states
  const auto& wp = Find(second, "wait")->histogram().data_points(0);
  EXPECT_EQ(wp.count(), 2u);
  EXPECT_EQ(std::vector<uint64_t>(wp.bucket_counts().begin(), wp.bucket_counts().end()),
            (std::vector<uint64_t>{1, 0, 1}));

  // Nothing changed: only the gauge (a current value, not a change) is sent.
  ExportMetricsServiceRequest third = snap.Build(store_, t1 + std::chrono::seconds(10), &points);
  EXPECT_EQ(points, 1u);
  EXPECT_NE(Find(third, "queue.depth"), nullptr);
  EXPECT_EQ(Find(third, "http.server.request.errors"), nullptr);
}

TEST_F(MetricsSnapshotTest, SeriesWithoutServiceShareAnEmptyResource) {
  ASSERT_TRUE(store_.AddCounter({"jobs_total", ""}, {{"queue", "a"}}, 1).ok());
  ASSERT_TRUE(store_.AddCounter({"jobs_total", ""}, {{"queue", "b"}}, 2).ok());
  MetricsSnapshot snap(Temporality::kCumulative);
  size_t points = 0;
  ExportMetricsServiceRequest req = snap.Build(store_, kT0, &points);
  EXPECT_EQ(points, 2u);
  ASSERT_EQ(req.resource_metrics_size(), 1);
  EXPECT_EQ(req.resource_metrics(0).resource().attributes_size(), 0);
  const auto* jobs = Find(req, "jobs_total");  // no OTLP name known: the family name
  ASSERT_NE(jobs, nullptr);
  EXPECT_EQ(jobs->sum().data_points_size(), 2);
}

}  // namespace
}  // namespace vigil::exporters
