// The OTLP exporters against a real loopback OTLP backend (net::HttpServer): forwarded spans and
// logs arrive unaltered, headers and gzip are applied, 503 + Retry-After is retried and 400 is
// not, a full queue is a counted drop, and metrics go out periodically and at shutdown.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "collector/collector.h"
#include "core/codec/codec.h"
#include "core/codec/zstd_compressor.h"
#include "core/otlp/json/otlp_json.h"
#include "exporters/otlp/otlp_exporters.h"
#include "exporters/prometheus/prometheus_collectable.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/collector/loopback_http.h"
#include "tests/core/send/peer_server.h"

namespace vigil::exporters {
namespace {

namespace pb = opentelemetry::proto;
using google::protobuf::util::MessageDifferencer;
using send::testing::PeerServer;
using send::testing::Recorded;
using send::testing::Reply;
using send::testing::WaitUntil;

// The request body as the backend decodes it.
std::string Plain(const Recorded& r) {
  auto enc = codec::ParseContentEncoding(r.Header("Content-Encoding"));
  EXPECT_TRUE(enc.ok());
  auto plain = codec::Decompress(enc.ok() ? *enc : codec::Encoding::kIdentity, r.body, 64 << 20);
  EXPECT_TRUE(plain.ok()) << plain.status().ToString();
  return plain.ok() ? *plain : "";
}

pb::collector::trace::v1::ExportTraceServiceRequest SampleSpans() {
  pb::collector::trace::v1::ExportTraceServiceRequest req;
  auto* rs = req.add_resource_spans();
  auto* kv = rs->mutable_resource()->add_attributes();
  kv->set_key("service.name");
  kv->mutable_value()->set_string_value("checkout");
  auto* ss = rs->add_scope_spans();
  for (int i = 0; i < 3; ++i) {
    auto* span = ss->add_spans();
    span->set_name("GET /cart/" + std::to_string(i));
    span->set_trace_id(std::string(16, static_cast<char>(i + 1)));
    span->set_span_id(std::string(8, static_cast<char>(i + 7)));
    span->set_start_time_unix_nano(1000 + i);
    span->set_end_time_unix_nano(2000 + i);
  }
  // A field this build does not know (number 1000, varint 7): it must survive forwarding.
  req.GetReflection()->MutableUnknownFields(&req)->AddVarint(1000, 7);
  return req;
}

collector::CollectorConfig LoopbackConfig() {
  collector::CollectorConfig cfg;
  cfg.admin.listen = "127.0.0.1:0";
  cfg.otlp.listen = "127.0.0.1:0";
  cfg.prometheus.listen = "127.0.0.1:0";
  cfg.shutdown.deadline = std::chrono::seconds(5);
  return cfg;
}

TEST(OtlpForwarding, SpansAndLogsReachTheBackendUnalteredWithHeadersAndGzip) {
  PeerServer backend([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(backend.start_status().ok());
  collector::CollectorConfig cfg = LoopbackConfig();
  OtlpEndpointOptions ep;
  ep.endpoint = backend.url();
  ep.signals = {"traces", "logs", "metrics"};
  ep.headers = {{"authorization", "Bearer t0k"}};
  ep.compression = CompressionSetting::kGzip;
  ep.metrics_interval = std::chrono::hours(1);  // only the shutdown export
  cfg.exporters.otlp = {ep};
  collector::Collector coll(cfg);
  ASSERT_TRUE(coll.Start().ok());

  const auto spans = SampleSpans();
  codec::ZstdCompressor z(1);
  auto r = testing::HttpExchange(
      coll.otlp_port(), "POST", "/v1/traces",
      {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "zstd"}},
      *z.Compress(spans.SerializeAsString()));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string logs_json =
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":{"stringValue":"hello"},"severityNumber":9},{"body":{"stringValue":"bye"}}]}]}]})";
  r = testing::HttpExchange(coll.otlp_port(), "POST", "/v1/logs",
                            {{"Content-Type", "application/json"}}, logs_json);
  ASSERT_EQ(r.status, 200) << r.body;
  auto metrics_json =
      R"({"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"web"}}]},"scopeMetrics":[{"metrics":[{"name":"hits","sum":{"isMonotonic":true,"aggregationTemporality":1,"dataPoints":[{"asInt":"4"}]}}]}]}]})";
  r = testing::HttpExchange(coll.otlp_port(), "POST", "/v1/metrics",
                            {{"Content-Type", "application/json"}}, metrics_json);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(WaitUntil([&] { return backend.count() >= 2; }));
  ASSERT_TRUE(coll.Shutdown().ok());  // exports metrics once more and drains the queues

  bool saw_spans = false, saw_logs = false, saw_metrics = false;
  for (const Recorded& req : backend.requests()) {
    EXPECT_EQ(req.Header("authorization"), "Bearer t0k");
    EXPECT_EQ(req.Header("Content-Encoding"), "gzip");
    EXPECT_EQ(req.Header("Content-Type"), "application/x-protobuf");
    const std::string body = Plain(req);
    if (req.path == "/v1/traces") {
      saw_spans = true;
      EXPECT_EQ(body, spans.SerializeAsString());  // byte for byte
      pb::collector::trace::v1::ExportTraceServiceRequest got;
      ASSERT_TRUE(got.ParseFromString(body));
      EXPECT_TRUE(MessageDifferencer::Equals(got, spans));
      EXPECT_EQ(got.GetReflection()->GetUnknownFields(got).field_count(), 1);
    } else if (req.path == "/v1/logs") {
      saw_logs = true;
      pb::collector::logs::v1::ExportLogsServiceRequest want, got;
      ASSERT_TRUE(otlp::ParseOtlpJson(logs_json, &want).ok());
      ASSERT_TRUE(got.ParseFromString(body));
      EXPECT_TRUE(MessageDifferencer::Equals(got, want)) << got.DebugString();
    } else if (req.path == "/v1/metrics") {
      saw_metrics = true;
      pb::collector::metrics::v1::ExportMetricsServiceRequest got;
      ASSERT_TRUE(got.ParseFromString(body));
      ASSERT_EQ(got.resource_metrics_size(), 1);
      EXPECT_EQ(got.resource_metrics(0).resource().attributes(0).value().string_value(), "web");
      const auto& m = got.resource_metrics(0).scope_metrics(0).metrics(0);
      EXPECT_EQ(m.name(), "hits");
      EXPECT_EQ(m.sum().data_points(0).as_double(), 4);
    }
  }
  EXPECT_TRUE(saw_spans && saw_logs && saw_metrics);
}

class OtlpEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override {
    if (exporters_) exporters_->Shutdown(std::chrono::milliseconds(0));
    loop_.Stop();
  }
  OtlpExporters& Make(OtlpEndpointOptions o) {
    o.retry.initial_interval = std::chrono::milliseconds(5);
    o.retry.max_interval = std::chrono::milliseconds(20);
    auto r = OtlpExporters::Create(loop_, {o}, store_);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    exporters_ = std::move(*r);
    exporters_->Start();
    return *exporters_;
  }
  uint64_t Failed(send::Signal s, FailReason r) {
    return exporters_->endpoint(0)
        .stats()
        .failed_items[static_cast<size_t>(s)][static_cast<size_t>(r)]
        .load();
  }

  net::EventLoop loop_{2};
  aggregate::SeriesStore store_{aggregate::StoreOptions{}};
  std::unique_ptr<OtlpExporters> exporters_;
};

TEST_F(OtlpEndpointTest, Retries503AfterRetryAfterButNot400) {
  PeerServer backend([](const net::HttpRequest& req, int n) {
    if (req.path == "/v1/traces") return Reply(400, "span too large");
    return n == 0 ? Reply(503, "busy", {{"Retry-After", "1"}}) : Reply(200);
  });
  ASSERT_TRUE(backend.start_status().ok());
  OtlpEndpointOptions o;
  o.endpoint = backend.url();
  o.signals = {"logs", "traces"};
  OtlpExporters& ex = Make(o);
  EXPECT_FALSE(ex.Wants(send::Signal::kMetrics));
  ex.Forward(send::Signal::kLogs, "logs-body", 4);
  ASSERT_TRUE(WaitUntil([&] { return ex.endpoint(0).stats().sent_items[1].load() == 4; }));
  auto reqs = backend.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(Plain(reqs[0]), "logs-body");
  EXPECT_EQ(Plain(reqs[1]), "logs-body");
  // The server asked for a second's pause; the backoff alone would have waited <= 5 ms.
  EXPECT_GE(reqs[1].at - reqs[0].at, std::chrono::milliseconds(900));

  ex.Forward(send::Signal::kTraces, "spans-body", 2);
  ASSERT_TRUE(WaitUntil([&] { return Failed(send::Signal::kTraces, FailReason::kRejected) == 2; }));
  EXPECT_EQ(backend.count(), 3u);  // no retry
  EXPECT_EQ(ex.endpoint(0).retry_stats().permanent.load(), 1u);
}

TEST_F(OtlpEndpointTest, FullQueueIsACountedDropAndTheReceiverIsNotBlocked) {
  PeerServer backend([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(backend.start_status().ok());
  OtlpEndpointOptions o;
  o.endpoint = backend.url();
  o.signals = {"logs"};
  o.queue_max_bytes = 16;
  OtlpExporters& ex = Make(o);
  ex.Forward(send::Signal::kLogs, std::string(100, 'x'), 5);  // larger than the whole queue
  ex.Forward(send::Signal::kTraces, "ignored: no endpoint takes traces", 1);
  ASSERT_TRUE(WaitUntil([&] { return Failed(send::Signal::kLogs, FailReason::kQueueFull) == 5; }));
  ex.Forward(send::Signal::kLogs, "small", 1);
  ASSERT_TRUE(WaitUntil([&] { return ex.endpoint(0).stats().sent_items[1].load() == 1; }));
  EXPECT_EQ(backend.count(), 1u);

  const std::string text = [&] {
    std::string out;
    for (const auto& f : ex.MakeCollectable()->Collect()) {
      for (const auto& m : f.metric) {
        out += f.name;
        for (const auto& l : m.label) out += " " + l.name + "=" + l.value;
        out += " " + std::to_string(static_cast<int64_t>(m.counter.value + m.gauge.value)) + "\n";
      }
    }
    return out;
  }();
  EXPECT_NE(text.find("vigil_collector_exporter_failed_items_total endpoint=" + backend.url() +
                      " reason=queue_full signal=logs 5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_collector_exporter_sent_items_total endpoint=" + backend.url() +
                      " signal=logs 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("vigil_collector_exporter_queue_bytes endpoint="), std::string::npos);
}

TEST_F(OtlpEndpointTest, MetricsGoOutEveryIntervalInTheEndpointsTemporality) {
  PeerServer backend([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(backend.start_status().ok());
  ASSERT_TRUE(
      store_.AddCounter({"hits_total", "", "hits", "1"}, {{"service_name", "web"}}, 5).ok());
  OtlpEndpointOptions o;
  o.endpoint = backend.url();
  o.signals = {"metrics"};
  o.metrics_temporality = Temporality::kDelta;
  o.metrics_interval = std::chrono::milliseconds(20);
  o.compression = CompressionSetting::kNone;
  Make(o);
  ASSERT_TRUE(WaitUntil([&] { return backend.count() >= 1; }));
  ASSERT_TRUE(
      store_.AddCounter({"hits_total", "", "hits", "1"}, {{"service_name", "web"}}, 2).ok());
  ASSERT_TRUE(WaitUntil([&] { return backend.count() >= 2; }));
  // Unchanged delta series are not sent, so exactly two exports: 5, then 2.
  auto reqs = backend.requests();
  std::vector<double> values;
  for (const auto& r : reqs) {
    EXPECT_EQ(r.Header("Content-Encoding"), "");
    pb::collector::metrics::v1::ExportMetricsServiceRequest got;
    ASSERT_TRUE(got.ParseFromString(r.body));
    const auto& sum = got.resource_metrics(0).scope_metrics(0).metrics(0).sum();
    EXPECT_EQ(sum.aggregation_temporality(), pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
    values.push_back(sum.data_points(0).as_double());
  }
  EXPECT_EQ(values, (std::vector<double>{5, 2}));
}

TEST(OtlpEndpointOptionsTest, InvalidOptionsAreRefusedWithTheReason) {
  OtlpEndpointOptions o;
  o.endpoint = "ftp://tempo:4318";
  EXPECT_NE(ValidateOtlpEndpointOptions(o).message().find("must start with http:// or https://"),
            std::string::npos);
  o.endpoint = "http://tempo:4318";
  o.signals = {"traces", "profiles"};
  EXPECT_NE(ValidateOtlpEndpointOptions(o).message().find("unknown signal \"profiles\""),
            std::string::npos);
  o.signals = {"logs", "logs"};
  EXPECT_NE(ValidateOtlpEndpointOptions(o).message().find("listed twice"), std::string::npos);
  o.signals = {};
  EXPECT_FALSE(ValidateOtlpEndpointOptions(o).ok());
  o.signals = {"metrics"};
  o.metrics_interval = std::chrono::milliseconds(0);
  EXPECT_NE(ValidateOtlpEndpointOptions(o).message().find("metrics_interval"), std::string::npos);
  o.metrics_interval = std::chrono::seconds(1);
  EXPECT_TRUE(ValidateOtlpEndpointOptions(o).ok());
}

}  // namespace
}  // namespace vigil::exporters
