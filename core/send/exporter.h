// The one interface every forwarding stage implements (OpenTelemetry Collector exporterhelper
// style): a push with an asynchronous completion. Decorators (queue, retry) wrap the transport
// (OTLP/HTTP). Envelope is immutable once built and shared between stages and retries.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::send {

enum class Signal { kMetrics, kLogs, kTraces };

// OTLP/HTTP path of the signal: "/v1/metrics", "/v1/logs", "/v1/traces".
std::string_view SignalPath(Signal s);
// "metrics", "logs", "traces": for log lines and metric labels.
std::string_view SignalName(Signal s);

// Name of the header carrying Envelope::key; the collector deduplicates on it.
inline constexpr std::string_view kBatchKeyHeader = "X-Vigil-Batch-Key";

struct Envelope {
  Signal signal = Signal::kMetrics;
  std::string key;  // idempotency key "<agent_id>/<boot_id>/<seq>", sent as kBatchKeyHeader
  uint64_t seq = 0;
  std::string body;  // serialized OTLP Export*ServiceRequest, uncompressed
  size_t items = 0;  // data points / log records / spans, for drop accounting
};
using EnvelopePtr = std::shared_ptr<const Envelope>;

struct PushResult {
  Status status;
  // Server's hint (Retry-After) for when to try again; only with retryable failures.
  std::optional<std::chrono::milliseconds> retry_after;
  // True when the same envelope may succeed later (transport errors, 429, 5xx).
  bool retryable = false;

  static PushResult Ok() { return {}; }
  static PushResult Permanent(Status s) { return {std::move(s), std::nullopt, false}; }
  static PushResult Retryable(Status s, std::optional<std::chrono::milliseconds> after = {}) {
    return {std::move(s), after, true};
  }
};

using PushDone = std::function<void(const PushResult&)>;

class Exporter {
 public:
  virtual ~Exporter() = default;
  // Hands `e` downstream. `done` runs exactly once, always asynchronously on the event loop
  // (never inside Push). Push itself is thread-safe. If the exporter is destroyed or its loop
  // stopped first, pending `done` callbacks are dropped instead (shutdown).
  virtual void Push(EnvelopePtr e, PushDone done) = 0;
};

}  // namespace vigil::send
