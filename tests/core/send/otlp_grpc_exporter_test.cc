// OtlpGrpcExporter against vigil's own GrpcServer on loopback: what arrives, and how every
// kind of answer becomes a PushResult.
#include "core/send/otlp_grpc_exporter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "core/net/grpc/grpc_server.h"
#include "core/net/grpc/grpc_status.h"
#include "core/net/grpc/otlp_grpc_methods.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/core/send/peer_server.h"

namespace vigil::send {
namespace {

using testing::MakeEnvelope;
using testing::Results;

// A gRPC peer: every OTLP method answers through `reply` and is recorded.
class GrpcPeer {
 public:
  using Script = std::function<net::HttpResponse(const net::HttpRequest&)>;
  explicit GrpcPeer(Script reply) : reply_(std::move(reply)) {
    loop_.Start();
    server_ = std::make_unique<net::GrpcServer>(loop_.executor(), net::GrpcServerOptions{});
    for (const auto& m : net::kOtlpGrpcMethods) {
      server_->Handle(std::string(m.method), std::string(m.http_path),
                      [this](const net::HttpRequest& r) {
                        {
                          std::lock_guard lock(mu_);
                          requests_.push_back(r);
                        }
                        return reply_(r);
                      });
    }
    EXPECT_TRUE(server_->Start().ok());
  }
  ~GrpcPeer() {
    server_->Stop();
    loop_.Stop();
  }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::vector<net::HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  Script reply_;
  net::EventLoop loop_{1};
  std::unique_ptr<net::GrpcServer> server_;
  mutable std::mutex mu_;
  std::vector<net::HttpRequest> requests_;
};

net::HttpResponse Proto(std::string body) {
  net::HttpResponse r;
  r.content_type = "application/x-protobuf";
  r.body = std::move(body);
  return r;
}

class OtlpGrpcExporterTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  std::unique_ptr<OtlpGrpcExporter> Make(
      const std::string& endpoint, bool gzip = true,
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    OtlpGrpcOptions o;
    o.endpoint = endpoint;
    o.timeout = timeout;
    o.gzip = gzip;
    o.headers = {{"Authorization", "Bearer t0ken"}};
    auto r = OtlpGrpcExporter::Create(loop_, std::move(o));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }

  PushResult PushOne(Exporter& ex, EnvelopePtr e) {
    Results results;
    ex.Push(std::move(e), results.Callback());
    EXPECT_TRUE(results.WaitFor(1));
    return results.size() ? results.all()[0].second : PushResult{};
  }

  net::EventLoop loop_{1};
};

TEST_F(OtlpGrpcExporterTest, CallsTheSignalsExportMethodWithBodyAndMetadata) {
  GrpcPeer peer([](const net::HttpRequest&) { return Proto(""); });
  std::string body;
  for (int i = 0; i < 3000; ++i) body += "span " + std::to_string(i) + " ";
  for (bool gzip : {true, false}) {
    auto ex = Make(peer.endpoint(), gzip);
    for (Signal s : {Signal::kMetrics, Signal::kLogs, Signal::kTraces}) {
      PushResult r =
          PushOne(*ex, MakeEnvelope(s, "agent-1/boot-7/" + std::string(SignalName(s)), body));
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
    }
    EXPECT_EQ(ex->stats().requests.load(), 3u);
    EXPECT_EQ(ex->stats().body_bytes.load(), 3 * body.size());
  }
  auto reqs = peer.requests();
  ASSERT_EQ(reqs.size(), 6u);
  const char* paths[] = {"/v1/metrics", "/v1/logs", "/v1/traces"};
  for (size_t i = 0; i < reqs.size(); ++i) {
    EXPECT_EQ(reqs[i].path, paths[i % 3]);
    EXPECT_EQ(reqs[i].body, body);
    EXPECT_EQ(reqs[i].Header("authorization"), "Bearer t0ken");
    EXPECT_EQ(reqs[i].Header("X-Vigil-Batch-Key"),
              "agent-1/boot-7/" + std::string(paths[i % 3] + 4));
  }
}

TEST_F(OtlpGrpcExporterTest, CompletionRunsOnTheLoop) {
  GrpcPeer peer([](const net::HttpRequest&) { return Proto(""); });
  auto ex = Make(peer.endpoint());
  std::atomic<int> on_loop{-1};
  ex->Push(MakeEnvelope(Signal::kLogs, "", "x"),
           [&](const PushResult&) { on_loop = loop_.executor().RunningInThisThread() ? 1 : 0; });
  ASSERT_TRUE(vigil::testing::WaitUntil([&] { return on_loop.load() >= 0; }));
  EXPECT_EQ(on_loop.load(), 1);
  // No batch key: no metadata for it.
  EXPECT_EQ(peer.requests().at(0).Header("x-vigil-batch-key"), "");
}

TEST_F(OtlpGrpcExporterTest, PartialSuccessIsCounted) {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse resp;
  resp.mutable_partial_success()->set_rejected_spans(4);
  resp.mutable_partial_success()->set_error_message("4 spans had a bad trace id");
  GrpcPeer peer([&](const net::HttpRequest&) { return Proto(resp.SerializeAsString()); });
  auto ex = Make(peer.endpoint());
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kTraces, "k", "x"));
  EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(ex->stats().partial_responses.load(), 1u);
  EXPECT_EQ(ex->stats().partial_rejections.load(), 4u);
}

TEST_F(OtlpGrpcExporterTest, BadInputIsPermanentWithTheServersMessage) {
  GrpcPeer peer([](const net::HttpRequest&) {
    net::HttpResponse r = Proto(net::EncodeRpcStatus(3, "truncated protobuf"));
    r.status = 400;
    return r;
  });
  auto ex = Make(peer.endpoint());
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kTraces, "k", "x"));
  EXPECT_FALSE(r.retryable);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("INVALID_ARGUMENT: truncated protobuf"), std::string::npos)
      << r.status.message();
}

TEST_F(OtlpGrpcExporterTest, ThrottlingIsRetryableWithTheServersDelay) {
  GrpcPeer peer([](const net::HttpRequest&) {
    return testing::Reply(503, "queue full", {{"Retry-After", "7"}});
  });
  auto ex = Make(peer.endpoint());
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kMetrics, "k", "x"));
  EXPECT_TRUE(r.retryable);
  EXPECT_EQ(r.status.code(), StatusCode::kUnavailable);
  ASSERT_TRUE(r.retry_after.has_value());
  EXPECT_EQ(*r.retry_after, std::chrono::seconds(7));
}

TEST_F(OtlpGrpcExporterTest, TooLargeIsPermanent) {
  GrpcPeer peer([](const net::HttpRequest&) { return testing::Reply(413, "too big"); });
  auto ex = Make(peer.endpoint());
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "x"));
  EXPECT_FALSE(r.retryable);
  EXPECT_NE(r.status.message().find("RESOURCE_EXHAUSTED"), std::string::npos);
}

TEST_F(OtlpGrpcExporterTest, NobodyListeningIsRetryable) {
  uint16_t port;
  {
    GrpcPeer gone([](const net::HttpRequest&) { return Proto(""); });
    port = static_cast<uint16_t>(std::stoi(gone.endpoint().substr(10)));
  }
  auto ex = Make("http://127.0.0.1:" + std::to_string(port));
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "x"));
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.status.message().find("UNAVAILABLE"), std::string::npos) << r.status.message();
}

TEST_F(OtlpGrpcExporterTest, DeadlineIsRetryable) {
  GrpcPeer peer([](const net::HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    return Proto("");
  });
  auto ex = Make(peer.endpoint(), true, std::chrono::milliseconds(50));
  PushResult r = PushOne(*ex, MakeEnvelope(Signal::kLogs, "k", "x"));
  EXPECT_TRUE(r.retryable);
  EXPECT_NE(r.status.message().find("DEADLINE_EXCEEDED"), std::string::npos) << r.status.message();
}

OtlpGrpcOptions At(std::string endpoint) {
  OtlpGrpcOptions o;
  o.endpoint = std::move(endpoint);
  return o;
}

TEST(OtlpGrpcExporterCreateTest, RejectsEndpointsAndHeadersItCannotUse) {
  net::EventLoop loop(1);
  OtlpGrpcOptions tls_on_plaintext = At("http://x:4317");
  tls_on_plaintext.tls.insecure_skip_verify = true;
  auto plain = OtlpGrpcExporter::Create(loop, tls_on_plaintext);
  ASSERT_FALSE(plain.ok());
  EXPECT_NE(plain.status().message().find("tls settings need an https:// endpoint"),
            std::string::npos)
      << plain.status().message();
  auto path = OtlpGrpcExporter::Create(loop, At("http://x:4317/v1"));
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("no path"), std::string::npos);
  EXPECT_FALSE(OtlpGrpcExporter::Create(loop, At("x")).ok());
  EXPECT_FALSE(OtlpGrpcExporter::Create(loop, At("x:0")).ok());
  OtlpGrpcOptions bad_header;
  bad_header.headers = {{"X Token", "v"}};
  auto h = OtlpGrpcExporter::Create(loop, bad_header);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.status().message().find("x token"), std::string::npos) << h.status().message();
  OtlpGrpcOptions bad_value;
  bad_value.headers = {{"x-token", "a\nb"}};
  EXPECT_FALSE(OtlpGrpcExporter::Create(loop, bad_value).ok());
  EXPECT_TRUE(OtlpGrpcExporter::Create(loop, At("[::1]:4317")).ok());
}

TEST(ClassifyGrpcResultTest, ResourceExhaustedRetriesOnlyWithRetryInfo) {
  PushResult plain = ClassifyGrpcResult(8, "limit", "");
  EXPECT_FALSE(plain.retryable);
  PushResult hinted = ClassifyGrpcResult(
      8, "limit", net::EncodeRpcStatus(8, "limit", std::chrono::milliseconds(1500)));
  EXPECT_TRUE(hinted.retryable);
  EXPECT_EQ(hinted.retry_after, std::chrono::milliseconds(1500));
  EXPECT_TRUE(ClassifyGrpcResult(0, "", "").status.ok());
  EXPECT_TRUE(ClassifyGrpcResult(10, "aborted", "").retryable);
  EXPECT_FALSE(ClassifyGrpcResult(12, "unimplemented", "").retryable);
  // Garbage details are ignored, not fatal.
  EXPECT_TRUE(ClassifyGrpcResult(14, "x", "\xff\xff").retryable);
}

}  // namespace
}  // namespace vigil::send
