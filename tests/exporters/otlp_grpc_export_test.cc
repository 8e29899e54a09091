// OTLP/gRPC through the real collector: an endpoint with `protocol: grpc` exports to another
// collector's gRPC receiver, which forwards the spans byte for byte (and merges metrics); bad
// gRPC calls get INVALID_ARGUMENT / RESOURCE_EXHAUSTED / UNIMPLEMENTED with the receiver's
// message while it keeps serving; and the configuration rejects what gRPC cannot send.
#include <gtest/gtest.h>

#include "collector/collector.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "exporters/otlp/otlp_endpoint.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/core/net/grpc_test_client.h"
#include "tests/core/send/peer_server.h"

namespace vigil::exporters {
namespace {

namespace pb = opentelemetry::proto;
using send::testing::PeerServer;
using send::testing::Reply;
using send::testing::WaitUntil;

const std::string kTraces(net::OtlpGrpcMethodOf(send::Signal::kTraces));
const std::string kMetrics(net::OtlpGrpcMethodOf(send::Signal::kMetrics));

collector::CollectorConfig GrpcCollectorConfig() {
  collector::CollectorConfig cfg;
  cfg.admin.listen = "127.0.0.1:0";
  cfg.otlp.listen = "127.0.0.1:0";
  cfg.otlp.grpc_listen = "127.0.0.1:0";
  cfg.prometheus.listen = "127.0.0.1:0";
  cfg.shutdown.deadline = std::chrono::seconds(5);
  return cfg;
}

pb::collector::trace::v1::ExportTraceServiceRequest Spans(int n) {
  pb::collector::trace::v1::ExportTraceServiceRequest req;
  auto* ss = req.add_resource_spans()->add_scope_spans();
  for (int i = 0; i < n; ++i) {
    auto* span = ss->add_spans();
    span->set_name("GET /a/" + std::to_string(i));
    span->set_trace_id(std::string(16, static_cast<char>(i + 1)));
    span->set_span_id(std::string(8, static_cast<char>(i + 2)));
    span->set_start_time_unix_nano(100);
    span->set_end_time_unix_nano(200);
  }
  return req;
}

TEST(OtlpGrpcExport, GrpcEndpointReachesAnotherCollectorsGrpcReceiverUnaltered) {
  PeerServer backend([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(backend.start_status().ok());
  collector::CollectorConfig cfg = GrpcCollectorConfig();
  OtlpEndpointOptions to_backend;
  to_backend.endpoint = backend.url();
  to_backend.signals = {"traces"};
  to_backend.compression = CompressionSetting::kNone;
  cfg.exporters.otlp = {to_backend};
  collector::Collector downstream(cfg);
  ASSERT_TRUE(downstream.Start().ok());
  ASSERT_NE(downstream.otlp_grpc_port(), 0);

  net::EventLoop loop(1);
  loop.Start();
  OtlpEndpointOptions grpc;
  grpc.endpoint = "127.0.0.1:" + std::to_string(downstream.otlp_grpc_port());
  grpc.protocol = Protocol::kGrpc;
  grpc.signals = {"traces"};
  grpc.headers = {{"X-Tenant", "blue"}};
  auto ep = OtlpEndpoint::Create(loop, grpc);
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  const std::string body = Spans(5).SerializeAsString();
  (*ep)->Push(send::Signal::kTraces, body, 5);
  ASSERT_TRUE(WaitUntil([&] { return (*ep)->stats().sent_items[2].load() == 5; }));
  EXPECT_EQ((*ep)->http_stats().requests.load(), 1u);
  ASSERT_TRUE(WaitUntil([&] { return backend.count() >= 1; }));
  ASSERT_TRUE(downstream.Shutdown().ok());
  loop.Stop();
  auto reqs = backend.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/traces");
  EXPECT_EQ(reqs[0].body, body);  // forwarded as the gRPC message arrived
}

TEST(OtlpGrpcExport, CollectorGrpcReceiverMergesMetricsAndRefusesBadCalls) {
  collector::CollectorConfig cfg = GrpcCollectorConfig();
  cfg.otlp.max_body_bytes = 4096;
  cfg.otlp.max_decompressed_bytes = 8192;
  collector::Collector coll(cfg);
  ASSERT_TRUE(coll.Start().ok());
  const uint16_t port = coll.otlp_grpc_port();

  auto garbage = net::testing::GrpcCall(port, kTraces, std::string("\xff\xff\x0a\x7f", 4));
  EXPECT_EQ(garbage.status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(garbage.status.error_message().find("malformed protobuf ExportTraceServiceRequest"),
            std::string::npos)
      << garbage.status.error_message();

  auto big = net::testing::GrpcCall(port, kTraces, std::string(5000, 'a'));
  EXPECT_EQ(big.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);

  auto unknown = net::testing::GrpcCall(port, "/vigil.Nope/Export", "");
  EXPECT_EQ(unknown.status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);

  // Still serving: a real metrics request is merged, and the answer is the OTLP response.
  pb::collector::metrics::v1::ExportMetricsServiceRequest req;
  auto* m = req.add_resource_metrics()->add_scope_metrics()->add_metrics();
  m->set_name("hits");
  auto* sum = m->mutable_sum();
  sum->set_is_monotonic(true);
  sum->set_aggregation_temporality(pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  sum->add_data_points()->set_as_int(3);
  net::testing::GrpcCallOptions gzip;
  gzip.gzip = true;
  auto ok = net::testing::GrpcCall(port, kMetrics, req.SerializeAsString(), gzip);
  ASSERT_TRUE(ok.status.ok()) << ok.status.error_message();
  pb::collector::metrics::v1::ExportMetricsServiceResponse resp;
  EXPECT_TRUE(resp.ParseFromString(ok.response));
  EXPECT_FALSE(resp.has_partial_success() && resp.partial_success().rejected_data_points() > 0);
  EXPECT_GT(coll.store().series(), 0u);
  ASSERT_TRUE(coll.Shutdown().ok());
}

TEST(OtlpGrpcExport, ConfigRejectsWhatGrpcCannotSend) {
  OtlpEndpointOptions o;
  o.protocol = Protocol::kGrpc;
  o.endpoint = "collector:4317";
  EXPECT_TRUE(ValidateOtlpEndpointOptions(o).ok());
  o.endpoint = "http://collector:4317";
  EXPECT_TRUE(ValidateOtlpEndpointOptions(o).ok());
  o.endpoint = "http://collector:4317/v1/traces";
  Status st = ValidateOtlpEndpointOptions(o);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("no path"), std::string::npos) << st.message();
  o.endpoint = "collector:4317";
  o.headers = {{"grpc-timeout", "1S"}};
  st = ValidateOtlpEndpointOptions(o);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("grpc-timeout"), std::string::npos) << st.message();

  const std::string yaml =
      "exporters:\n"
      "  otlp:\n"
      "    - endpoint: tempo:4317\n"
      "      protocol: grpc\n"
      "      signals: [traces]\n";
  auto cfg = collector::ParseCollectorConfig(yaml, "c.yaml");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->exporters.otlp[0].protocol, Protocol::kGrpc);
  auto bad = collector::ParseCollectorConfig(
      "exporters:\n  otlp:\n    - endpoint: tempo:4317\n      protocol: thrift\n", "c.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("protocol"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace vigil::exporters
