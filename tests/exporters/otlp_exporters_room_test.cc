// OtlpExporters::Room against real loopback backends: a signal has room only while every
// endpoint taking it has room (one hung backend holds back the signal, not the others), a body
// larger than an endpoint's whole queue never has room, and room comes back as the queue drains.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

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

  EXPECT_EQ(exporters_->Room(Signal::kTraces, 100), ForwardRoom::kYes);
  EXPECT_EQ(exporters_->Room(Signal::kTraces, 101), ForwardRoom::kNever);     // the hung one's max
  EXPECT_EQ(exporters_->Room(Signal::kMetrics, 1 << 30), ForwardRoom::kYes);  // nobody takes it

  exporters_->Forward(Signal::kTraces, std::string(60, 's'), 1);
  EXPECT_EQ(exporters_->Room(Signal::kTraces, 40), ForwardRoom::kYes);
  EXPECT_EQ(exporters_->Room(Signal::kTraces, 41), ForwardRoom::kFull);
  // Logs do not go to the hung endpoint: unaffected.
  EXPECT_EQ(exporters_->Room(Signal::kLogs, 1000), ForwardRoom::kYes);
  ASSERT_TRUE(WaitUntil([&] { return healthy_.count() == 1; }));
  EXPECT_EQ(exporters_->Room(Signal::kTraces, 41), ForwardRoom::kFull);  // the healthy one sent

  Release();
  ASSERT_TRUE(WaitUntil([&] { return exporters_->endpoint(0).queued_bytes() == 0; }));
  EXPECT_EQ(exporters_->Room(Signal::kTraces, 100), ForwardRoom::kYes);
  EXPECT_EQ(exporters_->endpoint(0).stats().sent_items[2].load(), 1u);
}

}  // namespace
}  // namespace vigil::exporters
