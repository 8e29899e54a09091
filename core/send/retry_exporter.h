// RetryExporter: re-sends an envelope after retryable failures with exponential backoff and
// full jitter, waiting at least as long as the server's Retry-After asks; permanent failures
// pass through at once. Thread-safe; the downstream exporter is shared with the caller. The
// exporter must be destroyed after its EventLoop has stopped, or pending retries are dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "core/net/event_loop.h"
#include "core/send/exporter.h"

namespace vigil::send {

struct RetryOptions {
  std::chrono::milliseconds initial_interval{200};
  double multiplier = 2.0;
  std::chrono::milliseconds max_interval{30000};
  // Give up once the next wait would end later than this after the first attempt;
  // 0 = retry forever (the agent's default: the data stays in the files meanwhile).
  std::chrono::milliseconds max_elapsed{0};
};

struct RetryStats {
  std::atomic<uint64_t> retries{0};    // re-sends after a retryable failure
  std::atomic<uint64_t> gave_up{0};    // envelopes failed because max_elapsed ran out
  std::atomic<uint64_t> permanent{0};  // permanent failures passed through
};

// Ceiling of the wait before retry number `retry` (0 for the first retry):
// min(max_interval, initial_interval * multiplier^retry). The real wait is uniform in
// [0, ceiling] ("full jitter"), so agents that failed together do not retry together.
std::chrono::milliseconds BackoffCeiling(const RetryOptions& opts, int retry);

class RetryExporter : public Exporter {
 public:
  RetryExporter(net::Executor executor, std::shared_ptr<Exporter> next, RetryOptions opts = {});
  ~RetryExporter() override;
  RetryExporter(const RetryExporter&) = delete;
  RetryExporter& operator=(const RetryExporter&) = delete;

  void Push(EnvelopePtr e, PushDone done) override;
  const RetryStats& stats() const;

 private:
  struct Core;
  struct Attempt;
  static void Send(const std::shared_ptr<Core>& core, std::shared_ptr<Attempt> a);
  static void OnResult(const std::shared_ptr<Core>& core, std::shared_ptr<Attempt> a,
                       const PushResult& r);

  std::shared_ptr<Core> core_;
};

}  // namespace vigil::send
