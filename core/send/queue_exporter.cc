#include "core/send/queue_exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>

namespace vigil::send {

struct QueueExporter::Core {
  struct Item {
    EnvelopePtr envelope;
    PushDone done;
  };

  net::Executor executor;
  std::shared_ptr<Exporter> next;
  QueueOptions opts;
  QueueStats stats;

  mutable std::mutex mu;
  std::deque<Item> waiting;   // guarded by mu
  size_t held_bytes = 0;      // guarded by mu; waiting + in flight + reserved
  size_t reserved_bytes = 0;  // guarded by mu; the part of held_bytes set aside by Reserve
  size_t in_flight = 0;       // guarded by mu
  bool pumping = false;       // guarded by mu; one dispatcher at a time keeps FIFO order
};

QueueExporter::QueueExporter(net::Executor executor, std::shared_ptr<Exporter> next,
                             QueueOptions opts)
    : core_(std::make_shared<Core>()) {
  core_->executor = std::move(executor);
  core_->next = std::move(next);
  opts.max_in_flight = std::max<size_t>(opts.max_in_flight, 1);
  core_->opts = opts;
}

QueueExporter::~QueueExporter() = default;

size_t QueueExporter::queued_bytes() const {
  std::lock_guard lock(core_->mu);
  return core_->held_bytes;
}

size_t QueueExporter::queued() const {
  std::lock_guard lock(core_->mu);
  return core_->waiting.size() + core_->in_flight;
}

const QueueStats& QueueExporter::stats() const { return core_->stats; }

bool QueueExporter::Reserve(size_t bytes) {
  std::lock_guard lock(core_->mu);
  if (core_->held_bytes + bytes > core_->opts.max_bytes) return false;
  core_->held_bytes += bytes;
  core_->reserved_bytes += bytes;
  return true;
}

void QueueExporter::Unreserve(size_t bytes) {
  std::lock_guard lock(core_->mu);
  bytes = std::min(bytes, core_->reserved_bytes);
  core_->held_bytes -= bytes;
  core_->reserved_bytes -= bytes;
}

void QueueExporter::Push(EnvelopePtr e, PushDone done) {
  Admit(std::move(e), std::move(done), /*reserved=*/false);
}

void QueueExporter::PushReserved(EnvelopePtr e, PushDone done) {
  Admit(std::move(e), std::move(done), /*reserved=*/true);
}

void QueueExporter::Admit(EnvelopePtr e, PushDone done, bool reserved) {
  const size_t bytes = e->body.size();
  const Signal signal = e->signal;
  size_t held = 0;
  bool accepted = false;
  {
    std::lock_guard lock(core_->mu);
    held = core_->held_bytes;
    if (reserved && core_->reserved_bytes >= bytes) {
      core_->reserved_bytes -= bytes;  // already counted in held_bytes
      accepted = true;
    } else if (held + bytes <= core_->opts.max_bytes) {
      core_->held_bytes += bytes;
      accepted = true;
    }
    if (accepted) core_->waiting.push_back({std::move(e), std::move(done)});
  }
  if (accepted) {
    core_->stats.accepted.fetch_add(1, std::memory_order_relaxed);
    // Dispatch on the loop so that the caller (the pipeline thread) never runs compression
    // or socket work.
    std::weak_ptr<Core> weak = core_;
    core_->executor.Post([weak] {
      if (auto c = weak.lock()) Pump(c);
    });
    return;
  }
  core_->stats.rejected.fetch_add(1, std::memory_order_relaxed);
  Status status = Status::ResourceExhausted(
      "send queue full: " + std::to_string(bytes) + "-byte " + std::string(SignalName(signal)) +
      " batch does not fit (" + std::to_string(held) + " of " +
      std::to_string(core_->opts.max_bytes) + " bytes held)");
  core_->executor.Post([done = std::move(done), status = std::move(status)] {
    done(PushResult::Permanent(status));
  });
}

void QueueExporter::Pump(const std::shared_ptr<Core>& core) {
  std::unique_lock lock(core->mu);
  if (core->pumping) return;  // the active pumper re-checks the queue before it stops
  core->pumping = true;
  while (core->in_flight < core->opts.max_in_flight && !core->waiting.empty()) {
    Core::Item item = std::move(core->waiting.front());
    core->waiting.pop_front();
    ++core->in_flight;
    lock.unlock();
    // Downstream work (compression, the HTTP write) runs without the lock so Push() and Reserve()
    // never wait on it; `pumping` keeps the dispatch order FIFO meanwhile.
    const size_t bytes = item.envelope->body.size();
    std::weak_ptr<Core> weak = core;
    EnvelopePtr e = item.envelope;
    core->next->Push(std::move(e), [weak, bytes, done = std::move(item.done)](const PushResult& r) {
      auto c = weak.lock();
      if (!c) return;
      {
        std::lock_guard l(c->mu);
        --c->in_flight;
        c->held_bytes -= bytes;
      }
      (r.status.ok() ? c->stats.delivered : c->stats.failed)
          .fetch_add(1, std::memory_order_relaxed);
      done(r);
      Pump(c);
    });
    lock.lock();
  }
  core->pumping = false;
}

}  // namespace vigil::send
