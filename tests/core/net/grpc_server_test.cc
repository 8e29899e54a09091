// GrpcServer over real loopback gRPC: requests reach the HTTP-style handler with the right
// shape and thread, answers map back to gRPC statuses, and bad calls get clear errors while
// the server keeps serving.
#include "core/net/grpc/grpc_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <string>

#include "core/net/grpc/grpc_status.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "tests/core/net/grpc_test_client.h"
#include "tests/support/wait_until.h"

namespace vigil::net {
namespace {

using testing::GrpcCall;
using testing::GrpcCallOptions;

const std::string kTraces(kOtlpGrpcMethods[0].method);

class GrpcServerTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }

  // Starts a server whose traces method answers with `reply` and records the request.
  void StartServer(HttpResponse reply, size_t max_message_bytes = 1 << 20) {
    server_ = std::make_unique<GrpcServer>(
        loop_.executor(),
        GrpcServerOptions{.listen = "127.0.0.1:0", .max_message_bytes = max_message_bytes});
    server_->Handle(kTraces, "/v1/traces", [this, reply](const HttpRequest& r) {
      std::lock_guard lock(mu_);
      seen_ = r;
      on_loop_ = loop_.executor().RunningInThisThread();
      ++calls_;
      return reply;
    });
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_NE(server_->port(), 0);
  }

  EventLoop loop_{1};
  std::unique_ptr<GrpcServer> server_;
  std::mutex mu_;
  HttpRequest seen_;
  bool on_loop_ = false;
  int calls_ = 0;
};

HttpResponse Ok(std::string body) {
  HttpResponse r;
  r.content_type = "application/x-protobuf";
  r.body = std::move(body);
  return r;
}

TEST_F(GrpcServerTest, HandsTheMessageToTheHandlerAsAnHttpPostOnTheLoop) {
  StartServer(Ok("answer-bytes"));
  const std::string body(
      "\x0a\x03"
      "abc\x00\xff",
      7);
  GrpcCallOptions opts;
  opts.metadata = {{"x-vigil-batch-key", "a/b/7"}, {"authorization", "Bearer t"}};
  auto r = GrpcCall(server_->port(), kTraces, body, opts);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.response, "answer-bytes");
  std::lock_guard lock(mu_);
  EXPECT_TRUE(on_loop_);
  EXPECT_EQ(seen_.method, "POST");
  EXPECT_EQ(seen_.path, "/v1/traces");
  EXPECT_EQ(seen_.body, body);
  EXPECT_EQ(seen_.Header("Content-Type"), "application/x-protobuf");
  EXPECT_EQ(seen_.Header("X-Vigil-Batch-Key"), "a/b/7");
  EXPECT_EQ(seen_.Header("authorization"), "Bearer t");
  EXPECT_EQ(seen_.Header("Content-Encoding"), "");
  EXPECT_TRUE(seen_.remote.starts_with("127.0.0.1:")) << seen_.remote;
  for (const auto& [k, v] : seen_.headers) EXPECT_FALSE(k.starts_with("grpc-")) << k;
  EXPECT_EQ(server_->stats().requests.load(), 1u);
}

TEST_F(GrpcServerTest, GzipCallsArriveInflated) {
  StartServer(Ok(""));
  const std::string body(100000, 'z');
  GrpcCallOptions gzip;
  gzip.gzip = true;
  auto r = GrpcCall(server_->port(), kTraces, body, gzip);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.response, "");
  std::lock_guard lock(mu_);
  EXPECT_EQ(seen_.body, body);
}

TEST_F(GrpcServerTest, BadRequestBecomesInvalidArgumentWithTheStatusMessage) {
  HttpResponse bad;
  bad.status = 400;
  bad.content_type = "application/x-protobuf";
  bad.body = EncodeRpcStatus(3, "truncated or malformed protobuf ExportTraceServiceRequest");
  StartServer(bad);
  auto r = GrpcCall(server_->port(), kTraces, "\xff\xff\xff");
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(r.status.error_message(), "truncated or malformed protobuf ExportTraceServiceRequest");
  EXPECT_EQ(r.status.error_details(), "");
  EXPECT_EQ(server_->stats().errors.load(), 1u);
  // Still serving.
  EXPECT_EQ(GrpcCall(server_->port(), kTraces, "x").status.error_code(),
            ::grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(GrpcServerTest, QueueFullBecomesUnavailableWithRetryInfo) {
  HttpResponse full = HttpResponse::Text(503, "send queue full\n");
  full.headers.emplace_back("Retry-After", "2");
  StartServer(full);
  auto r = GrpcCall(server_->port(), kTraces, "");
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.status.error_message(), "send queue full");
  auto details = DecodeRpcStatus(r.status.error_details());
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->code, static_cast<int>(::grpc::StatusCode::UNAVAILABLE));
  ASSERT_TRUE(details->retry_delay.has_value());
  EXPECT_EQ(*details->retry_delay, std::chrono::seconds(2));
}

TEST_F(GrpcServerTest, TooLargeFromTheHandlerIsResourceExhausted) {
  StartServer(HttpResponse::Text(413, "decompressed body exceeds the limit"));
  auto r = GrpcCall(server_->port(), kTraces, "x");
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.status.error_message(), "decompressed body exceeds the limit");
}

TEST_F(GrpcServerTest, OversizedMessageIsRefusedBeforeTheHandler) {
  StartServer(Ok(""), /*max_message_bytes=*/1000);
  auto r = GrpcCall(server_->port(), kTraces, std::string(5000, 'a'));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED)
      << r.status.error_message();
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(calls_, 0);
  }
  EXPECT_TRUE(GrpcCall(server_->port(), kTraces, std::string(900, 'a')).status.ok());
}

TEST_F(GrpcServerTest, UnknownMethodIsUnimplemented) {
  StartServer(Ok(""));
  auto r = GrpcCall(server_->port(), "/opentelemetry.proto.collector.profiles.v1.X/Export", "");
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_NE(r.status.error_message().find("profiles"), std::string::npos);
  EXPECT_EQ(server_->stats().unimplemented.load(), 1u);
  EXPECT_TRUE(GrpcCall(server_->port(), kTraces, "").status.ok());
}

TEST_F(GrpcServerTest, HandlerExceptionIsInternal) {
  server_ = std::make_unique<GrpcServer>(loop_.executor(), GrpcServerOptions{});
  server_->Handle(kTraces, "/v1/traces",
                  [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
  ASSERT_TRUE(server_->Start().ok());
  auto r = GrpcCall(server_->port(), kTraces, "");
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::INTERNAL);
  EXPECT_TRUE(GrpcCall(server_->port(), kTraces, "").status.error_code() ==
              ::grpc::StatusCode::INTERNAL);
}

TEST_F(GrpcServerTest, PortInUseIsAnErrorNamingTheAddress) {
  StartServer(Ok(""));
  const std::string taken = "127.0.0.1:" + std::to_string(server_->port());
  GrpcServer second(loop_.executor(), GrpcServerOptions{.listen = taken});
  Status st = second.Start();
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(taken), std::string::npos) << st.message();
  GrpcServer bad(loop_.executor(), GrpcServerOptions{.listen = "no-port"});
  EXPECT_FALSE(bad.Start().ok());
}

TEST(GrpcServerStopTest, CallsWaitingForTheLoopAreAnsweredUnavailable) {
  EventLoop idle(1);  // never started: posted handlers wait
  GrpcServer server(idle.executor(), GrpcServerOptions{});
  std::atomic<int> ran{0};
  server.Handle(kTraces, "/v1/traces", [&](const HttpRequest&) {
    ++ran;
    return HttpResponse{};
  });
  ASSERT_TRUE(server.Start().ok());
  auto pending =
      std::async(std::launch::async, [&] { return GrpcCall(server.port(), kTraces, "x"); });
  // The call is parked once its request was read; Stop must answer it.
  ASSERT_TRUE(vigil::testing::WaitUntil([&] { return server.stats().received.load() == 1; }));
  server.Stop();
  auto r = pending.get();
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
  EXPECT_EQ(ran.load(), 0);
}

}  // namespace
}  // namespace vigil::net
