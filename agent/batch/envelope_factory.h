// EnvelopeFactory: the one source of idempotency keys "<agent_id>/<boot_id>/<seq>" for every
// envelope the agent sends, whether cut by the tailing pipeline or by the OTLP receiver's
// batcher, so keys never collide across the two paths. Owned by the Agent and shared by
// reference; Make() is thread-safe (an atomic sequence), the prefix is immutable.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "core/send/exporter.h"

namespace vigil::agent {

class EnvelopeFactory {
 public:
  EnvelopeFactory(const std::string& agent_id, const std::string& boot_id)
      : prefix_(agent_id + "/" + boot_id + "/") {}
  EnvelopeFactory(const EnvelopeFactory&) = delete;
  EnvelopeFactory& operator=(const EnvelopeFactory&) = delete;

  send::EnvelopePtr Make(send::Signal signal, std::string body, size_t items) {
    auto e = std::make_shared<send::Envelope>();
    e->signal = signal;
    e->seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
    e->key = prefix_ + std::to_string(e->seq);
    e->body = std::move(body);
    e->items = items;
    return e;
  }

  const std::string& prefix() const { return prefix_; }

 private:
  const std::string prefix_;
  std::atomic<uint64_t> next_seq_{1};
};

}  // namespace vigil::agent
