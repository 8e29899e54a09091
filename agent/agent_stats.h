// The agent's self-metrics as plain atomics. The pipeline thread and the event-loop thread write
// them (relaxed: each is a monotonically published total or a gauge); the admin server reads
// them at scrape time through MakeAgentCollectable. Lives as long as the Agent.
#pragma once

#include <prometheus/collectable.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

namespace vigil::agent {

// Why data was dropped; the `reason` label of vigil_agent_dropped_total.
enum class DropReason : int {
  kMalformedJson = 0,  // line is not JSON (still forwarded as a raw log record)
  kNotAnObject,
  kBadDuration,
  kBadStatus,
  kLineTooLong,          // skipped by the tailer: neither derived nor forwarded
  kRejectedByCollector,  // a permanent (4xx) answer: the batch cannot be delivered
  kRetryExhausted,       // forward.max_elapsed ran out
  kQueueFull,
  kCount
};
const char* DropReasonName(DropReason r);

// Signals the agent forwards; index into per-signal arrays.
enum class SignalIndex : int { kMetrics = 0, kLogs, kTraces, kCount };
const char* SignalIndexName(SignalIndex s);

// Why the OTLP receiver refused a whole request; the `reason` label of
// vigil_agent_otlp_rejected_requests_total.
enum class OtlpRejectReason : int {
  kMethod = 0,            // not POST (405)
  kContentType,           // neither protobuf nor JSON (415)
  kEncoding,              // unknown Content-Encoding (415) or a corrupt compressed body (400)
  kBodyTooLarge,          // receiver.max_body_bytes (413)
  kDecompressedTooLarge,  // receiver.max_decompressed_bytes (413)
  kMalformed,             // the protobuf or JSON did not parse (400)
  kQueueFull,             // send queue full: 503 + Retry-After, the client retries
  kCount
};
const char* OtlpRejectReasonName(OtlpRejectReason r);

// Why single items of an accepted request were refused (reported in partial_success).
enum class ItemRejectReason : int { kInvalid = 0, kSeriesLimit, kCount };
const char* ItemRejectReasonName(ItemRejectReason r);

struct AgentStats {
  using Counter = std::atomic<uint64_t>;
  // Pipeline thread.
  Counter lines_read{0}, bytes_read{0}, requests_derived{0}, overflow_requests{0}, log_records{0};
  Counter batches_cut{0}, files_opened{0}, files_rotated{0}, files_truncated{0}, files_deleted{0};
  Counter read_errors{0}, backpressure_polls{0};
  std::atomic<int64_t> open_files{0}, series{0};
  // Lines not turned into metrics, per reason (for line_too_long: not forwarded either).
  std::array<Counter, static_cast<int>(DropReason::kCount)> dropped{};
  // Event-loop thread.
  std::array<Counter, static_cast<int>(SignalIndex::kCount)> envelopes_sent{}, items_sent{},
      bytes_sent{};
  Counter retries{0}, checkpoints_saved{0}, checkpoint_errors{0};
  // Event-loop thread: the OTLP receiver and its batcher.
  static constexpr int kSignals = static_cast<int>(SignalIndex::kCount);
  std::array<Counter, kSignals> otlp_received{};  // items accepted (queued), per signal
  std::array<std::array<Counter, static_cast<int>(ItemRejectReason::kCount)>, kSignals>
      otlp_rejected_items{};
  std::array<Counter, static_cast<int>(OtlpRejectReason::kCount)> otlp_rejected_requests{};
  Counter otlp_server_body_too_large{0};  // 413s the HTTP server sent before any handler ran
  Counter spans_derived{0};               // spans turned into request metrics
  std::atomic<int64_t> span_series{0};
  std::atomic<int64_t> cumulative_series{0};
  Counter cumulative_baselines{0}, cumulative_resets{0}, cumulative_stale{0};
  std::atomic<int64_t> queue_bytes{0}, queue_envelopes{0}, outstanding_cuts{0};
  // Batch latency (cut -> acknowledged), a fixed-bucket histogram kept in atomics.
  static constexpr std::array<double, 10> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                            0.25,  0.5,  1,     2.5,  10};
  std::array<Counter, kLatencyBounds.size() + 1> latency_buckets{};
  std::atomic<double> latency_sum{0};
  Counter latency_count{0};

  void Drop(DropReason r, uint64_t n = 1) {
    dropped[static_cast<int>(r)].fetch_add(n, std::memory_order_relaxed);
  }
  void ObserveBatchLatency(double seconds);
  void RejectRequest(OtlpRejectReason r) {
    otlp_rejected_requests[static_cast<int>(r)].fetch_add(1, std::memory_order_relaxed);
  }
  void RejectItems(SignalIndex s, ItemRejectReason r, uint64_t n) {
    otlp_rejected_items[static_cast<int>(s)][static_cast<int>(r)].fetch_add(
        n, std::memory_order_relaxed);
  }
};

std::shared_ptr<prometheus::Collectable> MakeAgentCollectable(const AgentStats& stats);

}  // namespace vigil::agent
