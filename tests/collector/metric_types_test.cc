// Every OTLP metric type through OtlpHttpReceiver::HandleMetrics into the SeriesStore and out on
// the Prometheus page, which the real promtool must accept; and the bad points each type can
// carry, rejected one by one with a clear partial-success message.
#include <gtest/gtest.h>

#include <cmath>

#include "collector/receive/otlp_http_receiver.h"
#include "exporters/prometheus/prometheus_collectable.h"
#include "tests/collector/metrics_test_util.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
using pb::collector::metrics::v1::ExportMetricsServiceRequest;
using pb::collector::metrics::v1::ExportMetricsServiceResponse;
using pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE;
using pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA;
using pb::metrics::v1::Metric;
using testing::AddScope;
using testing::AddStringAttr;

Metric* AddSum(pb::metrics::v1::ScopeMetrics* sm, const std::string& name, bool monotonic,
               pb::metrics::v1::AggregationTemporality t) {
  Metric* m = sm->add_metrics();
  m->set_name(name);
  m->set_unit("{item}");
  m->mutable_sum()->set_is_monotonic(monotonic);
  m->mutable_sum()->set_aggregation_temporality(t);
  return m;
}

pb::metrics::v1::HistogramDataPoint* AddExplicitPoint(Metric* m, std::vector<double> bounds,
                                                      std::vector<uint64_t> counts, double sum) {
  auto* p = m->mutable_histogram()->add_data_points();
  uint64_t total = 0;
  for (double b : bounds) p->add_explicit_bounds(b);
  for (uint64_t c : counts) {
    p->add_bucket_counts(c);
    total += c;
  }
  p->set_count(total);
  p->set_sum(sum);
  return p;
}

class MetricTypesTest : public ::testing::Test {
 protected:
  ExportMetricsServiceResponse Post(const ExportMetricsServiceRequest& req) {
    net::HttpRequest http;
    http.method = "POST";
    http.path = "/v1/metrics";
    http.headers = {{"Content-Type", "application/x-protobuf"}};
    http.body = req.SerializeAsString();
    net::HttpResponse r = receiver_.HandleMetrics(http);
    EXPECT_EQ(r.status, 200) << r.body;
    ExportMetricsServiceResponse resp;
    EXPECT_TRUE(resp.ParseFromString(r.body));
    return resp;
  }
  std::string Page() { return page_.RenderText(); }

  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
  OtlpHttpReceiver receiver_{store_, nullptr};
  exporters::PrometheusCollectable page_{store_};
};

TEST_F(MetricTypesTest, EveryTypeMergesAndRendersAsValidPrometheusText) {
  ExportMetricsServiceRequest req;
  auto* sm = AddScope(req, "shop");
  // Monotonic DELTA sum (int): a counter; two points add.
  Metric* orders = AddSum(sm, "orders.placed", true, AGGREGATION_TEMPORALITY_DELTA);
  orders->mutable_sum()->add_data_points()->set_as_int(3);
  orders->mutable_sum()->add_data_points()->set_as_int(4);
  // Non-monotonic DELTA sum: a gauge moved by signed deltas.
  Metric* queue = AddSum(sm, "queue.size", false, AGGREGATION_TEMPORALITY_DELTA);
  queue->mutable_sum()->add_data_points()->set_as_double(10);
  queue->mutable_sum()->add_data_points()->set_as_double(-4);
  // Gauge: last value wins, int or double.
  Metric* mem = sm->add_metrics();
  mem->set_name("memory.usage");
  mem->set_unit("By");
  mem->mutable_gauge()->add_data_points()->set_as_int(1000);
  mem->mutable_gauge()->add_data_points()->set_as_double(1500.5);
  // Explicit histogram with its own bounds; two points of one series add.
  Metric* lat = sm->add_metrics();
  lat->set_name("http.client.duration");
  lat->set_unit("s");
  lat->mutable_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
  AddExplicitPoint(lat, {0.1, 0.5}, {1, 2, 3}, 4.2);
  AddExplicitPoint(lat, {0.1, 0.5}, {0, 1, 0}, 0.3);
  // Exponential histogram: scale 0, 2 values in (1, 2], 1 in (2, 4].
  Metric* rpc = sm->add_metrics();
  rpc->set_name("rpc.duration");
  rpc->set_unit("s");
  rpc->mutable_exponential_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
  auto* ep = rpc->mutable_exponential_histogram()->add_data_points();
  ep->set_scale(0);
  ep->set_count(3);
  ep->set_sum(6);
  ep->mutable_positive()->set_offset(0);
  ep->mutable_positive()->add_bucket_counts(2);
  ep->mutable_positive()->add_bucket_counts(1);

  ExportMetricsServiceResponse resp = Post(req);
  EXPECT_FALSE(resp.has_partial_success()) << resp.partial_success().error_message();

  const std::string text = Page();
  auto s = testing::PromSamples(text);
  const std::string svc = "service_name=\"shop\"";
  EXPECT_EQ(s["orders_placed_total{" + svc + "}"], 7) << text;
  EXPECT_EQ(s["queue_size{" + svc + "}"], 6) << text;
  EXPECT_EQ(s["memory_usage_bytes{" + svc + "}"], 1500.5) << text;
  EXPECT_EQ(s["http_client_duration_seconds_bucket{" + svc + ",le=\"0.1\"}"], 1) << text;
  EXPECT_EQ(s["http_client_duration_seconds_bucket{" + svc + ",le=\"0.5\"}"], 4) << text;
  EXPECT_EQ(s["http_client_duration_seconds_bucket{" + svc + ",le=\"+Inf\"}"], 7) << text;
  EXPECT_EQ(s["http_client_duration_seconds_count{" + svc + "}"], 7) << text;
  EXPECT_DOUBLE_EQ(s["http_client_duration_seconds_sum{" + svc + "}"], 4.5) << text;
  EXPECT_EQ(s["rpc_duration_seconds_count{" + svc + "}"], 3) << text;
  EXPECT_EQ(s["rpc_duration_seconds_sum{" + svc + "}"], 6) << text;
  EXPECT_NE(text.find("# TYPE queue_size gauge"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE memory_usage_bytes gauge"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE orders_placed_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE http_client_duration_seconds histogram"), std::string::npos);

  testing::PromtoolResult check = testing::RunPromtool(text);
  if (check.exit_code == -2) GTEST_SKIP() << "promtool not installed";
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
}

TEST_F(MetricTypesTest, ResourceNamespaceBecomesALabelOtherResourceAttributesDoNot) {
  ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  AddStringAttr(rm->mutable_resource(), "service.name", "api");
  AddStringAttr(rm->mutable_resource(), "service.namespace", "prod");
  AddStringAttr(rm->mutable_resource(), "host.name", "h1");
  Metric* m = AddSum(rm->add_scope_metrics(), "jobs", true, AGGREGATION_TEMPORALITY_DELTA);
  auto* p = m->mutable_sum()->add_data_points();
  p->set_as_int(2);
  AddStringAttr(p, "queue", "q1");
  Post(req);
  auto s = testing::PromSamples(Page());
  EXPECT_EQ(s["jobs_total{queue=\"q1\",service_name=\"api\",service_namespace=\"prod\"}"], 2)
      << Page();
}

TEST_F(MetricTypesTest, ExplicitHistogramWithOtherBoundsIsRejectedClearly) {
  ExportMetricsServiceRequest first;
  Metric* a = AddScope(first, "shop")->add_metrics();
  a->set_name("wait");
  a->mutable_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
  AddExplicitPoint(a, {1, 2}, {1, 1, 1}, 4);
  Post(first);
  ExportMetricsServiceRequest second;
  Metric* b = AddScope(second, "shop")->add_metrics();
  b->set_name("wait");
  b->mutable_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
  AddExplicitPoint(b, {1, 5}, {1, 1, 1}, 4);
  AddExplicitPoint(b, {1, 2}, {0, 0, 2}, 9);
  ExportMetricsServiceResponse resp = Post(second);
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
  EXPECT_NE(resp.partial_success().error_message().find(
                "metric 'wait': explicit bounds [1, 5] differ from the series' bounds [1, 2]"),
            std::string::npos)
      << resp.partial_success().error_message();
  // The point with matching bounds merged.
  EXPECT_EQ(testing::PromSamples(Page())["wait_count{service_name=\"shop\"}"], 5);
}

TEST_F(MetricTypesTest, BadPointsArePartialSuccessAndTheRestMerges) {
  ExportMetricsServiceRequest req;
  auto* sm = AddScope(req, "shop");
  Metric* h = sm->add_metrics();
  h->set_name("latency");
  h->mutable_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
  AddExplicitPoint(h, {1, 2}, {1, 1, 1}, 3)->set_count(5);  // counts add up to 3
  AddExplicitPoint(h, {2, 1}, {1, 1, 1}, 3);                // bounds not increasing
  AddExplicitPoint(h, {1, 2}, {1, 1}, 3);                   // one count short
  AddExplicitPoint(h, {1, 2}, {1, 0, 0}, std::nan(""));     // NaN sum
  AddExplicitPoint(h, {1, 2}, {1, 0, 0}, 0.5);              // fine
  Metric* c = AddSum(sm, "hits", true, AGGREGATION_TEMPORALITY_DELTA);
  c->mutable_sum()->add_data_points()->set_as_double(std::nan(""));
  c->mutable_sum()->add_data_points()->set_as_double(-1);  // counters only go up
  c->mutable_sum()->add_data_points()->set_as_double(2);
  Metric* g = sm->add_metrics();
  g->set_name("temp");
  g->mutable_gauge()->add_data_points();  // no value at all
  ExportMetricsServiceResponse resp = Post(req);
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 7);
  const std::string& msg = resp.partial_success().error_message();
  EXPECT_NE(msg.find("7 data point(s) rejected"), std::string::npos) << msg;
  EXPECT_NE(msg.find("metric 'latency': bucket counts add up to 3 but count is 5"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("explicit bounds are not strictly increasing: [2, 1]"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("2 bucket counts for 2 explicit bounds"), std::string::npos) << msg;
  EXPECT_NE(msg.find("histogram sum is NaN"), std::string::npos) << msg;
  EXPECT_NE(msg.find("metric 'hits': value is NaN"), std::string::npos) << msg;
  EXPECT_EQ(receiver_.stats().metric_points_rejected.load(), 7u);
  auto s = testing::PromSamples(Page());
  EXPECT_EQ(s["latency_count{service_name=\"shop\"}"], 1);
  EXPECT_EQ(s["hits_total{service_name=\"shop\"}"], 2);
}

TEST_F(MetricTypesTest, AKindClashBetweenTypesIsRejectedNotMixed) {
  ExportMetricsServiceRequest req;
  auto* sm = AddScope(req, "shop");
  Metric* g = sm->add_metrics();
  g->set_name("level");
  g->mutable_gauge()->add_data_points()->set_as_int(1);
  Metric* h = sm->add_metrics();
  h->set_name("level");
  h->mutable_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
  AddExplicitPoint(h, {1}, {1, 0}, 0.5);
  ExportMetricsServiceResponse resp = Post(req);
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("already holds another metric type"),
            std::string::npos);
  EXPECT_EQ(testing::PromSamples(Page())["level{service_name=\"shop\"}"], 1);
}

}  // namespace
}  // namespace vigil::receive
