// OtlpExporters::Reserve against real loopback backends: a signal has room only while every
// endpoint taking it has room (one hung backend holds back the signal, not the others), nothing
// stays reserved when one refuses, a body larger than an endpoint's whole queue never has room,
// room comes back as the queue drains, and concurrent reservations never overflow a queue.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "exporters/otlp/otlp_exporters.h"
#include "tests/core/send/peer_server.h"

namespace vigil::exporters {
namespace {

using receive::ForwardRoom;
using send::Signal;
using send::testing::Gate;
using send::testing::PeerServer;
using send::testing::Reply;
using send::testing::WaitUntil;

class OtlpExportersRoomTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override {
    Release();
    if (exporters_) exporters_->Shutdown(std::chrono::seconds(5));
    loop_.Stop();
  }
  void Release() {
    stuck_ = false;
    gate_.Open();
  }
  static OtlpEndpointOptions Endpoint(const PeerServer& backend, std::vector<std::string> signals,
                                      size_t queue_max_bytes) {
    OtlpEndpointOptions o;
    o.endpoint = backend.url();
    o.signals = std::move(signals);
    o.compression = CompressionSetting::kNone;
    o.timeout = std::chrono::seconds(30);
    o.metrics_interval = std::chrono::hours(1);
    o.queue_max_bytes = queue_max_bytes;
    return o;
  }

  std::atomic<bool> stuck_{true};
  Gate gate_;
  // Hangs every request until Release(); its endpoint's queue stays full meanwhile.
  PeerServer hung_{[this](const net::HttpRequest&, int) {
    if (stuck_.load()) gate_.Wait();
    return Reply(200);
  }};
  PeerServer healthy_{[](const net::HttpRequest&, int) { return Reply(200); }};
  net::EventLoop loop_{2};
  aggregate::SeriesStore store_;
  std::unique_ptr<OtlpExporters> exporters_;
};

TEST_F(OtlpExportersRoomTest, EveryEndpointOfTheSignalMustHaveRoom) {
  ASSERT_TRUE(hung_.start_status().ok());
  ASSERT_TRUE(healthy_.start_status().ok());
  auto ex = OtlpExporters::Create(
      loop_, {Endpoint(hung_, {"traces"}, 100), Endpoint(healthy_, {"traces", "logs"}, 1 << 20)},
      store_);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  exporters_ = std::move(*ex);
  const OtlpEndpoint& hung = exporters_->endpoint(0);
  const OtlpEndpoint& healthy = exporters_->endpoint(1);

  EXPECT_EQ(exporters_->Reserve(Signal::kTraces, 101), ForwardRoom::kNever);  // the hung one's max
  EXPECT_EQ(exporters_->Reserve(Signal::kMetrics, 1 << 30), ForwardRoom::kYes);  // nobody takes it
  EXPECT_EQ(hung.queued_bytes() + healthy.queued_bytes(), 0u);

  ASSERT_EQ(exporters_->Reserve(Signal::kTraces, 60), ForwardRoom::kYes);
  EXPECT_EQ(hung.queued_bytes(), 60u);  // reserved in both endpoints taking traces
  EXPECT_EQ(healthy.queued_bytes(), 60u);
  exporters_->Forward(Signal::kTraces, std::string(60, 's'), 1);
  EXPECT_EQ(hung.queued_bytes(), 60u);  // the reservation became the queued body
  ASSERT_TRUE(WaitUntil([&] { return healthy_.count() == 1; }));
  EXPECT_EQ(healthy.queued_bytes(), 0u);

  // 41 more do not fit in the hung endpoint: refused, and nothing is left reserved in the
  // healthy one either (all or nothing).
  EXPECT_EQ(exporters_->Reserve(Signal::kTraces, 41), ForwardRoom::kFull);
  EXPECT_EQ(healthy.queued_bytes(), 0u);
  EXPECT_EQ(hung.queued_bytes(), 60u);
  // Logs do not go to the hung endpoint: unaffected.
  ASSERT_EQ(exporters_->Reserve(Signal::kLogs, 1000), ForwardRoom::kYes);
  exporters_->Forward(Signal::kLogs, std::string(1000, 'l'), 3);

  Release();
  ASSERT_TRUE(WaitUntil([&] { return hung.queued_bytes() == 0 && healthy.queued_bytes() == 0; }));
  ASSERT_EQ(exporters_->Reserve(Signal::kTraces, 100), ForwardRoom::kYes);
  exporters_->Forward(Signal::kTraces, std::string(100, 't'), 2);
  ASSERT_TRUE(WaitUntil([&] { return hung.queued_bytes() == 0; }));
  EXPECT_EQ(hung.stats().sent_items[2].load(), 3u);
  EXPECT_EQ(healthy.stats().sent_items[1].load(), 3u);
}

// Many threads reserve and forward at once against a queue that holds only a few bodies:
// every body that got a reservation is delivered, none is dropped, and the rest were refused
// up front (what the receiver turns into 503s).
TEST_F(OtlpExportersRoomTest, ConcurrentRequestsNeverOverflowWhatWasReserved) {
  ASSERT_TRUE(healthy_.start_status().ok());
  auto ex = OtlpExporters::Create(loop_, {Endpoint(healthy_, {"logs"}, 1000)}, store_);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  exporters_ = std::move(*ex);

  constexpr int kThreads = 4;
  constexpr int kEach = 200;
  std::atomic<int> reserved{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        if (exporters_->Reserve(Signal::kLogs, 300) != ForwardRoom::kYes) {
          ++refused;
          continue;
        }
        ++reserved;
        std::this_thread::yield();  // let the others try to take the room meanwhile
        exporters_->Forward(Signal::kLogs, std::string(300, 'r'), 1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(reserved + refused, kThreads * kEach);
  EXPECT_GT(reserved.load(), 0);
  const OtlpEndpoint& ep = exporters_->endpoint(0);
  ASSERT_TRUE(WaitUntil([&] { return ep.queued_bytes() == 0; }));
  EXPECT_EQ(ep.stats().sent_items[1].load(), static_cast<uint64_t>(reserved.load()));
  uint64_t failed = 0;
  for (const auto& n : ep.stats().failed_items[1]) failed += n.load();
  EXPECT_EQ(failed, 0u);
  EXPECT_EQ(healthy_.count(), static_cast<size_t>(reserved.load()));
}

}  // namespace
}  // namespace vigil::exporters
