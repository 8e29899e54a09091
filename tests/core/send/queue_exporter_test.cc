// QueueExporter over the real chain (RetryExporter -> OtlpHttpExporter -> loopback server).
#include "core/send/queue_exporter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "core/codec/codec.h"
#include "core/send/otlp_http_exporter.h"
#include "core/send/retry_exporter.h"
#include "tests/core/send/peer_server.h"

namespace vigil::send {
namespace {

using std::chrono::milliseconds;
using testing::Gate;
using testing::MakeEnvelope;
using testing::PeerServer;
using testing::Reply;
using testing::Results;
using testing::WaitUntil;

class QueueExporterTest : public ::testing::Test {
 protected:
  void SetUp() override { loop_.Start(); }
  void TearDown() override { loop_.Stop(); }

  std::shared_ptr<QueueExporter> Make(const std::string& url, QueueOptions qo) {
    OtlpHttpOptions o;
    o.endpoint = url;
    o.timeout = std::chrono::seconds(10);
    o.max_connections = 8;
    auto http = OtlpHttpExporter::Create(loop_, o);
    EXPECT_TRUE(http.ok()) << http.status().ToString();
    RetryOptions ro;
    ro.initial_interval = milliseconds(5);
    ro.max_interval = milliseconds(20);
    auto retry = std::make_shared<RetryExporter>(loop_.executor(),
                                                 std::shared_ptr<Exporter>(std::move(*http)), ro);
    return std::make_shared<QueueExporter>(loop_.executor(), retry, qo);
  }

  // A peer that holds every request until gate_ opens, and a queue in front of it that sends
  // one envelope at a time and holds `max_bytes`: what reaches the peer stays in flight, and
  // the queue fills up behind it.
  std::shared_ptr<QueueExporter> MakeHeld(PeerServer& peer, size_t max_bytes) {
    EXPECT_TRUE(peer.start_status().ok());
    return Make(peer.url(), QueueOptions{.max_bytes = max_bytes, .max_in_flight = 1});
  }
  PeerServer::Script HeldUntilOpen() {
    return [this](const net::HttpRequest&, int) {
      gate_.Wait();
      return Reply(200);
    };
  }

  Gate gate_;
  net::EventLoop loop_{1};
};

TEST_F(QueueExporterTest, FullQueueRejectsButLosesNothingQueued) {
  PeerServer peer(HeldUntilOpen());
  auto queue = MakeHeld(peer, 300);

  Results results;
  const std::string body(100, 'b');
  for (int i = 0; i < 3; ++i) {
    queue->Push(MakeEnvelope(Signal::kLogs, "k/" + std::to_string(i), body + char('0' + i)),
                results.Callback(i));
    if (i < 2) {
      EXPECT_EQ(queue->queued_bytes(), (i + 1) * 101u);
    }
  }
  // 303 bytes do not fit in 300: the third push was refused.
  ASSERT_TRUE(results.WaitFor(1));
  auto first = results.all()[0];
  EXPECT_EQ(first.first, 2);
  EXPECT_EQ(first.second.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(first.second.status.message().find("queue full"), std::string::npos);
  EXPECT_EQ(queue->queued_bytes(), 202u);  // the refused push left nothing behind
  EXPECT_FALSE(queue->Reserve(body.size()));
  ASSERT_TRUE(queue->Reserve(98));
  queue->Unreserve(98);

  queue->Push(MakeEnvelope(Signal::kLogs, "k/3", "small"), results.Callback(3));
  EXPECT_EQ(queue->queued(), 3u);
  gate_.Open();
  ASSERT_TRUE(results.WaitFor(4));
  ASSERT_TRUE(WaitUntil([&] { return queue->queued() == 0; }));
  EXPECT_EQ(queue->queued_bytes(), 0u);

  // Every accepted envelope arrived, in push order, with its key and body intact.
  auto reqs = peer.requests();
  ASSERT_EQ(reqs.size(), 3u);
  const std::string keys[] = {"k/0", "k/1", "k/3"};
  const std::string bodies[] = {body + '0', body + '1', "small"};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(reqs[i].Header("X-Vigil-Batch-Key"), keys[i]);
    auto plain = codec::Decompress(codec::Encoding::kZstd, reqs[i].body, 1 << 20);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(*plain, bodies[i]);
  }
  for (const auto& [id, r] : results.all()) {
    if (id != 2) {
      EXPECT_TRUE(r.status.ok()) << id << " " << r.status.ToString();
    }
  }
  EXPECT_EQ(queue->stats().accepted.load(), 3u);
  EXPECT_EQ(queue->stats().rejected.load(), 1u);
  EXPECT_EQ(queue->stats().delivered.load(), 3u);
}

TEST_F(QueueExporterTest, ReservedRoomCannotBeTakenByOtherPushes) {
  PeerServer peer(HeldUntilOpen());
  auto queue = MakeHeld(peer, 300);
  Results results;

  ASSERT_TRUE(queue->Reserve(200));
  EXPECT_EQ(queue->queued_bytes(), 200u);  // reserved room counts as held
  EXPECT_FALSE(queue->Reserve(101));
  // A plain push that would fit in an empty queue is refused: the room is promised.
  queue->Push(MakeEnvelope(Signal::kLogs, "other", std::string(150, 'o')), results.Callback(1));
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.all()[0].second.status.code(), StatusCode::kResourceExhausted);
  queue->Push(MakeEnvelope(Signal::kLogs, "fits", std::string(100, 'f')), results.Callback(2));
  EXPECT_EQ(queue->queued_bytes(), 300u);
  // The reserved push goes in although the queue is at its limit.
  queue->PushReserved(MakeEnvelope(Signal::kLogs, "promised", std::string(200, 'p')),
                      results.Callback(3));
  EXPECT_EQ(queue->queued_bytes(), 300u);
  EXPECT_EQ(queue->queued(), 2u);
  // Without a reservation PushReserved is an ordinary push: refused when full.
  queue->PushReserved(MakeEnvelope(Signal::kLogs, "unpromised", "u"), results.Callback(4));
  ASSERT_TRUE(results.WaitFor(2));

  gate_.Open();
  ASSERT_TRUE(results.WaitFor(4));
  ASSERT_TRUE(WaitUntil([&] { return queue->queued() == 0; }));
  std::map<int, StatusCode> codes;
  for (const auto& [id, r] : results.all()) codes[id] = r.status.code();
  EXPECT_EQ(codes[1], StatusCode::kResourceExhausted);
  EXPECT_EQ(codes[2], StatusCode::kOk);
  EXPECT_EQ(codes[3], StatusCode::kOk);
  EXPECT_EQ(codes[4], StatusCode::kResourceExhausted);
  ASSERT_EQ(peer.requests().size(), 2u);
  EXPECT_EQ(peer.requests()[1].Header("X-Vigil-Batch-Key"), "promised");

  // Unreserve gives the room back.
  ASSERT_TRUE(queue->Reserve(300));
  EXPECT_FALSE(queue->Reserve(1));
  queue->Unreserve(300);
  EXPECT_EQ(queue->queued_bytes(), 0u);
  EXPECT_TRUE(queue->Reserve(300));
  queue->Unreserve(300);
}

TEST_F(QueueExporterTest, OversizedEnvelopeIsRefusedEvenWhenEmpty) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(200); });
  ASSERT_TRUE(peer.start_status().ok());
  QueueOptions qo;
  qo.max_bytes = 10;
  auto queue = Make(peer.url(), qo);
  Results results;
  queue->Push(MakeEnvelope(Signal::kMetrics, "k", std::string(11, 'x')), results.Callback());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.all()[0].second.status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(queue->queued(), 0u);
  EXPECT_EQ(peer.count(), 0u);
}

TEST_F(QueueExporterTest, BoundsConcurrencyAndKeepsFifoDispatch) {
  std::atomic<int> active{0};
  std::atomic<int> peak{0};
  PeerServer peer([&](const net::HttpRequest&, int) {
    int now = ++active;
    int p = peak.load();
    while (now > p && !peak.compare_exchange_weak(p, now)) {
    }
    std::this_thread::sleep_for(milliseconds(20));
    --active;
    return Reply(200);
  });
  ASSERT_TRUE(peer.start_status().ok());
  QueueOptions qo;
  qo.max_in_flight = 2;
  auto queue = Make(peer.url(), qo);
  Results results;
  constexpr int kN = 8;
  for (int i = 0; i < kN; ++i) {
    queue->Push(MakeEnvelope(Signal::kLogs, "k/" + std::to_string(i), "b"), results.Callback(i));
  }
  ASSERT_TRUE(results.WaitFor(kN));
  EXPECT_LE(peak.load(), 2);
  EXPECT_EQ(peer.count(), static_cast<size_t>(kN));
  // With two in flight, request i can only start after request i-2 finished: each key
  // arrives no later than two places after its push position.
  auto reqs = peer.requests();
  for (int i = 0; i < kN; ++i) {
    const int key = std::stoi(reqs[i].Header("X-Vigil-Batch-Key").substr(2));
    EXPECT_LE(std::abs(key - i), 1) << "request " << i << " carried key " << key;
  }
}

TEST_F(QueueExporterTest, PermanentFailureCompletesAndFreesRoom) {
  PeerServer peer([](const net::HttpRequest&, int) { return Reply(413, "too big"); });
  ASSERT_TRUE(peer.start_status().ok());
  auto queue = Make(peer.url(), QueueOptions{});
  Results results;
  queue->Push(MakeEnvelope(Signal::kTraces, "k", "x"), results.Callback());
  ASSERT_TRUE(results.WaitFor(1));
  EXPECT_EQ(results.all()[0].second.status.code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(WaitUntil([&] { return queue->queued() == 0; }));
  EXPECT_EQ(queue->stats().failed.load(), 1u);
}

}  // namespace
}  // namespace vigil::send
