#include "core/send/retry_exporter.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <string>

namespace vigil::send {

struct RetryExporter::Core {
  net::Executor executor;
  std::shared_ptr<Exporter> next;
  RetryOptions opts;
  RetryStats stats;
  std::mutex rng_mu;
  std::mt19937_64 rng{std::random_device{}()};

  std::chrono::milliseconds Jitter(std::chrono::milliseconds ceiling) {
    std::lock_guard lock(rng_mu);
    std::uniform_int_distribution<int64_t> dist(0, ceiling.count());
    return std::chrono::milliseconds(dist(rng));
  }
};

struct RetryExporter::Attempt {
  EnvelopePtr envelope;
  PushDone done;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  int retries = 0;
};

std::chrono::milliseconds BackoffCeiling(const RetryOptions& opts, int retry) {
  const double max_ms = static_cast<double>(opts.max_interval.count());
  // pow may overflow to inf for large `retry`; min() then takes the cap.
  const double ms = static_cast<double>(opts.initial_interval.count()) *
                    std::pow(std::max(opts.multiplier, 1.0), retry);
  return std::chrono::milliseconds(static_cast<int64_t>(std::min(ms, max_ms)));
}

RetryExporter::RetryExporter(net::Executor executor, std::shared_ptr<Exporter> next,
                             RetryOptions opts)
    : core_(std::make_shared<Core>()) {
  core_->executor = std::move(executor);
  core_->next = std::move(next);
  core_->opts = opts;
}

RetryExporter::~RetryExporter() = default;

const RetryStats& RetryExporter::stats() const { return core_->stats; }

void RetryExporter::Push(EnvelopePtr e, PushDone done) {
  auto a = std::make_shared<Attempt>();
  a->envelope = std::move(e);
  a->done = std::move(done);
  Send(core_, std::move(a));
}

void RetryExporter::Send(const std::shared_ptr<Core>& core, std::shared_ptr<Attempt> a) {
  // Callbacks hold the core weakly: once the exporter is gone its retries stop.
  std::weak_ptr<Core> weak = core;
  EnvelopePtr e = a->envelope;
  core->next->Push(std::move(e), [weak, a](const PushResult& r) {
    if (auto c = weak.lock()) OnResult(c, a, r);
  });
}

void RetryExporter::OnResult(const std::shared_ptr<Core>& core, std::shared_ptr<Attempt> a,
                             const PushResult& r) {
  if (r.status.ok()) {
    a->done(r);
    return;
  }
  if (!r.retryable) {
    core->stats.permanent.fetch_add(1, std::memory_order_relaxed);
    a->done(r);
    return;
  }
  std::chrono::milliseconds wait = core->Jitter(BackoffCeiling(core->opts, a->retries));
  if (r.retry_after) wait = std::max(wait, *r.retry_after);

  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - a->start);
  if (core->opts.max_elapsed.count() > 0 && elapsed + wait > core->opts.max_elapsed) {
    core->stats.gave_up.fetch_add(1, std::memory_order_relaxed);
    a->done(PushResult::Permanent(Status::DeadlineExceeded(
        "gave up after " + std::to_string(a->retries + 1) + " attempts in " +
        std::to_string(elapsed.count()) + "ms; last error: " + r.status.ToString())));
    return;
  }
  ++a->retries;
  core->stats.retries.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("retrying {} batch {} in {}ms (attempt {}): {}", SignalName(a->envelope->signal),
                a->envelope->key, wait.count(), a->retries + 1, r.status.ToString());
  std::weak_ptr<Core> weak = core;
  core->executor.After(wait, [weak, a = std::move(a)]() mutable {
    if (auto c = weak.lock()) Send(c, std::move(a));
  });
}

}  // namespace vigil::send
