// OTLP/JSON bodies on the receiver, over a real loopback HTTP server: accepted and merged,
// answered in JSON, gzip-encoded JSON too, and malformed or mistyped JSON refused with 400 and
// the codec's message while the collector keeps serving.
#include <gtest/gtest.h>

#include "collector/receive/otlp_http_receiver.h"
#include "core/codec/gzip.h"
#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "core/otlp/json/otlp_json.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "tests/collector/loopback_http.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;

// One monotonic DELTA sum point (as a decimal string, as OTLP/JSON writes 64-bit ints) and one
// exponential histogram point whose buckets add up to `hist_count` only when it is 3.
std::string MetricsJson(const std::string& hits, int hist_count = 3) {
  return R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},)"
         R"("scopeMetrics":[{"metrics":[)"
         R"({"name":"hits","unit":"1","sum":{"isMonotonic":true,"aggregationTemporality":1,)"
         R"("dataPoints":[{"asInt":")" +
         hits +
         R"("}]}},)"
         R"({"name":"lat","unit":"s","exponentialHistogram":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA",)"
         R"("dataPoints":[{"scale":0,"count":")" +
         std::to_string(hist_count) +
         R"(","sum":4.5,"positive":{"offset":0,"bucketCounts":["2","1"]}}]}}]}]}]})";
}

class OtlpJsonReceiverTest : public ::testing::Test {
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
                            const std::string& encoding = "") {
    std::vector<std::pair<std::string, std::string>> h = {
        {"Content-Type", "application/json; charset=utf-8"}};
    if (!encoding.empty()) h.emplace_back("Content-Encoding", encoding);
    return testing::HttpExchange(server_.port(), "POST", path, h, body);
  }
  double Hits() {
    double v = 0;
    store_.Visit(
        [&](const aggregate::SeriesView& s) {
          if (s.family == "hits_ratio_total") v += s.counter;
        },
        std::chrono::system_clock::now());
    return v;
  }

  net::EventLoop loop_{1};
  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
  OtlpHttpReceiver receiver_{store_, nullptr};
  net::HttpServer server_{loop_, net::HttpServerOptions{}};
};

TEST_F(OtlpJsonReceiverTest, JsonIsMergedAndAnsweredInJson) {
  auto r = Post("/v1/metrics", MetricsJson("5"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  pb::collector::metrics::v1::ExportMetricsServiceResponse resp;
  ASSERT_TRUE(otlp::ParseOtlpJson(r.body, &resp).ok()) << r.body;
  EXPECT_FALSE(resp.has_partial_success());
  EXPECT_EQ(Hits(), 5);
  EXPECT_EQ(receiver_.stats().json_requests.load(), 1u);

  auto gz = codec::GzipCompress(MetricsJson("2"));
  ASSERT_TRUE(gz.ok());
  r = Post("/v1/metrics", *gz, "gzip");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Hits(), 7);
}

TEST_F(OtlpJsonReceiverTest, PartialSuccessComesBackAsJson) {
  auto r = Post("/v1/metrics", MetricsJson("1", /*hist_count=*/9));
  ASSERT_EQ(r.status, 200) << r.body;
  pb::collector::metrics::v1::ExportMetricsServiceResponse resp;
  ASSERT_TRUE(otlp::ParseOtlpJson(r.body, &resp).ok()) << r.body;
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 1);
  EXPECT_NE(resp.partial_success().error_message().find("add up to 3 but count is 9"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Hits(), 1);
}

TEST_F(OtlpJsonReceiverTest, BadJsonIs400WithTheCodecsMessage) {
  auto r = Post("/v1/metrics", R"({"resourceMetrics":[{"scopeMetrics":)");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid OTLP/JSON ExportMetricsServiceRequest: "), std::string::npos)
      << r.body;
  // Wrong JSON types: a number where a list belongs, a word where an integer belongs.
  r = Post("/v1/metrics", R"({"resourceMetrics":5})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("resourceMetrics"), std::string::npos) << r.body;
  r = Post("/v1/metrics", MetricsJson("five"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("asInt"), std::string::npos) << r.body;
  r = Post("/v1/logs", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"abc"}]}]}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid OTLP/JSON ExportLogsServiceRequest"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("traceId"), std::string::npos) << r.body;
  EXPECT_EQ(receiver_.stats().rejected_malformed.load(), 4u);
  EXPECT_EQ(Hits(), 0);
  // Still serving.
  EXPECT_EQ(Post("/v1/metrics", MetricsJson("3")).status, 200);
  EXPECT_EQ(Hits(), 3);
}

TEST_F(OtlpJsonReceiverTest, JsonLogsAndSpansAreCounted) {
  auto r = Post(
      "/v1/logs",
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"a"}},{}]}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_EQ(receiver_.stats().log_records_received.load(), 2u);
  r = Post(
      "/v1/traces",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"GET /","traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708"}]}]}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(receiver_.stats().spans_received.load(), 1u);
}

}  // namespace
}  // namespace vigil::receive
