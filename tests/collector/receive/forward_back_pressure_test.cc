// Back-pressure from the forward queues to OTLP clients, over real loopback sockets: while an
// exporter endpoint is stuck and its queue is full, the receiver answers logs and spans with 503
// + Retry-After and a google.rpc.Status (UNAVAILABLE with RetryInfo over gRPC), counts the
// refusal, forwards nothing of the request and keeps taking metrics; after the endpoint recovers
// every accepted span arrives exactly once. Also the 413 for a body no queue can ever hold.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>

#include "collector/collector_config.h"
#include "collector/collector_stats.h"
#include "collector/receive/otlp_http_receiver.h"
#include "core/net/event_loop.h"
#include "core/net/grpc/grpc_server.h"
#include "core/net/grpc/grpc_status.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "core/net/http_server.h"
#include "exporters/otlp/otlp_exporters.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/collector/loopback_http.h"
#include "tests/core/net/grpc_test_client.h"
#include "tests/core/send/peer_server.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
using send::testing::Gate;
using send::testing::PeerServer;
using send::testing::Reply;
using send::testing::WaitUntil;
using vigil::testing::HttpExchange;
using vigil::testing::RawResponse;

constexpr int kSpansPerRequest = 2;

// `kSpansPerRequest` spans whose span ids encode first_id, first_id + 1, ...; every request has
// the same serialized size, so the queue's capacity can be stated in requests.
std::string Spans(int first_id) {
  pb::collector::trace::v1::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  for (int i = 0; i < kSpansPerRequest; ++i) {
    auto* span = ss->add_spans();
    const int id = first_id + i;
    span->set_name("GET /item");
    span->set_trace_id(std::string(16, 'T'));
    std::string span_id(8, '\0');
    span_id[0] = static_cast<char>(id);
    span->set_span_id(span_id);
    span->set_start_time_unix_nano(100);
    span->set_end_time_unix_nano(200);
  }
  return req.SerializeAsString();
}

std::string Gauge() {
  pb::collector::metrics::v1::ExportMetricsServiceRequest req;
  auto* m = req.add_resource_metrics()->add_scope_metrics()->add_metrics();
  m->set_name("queue.depth");
  m->mutable_gauge()->add_data_points()->set_as_double(3);
  return req.SerializeAsString();
}

// Span id (its first byte) -> how many times the backend received it.
std::map<int, int> SpanCounts(const PeerServer& backend) {
  std::map<int, int> out;
  for (const auto& r : backend.requests()) {
    if (r.path != "/v1/traces") continue;
    pb::collector::trace::v1::ExportTraceServiceRequest req;
    EXPECT_TRUE(req.ParseFromString(r.body));
    for (const auto& rs : req.resource_spans()) {
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& span : ss.spans()) ++out[static_cast<unsigned char>(span.span_id()[0])];
      }
    }
  }
  return out;
}

// A receiver served over HTTP and gRPC that forwards to one endpoint whose backend hangs (every
// request blocks until `Release`) and whose queue holds `queue_requests` trace requests.
class BackPressureTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(3 * Spans(0).size()); }

  void Build(size_t queue_max_bytes) {
    backend_ = std::make_unique<PeerServer>([this](const net::HttpRequest&, int) {
      if (stuck_.load()) gate_.Wait();
      return Reply(200);
    });
    ASSERT_TRUE(backend_->start_status().ok());
    receiver_ = std::make_unique<OtlpHttpReceiver>(store_, &dedup_,
                                                   ReceiverOptions{.retry_after_seconds = 2});
    exporters::OtlpEndpointOptions ep;
    ep.endpoint = backend_->url();
    ep.signals = {"traces", "logs", "metrics"};
    ep.compression = exporters::CompressionSetting::kNone;
    ep.timeout = std::chrono::seconds(30);  // longer than the gate's bound: never a retry
    ep.metrics_interval = std::chrono::hours(1);
    ep.queue_max_bytes = queue_max_bytes;
    auto ex = exporters::OtlpExporters::Create(loop_, {ep}, store_);
    ASSERT_TRUE(ex.ok()) << ex.status().ToString();
    exporters_ = std::move(*ex);
    receiver_->SetForwarder(exporters_.get());
    server_ = std::make_unique<net::HttpServer>(
        loop_, net::HttpServerOptions{.listen = "127.0.0.1:0", .max_body_bytes = 1 << 20});
    receiver_->Register(*server_);
    grpc_ = std::make_unique<net::GrpcServer>(loop_.executor(),
                                              net::GrpcServerOptions{.listen = "127.0.0.1:0"});
    grpc_->Handle(std::string(net::OtlpGrpcMethodOf(send::Signal::kTraces)), "/v1/traces",
                  [this](const net::HttpRequest& r) { return receiver_->HandleTraces(r); });
    loop_.Start();
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(grpc_->Start().ok());
  }

  void TearDown() override {
    Release();
    if (grpc_) grpc_->Stop();
    if (server_) server_->Stop();
    if (exporters_) exporters_->Shutdown(std::chrono::seconds(5));
    loop_.Stop();
  }

  void Release() {
    stuck_ = false;
    gate_.Open();
  }

  RawResponse Post(const std::string& path, const std::string& body, const std::string& key = "",
                   const std::string& type = "application/x-protobuf") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", type}};
    if (!key.empty()) headers.emplace_back("X-Vigil-Batch-Key", key);
    return HttpExchange(server_->port(), "POST", path, headers, body);
  }

  // Sends three trace requests (span ids 0..5), which fill the queue: the backend holds them.
  void FillQueue() {
    for (int i = 0; i < 3; ++i) {
      RawResponse r = Post("/v1/traces", Spans(i * kSpansPerRequest), "a/b/" + std::to_string(i));
      ASSERT_EQ(r.status, 200) << r.body;
    }
    ASSERT_EQ(exporters_->endpoint(0).queued_bytes(), 3 * Spans(0).size());
  }

  std::string RenderedCounters() {
    std::string out;
    auto collectable =
        collector::MakeCollectorCollectable(*receiver_, store_, dedup_, server_->stats());
    for (const auto& f : collectable->Collect()) {
      for (const auto& m : f.metric) {
        out += f.name;
        for (const auto& l : m.label) out += " " + l.name + "=" + l.value;
        out += " " + std::to_string(static_cast<int64_t>(m.counter.value)) + "\n";
      }
    }
    return out;
  }

  std::atomic<bool> stuck_{true};
  Gate gate_;
  std::unique_ptr<PeerServer> backend_;
  aggregate::SeriesStore store_;
  dedup::IdempotencyCache dedup_;
  net::EventLoop loop_{2};
  std::unique_ptr<OtlpHttpReceiver> receiver_;
  std::unique_ptr<exporters::OtlpExporters> exporters_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<net::GrpcServer> grpc_;
};

TEST_F(BackPressureTest, FullQueueRefusesWith503UntilTheBackendRecoversThenEachSpanArrivesOnce) {
  FillQueue();

  RawResponse refused = Post("/v1/traces", Spans(6), "a/b/3");
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "2");
  EXPECT_EQ(refused.Header("Content-Type"), "application/x-protobuf");
  auto status = net::DecodeRpcStatus(refused.body);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->code, 14);  // UNAVAILABLE
  EXPECT_NE(status->message.find("queue_full"), std::string::npos) << status->message;
  EXPECT_NE(status->message.find("traces"), std::string::npos) << status->message;
  EXPECT_EQ(status->retry_delay, std::chrono::milliseconds(2000));

  // The same over OTLP/JSON (logs share the endpoint's queue): the status in JSON.
  RawResponse json = Post("/v1/logs", R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]})",
                          "", "application/json");
  ASSERT_EQ(json.status, 503) << json.body;
  EXPECT_EQ(json.Header("Retry-After"), "2");
  EXPECT_EQ(json.Header("Content-Type"), "application/json");
  EXPECT_EQ(json.body.rfind("{\"code\":14,\"message\":\"queue_full: ", 0), 0u) << json.body;

  // Metrics are merged, not queued per request: never refused for a full queue.
  RawResponse metrics = Post("/v1/metrics", Gauge());
  EXPECT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(receiver_->stats().metric_points_merged.load(), 1u);

  // Refused requests were not counted as received, and the counter names the reason.
  EXPECT_EQ(receiver_->stats().rejected_queue_full.load(), 2u);
  EXPECT_EQ(receiver_->stats().spans_received.load(), 6u);
  EXPECT_EQ(receiver_->stats().log_records_received.load(), 0u);
  EXPECT_NE(RenderedCounters().find("vigil_collector_rejected_requests_total reason=queue_full 2"),
            std::string::npos)
      << RenderedCounters();
  EXPECT_EQ(exporters_->endpoint(0).queued_bytes(), 3 * Spans(0).size());

  Release();
  ASSERT_TRUE(WaitUntil([&] { return exporters_->endpoint(0).queued_bytes() == 0; }));
  // The client's retry, under the same batch key: the refusal released it, so it is accepted.
  RawResponse retried = Post("/v1/traces", Spans(6), "a/b/3");
  ASSERT_EQ(retried.status, 200) << retried.body;
  ASSERT_EQ(Post("/v1/traces", Spans(8), "a/b/4").status, 200);
  ASSERT_TRUE(exporters_->Shutdown(std::chrono::seconds(5)));

  std::map<int, int> expected;
  for (int id = 0; id < 10; ++id) expected[id] = 1;
  EXPECT_EQ(SpanCounts(*backend_), expected);
  EXPECT_EQ(receiver_->stats().rejected_queue_full.load(), 2u);
  EXPECT_EQ(exporters_->endpoint(0).stats().failed_items[2][0].load(), 0u);  // no queue drop
}

TEST_F(BackPressureTest, OverGrpcAFullQueueIsUnavailableWithRetryInfo) {
  FillQueue();
  auto call = net::testing::GrpcCall(
      grpc_->port(), std::string(net::OtlpGrpcMethodOf(send::Signal::kTraces)), Spans(6));
  EXPECT_EQ(call.status.error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(call.status.error_message().find("queue_full"), std::string::npos)
      << call.status.error_message();
  auto details = net::DecodeRpcStatus(call.status.error_details());
  ASSERT_TRUE(details.ok()) << details.status().ToString();
  EXPECT_EQ(details->retry_delay, std::chrono::milliseconds(2000));
  EXPECT_EQ(receiver_->stats().rejected_queue_full.load(), 1u);

  Release();
  ASSERT_TRUE(WaitUntil([&] { return exporters_->endpoint(0).queued_bytes() == 0; }));
  call = net::testing::GrpcCall(
      grpc_->port(), std::string(net::OtlpGrpcMethodOf(send::Signal::kTraces)), Spans(6));
  EXPECT_TRUE(call.status.ok()) << call.status.error_message();
  ASSERT_TRUE(exporters_->Shutdown(std::chrono::seconds(5)));
  std::map<int, int> expected;
  for (int id = 0; id < 8; ++id) expected[id] = 1;
  EXPECT_EQ(SpanCounts(*backend_), expected);
}

TEST_F(BackPressureTest, ABodyLargerThanTheWholeQueueIs413NotARetry) {
  pb::collector::trace::v1::ExportTraceServiceRequest big;
  big.add_resource_spans()->add_scope_spans()->add_spans()->set_name(std::string(4096, 'x'));
  RawResponse r = Post("/v1/traces", big.SerializeAsString(), "a/b/9");
  ASSERT_EQ(r.status, 413) << r.body;
  EXPECT_TRUE(r.Header("Retry-After").empty());
  auto status = net::DecodeRpcStatus(r.body);
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->code, 8);  // RESOURCE_EXHAUSTED
  EXPECT_NE(status->message.find("larger than the collector's whole forward queue"),
            std::string::npos)
      << status->message;
  EXPECT_EQ(receiver_->stats().rejected_body_too_large.load(), 1u);
  EXPECT_EQ(receiver_->stats().rejected_queue_full.load(), 0u);
  EXPECT_EQ(receiver_->stats().spans_received.load(), 0u);
  EXPECT_EQ(exporters_->endpoint(0).queued_bytes(), 0u);
}

TEST(RetryAfterOption, ParsedFromTheConfigAndRangeChecked) {
  auto cfg = collector::ParseCollectorConfig("otlp:\n  retry_after_seconds: 7\n", "t.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->otlp.retry_after_seconds, 7);
  EXPECT_EQ(collector::CollectorConfig{}.otlp.retry_after_seconds, 1);
  for (const char* bad : {"0", "3601", "soon"}) {
    auto r = collector::ParseCollectorConfig(
        std::string("otlp:\n  retry_after_seconds: ") + bad + "\n", "t.yaml");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("retry_after_seconds"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace vigil::receive
