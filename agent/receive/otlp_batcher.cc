#include "agent/receive/otlp_batcher.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "agent/batch/metrics_encoder.h"
#include "agent/receive/item_validator.h"

namespace vigil::agent::receive {
namespace {

namespace pb = opentelemetry::proto;

uint64_t NowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

OtlpBatcher::OtlpBatcher(BatcherOptions options, EnvelopeFactory& envelopes, AgentStats& stats,
                         BatcherHooks hooks, std::string agent_version)
    : options_(std::move(options)),
      envelopes_(envelopes),
      stats_(stats),
      hooks_(std::move(hooks)),
      agent_version_(std::move(agent_version)),
      span_metrics_(options_.red, options_.spans),
      cumulative_(options_.cumulative),
      interval_start_unix_nano_(NowUnixNano()) {}

size_t OtlpBatcher::pending_bytes() const {
  return traces_.body.size() + logs_.body.size() + metrics_.body.size();
}

void OtlpBatcher::Append(send::Signal signal, Pending& pending,
                         const google::protobuf::Message& req, size_t items,
                         std::string_view wire) {
  if (items == 0) return;  // nothing to forward (e.g. only resources without spans)
  const size_t size = wire.empty() ? req.ByteSizeLong() : wire.size();
  // Keep batches near max_batch_bytes: what is pending goes first when this would overshoot.
  if (!pending.body.empty() && pending.body.size() + size > options_.max_batch_bytes) {
    Cut(signal, pending);
  }
  hooks_.reserve(size);
  const size_t before = pending.body.size();
  // Concatenated serialized requests are one request whose repeated fields are merged.
  if (wire.empty()) {
    req.AppendToString(&pending.body);
  } else {
    pending.body.append(wire);
  }
  // ByteSizeLong and the serializer agree by contract; the reservation must match exactly.
  if (pending.body.size() - before != size) {
    spdlog::error("otlp batcher: {} serialized to {} bytes, expected {}", send::SignalName(signal),
                  pending.body.size() - before, size);
  }
  pending.items += items;
  if (pending.body.size() >= options_.max_batch_bytes) Cut(signal, pending);
}

void OtlpBatcher::Cut(send::Signal signal, Pending& pending) {
  if (pending.body.empty()) return;
  send::EnvelopePtr e = envelopes_.Make(signal, std::move(pending.body), pending.items);
  pending = Pending{};
  hooks_.send(std::move(e));
}

void OtlpBatcher::AddTraces(const pb::collector::trace::v1::ExportTraceServiceRequest& req,
                            int64_t spans, std::string_view wire) {
  if (options_.span_metrics) {
    const size_t recorded = span_metrics_.Record(req);
    stats_.spans_derived.fetch_add(recorded, std::memory_order_relaxed);
    stats_.span_series.store(static_cast<int64_t>(span_metrics_.red_stats().series),
                             std::memory_order_relaxed);
  }
  Append(send::Signal::kTraces, traces_, req, static_cast<size_t>(spans), wire);
}

void OtlpBatcher::AddLogs(const pb::collector::logs::v1::ExportLogsServiceRequest& req,
                          int64_t records, std::string_view wire) {
  Append(send::Signal::kLogs, logs_, req, static_cast<size_t>(records), wire);
}

MetricsAdded OtlpBatcher::AddMetrics(pb::collector::metrics::v1::ExportMetricsServiceRequest* req) {
  MetricsAdded added;
  derive::ConvertOutcome c = cumulative_.Convert(req, NowUnixNano());
  stats_.cumulative_series.store(static_cast<int64_t>(cumulative_.series()),
                                 std::memory_order_relaxed);
  stats_.cumulative_baselines.fetch_add(c.baselines, std::memory_order_relaxed);
  stats_.cumulative_resets.fetch_add(c.resets, std::memory_order_relaxed);
  stats_.cumulative_stale.fetch_add(c.stale + c.no_value, std::memory_order_relaxed);
  if (c.series_limit > 0) {
    added.rejected = static_cast<int64_t>(c.series_limit);
    added.message = std::to_string(c.series_limit) +
                    " cumulative data points rejected: the agent tracks at most " +
                    std::to_string(options_.cumulative.max_series) +
                    " cumulative series (receiver.max_cumulative_series)";
  }
  added.forwarded = PointCount(*req);
  Append(send::Signal::kMetrics, metrics_, *req, static_cast<size_t>(added.forwarded), {});
  return added;
}

void OtlpBatcher::CutSpanMetrics(uint64_t now_unix_nano) {
  std::vector<derive::SeriesDelta> deltas = span_metrics_.TakeDeltas();
  const uint64_t start = interval_start_unix_nano_;
  interval_start_unix_nano_ = now_unix_nano;
  if (deltas.empty()) return;
  EncodedMetrics m = EncodeRedMetrics(deltas, start, now_unix_nano, agent_version_);
  hooks_.reserve(m.body.size());
  hooks_.send(envelopes_.Make(send::Signal::kMetrics, std::move(m.body), m.data_points));
}

void OtlpBatcher::Flush() {
  const uint64_t now = NowUnixNano();
  Cut(send::Signal::kTraces, traces_);
  Cut(send::Signal::kLogs, logs_);
  Cut(send::Signal::kMetrics, metrics_);
  if (options_.span_metrics) CutSpanMetrics(now);
  cumulative_.EvictIdle(now);
  stats_.cumulative_series.store(static_cast<int64_t>(cumulative_.series()),
                                 std::memory_order_relaxed);
}

}  // namespace vigil::agent::receive
