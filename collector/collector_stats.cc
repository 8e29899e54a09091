#include "collector/collector_stats.h"

#include "core/telemetry/callback_collectable.h"

namespace vigil::collector {

using prometheus::MetricType;
using telemetry::FamilyBuilder;

std::shared_ptr<prometheus::Collectable> MakeCollectorCollectable(
    const receive::OtlpHttpReceiver& receiver, const aggregate::SeriesStore& store,
    const dedup::IdempotencyCache& dedup, const net::HttpServerStats& server) {
  const receive::ReceiverStats& r = receiver.stats();
  const receive::CumulativeTracker& tracker = receiver.merger().tracker();
  return std::make_shared<telemetry::CallbackCollectable>([&r, &tracker, &store, &dedup,
                                                           &server](auto& out) {
    auto v = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
    auto counter = [&](const char* name, const char* help, double value) {
      out.push_back(FamilyBuilder(name, help, MetricType::Counter).Add(value).Build());
    };
    auto gauge = [&](const char* name, const char* help, double value) {
      out.push_back(FamilyBuilder(name, help, MetricType::Gauge).Add(value).Build());
    };
    counter("vigil_collector_requests_total", "OTLP requests that reached a handler.",
            v(r.requests));
    out.push_back(FamilyBuilder("vigil_collector_received_items_total",
                                "Items received in accepted requests, by signal.",
                                MetricType::Counter)
                      .Add(v(r.metric_points_received), {{"signal", "metrics"}})
                      .Add(v(r.log_records_received), {{"signal", "logs"}})
                      .Add(v(r.spans_received), {{"signal", "traces"}})
                      .Build());
    counter("vigil_collector_merged_points_total", "Metric data points merged into series.",
            v(r.metric_points_merged));
    out.push_back(
        FamilyBuilder("vigil_collector_rejected_requests_total", "Requests refused, by reason.",
                      MetricType::Counter)
            .Add(v(r.rejected_method), {{"reason", "method"}})
            .Add(v(r.rejected_body_too_large) + v(server.body_too_large),
                 {{"reason", "body_too_large"}})
            .Add(v(r.rejected_decompressed_too_large), {{"reason", "decompressed_too_large"}})
            .Add(v(r.rejected_bad_encoding), {{"reason", "bad_encoding"}})
            .Add(v(r.rejected_bad_content_type), {{"reason", "bad_content_type"}})
            .Add(v(r.rejected_malformed), {{"reason", "malformed"}})
            .Add(v(r.rejected_queue_full), {{"reason", "queue_full"}})
            .Add(v(server.bad_requests), {{"reason", "bad_http"}})
            .Build());
    out.push_back(FamilyBuilder("vigil_collector_dropped_points_total",
                                "Metric data points not merged, by reason.", MetricType::Counter)
                      .Add(v(r.metric_points_rejected), {{"reason", "invalid"}})
                      .Add(v(r.rejected_cardinality), {{"reason", "cardinality"}})
                      .Build());
    counter("vigil_collector_duplicate_batches_total",
            "Retried batches recognised by idempotency key and not merged again.",
            v(r.duplicate_batches));
    counter("vigil_collector_in_flight_batch_conflicts_total",
            "Requests refused with 503 because the same batch was being merged.",
            v(r.in_flight_batches));
    counter("vigil_collector_json_requests_total", "Accepted requests whose body was OTLP/JSON.",
            v(r.json_requests));
    const receive::CumulativeStats& c = tracker.stats();
    counter("vigil_collector_cumulative_points_total",
            "CUMULATIVE points turned into deltas per (series, producer).", v(c.points));
    counter("vigil_collector_cumulative_resets_total",
            "CUMULATIVE streams that restarted (start time changed or value went down).",
            v(c.resets));
    counter("vigil_collector_cumulative_forgotten_total",
            "CUMULATIVE streams forgotten to respect otlp.max_cumulative_streams.", v(c.forgotten));
    const aggregate::StoreStats& s = store.stats();
    counter("vigil_collector_series_created_total", "Series created in the store.",
            v(s.series_created));
    gauge("vigil_collector_series", "Series held in the store.",
          static_cast<double>(store.series()));
    gauge("vigil_collector_dedup_keys", "Batch keys remembered.",
          static_cast<double>(dedup.size()));
    counter("vigil_collector_dedup_evicted_total",
            "Batch keys forgotten to respect dedup.max_keys.",
            static_cast<double>(dedup.evicted()));
  });
}

}  // namespace vigil::collector
