// OtlpHttpExporter against a real loopback HttpServer.
#include "core/send/otlp_http_exporter.h"

#include <gtest/gtest.h>

#include "core/codec/codec.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "tests/core/send/peer_server.h"

namespace vigil::send {
namespace {

using testing::MakeEnvelope;
using testing::PeerServer;
using testing::Reply;
using testing::Results;

class OtlpHttpExporterTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  std::unique_ptr<OtlpHttpExporter> Make(const std::string& url, bool compress = true) {
    OtlpHttpOptions o;
    o.endpoint = url;
    o.timeout = std::chrono::seconds(5);
    o.compress = compress;
    o.headers = {{"Authorization", "Bearer t0ken"}};
    auto r = OtlpHttpExporter::Create(loop_, std::move(o));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }

  // Pushes one envelope and waits for its result.
  PushResult PushOne(Exporter& ex, EnvelopePtr e) {
    Results results;
    ex.Push(std::move(e), results.Callback());
    EXPECT_TRUE(results.WaitFor(1));
    return results.size() ? results.all()[0].second : PushResult{};
  }

  net::EventLoop loop_{1};
};

std::string SampleBody() {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "log line " + std::to_string(i) + " ";
  return body;
}

TEST_F(OtlpHttpExporterTest, PostsCompressedBodyWithHeaders) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url());
  const std::string body = SampleBody();
  for (Signal s : {Signal::kMetrics, Signal::kLogs, Signal::kTraces}) {
    PushResult r =
        PushOne(*ex, MakeEnvelope(s, "agent-1/boot-7/" + std::string(SignalName(s)), body));
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  }
  auto reqs = peer.requests();
  ASSERT_EQ(reqs.size(), 3u);
  const char* paths[] = {"/v1/metrics", "/v1/logs", "/v1/traces"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(reqs[i].path, paths[i]);
    EXPECT_EQ(reqs[i].Header("Content-Type"), "application/x-protobuf");
    EXPECT_EQ(reqs[i].Header("Content-Encoding"), "zstd");
    EXPECT_EQ(reqs[i].Header("Authorization"), "Bearer t0ken");
    EXPECT_EQ(reqs[i].Header("X-Vigil-Batch-Key"), "agent-1/boot-7/" + std::string(paths[i] + 4));
    EXPECT_LT(reqs[i].body.size(), body.size());  // really compressed
    auto plain = codec::Decompress(codec::Encoding::kZstd, reqs[i].body, 1 << 20);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_EQ(*plain, body);
  }
  EXPECT_EQ(ex->stats().requests.load(), 3u);
  EXPECT_EQ(ex->stats().body_bytes.load(), 3 * body.size());
}

TEST_F(OtlpHttpExporterTest, UncompressedWhenDisabled) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(204); });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url(), /*compress=*/false);
  EXPECT_TRUE(PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "raw-bytes")).status.ok());
  auto reqs = peer.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].body, "raw-bytes");
  EXPECT_EQ(reqs[0].Header("Content-Encoding"), "");
}

TEST_F(OtlpHttpExporterTest, BadRequestIsPermanentWithServerText) {
  PeerServer peer([](const net::HttpRequest&, int) {
    return Reply(400, "malformed ExportLogsServiceRequest: field 1 truncated");
  });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url());
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "x"));
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("HTTP 400"), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("field 1 truncated"), std::string::npos);
}

TEST_F(OtlpHttpExporterTest, ThrottlingAndServerErrorsAreRetryable) {
  PeerServer peer([](const net::HttpRequest&, int n) {
    if (n == 0) return Reply(503, "busy", {{"Retry-After", "7"}});
    if (n == 1) return Reply(429, "slow down");
    return Reply(500, "oops");
  });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url());
  PushResult r503 = PushOne(*ex, MakeEnvelope(Signal::kMetrics, "k", "x"));
  EXPECT_TRUE(r503.retryable);
  EXPECT_EQ(r503.status.code(), StatusCode::kUnavailable);
  ASSERT_TRUE(r503.retry_after.has_value());
  EXPECT_EQ(*r503.retry_after, std::chrono::seconds(7));
  PushResult r429 = PushOne(*ex, MakeEnvelope(Signal::kMetrics, "k", "x"));
  EXPECT_TRUE(r429.retryable);
  EXPECT_FALSE(r429.retry_after.has_value());
  EXPECT_NE(r429.status.message().find("slow down"), std::string::npos);
  // OTLP/HTTP: a 500 will fail the same way again, so it is not retried.
  PushResult r500 = PushOne(*ex, MakeEnvelope(Signal::kMetrics, "k", "x"));
  EXPECT_FALSE(r500.retryable);
  EXPECT_NE(r500.status.message().find("HTTP 500: oops"), std::string::npos);
}

TEST_F(OtlpHttpExporterTest, ConnectionRefusedIsRetryable) {
  uint16_t port;
  {
    PeerServer gone([](const net::HttpRequest&, int) { return Reply(200); });
    ASSERT_TRUE(gone.start_status().ok());
    port = gone.port();
  }
  auto ex = Make("http://127.0.0.1:" + std::to_string(port));
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "x"));
  EXPECT_FALSE(r.status.ok());
  EXPECT_TRUE(r.retryable);
}

TEST_F(OtlpHttpExporterTest, PartialSuccessIsCounted) {
  PeerServer peer([](const net::HttpRequest&, int) {
    opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse resp;
    resp.mutable_partial_success()->set_rejected_log_records(2);
    resp.mutable_partial_success()->set_error_message("2 records too old");
    net::HttpResponse r = Reply(200, resp.SerializeAsString());
    r.content_type = "application/x-protobuf";
    return r;
  });
  ASSERT_TRUE(peer.start_status().ok());
  auto ex = Make(peer.url());
  EXPECT_TRUE(PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "x")).status.ok());
  EXPECT_EQ(ex->stats().partial_rejections.load(), 2u);
}

TEST_F(OtlpHttpExporterTest, BadEndpointFailsCreate) {
  OtlpHttpOptions o;
  o.endpoint = "not a url";
  auto r = OtlpHttpExporter::Create(loop_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("OTLP exporter endpoint"), std::string::npos);
}

TEST(ClassifyHttpResultTest, MapsStatusCodes) {
  const auto now = std::chrono::system_clock::now();
  auto resp = [](int status, net::HttpHeaders h = {}) {
    net::HttpResponse r = net::HttpResponse::Text(status, "why");
    r.headers = std::move(h);
    return Result<net::HttpResponse>(r);
  };
  EXPECT_TRUE(ClassifyHttpResult(resp(200), now).status.ok());
  EXPECT_TRUE(ClassifyHttpResult(resp(202), now).status.ok());
  for (int code : {301, 400, 401, 403, 404, 413, 415, 500, 501}) {
    PushResult r = ClassifyHttpResult(resp(code), now);
    EXPECT_FALSE(r.retryable) << code;
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument) << code;
  }
  for (int code : {429, 502, 503, 504}) EXPECT_TRUE(ClassifyHttpResult(resp(code), now).retryable);
  // A malformed Retry-After is ignored, not fatal.
  PushResult bad_hint = ClassifyHttpResult(resp(503, {{"Retry-After", "later"}}), now);
  EXPECT_TRUE(bad_hint.retryable);
  EXPECT_FALSE(bad_hint.retry_after.has_value());
  PushResult transport =
      ClassifyHttpResult(Result<net::HttpResponse>(Status::Unavailable("refused")), now);
  EXPECT_TRUE(transport.retryable);
  EXPECT_EQ(transport.status.code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace vigil::send
