// QueueExporter: a bounded in-memory FIFO in front of the retrying sender. It caps the body
// bytes held (queued + in flight) and the number of concurrent pushes downstream, dispatches in
// arrival order, and refuses what does not fit so the caller can count the drop, or reserves
// room ahead (Reserve) for a caller that must not drop what it accepts. All methods are
// thread-safe.
// Destroy after the EventLoop has stopped; otherwise pending completions are dropped.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "core/net/event_loop.h"
#include "core/send/exporter.h"

namespace vigil::send {

struct QueueOptions {
  size_t max_bytes = 64 << 20;  // body bytes held, waiting or in flight
  size_t max_in_flight = 4;     // concurrent pushes downstream (>= 1)
};

struct QueueStats {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> rejected{0};   // refused with ResourceExhausted (queue full)
  std::atomic<uint64_t> delivered{0};  // downstream said OK
  std::atomic<uint64_t> failed{0};     // downstream failed for good
};

class QueueExporter : public Exporter {
 public:
  QueueExporter(net::Executor executor, std::shared_ptr<Exporter> next, QueueOptions opts = {});
  ~QueueExporter() override;
  QueueExporter(const QueueExporter&) = delete;
  QueueExporter& operator=(const QueueExporter&) = delete;

  // Queues `e`, or, when its body does not fit in max_bytes, completes `done` (asynchronously)
  // with ResourceExhausted right away and keeps nothing.
  void Push(EnvelopePtr e, PushDone done) override;

  // Body bytes held (waiting + in flight); a held envelope's bytes count until its push ends.
  size_t queued_bytes() const;
  // Envelopes held (waiting + in flight).
  size_t queued() const;
  // Room set aside for one envelope before its body is ready to push, so that a caller can
  // promise delivery (answer 200) and no concurrent Push can take the room in between.
  // Reserve: true when `bytes` fit now; they then count as held until PushReserved queues the
  // envelope or Unreserve gives them back.
  bool Reserve(size_t bytes);
  void Unreserve(size_t bytes);
  // Queues `e` into room an earlier Reserve(e->body.size()) set aside: never refused. Without
  // such a reservation it is admitted (or refused) exactly like Push.
  void PushReserved(EnvelopePtr e, PushDone done);

  const QueueStats& stats() const;

 private:
  struct Core;
  void Admit(EnvelopePtr e, PushDone done, bool reserved);
  static void Pump(const std::shared_ptr<Core>& core);

  std::shared_ptr<Core> core_;
};

}  // namespace vigil::send
