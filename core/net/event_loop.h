// EventLoop: an Asio io_context run by `threads` worker threads, plus the cheap handles that the
// rest of vigil uses to get work onto it (Executor) and to schedule/cancel delayed work (Timer).
// EventLoop is owned by main and must outlive the servers and clients built on it. Executor and
// Timer are thread-safe; an Executor whose loop is gone silently drops posted work.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

namespace vigil::net {

namespace internal {
struct LoopCore;
struct TimerState;
}  // namespace internal

// Handle to a scheduled callback. Dropping the handle does not cancel it.
class Timer {
 public:
  explicit Timer(std::shared_ptr<internal::TimerState> state);
  // Prevents the callback from running if it has not started yet. Safe from any thread, safe
  // to call repeatedly and after the callback ran.
  void Cancel();

 private:
  std::shared_ptr<internal::TimerState> state_;
};
using TimerPtr = std::shared_ptr<Timer>;

class Executor {
 public:
  Executor() = default;  // an empty handle: posted work is dropped
  explicit Executor(std::weak_ptr<internal::LoopCore> core);

  // Runs `fn` on a loop thread. Thread-safe. If the loop no longer exists `fn` is dropped.
  void Post(std::function<void()> fn) const;
  // Runs `fn` on a loop thread after `d` unless the returned Timer is cancelled first.
  TimerPtr After(std::chrono::milliseconds d, std::function<void()> fn) const;
  // True when called from one of this loop's worker threads.
  bool RunningInThisThread() const;

 private:
  std::weak_ptr<internal::LoopCore> core_;
};

class EventLoop {
 public:
  explicit EventLoop(int threads = 1);
  ~EventLoop();  // stops and joins
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Spawns the worker threads. Work posted before Start() runs once it starts.
  void Start();
  // Stops and joins the threads; pending work is abandoned. Idempotent. A loop cannot be
  // restarted after Stop().
  void Stop();
  Executor executor();
  // The boost::asio::io_context*; only for code inside core/net.
  void* native();
  int threads() const { return threads_; }

 private:
  int threads_;
  std::shared_ptr<internal::LoopCore> core_;
};

}  // namespace vigil::net
