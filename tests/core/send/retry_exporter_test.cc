// RetryExporter over a real OtlpHttpExporter and loopback HttpServer.
#include "core/send/retry_exporter.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/send/otlp_http_exporter.h"
#include "tests/core/send/peer_server.h"

namespace vigil::send {
namespace {

using std::chrono::milliseconds;
using testing::MakeEnvelope;
using testing::PeerServer;
using testing::Reply;
using testing::Results;
using testing::WaitUntil;

RetryOptions Fast() {
  RetryOptions o;
  o.initial_interval = milliseconds(10);
  o.max_interval = milliseconds(50);
  return o;
}

class RetryExporterTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  std::shared_ptr<RetryExporter> Make(const std::string& url, RetryOptions ro = Fast()) {
    OtlpHttpOptions o;
    o.endpoint = url;
    o.timeout = std::chrono::seconds(5);
    auto http = OtlpHttpExporter::Create(loop_, o);
    EXPECT_TRUE(http.ok()) << http.status().ToString();
    return std::make_shared<RetryExporter>(loop_.executor(),
                                           std::shared_ptr<Exporter>(std::move(*http)), ro);
  }

  net::EventLoop loop_{1};
};

TEST(BackoffCeilingTest, GrowsExponentiallyUpToTheCap) {
  RetryOptions o;  // 200ms, x2, 30s
  EXPECT_EQ(BackoffCeiling(o, 0), milliseconds(200));
  EXPECT_EQ(BackoffCeiling(o, 1), milliseconds(400));
  EXPECT_EQ(BackoffCeiling(o, 4), milliseconds(3200));
  EXPECT_EQ(BackoffCeiling(o, 8), milliseconds(30000));
  EXPECT_EQ(BackoffCeiling(o, 5000), milliseconds(30000));  // no overflow
  o.multiplier = 0.5;  // nonsense multipliers do not shrink the wait
  EXPECT_EQ(BackoffCeiling(o, 3), milliseconds(200));
}

TEST_F(RetryExporterTest, HonoursRetryAfterThenSucceeds) {
  PeerServer peer([](const net::HttpRequest&, int n) {
    return n == 0 ? Reply(503, "warming up", {{"Retry-After", "1"}}) : Reply(200);
  });
  ASSERT_TRUE(peer.start_status().ok());
  auto retry = Make(peer.url());
  Results results;
  retry->Push(MakeEnvelope(Signal::kMetrics, "a/b/1", "payload"), results.Callback());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.all()[0].second.status.ok());
  auto reqs = peer.requests();
  ASSERT_EQ(reqs.size(), 2u);
  // Backoff alone would be <= 10ms; the 1s hint must have been waited for (loose bound).
  EXPECT_GE(reqs[1].at - reqs[0].at, milliseconds(900));
  EXPECT_EQ(reqs[1].Header("X-Vigil-Batch-Key"), "a/b/1");  // same key on the retry
  EXPECT_EQ(retry->stats().retries.load(), 1u);
}

TEST_F(RetryExporterTest, PermanentErrorIsNotRetried) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(400, "bad batch"); });
  ASSERT_TRUE(peer.start_status().ok());
  auto retry = Make(peer.url());
  Results results;
  retry->Push(MakeEnvelope(Signal::kLogs, "k", "x"), results.Callback());
  ASSERT_TRUE(results.WaitFor(1));
  const PushResult r = results.all()[0].second;
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("bad batch"), std::string::npos);
  std::this_thread::sleep_for(milliseconds(100));  // would be several retries by now
  EXPECT_EQ(peer.count(), 1u);
  EXPECT_EQ(retry->stats().retries.load(), 0u);
  EXPECT_EQ(retry->stats().permanent.load(), 1u);
}

TEST_F(RetryExporterTest, DeliversOnceTheCollectorAppears) {
  uint16_t port;
  {
    PeerServer gone([](const net::HttpRequest&, int) { return Reply(200); });
    ASSERT_TRUE(gone.start_status().ok());
    port = gone.port();
  }
  auto retry = Make("http://127.0.0.1:" + std::to_string(port));
  Results results;
  retry->Push(MakeEnvelope(Signal::kLogs, "k/1", "late"), results.Callback());
  ASSERT_TRUE(WaitUntil([&] { return retry->stats().retries.load() >= 2; }));
  EXPECT_EQ(results.size(), 0u);  // still retrying, not failed

  PeerServer peer([](const net::HttpRequest&, int) { return Reply(200); },
                  "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(peer.start_status().ok()) << peer.start_status().ToString();
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_TRUE(results.all()[0].second.status.ok());
  ASSERT_EQ(peer.count(), 1u);
  EXPECT_EQ(peer.requests()[0].Header("X-Vigil-Batch-Key"), "k/1");
}

TEST_F(RetryExporterTest, GivesUpAfterMaxElapsed) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(503, "down"); });
  ASSERT_TRUE(peer.start_status().ok());
  RetryOptions ro = Fast();
  ro.max_elapsed = milliseconds(150);
  auto retry = Make(peer.url(), ro);
  Results results;
  retry->Push(MakeEnvelope(Signal::kLogs, "k", "x"), results.Callback());
  ASSERT_TRUE(results.WaitFor(1));
  const PushResult r = results.all()[0].second;
  EXPECT_EQ(r.status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.status.message().find("down"), std::string::npos) << r.status.message();
  EXPECT_GE(peer.count(), 2u);
  EXPECT_EQ(retry->stats().gave_up.load(), 1u);
}

TEST_F(RetryExporterTest, RetryAfterBeyondMaxElapsedGivesUpAtOnce) {
  PeerServer peer([](const net::HttpRequest&, int) {
    return Reply(429, "quota", {{"Retry-After", "3600"}});
  });
  ASSERT_TRUE(peer.start_status().ok());
  RetryOptions ro = Fast();
  ro.max_elapsed = milliseconds(5000);
  auto retry = Make(peer.url(), ro);
  Results results;
  retry->Push(MakeEnvelope(Signal::kMetrics, "k", "x"), results.Callback());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.all()[0].second.status.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(peer.count(), 1u);
}

}  // namespace
}  // namespace vigil::send
