// OtlpReceiver + OtlpBatcher over real loopback HTTP: protobuf and JSON requests, encodings,
// responses in the request's format, batching and back-pressure.
#include "agent/receive/otlp_receiver.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "core/codec/gzip.h"
#include "core/codec/zstd_compressor.h"
#include "core/otlp/json/otlp_json.h"
#include "tests/agent/receive/receiver_fixture.h"

namespace vigil::agent::receive {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::SpanSpec;
using testing::TraceRequest;

TEST_F(ReceiverTest, ProtobufSpansAreQueuedAndForwardedUnaltered) {
  TraceRequest req;
  testing::AddSpans(&req, "checkout", {SpanSpec{}, SpanSpec{.status = 200}, SpanSpec{.kind = 3}});
  net::HttpResponse r = client_->Post("/v1/traces", req.SerializeAsString());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
  ASSERT_TRUE(resp.ParseFromString(r.body));
  EXPECT_FALSE(resp.has_partial_success());
  EXPECT_EQ(Received(SignalIndex::kTraces), 3u);

  EXPECT_TRUE(Sent(send::Signal::kTraces).empty());  // batched until the flush
  Flush();
  auto traces = Sent(send::Signal::kTraces);
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0]->items, 3u);
  EXPECT_EQ(traces[0]->key.rfind("agent-t/boot-1/", 0), 0u) << traces[0]->key;
  TraceRequest forwarded;
  ASSERT_TRUE(forwarded.ParseFromString(traces[0]->body));
  EXPECT_TRUE(MessageDifferencer::Equals(forwarded, req)) << forwarded.DebugString();
  // Every byte reserved against the send queue is in an envelope, and nothing else.
  EXPECT_EQ(reserved_.load(), SentBodyBytes());
}

TEST_F(ReceiverTest, JsonRequestsGetJsonAnswersAndAreForwardedAsProtobuf) {
  const std::string json =
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":)"
      R"({"stringValue":"web"}}]},"scopeLogs":[{"logRecords":[{"timeUnixNano":"1700000000000000000",)"
      R"("severityNumber":9,"body":{"stringValue":"hello"},"traceId":"5b8efff798038103d269b633813fc60c"}]}]}]})";
  net::HttpResponse r = client_->Post("/v1/logs", json, "application/json; charset=utf-8");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{}");
  Flush();
  auto logs = Sent(send::Signal::kLogs);
  ASSERT_EQ(logs.size(), 1u);
  testing::LogsRequest forwarded, expected;
  ASSERT_TRUE(forwarded.ParseFromString(logs[0]->body));
  ASSERT_TRUE(otlp::ParseOtlpJson(json, &expected).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(forwarded, expected)) << forwarded.DebugString();
  EXPECT_EQ(forwarded.resource_logs(0).scope_logs(0).log_records(0).trace_id().size(), 16u);
}

TEST_F(ReceiverTest, GzipAndZstdBodiesAreInflated) {
  testing::LogsRequest req = testing::MakeLogs("web", 20);
  Result<std::string> gz = codec::GzipCompress(req.SerializeAsString());
  ASSERT_TRUE(gz.ok());
  EXPECT_EQ(client_->Post("/v1/logs", *gz, "application/x-protobuf", "gzip").status, 200);
  codec::ZstdCompressor zstd(3);
  Result<std::string> zs = zstd.Compress(req.SerializeAsString());
  ASSERT_TRUE(zs.ok());
  EXPECT_EQ(client_->Post("/v1/logs", *zs, "application/x-protobuf", "ZSTD").status, 200);
  EXPECT_EQ(Received(SignalIndex::kLogs), 40u);
}

TEST_F(ReceiverTest, RequestsOfOneFlushMergeIntoOneEnvelopePerSignal) {
  TraceRequest a, b, merged;
  testing::AddSpans(&a, "a", {SpanSpec{}});
  testing::AddSpans(&b, "b", {SpanSpec{}, SpanSpec{}});
  ASSERT_EQ(client_->Post("/v1/traces", a.SerializeAsString()).status, 200);
  ASSERT_EQ(client_->Post("/v1/traces", b.SerializeAsString()).status, 200);
  ASSERT_EQ(client_->Post("/v1/logs", testing::MakeLogs("a", 2).SerializeAsString()).status, 200);
  Flush();
  auto traces = Sent(send::Signal::kTraces);
  ASSERT_EQ(traces.size(), 1u);
  EXPECT_EQ(traces[0]->items, 3u);
  merged.MergeFrom(a);
  merged.MergeFrom(b);
  TraceRequest forwarded;
  ASSERT_TRUE(forwarded.ParseFromString(traces[0]->body));
  EXPECT_TRUE(MessageDifferencer::Equals(forwarded, merged));
  ASSERT_EQ(Sent(send::Signal::kLogs).size(), 1u);
  EXPECT_NE(Sent(send::Signal::kLogs)[0]->key, traces[0]->key);
}

class SmallBatchTest : public ReceiverTest {
  BatcherOptions Options() override { return BatcherOptions{.max_batch_bytes = 2000}; }
};

TEST_F(SmallBatchTest, ABatchIsCutEarlyAtMaxBatchBytes) {
  TraceRequest req;
  testing::AddSpans(&req, "svc", std::vector<SpanSpec>(8, SpanSpec{}));
  const size_t one = req.ByteSizeLong();
  ASSERT_GT(one, 500u);
  ASSERT_LT(one, 2000u);
  for (int i = 0; i < 10; ++i)
    ASSERT_EQ(client_->Post("/v1/traces", req.SerializeAsString()).status, 200);
  auto before_flush = Sent(send::Signal::kTraces);
  EXPECT_GE(before_flush.size(), 3u);  // cut without waiting for the flush timer
  for (const auto& e : before_flush) EXPECT_LE(e->body.size(), 2000u);
  Flush();
  size_t spans = 0;
  for (const auto& e : Sent(send::Signal::kTraces)) spans += e->items;
  EXPECT_EQ(spans, 80u);
  EXPECT_EQ(reserved_.load(), SentBodyBytes());
}

TEST_F(ReceiverTest, FullSendQueueAnswers503WithRetryAfterAndKeepsNothing) {
  full_ = true;
  TraceRequest req;
  testing::AddSpans(&req, "svc", {SpanSpec{}});
  net::HttpResponse r = client_->Post("/v1/traces", req.SerializeAsString());
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Header("Retry-After"), "1");
  EXPECT_NE(testing::RpcStatusMessage(r.body).find("send queue is full"), std::string::npos);
  EXPECT_EQ(Rejected(OtlpRejectReason::kQueueFull), 1u);
  EXPECT_EQ(Received(SignalIndex::kTraces), 0u);
  EXPECT_EQ(reserved_.load(), 0u);
  full_ = false;  // room again: the SDK's retry is taken
  EXPECT_EQ(client_->Post("/v1/traces", req.SerializeAsString()).status, 200);
  EXPECT_EQ(Received(SignalIndex::kTraces), 1u);
}

TEST_F(ReceiverTest, ServerSpansBecomeRequestMetricsAtTheFlush) {
  TraceRequest req;
  testing::AddSpans(
      &req, "checkout",
      {SpanSpec{.route = "/pay", .status = 200}, SpanSpec{.route = "/pay", .status = 200},
       SpanSpec{.route = "/pay", .status = 502}, SpanSpec{.kind = 3, .route = "/pay"}});
  ASSERT_EQ(client_->Post("/v1/traces", req.SerializeAsString()).status, 200);
  Flush();
  auto metrics = Sent(send::Signal::kMetrics);
  ASSERT_EQ(metrics.size(), 1u);
  testing::MetricsRequest m;
  ASSERT_TRUE(m.ParseFromString(metrics[0]->body));
  ASSERT_EQ(m.resource_metrics_size(), 1);
  EXPECT_EQ(m.resource_metrics(0).resource().attributes(0).value().string_value(), "checkout");
  uint64_t count = 0;
  int64_t errors = 0;
  for (const auto& metric : m.resource_metrics(0).scope_metrics(0).metrics()) {
    if (metric.name() == "http.server.request.duration") {
      for (const auto& p : metric.exponential_histogram().data_points()) count += p.count();
    } else if (metric.name() == "http.server.request.errors") {
      for (const auto& p : metric.sum().data_points()) errors += p.as_int();
    }
  }
  EXPECT_EQ(count, 3u);  // the client span is not a request
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(stats_.spans_derived.load(), 3u);
}

}  // namespace
}  // namespace vigil::agent::receive
