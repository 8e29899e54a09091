#include "agent/agent_stats.h"

#include <limits>

#include "core/telemetry/callback_collectable.h"

namespace vigil::agent {

using prometheus::MetricType;
using telemetry::FamilyBuilder;

const char* DropReasonName(DropReason r) {
  switch (r) {
    case DropReason::kMalformedJson:
      return "malformed_json";
    case DropReason::kNotAnObject:
      return "not_an_object";
    case DropReason::kBadDuration:
      return "bad_duration";
    case DropReason::kBadStatus:
      return "bad_status";
    case DropReason::kLineTooLong:
      return "line_too_long";
    case DropReason::kRejectedByCollector:
      return "rejected_by_collector";
    case DropReason::kRetryExhausted:
      return "retry_exhausted";
    case DropReason::kQueueFull:
      return "queue_full";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

const char* SignalIndexName(SignalIndex s) {
  switch (s) {
    case SignalIndex::kMetrics:
      return "metrics";
    case SignalIndex::kLogs:
      return "logs";
    case SignalIndex::kTraces:
      return "traces";
    case SignalIndex::kCount:
      break;
  }
  return "unknown";
}

const char* OtlpRejectReasonName(OtlpRejectReason r) {
  switch (r) {
    case OtlpRejectReason::kMethod:
      return "method";
    case OtlpRejectReason::kContentType:
      return "content_type";
    case OtlpRejectReason::kEncoding:
      return "encoding";
    case OtlpRejectReason::kBodyTooLarge:
      return "body_too_large";
    case OtlpRejectReason::kDecompressedTooLarge:
      return "decompressed_too_large";
    case OtlpRejectReason::kMalformed:
      return "malformed";
    case OtlpRejectReason::kQueueFull:
      return "queue_full";
    case OtlpRejectReason::kCount:
      break;
  }
  return "unknown";
}

const char* ItemRejectReasonName(ItemRejectReason r) {
  switch (r) {
    case ItemRejectReason::kInvalid:
      return "invalid";
    case ItemRejectReason::kSeriesLimit:
      return "series_limit";
    case ItemRejectReason::kCount:
      break;
  }
  return "unknown";
}

void AgentStats::ObserveBatchLatency(double seconds) {
  size_t i = 0;
  while (i < kLatencyBounds.size() && seconds > kLatencyBounds[i]) ++i;
  latency_buckets[i].fetch_add(1, std::memory_order_relaxed);
  double cur = latency_sum.load(std::memory_order_relaxed);
  while (!latency_sum.compare_exchange_weak(cur, cur + seconds, std::memory_order_relaxed)) {
  }
  latency_count.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<prometheus::Collectable> MakeAgentCollectable(const AgentStats& s) {
  return std::make_shared<telemetry::CallbackCollectable>([&s](auto& out) {
    auto v = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
    auto counter = [&](const char* name, const char* help, const auto& a) {
      out.push_back(FamilyBuilder(name, help, MetricType::Counter).Add(v(a)).Build());
    };
    auto gauge = [&](const char* name, const char* help, const auto& a) {
      out.push_back(FamilyBuilder(name, help, MetricType::Gauge).Add(v(a)).Build());
    };
    counter("vigil_agent_lines_read_total", "Complete lines read from tailed files.", s.lines_read);
    counter("vigil_agent_bytes_read_total", "Bytes read from tailed files.", s.bytes_read);
    counter("vigil_agent_requests_derived_total", "Lines turned into request metrics.",
            s.requests_derived);
    counter("vigil_agent_overflow_requests_total",
            "Requests folded into the overflow series (metrics.max_series reached).",
            s.overflow_requests);
    counter("vigil_agent_log_records_total", "Log records queued for forwarding.", s.log_records);
    counter("vigil_agent_batches_cut_total", "Flushes cut into envelopes.", s.batches_cut);
    counter("vigil_agent_files_opened_total", "Files opened for tailing.", s.files_opened);
    counter("vigil_agent_files_rotated_total", "Rotations detected (rename or delete).",
            s.files_rotated);
    counter("vigil_agent_files_truncated_total", "Truncations detected (copytruncate).",
            s.files_truncated);
    counter("vigil_agent_read_errors_total", "Errors reading tailed files.", s.read_errors);
    counter("vigil_agent_backpressure_polls_total",
            "Poll rounds skipped because the send queue was full.", s.backpressure_polls);
    counter("vigil_agent_retries_total", "Send attempts retried.", s.retries);
    counter("vigil_agent_checkpoints_saved_total", "Checkpoint files written.",
            s.checkpoints_saved);
    counter("vigil_agent_checkpoint_errors_total", "Checkpoint writes that failed.",
            s.checkpoint_errors);
    gauge("vigil_agent_open_files", "Files currently open.", s.open_files);
    gauge("vigil_agent_series", "Distinct request series held.", s.series);
    gauge("vigil_agent_queue_bytes", "Bytes waiting for acknowledgement.", s.queue_bytes);
    gauge("vigil_agent_queue_envelopes", "Envelopes waiting for acknowledgement.",
          s.queue_envelopes);
    gauge("vigil_agent_outstanding_batches", "Flushes not yet fully acknowledged.",
          s.outstanding_cuts);

    FamilyBuilder dropped("vigil_agent_dropped_total",
                          "Lines or items not delivered as metrics, by reason.",
                          MetricType::Counter);
    for (int r = 0; r < static_cast<int>(DropReason::kCount); ++r) {
      dropped.Add(v(s.dropped[r]), {{"reason", DropReasonName(static_cast<DropReason>(r))}});
    }
    out.push_back(dropped.Build());
    auto signal = [](int i) { return SignalIndexName(static_cast<SignalIndex>(i)); };
    FamilyBuilder env("vigil_agent_sent_batches_total", "Envelopes acknowledged by the collector.",
                      MetricType::Counter);
    FamilyBuilder items("vigil_agent_sent_items_total",
                        "Data points or log records acknowledged by the collector.",
                        MetricType::Counter);
    FamilyBuilder bytes("vigil_agent_sent_bytes_total",
                        "Uncompressed OTLP bytes acknowledged by the collector.",
                        MetricType::Counter);
    for (int i = 0; i < static_cast<int>(SignalIndex::kCount); ++i) {
      env.Add(v(s.envelopes_sent[i]), {{"signal", signal(i)}});
      items.Add(v(s.items_sent[i]), {{"signal", signal(i)}});
      bytes.Add(v(s.bytes_sent[i]), {{"signal", signal(i)}});
    }
    out.push_back(env.Build());
    out.push_back(items.Build());
    out.push_back(bytes.Build());

    // The OTLP receiver.
    FamilyBuilder received("vigil_agent_otlp_received_items_total",
                           "Spans, data points and log records accepted from applications.",
                           MetricType::Counter);
    FamilyBuilder rejected_items("vigil_agent_otlp_rejected_items_total",
                                 "Items of accepted OTLP requests refused (partial_success).",
                                 MetricType::Counter);
    for (int i = 0; i < AgentStats::kSignals; ++i) {
      received.Add(v(s.otlp_received[i]), {{"signal", signal(i)}});
      for (int r = 0; r < static_cast<int>(ItemRejectReason::kCount); ++r) {
        rejected_items.Add(v(s.otlp_rejected_items[i][r]),
                           {{"signal", signal(i)},
                            {"reason", ItemRejectReasonName(static_cast<ItemRejectReason>(r))}});
      }
    }
    out.push_back(received.Build());
    out.push_back(rejected_items.Build());
    FamilyBuilder rejected("vigil_agent_otlp_rejected_requests_total",
                           "OTLP requests refused as a whole, by reason.", MetricType::Counter);
    for (int r = 0; r < static_cast<int>(OtlpRejectReason::kCount); ++r) {
      double n = v(s.otlp_rejected_requests[r]);
      if (r == static_cast<int>(OtlpRejectReason::kBodyTooLarge))
        n += v(s.otlp_server_body_too_large);
      rejected.Add(n, {{"reason", OtlpRejectReasonName(static_cast<OtlpRejectReason>(r))}});
    }
    out.push_back(rejected.Build());
    counter("vigil_agent_spans_derived_total", "Spans turned into request metrics.",
            s.spans_derived);
    gauge("vigil_agent_span_series", "Distinct request series held for span metrics.",
          s.span_series);
    gauge("vigil_agent_cumulative_series", "Cumulative series tracked for delta conversion.",
          s.cumulative_series);
    counter("vigil_agent_cumulative_baselines_total",
            "First cumulative points kept as a baseline only (not forwarded).",
            s.cumulative_baselines);
    counter("vigil_agent_cumulative_resets_total",
            "Cumulative points that restarted their series (new start time or a decrease).",
            s.cumulative_resets);
    counter("vigil_agent_cumulative_stale_total",
            "Cumulative points dropped as not newer than their series' last point, or empty.",
            s.cumulative_stale);

    prometheus::MetricFamily lat;
    lat.name = "vigil_agent_batch_latency_seconds";
    lat.help = "Time from cutting a batch to its acknowledgement by the collector.";
    lat.type = MetricType::Histogram;
    prometheus::ClientMetric m;
    uint64_t cumulative = 0;
    for (size_t i = 0; i < AgentStats::kLatencyBounds.size(); ++i) {
      cumulative += s.latency_buckets[i].load(std::memory_order_relaxed);
      m.histogram.bucket.push_back({cumulative, AgentStats::kLatencyBounds[i]});
    }
    cumulative += s.latency_buckets.back().load(std::memory_order_relaxed);
    m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = s.latency_sum.load(std::memory_order_relaxed);
    lat.metric.push_back(std::move(m));
    out.push_back(std::move(lat));
  });
}

}  // namespace vigil::agent
