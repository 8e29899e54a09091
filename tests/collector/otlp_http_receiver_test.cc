#include "collector/receive/otlp_http_receiver.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/codec/zstd_compressor.h"
#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/collector/loopback_http.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
using pb::collector::metrics::v1::ExportMetricsServiceRequest;
using pb::collector::metrics::v1::ExportMetricsServiceResponse;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kHistFamily[] = "http_server_request_duration_seconds";
constexpr char kCounterFamily[] = "http_server_request_errors_total";

void SetAttr(pb::common::v1::KeyValue* kv, const std::string& key, const std::string& value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// A scale-0 delta point: 2 values in (1, 2], 3 in (2, 4]. `count` lets a test make it lie.
void AddHistPoint(pb::metrics::v1::ExponentialHistogram* eh, uint64_t count,
                  const std::string& route) {
  auto* p = eh->add_data_points();
  SetAttr(p->add_attributes(), "http.route", route);
  auto* status = p->add_attributes();
  status->set_key("http.response.status_code");
  status->mutable_value()->set_int_value(200);
  p->set_scale(0);
  p->set_count(count);
  p->set_sum(12);
  p->set_min(1.5);
  p->set_max(3.5);
  p->mutable_positive()->set_offset(0);
  p->mutable_positive()->add_bucket_counts(2);
  p->mutable_positive()->add_bucket_counts(3);
}

// One latency histogram point and one error-counter point (value 7) for service "checkout".
ExportMetricsServiceRequest MakeRequest() {
  ExportMetricsServiceRequest req;
  auto* rm = req.add_resource_metrics();
  SetAttr(rm->mutable_resource()->add_attributes(), "service.name", "checkout");
  SetAttr(rm->mutable_resource()->add_attributes(), "host.name", "ignored");
  auto* sm = rm->add_scope_metrics();
  auto* hist = sm->add_metrics();
  hist->set_name("http.server.request.duration");
  hist->set_unit("s");
  hist->set_description("Duration of HTTP server requests.");
  auto* eh = hist->mutable_exponential_histogram();
  eh->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  AddHistPoint(eh, 5, "/api");
  auto* errors = sm->add_metrics();
  errors->set_name("http.server.request.errors");
  errors->set_unit("{request}");
  errors->set_description("Failed HTTP server requests.");
  auto* sum = errors->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  auto* p = sum->add_data_points();
  SetAttr(p->add_attributes(), "http.route", "/api");
  p->set_as_int(7);
  return req;
}

std::string Zstd(const std::string& in) {
  codec::ZstdCompressor c(1);
  auto out = c.Compress(in);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : std::string();
}

class OtlpHttpReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver_.Register(server_);
    ASSERT_TRUE(server_.Start().ok());
    loop_.Start();
  }
  void TearDown() override {
    server_.Stop();
    loop_.Stop();
  }

  testing::RawResponse Post(const std::string& path, const std::string& body,
                            const std::string& encoding = "zstd", const std::string& key = "",
                            const std::string& type = "application/x-protobuf") {
    Headers h = {{"Content-Type", type}};
    if (!encoding.empty()) h.emplace_back("Content-Encoding", encoding);
    if (!key.empty()) h.emplace_back("X-Vigil-Batch-Key", key);
    return testing::HttpExchange(server_.port(), "POST", path, h, body);
  }

  testing::RawResponse PostMetrics(const ExportMetricsServiceRequest& req,
                                   const std::string& key = "") {
    return Post("/v1/metrics", Zstd(req.SerializeAsString()), "zstd", key);
  }

  struct Merged {
    uint64_t count = 0;
    double sum = 0;
    double errors = 0;
  };
  // What the store holds for the checkout /api series.
  Merged Read() {
    Merged m;
    store_.Visit(
        [&](const aggregate::SeriesView& s) {
          if (s.family == kHistFamily) {
            aggregate::Labels want = {{"http_response_status_code", "200"},
                                      {"http_route", "/api"},
                                      {"service_name", "checkout"}};
            EXPECT_EQ(s.labels, want);
            m.count += s.cumulative->count();
            m.sum += s.cumulative->sum();
          } else if (s.family == kCounterFamily) {
            aggregate::Labels want = {{"http_route", "/api"}, {"service_name", "checkout"}};
            EXPECT_EQ(s.labels, want);
            m.errors += s.counter;
          }
        },
        std::chrono::system_clock::now());
    return m;
  }

  net::EventLoop loop_{2};
  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
  dedup::IdempotencyCache cache_{1000};
  OtlpHttpReceiver receiver_{
      store_, &cache_,
      ReceiverOptions{.max_body_bytes = 1 << 20, .max_decompressed_bytes = 1 << 20}};
  net::HttpServer server_{
      loop_, net::HttpServerOptions{.listen = "127.0.0.1:0", .max_body_bytes = 1 << 20}};
};

TEST_F(OtlpHttpReceiverTest, ValidZstdRequestMerges) {
  auto r = PostMetrics(MakeRequest());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/x-protobuf");
  ExportMetricsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_FALSE(resp.has_partial_success());
  Merged m = Read();
  EXPECT_EQ(m.count, 5u);
  EXPECT_DOUBLE_EQ(m.sum, 12);
  EXPECT_DOUBLE_EQ(m.errors, 7);
  EXPECT_EQ(receiver_.stats().metric_points_received.load(), 2u);
  EXPECT_EQ(receiver_.stats().metric_points_merged.load(), 2u);

  // Identity and gzip-less plain bodies work too; without a key nothing is deduplicated.
  r = Post("/v1/metrics", MakeRequest().SerializeAsString(), "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Read().count, 10u);
}

TEST_F(OtlpHttpReceiverTest, SameBatchKeyMergesOnce) {
  ASSERT_EQ(PostMetrics(MakeRequest(), "agent-1/boot-1/42").status, 200);
  auto again = PostMetrics(MakeRequest(), "agent-1/boot-1/42");
  ASSERT_EQ(again.status, 200) << again.body;
  ExportMetricsServiceResponse resp;
  EXPECT_TRUE(resp.ParseFromString(again.body));
  Merged m = Read();
  EXPECT_EQ(m.count, 5u);
  EXPECT_DOUBLE_EQ(m.errors, 7);
  EXPECT_EQ(receiver_.stats().duplicate_batches.load(), 1u);
  // A different key is a different batch.
  ASSERT_EQ(PostMetrics(MakeRequest(), "agent-1/boot-1/43").status, 200);
  EXPECT_EQ(Read().count, 10u);
}

TEST_F(OtlpHttpReceiverTest, ZstdBombIs413AndTheServerCarriesOn) {
  ASSERT_EQ(PostMetrics(MakeRequest(), "k1").status, 200);
  // 8 MiB of zeros packs into a few hundred bytes; the limit is 1 MiB.
  const std::string bomb = Zstd(std::string(8 << 20, '\0'));
  ASSERT_LT(bomb.size(), 4096u);
  auto r = Post("/v1/metrics", bomb, "zstd", "k-bomb");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("exceeds the limit of 1048576 bytes"), std::string::npos) << r.body;
  EXPECT_EQ(receiver_.stats().rejected_decompressed_too_large.load(), 1u);

  // Earlier data intact, and the refused request did not burn its batch key.
  EXPECT_EQ(Read().count, 5u);
  ASSERT_EQ(PostMetrics(MakeRequest(), "k-bomb").status, 200);
  Merged m = Read();
  EXPECT_EQ(m.count, 10u);
  EXPECT_DOUBLE_EQ(m.errors, 14);
}

TEST_F(OtlpHttpReceiverTest, WrongContentTypeIs415) {
  const std::string body = Zstd(MakeRequest().SerializeAsString());
  auto r = Post("/v1/metrics", body, "zstd", "", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("application/x-protobuf"), std::string::npos) << r.body;
  r = Post("/v1/metrics", "<x/>", "", "", "application/xml");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("unsupported Content-Type 'application/xml'; send application/x-protobuf "
                        "or application/json"),
            std::string::npos)
      << r.body;
  r = Post("/v1/metrics", body, "zstd", "", "");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(receiver_.stats().rejected_bad_content_type.load(), 3u);
  // Parameters and letter case of the media type do not matter.
  r = Post("/v1/metrics", body, "zstd", "", "Application/X-Protobuf; charset=binary");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(OtlpHttpReceiverTest, UnknownOrCorruptEncoding) {
  const std::string body = Zstd(MakeRequest().SerializeAsString());
  auto r = Post("/v1/metrics", body, "br");
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("Content-Encoding"), std::string::npos) << r.body;
  r = Post("/v1/metrics", "definitely not a zstd frame", "zstd");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("corrupt zstd body"), std::string::npos) << r.body;
  EXPECT_EQ(receiver_.stats().rejected_bad_encoding.load(), 2u);
  EXPECT_EQ(Read().count, 0u);
}

TEST_F(OtlpHttpReceiverTest, TruncatedProtobufIs400) {
  std::string raw = MakeRequest().SerializeAsString();
  raw.resize(raw.size() - 5);
  auto r = Post("/v1/metrics", Zstd(raw), "zstd", "k-trunc");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("truncated or malformed protobuf ExportMetricsServiceRequest"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(receiver_.stats().rejected_malformed.load(), 1u);
  EXPECT_EQ(Read().count, 0u);
  EXPECT_FALSE(cache_.Seen("metrics\nk-trunc"));
}

TEST_F(OtlpHttpReceiverTest, BadHistogramCountsArePartialSuccess) {
  ExportMetricsServiceRequest req = MakeRequest();
  auto* eh = req.mutable_resource_metrics(0)
                 ->mutable_scope_metrics(0)
                 ->mutable_metrics(0)
                 ->mutable_exponential_histogram();
  AddHistPoint(eh, 9, "/lying");  // buckets add up to 5
  auto r = PostMetrics(req);
  ASSERT_EQ(r.status, 200) << r.body;
  ExportMetricsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  ASSERT_TRUE(resp.has_partial_success());
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("add up to 5 but count is 9"),
            std::string::npos)
      << resp.partial_success().error_message();
  // The good points in the same request merged.
  Merged m = Read();
  EXPECT_EQ(m.count, 5u);
  EXPECT_DOUBLE_EQ(m.errors, 7);
  EXPECT_EQ(receiver_.stats().metric_points_rejected.load(), 1u);
}

TEST_F(OtlpHttpReceiverTest, UnusableMetricsAreRejectedPointByPoint) {
  ExportMetricsServiceRequest req;
  auto* sm = req.add_resource_metrics()->add_scope_metrics();
  auto* summary = sm->add_metrics();
  summary->set_name("rpc.latency");
  summary->mutable_summary()->add_data_points()->set_count(1);
  summary->mutable_summary()->add_data_points()->set_count(2);
  auto* unspecified = sm->add_metrics();
  unspecified->set_name("requests");
  unspecified->mutable_sum()->set_is_monotonic(true);
  unspecified->mutable_sum()->add_data_points()->set_as_int(1);
  sm->add_metrics()->set_name("typeless");  // data oneof unset
  auto r = PostMetrics(req);
  ASSERT_EQ(r.status, 200) << r.body;
  ExportMetricsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 4);
  const std::string& msg = resp.partial_success().error_message();
  EXPECT_NE(msg.find("metric 'rpc.latency': summary is not supported"), std::string::npos) << msg;
  EXPECT_NE(msg.find("metric 'requests': aggregation temporality is unspecified"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("metric 'typeless': no data or an unknown metric type"), std::string::npos)
      << msg;
  EXPECT_EQ(store_.series(), 0u);
  EXPECT_EQ(receiver_.stats().metric_points_rejected.load(), 4u);
}

TEST_F(OtlpHttpReceiverTest, CardinalityOverflowIsReportedAndCounted) {
  aggregate::StoreOptions options;
  options.max_series_per_metric = 1;
  aggregate::SeriesStore small{options};
  OtlpHttpReceiver receiver(small, nullptr);
  ExportMetricsServiceRequest req = MakeRequest();
  AddHistPoint(req.mutable_resource_metrics(0)
                   ->mutable_scope_metrics(0)
                   ->mutable_metrics(0)
                   ->mutable_exponential_histogram(),
               5, "/other");
  net::HttpRequest http;
  http.method = "POST";
  http.path = "/v1/metrics";
  http.headers = {{"Content-Type", "application/x-protobuf"}};
  http.body = req.SerializeAsString();
  net::HttpResponse out = receiver.HandleMetrics(http);
  ASSERT_EQ(out.status, 200) << out.body;
  ExportMetricsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(out.body));
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("limit of 1 series"), std::string::npos)
      << resp.partial_success().error_message();
  EXPECT_EQ(receiver.stats().rejected_cardinality.load(), 1u);
  EXPECT_EQ(receiver.stats().metric_points_rejected.load(), 0u);
  EXPECT_EQ(small.series(), 2u);  // one histogram series, one counter series
}

TEST_F(OtlpHttpReceiverTest, BatchBeingMergedElsewhereIs503WithRetryAfter) {
  // Another request holds the key mid-merge.
  dedup::Reservation other = cache_.TryReserve("metrics\nbusy-key");
  ASSERT_EQ(other.outcome(), dedup::Reservation::Outcome::kNew);
  auto r = PostMetrics(MakeRequest(), "busy-key");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_EQ(Read().count, 0u);
  EXPECT_EQ(receiver_.stats().in_flight_batches.load(), 1u);
  other.Release();  // that request failed: the retry merges
  ASSERT_EQ(PostMetrics(MakeRequest(), "busy-key").status, 200);
  EXPECT_EQ(Read().count, 5u);
}

TEST_F(OtlpHttpReceiverTest, BodyOverTheReceiverLimitIs413) {
  aggregate::SeriesStore store{aggregate::StoreOptions{}};
  OtlpHttpReceiver receiver(store, nullptr, ReceiverOptions{.max_body_bytes = 16});
  net::HttpRequest http;
  http.method = "POST";
  http.path = "/v1/metrics";
  http.headers = {{"Content-Type", "application/x-protobuf"}};
  http.body = MakeRequest().SerializeAsString();
  net::HttpResponse out = receiver.HandleMetrics(http);
  EXPECT_EQ(out.status, 413);
  EXPECT_NE(out.body.find("exceeds the limit of 16 bytes"), std::string::npos) << out.body;
  EXPECT_EQ(receiver.stats().rejected_body_too_large.load(), 1u);
  EXPECT_EQ(store.series(), 0u);
}

TEST_F(OtlpHttpReceiverTest, GetIs405) {
  auto r = testing::HttpExchange(server_.port(), "GET", "/v1/metrics", {}, "");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "POST");
  EXPECT_EQ(receiver_.stats().rejected_method.load(), 1u);
}

TEST_F(OtlpHttpReceiverTest, LogsAndTracesAreCountedAndAcknowledged) {
  pb::collector::logs::v1::ExportLogsServiceRequest logs;
  auto* sl = logs.add_resource_logs()->add_scope_logs();
  for (int i = 0; i < 3; ++i) sl->add_log_records()->mutable_body()->set_string_value("line");
  auto r = Post("/v1/logs", Zstd(logs.SerializeAsString()), "zstd", "L1");
  ASSERT_EQ(r.status, 200) << r.body;
  pb::collector::logs::v1::ExportLogsServiceResponse logs_resp;
  EXPECT_TRUE(logs_resp.ParseFromString(r.body));
  ASSERT_EQ(Post("/v1/logs", Zstd(logs.SerializeAsString()), "zstd", "L1").status, 200);
  EXPECT_EQ(receiver_.stats().log_records_received.load(), 3u);  // the retry was a duplicate

  pb::collector::trace::v1::ExportTraceServiceRequest traces;
  auto* ss = traces.add_resource_spans()->add_scope_spans();
  ss->add_spans()->set_name("a");
  ss->add_spans()->set_name("b");
  r = Post("/v1/traces", traces.SerializeAsString(), "identity");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(receiver_.stats().spans_received.load(), 2u);

  r = Post("/v1/traces", "\x0a\x05\x01", "identity");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("ExportTraceServiceRequest"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace vigil::receive
