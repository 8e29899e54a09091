// Fixture for the OtlpReceiver tests: a receiver and batcher served by a real net::HttpServer on
// a single-threaded loop (as in the agent), a blocking client, and the envelopes the batcher
// cut, captured instead of sent.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "agent/agent_stats.h"
#include "agent/batch/envelope_factory.h"
#include "agent/receive/otlp_batcher.h"
#include "agent/receive/otlp_receiver.h"
#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "tests/agent/receive/otlp_test_util.h"

namespace vigil::agent::receive {

class ReceiverTest : public ::testing::Test {
 protected:
  static constexpr size_t kMaxBody = 64 << 10;
  static constexpr size_t kMaxInflated = 256 << 10;

  void SetUp() override { Start(Options()); }
  virtual BatcherOptions Options() { return BatcherOptions{}; }

  void Start(BatcherOptions bo) {
    BatcherHooks hooks;
    hooks.reserve = [this](size_t bytes) { reserved_ += bytes; };
    hooks.send = [this](send::EnvelopePtr e) {
      std::lock_guard lock(mu_);
      sent_.push_back(std::move(e));
    };
    batcher_ = std::make_unique<OtlpBatcher>(std::move(bo), envelopes_, stats_, std::move(hooks),
                                             "test-version");
    receiver_ = std::make_unique<OtlpReceiver>(
        ReceiverOptions{.max_body_bytes = kMaxBody, .max_decompressed_bytes = kMaxInflated},
        *batcher_, stats_, [this](size_t bytes) {
          if (bytes > kMaxInflated) return Room::kNever;
          return full_.load() ? Room::kFull : Room::kYes;
        });
    // The server's own limit is above the receiver's, so the receiver's 413 is what is tested.
    server_ = std::make_unique<net::HttpServer>(
        loop_, net::HttpServerOptions{.listen = "127.0.0.1:0", .max_body_bytes = 4 << 20});
    receiver_->Register(*server_);
    loop_.Start();
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<testing::SyncClient>(server_->port());
  }

  void TearDown() override {
    client_.reset();
    server_->Stop();
    loop_.Stop();
  }

  // Cuts what the batcher holds, on the loop thread that owns it.
  void Flush() {
    std::promise<void> done;
    loop_.executor().Post([&] {
      batcher_->Flush();
      done.set_value();
    });
    done.get_future().wait();
  }

  std::vector<send::EnvelopePtr> Sent(send::Signal s) {
    std::lock_guard lock(mu_);
    std::vector<send::EnvelopePtr> out;
    for (const auto& e : sent_) {
      if (e->signal == s) out.push_back(e);
    }
    return out;
  }

  size_t SentBodyBytes() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& e : sent_) n += e->body.size();
    return n;
  }

  uint64_t Rejected(OtlpRejectReason r) const {
    return stats_.otlp_rejected_requests[static_cast<int>(r)].load();
  }
  uint64_t Received(SignalIndex s) const {
    return stats_.otlp_received[static_cast<int>(s)].load();
  }

  // A small valid request still gets 200: the receiver kept serving after bad input.
  void ExpectStillServing() {
    testing::TraceRequest req;
    testing::AddSpans(&req, "svc", {testing::SpanSpec{}});
    net::HttpResponse r = client_->Post("/v1/traces", req.SerializeAsString());
    EXPECT_EQ(r.status, 200) << r.body;
  }

  net::EventLoop loop_{1};
  AgentStats stats_;
  EnvelopeFactory envelopes_{"agent-t", "boot-1"};
  std::atomic<size_t> reserved_{0};
  std::atomic<bool> full_{false};
  std::mutex mu_;
  std::vector<send::EnvelopePtr> sent_;
  std::unique_ptr<OtlpBatcher> batcher_;
  std::unique_ptr<OtlpReceiver> receiver_;
  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<testing::SyncClient> client_;
};

}  // namespace vigil::agent::receive
