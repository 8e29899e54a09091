#include "exporters/alertmanager/notifier_stats.h"

#include <limits>

#include "core/telemetry/callback_collectable.h"

namespace vigil::exporters {

const char* DestinationKindName(DestinationKind k) {
  return k == DestinationKind::kWebhook ? "webhook" : "alertmanager";
}

const char* AlertDropReasonName(AlertDropReason r) {
  switch (r) {
    case AlertDropReason::kQueueFull:
      return "queue_full";
    case AlertDropReason::kRejected:
      return "rejected";
    case AlertDropReason::kRetriesExhausted:
      return "retries_exhausted";
  }
  return "other";
}

void DestinationStats::ObserveLatency(std::chrono::steady_clock::duration d) {
  const double s = std::chrono::duration<double>(d).count();
  ++latency_count;
  latency_sum_seconds += s;
  for (size_t i = 0; i < kLatencyBounds.size(); ++i) {
    if (s <= kLatencyBounds[i]) {
      ++latency_buckets[i];
      break;
    }
  }
}

void AppendNotifierFamilies(const NotifierStats& stats,
                            std::vector<prometheus::MetricFamily>& out) {
  using prometheus::MetricType;
  using telemetry::FamilyBuilder;
  using telemetry::LabelMap;
  const std::string p = "vigil_collector_notifications_";
  FamilyBuilder sent(p + "sent_total", "Alerts delivered (2xx)", MetricType::Counter);
  FamilyBuilder dropped(p + "dropped_total", "Alerts not delivered, by reason",
                        MetricType::Counter);
  FamilyBuilder requests(p + "requests_total", "HTTP requests, retries included",
                         MetricType::Counter);
  FamilyBuilder retries(p + "retries_total", "Requests repeated after a retryable failure",
                        MetricType::Counter);
  FamilyBuilder queue(p + "queue_length", "Alerts waiting or being sent", MetricType::Gauge);
  prometheus::MetricFamily latency;
  latency.name = p + "latency_seconds";
  latency.help = "Time from a request to its response or transport error";
  latency.type = MetricType::Histogram;

  for (const DestinationStats& d : stats.destinations) {
    const LabelMap labels = {{"destination", d.url}, {"kind", DestinationKindName(d.kind)}};
    sent.Add(static_cast<double>(d.sent_alerts), labels);
    for (size_t r = 0; r < kAlertDropReasons; ++r) {
      const auto reason = static_cast<AlertDropReason>(r);
      LabelMap with_reason = labels;
      with_reason["reason"] = AlertDropReasonName(reason);
      dropped.Add(static_cast<double>(d.dropped[r]), with_reason);
    }
    requests.Add(static_cast<double>(d.requests), labels);
    retries.Add(static_cast<double>(d.retries), labels);
    queue.Add(static_cast<double>(d.queued + d.in_flight), labels);

    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    m.histogram.sample_count = d.latency_count;
    m.histogram.sample_sum = d.latency_sum_seconds;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBounds.size(); ++i) {
      cumulative += d.latency_buckets[i];
      m.histogram.bucket.push_back({cumulative, kLatencyBounds[i]});
    }
    m.histogram.bucket.push_back({d.latency_count, std::numeric_limits<double>::infinity()});
    latency.metric.push_back(std::move(m));
  }
  out.push_back(sent.Build());
  out.push_back(dropped.Build());
  out.push_back(requests.Build());
  out.push_back(retries.Build());
  out.push_back(queue.Build());
  out.push_back(FamilyBuilder(p + "queue_capacity", "Alerts a destination may hold waiting",
                              MetricType::Gauge)
                    .Add(static_cast<double>(stats.queue_capacity))
                    .Build());
  out.push_back(std::move(latency));
}

}  // namespace vigil::exporters
