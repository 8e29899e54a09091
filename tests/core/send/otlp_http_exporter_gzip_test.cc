// OtlpHttpExporter's gzip encoding, its handling of envelopes without a batch key, and the
// partial-success accounting, against a real loopback HttpServer.
#include <gtest/gtest.h>

#include "core/codec/codec.h"
#include "core/send/otlp_http_exporter.h"
#include "core/send/retry_exporter.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/core/send/peer_server.h"

namespace vigil::send {
namespace {

using testing::MakeEnvelope;
using testing::PeerServer;
using testing::Reply;
using testing::Results;

class OtlpHttpGzipTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  std::shared_ptr<OtlpHttpExporter> Make(const std::string& url, Compression c) {
    OtlpHttpOptions o;
    o.endpoint = url;
    o.timeout = std::chrono::seconds(5);
    o.compression = c;
    auto r = OtlpHttpExporter::Create(loop_, std::move(o));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::shared_ptr<OtlpHttpExporter>(std::move(*r)) : nullptr;
  }

  PushResult PushOne(Exporter& ex, EnvelopePtr e) {
    Results results;
    ex.Push(std::move(e), results.Callback());
    EXPECT_TRUE(results.WaitFor(1));
    return results.size() ? results.all()[0].second : PushResult{};
  }

  net::EventLoop loop_{1};
};

TEST_F(OtlpHttpGzipTest, GzipBodyDecodesToTheOriginalAndKeylessEnvelopesSendNoKeyHeader) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url(), Compression::kGzip);
  std::string body;
  for (int i = 0; i < 500; ++i) body += "span " + std::to_string(i) + ";";
  ASSERT_TRUE(PushOne(*ex, MakeEnvelope(Signal::kTraces, "", body)).status.ok());
  auto reqs = peer.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].Header("Content-Encoding"), "gzip");
  EXPECT_EQ(reqs[0].Header("X-Vigil-Batch-Key"), "");
  EXPECT_LT(reqs[0].body.size(), body.size());
  auto plain = codec::Decompress(codec::Encoding::kGzip, reqs[0].body, 1 << 20);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, body);
}

TEST_F(OtlpHttpGzipTest, RetryChainStopsAtOnceOn500And400ButRetries503) {
  // Envelope a gets 500, b gets 400, c gets 503 then 200 (told apart by their batch keys).
  std::atomic<int> c_calls{0};
  PeerServer peer([&c_calls](const net::HttpRequest& req, int) {
    if (req.Header("X-Vigil-Batch-Key") == "a") return Reply(500, "internal");
    if (req.Header("X-Vigil-Batch-Key") == "b") return Reply(400, "bad payload");
    return c_calls++ == 0 ? Reply(503, "busy", {{"Retry-After", "0"}}) : Reply(200);
  });
  ASSERT_TRUE(peer.start_status().ok());
  auto http = Make(peer.url(), Compression::kZstd);
  RetryExporter retry(loop_.executor(), http,
                      RetryOptions{.initial_interval = std::chrono::milliseconds(1),
                                   .max_interval = std::chrono::milliseconds(5),
                                   .max_elapsed = std::chrono::seconds(5)});
  PushResult a = PushOne(retry, MakeEnvelope(Signal::kLogs, "a", "x"));
  EXPECT_FALSE(a.status.ok());
  EXPECT_NE(a.status.message().find("HTTP 500: internal"), std::string::npos);
  PushResult b = PushOne(retry, MakeEnvelope(Signal::kLogs, "b", "x"));
  EXPECT_EQ(b.status.code(), StatusCode::kInvalidArgument);
  PushResult c = PushOne(retry, MakeEnvelope(Signal::kLogs, "c", "x"));
  EXPECT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_EQ(peer.count(), 4u);  // a once, b once, c twice
  EXPECT_EQ(retry.stats().retries.load(), 1u);
  EXPECT_EQ(retry.stats().permanent.load(), 2u);
}

TEST_F(OtlpHttpGzipTest, EveryPartialSuccessIsCountedEvenWhenNotLogged) {
  PeerServer peer([](const net::HttpRequest&, int) {
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_spans(3);
    resp.mutable_partial_success()->set_error_message("spans too old");
    return Reply(200, resp.SerializeAsString());
  });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url(), Compression::kGzip);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(PushOne(*ex, MakeEnvelope(Signal::kTraces, "", "x")).status.ok());
  }
  EXPECT_EQ(ex->stats().partial_responses.load(), 3u);
  EXPECT_EQ(ex->stats().partial_rejections.load(), 9u);
}

}  // namespace
}  // namespace vigil::send
