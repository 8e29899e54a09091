// Bad input at the agent's OTLP receiver over real loopback HTTP: each case gets a clear 400,
// 405, 413, 415 or partial_success, is counted, and the receiver keeps serving.
#include <gtest/gtest.h>

#include "core/codec/gzip.h"
#include "core/codec/zstd_compressor.h"
#include "tests/agent/receive/receiver_fixture.h"

namespace vigil::agent::receive {
namespace {

using testing::RpcStatusMessage;
using testing::SpanSpec;
using testing::TraceRequest;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ReceiverTest, TruncatedProtobufIs400) {
  TraceRequest req;
  testing::AddSpans(&req, "svc", {SpanSpec{}, SpanSpec{}});
  std::string body = req.SerializeAsString();
  body.resize(body.size() - 7);
  net::HttpResponse r = client_->Post("/v1/traces", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body),
                       "truncated or malformed protobuf ExportTraceServiceRequest"))
      << RpcStatusMessage(r.body);
  EXPECT_EQ(Rejected(OtlpRejectReason::kMalformed), 1u);
  ExpectStillServing();
}

TEST_F(ReceiverTest, GarbageIs400EvenWhenItHappensToBeWireFormat) {
  net::HttpResponse r = client_->Post("/v1/metrics", std::string("\xff\xfe garbage \x07", 12));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body), "ExportMetricsServiceRequest"));
  // Field 2 as a varint: valid protobuf, but not an OTLP request.
  r = client_->Post("/v1/metrics", std::string("\x10\x01\x18\x05", 4));
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body), "holds no ExportMetricsServiceRequest field"))
      << RpcStatusMessage(r.body);
  EXPECT_EQ(Rejected(OtlpRejectReason::kMalformed), 2u);
  ExpectStillServing();
}

TEST_F(ReceiverTest, JsonWithWrongTypesIs400InJson) {
  net::HttpResponse r =
      client_->Post("/v1/traces", R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"name":17}]}]}]})",
                    "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_TRUE(Contains(r.body, R"("code":3)")) << r.body;
  EXPECT_TRUE(Contains(r.body, "resourceSpans[0].scopeSpans[0].spans[0].name")) << r.body;
  r = client_->Post("/v1/logs", "{\"resourceLogs\": [", "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "invalid OTLP/JSON ExportLogsServiceRequest")) << r.body;
  ExpectStillServing();
}

TEST_F(ReceiverTest, SpanWithTraceIdOfWrongLengthIsRejectedAlone) {
  TraceRequest req;
  testing::AddSpans(&req, "svc",
                    {SpanSpec{}, SpanSpec{.trace_id = std::string(15, '\x01')}, SpanSpec{}});
  net::HttpResponse r = client_->Post("/v1/traces", req.SerializeAsString());
  ASSERT_EQ(r.status, 200) << r.body;
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_spans(), 1);
  EXPECT_TRUE(Contains(resp.partial_success().error_message(),
                       "resourceSpans[0].scopeSpans[0].spans[1].traceId must be 16 bytes, got 15"))
      << resp.partial_success().error_message();
  EXPECT_EQ(Received(SignalIndex::kTraces), 2u);
  EXPECT_EQ(stats_.otlp_rejected_items[static_cast<int>(SignalIndex::kTraces)][0].load(), 1u);
  Flush();
  auto traces = Sent(send::Signal::kTraces);
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0]->items, 2u);

  // In JSON a trace id of the wrong length cannot even be decoded: 400 naming the field.
  r = client_->Post(
      "/v1/traces",
      R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"abcd","spanId":"0102030405060708"}]}]}]})",
      "application/json");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(r.body, "traceId")) << r.body;
}

TEST_F(ReceiverTest, ZstdAndGzipBombsAre413) {
  const std::string zeros(8 << 20, '\0');  // 8 MiB inflated, far above the 256 KiB limit
  codec::ZstdCompressor zstd(3);
  Result<std::string> zs = zstd.Compress(zeros);
  ASSERT_TRUE(zs.ok());
  ASSERT_LT(zs->size(), kMaxBody);
  net::HttpResponse r = client_->Post("/v1/logs", *zs, "application/x-protobuf", "zstd");
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body),
                       "decompressed zstd body exceeds receiver.max_decompressed_bytes"))
      << RpcStatusMessage(r.body);
  Result<std::string> gz = codec::GzipCompress(zeros);
  ASSERT_TRUE(gz.ok());
  ASSERT_LT(gz->size(), kMaxBody);
  r = client_->Post("/v1/logs", *gz, "application/json", "gzip");
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(Contains(r.body, "decompressed gzip body exceeds")) << r.body;
  EXPECT_EQ(Rejected(OtlpRejectReason::kDecompressedTooLarge), 2u);
  ExpectStillServing();
}

TEST_F(ReceiverTest, CorruptCompressedBodyIs400AndUnknownEncodingIs415) {
  net::HttpResponse r =
      client_->Post("/v1/logs", "definitely not gzip", "application/x-protobuf", "gzip");
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body), "corrupt gzip body")) << RpcStatusMessage(r.body);
  r = client_->Post("/v1/logs", "x", "application/x-protobuf", "br");
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body), "unsupported Content-Encoding"));
  EXPECT_EQ(Rejected(OtlpRejectReason::kEncoding), 2u);
  ExpectStillServing();
}

TEST_F(ReceiverTest, BodyOverTheLimitIs413) {
  net::HttpResponse r = client_->Post("/v1/traces", std::string(kMaxBody + 1, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(Contains(RpcStatusMessage(r.body), "exceeds receiver.max_body_bytes"));
  EXPECT_EQ(Rejected(OtlpRejectReason::kBodyTooLarge), 1u);
  ExpectStillServing();
}

TEST_F(ReceiverTest, WrongContentTypeIs415AndWrongMethodIs405) {
  net::HttpResponse r = client_->Post("/v1/traces", "{}", "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(Contains(r.body, "application/x-protobuf or application/json")) << r.body;
  r = client_->Post("/v1/traces", "{}", "");
  EXPECT_EQ(r.status, 415);
  EXPECT_TRUE(Contains(r.body, "missing Content-Type"));
  r = client_->Post("/v1/traces", "", "application/x-protobuf", "", "GET");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("Allow"), "POST");
  EXPECT_EQ(Rejected(OtlpRejectReason::kContentType), 2u);
  EXPECT_EQ(Rejected(OtlpRejectReason::kMethod), 1u);
  ExpectStillServing();
}

TEST_F(ReceiverTest, MetricOfUnknownTypeAndBadHistogramAreRejectedInPartialSuccess) {
  testing::MetricsRequest req;
  auto* sm = req.add_resource_metrics()->add_scope_metrics();
  auto* future = sm->add_metrics();  // a data type from a newer OTLP: only an unknown field
  future->set_name("queue.depth.v2");
  future->GetReflection()->MutableUnknownFields(future)->AddLengthDelimited(99, "\x08\x01");
  auto* gauge = sm->add_metrics();
  gauge->set_name("queue.depth");
  gauge->mutable_gauge()->add_data_points()->set_as_int(4);
  auto* hist = sm->add_metrics();
  hist->set_name("latency");
  hist->mutable_histogram()->set_aggregation_temporality(
      opentelemetry::proto::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  auto* p = hist->mutable_histogram()->add_data_points();
  p->add_explicit_bounds(1);
  p->add_bucket_counts(1);  // 1 bound needs 2 counts
  net::HttpResponse r = client_->Post("/v1/metrics", req.SerializeAsString());
  ASSERT_EQ(r.status, 200) << r.body;
  opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_data_points(), 2);
  EXPECT_TRUE(Contains(resp.partial_success().error_message(),
                       "metric 'queue.depth.v2' has no data of a known type"))
      << resp.partial_success().error_message();
  EXPECT_EQ(Received(SignalIndex::kMetrics), 1u);
  Flush();
  auto sent = Sent(send::Signal::kMetrics);
  ASSERT_EQ(sent.size(), 1u);
  testing::MetricsRequest forwarded;
  ASSERT_TRUE(forwarded.ParseFromString(sent[0]->body));
  ASSERT_EQ(forwarded.resource_metrics(0).scope_metrics(0).metrics_size(), 1);
  EXPECT_EQ(forwarded.resource_metrics(0).scope_metrics(0).metrics(0).name(), "queue.depth");

  // The same answer in JSON for a JSON request.
  r = client_->Post("/v1/metrics",
                    R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"nothing"}]}]}]})",
                    "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_TRUE(Contains(r.body, R"("rejectedDataPoints":"1")")) << r.body;
  EXPECT_TRUE(Contains(r.body, "metric 'nothing' has no data of a known type")) << r.body;
  ExpectStillServing();
}

TEST_F(ReceiverTest, LogRecordWithBadSpanIdIsRejectedInPartialSuccess) {
  testing::LogsRequest req = testing::MakeLogs("web", 3);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(2)->set_span_id("abc");
  net::HttpResponse r = client_->Post("/v1/logs", req.SerializeAsString());
  ASSERT_EQ(r.status, 200);
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_EQ(resp.partial_success().rejected_log_records(), 1);
  EXPECT_TRUE(Contains(resp.partial_success().error_message(),
                       "logRecords[2].spanId must be 8 bytes, got 3"))
      << resp.partial_success().error_message();
  EXPECT_EQ(Received(SignalIndex::kLogs), 2u);
}

}  // namespace
}  // namespace vigil::agent::receive
