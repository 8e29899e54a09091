// Counters of the alert notifier, per destination (an Alertmanager or a webhook), and their
// rendering as Prometheus families (vigil_collector_notifications_*). Plain values: the
// notifier updates them under its own mutex and hands out copies, so a copy is never shared.
#pragma once

#include <prometheus/metric_family.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::exporters {

enum class DestinationKind { kAlertmanager, kWebhook };
const char* DestinationKindName(DestinationKind k);

// Why alerts were not delivered to a destination.
enum class AlertDropReason {
  kQueueFull,         // queue_capacity reached: the oldest waiting alerts made room
  kRejected,          // a 4xx other than 429: the batch can never succeed
  kRetriesExhausted,  // max_attempts tries failed, or Retry-After asked for too long
};
inline constexpr size_t kAlertDropReasons = 3;
const char* AlertDropReasonName(AlertDropReason r);

// Upper bounds (seconds) of the latency histogram's buckets.
inline constexpr std::array<double, 10> kLatencyBounds = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                          0.25,  0.5,  1,     2.5,  10};

struct DestinationStats {
  std::string url;
  DestinationKind kind = DestinationKind::kAlertmanager;
  uint64_t sent_alerts = 0;                           // alerts in batches answered 2xx
  uint64_t requests = 0;                              // HTTP attempts, retries included
  uint64_t retries = 0;                               // attempts after a retryable failure
  std::array<uint64_t, kAlertDropReasons> dropped{};  // alerts, by AlertDropReason
  size_t queued = 0;                                  // alerts waiting
  size_t in_flight = 0;  // alerts of the batch being sent (or waiting for its retry)
  // Per attempt, from the request to its response or transport error.
  uint64_t latency_count = 0;
  double latency_sum_seconds = 0;
  std::array<uint64_t, kLatencyBounds.size()> latency_buckets{};  // not cumulative

  uint64_t dropped_by(AlertDropReason r) const { return dropped[static_cast<size_t>(r)]; }
  void ObserveLatency(std::chrono::steady_clock::duration d);
};

struct NotifierStats {
  size_t queue_capacity = 0;
  std::vector<DestinationStats> destinations;  // in configuration order: urls, then webhooks
};

// Appends the families: sent_total, dropped_total{reason}, requests_total, retries_total,
// queue_length, queue_capacity, latency_seconds (histogram); labels destination and kind.
void AppendNotifierFamilies(const NotifierStats& stats, std::vector<prometheus::MetricFamily>& out);

}  // namespace vigil::exporters
