#include "core/net/event_loop.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace vigil::net {

namespace asio = boost::asio;

namespace internal {

struct LoopCore {
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      ioc.get_executor()};
  std::mutex mu;  // guards threads and the started/stopped flags
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
};

// A timer lives on its own strand: the wait is armed, fired and cancelled there, so Cancel()
// from any thread never races the steady_timer.
struct TimerState {
  explicit TimerState(asio::io_context& ioc) : strand(asio::make_strand(ioc)), timer(strand) {}
  asio::strand<asio::io_context::executor_type> strand;
  asio::steady_timer timer;
  std::atomic<bool> cancelled{false};
  std::function<void()> fn;  // touched only on the strand after construction
};

}  // namespace internal

namespace {

// Which loop (if any) the current thread works for.
thread_local const internal::LoopCore* tls_loop = nullptr;

// The worker holds a reference so the io_context outlives run() even when Stop() is called from
// a callback and the EventLoop is destroyed before this thread finishes unwinding.
void RunWorker(std::shared_ptr<internal::LoopCore> core) {
  tls_loop = core.get();
  // A throwing callback must not take the thread (and the program) down with it.
  while (true) {
    try {
      core->ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("event loop: callback threw: {}", e.what());
    } catch (...) {
      spdlog::error("event loop: callback threw a non-std exception");
    }
  }
}

}  // namespace

Timer::Timer(std::shared_ptr<internal::TimerState> state) : state_(std::move(state)) {}

void Timer::Cancel() {
  if (state_ == nullptr) return;
  if (state_->cancelled.exchange(true)) return;
  // Release the timer and the callback's captures promptly rather than at expiry.
  asio::post(state_->strand, [s = state_] {
    s->timer.cancel();
    s->fn = nullptr;
  });
}

Executor::Executor(std::weak_ptr<internal::LoopCore> core) : core_(std::move(core)) {}

void Executor::Post(std::function<void()> fn) const {
  auto core = core_.lock();
  if (core == nullptr) return;
  asio::post(core->ioc, std::move(fn));
}

TimerPtr Executor::After(std::chrono::milliseconds d, std::function<void()> fn) const {
  auto core = core_.lock();
  if (core == nullptr) return std::make_shared<Timer>(nullptr);
  auto state = std::make_shared<internal::TimerState>(core->ioc);
  state->fn = std::move(fn);
  asio::post(state->strand, [state, d] {
    if (state->cancelled.load()) return;
    state->timer.expires_after(d);
    state->timer.async_wait([state](const boost::system::error_code& ec) {
      if (ec || state->cancelled.load() || !state->fn) return;
      auto fn = std::move(state->fn);
      state->fn = nullptr;
      fn();
    });
  });
  return std::make_shared<Timer>(std::move(state));
}

bool Executor::RunningInThisThread() const {
  auto core = core_.lock();
  return core != nullptr && tls_loop == core.get();
}

EventLoop::EventLoop(int threads)
    : threads_(threads < 1 ? 1 : threads), core_(std::make_shared<internal::LoopCore>()) {}

EventLoop::~EventLoop() { Stop(); }

void EventLoop::Start() {
  std::lock_guard lock(core_->mu);
  if (core_->started || core_->stopped) return;
  core_->started = true;
  for (int i = 0; i < threads_; ++i) {
    core_->threads.emplace_back(RunWorker, core_);
  }
}

void EventLoop::Stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(core_->mu);
    if (core_->stopped) return;
    core_->stopped = true;
    core_->work.reset();
    threads.swap(core_->threads);
  }
  core_->ioc.stop();
  for (auto& t : threads) {
    // Stop() called from a callback cannot join its own thread; that thread exits on its own
    // once the callback returns, because the io_context is stopped.
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();
    } else {
      t.join();
    }
  }
}

Executor EventLoop::executor() { return Executor(core_); }

void* EventLoop::native() { return &core_->ioc; }

}  // namespace vigil::net
