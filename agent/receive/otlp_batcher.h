// OtlpBatcher: what the agent does with OTLP data it accepted from applications. Spans also
// feed span metrics (the RED series of the log path); cumulative metrics become deltas; then
// spans, logs and metrics are re-serialized and batched per signal, and cut into envelopes
// (keys from the agent's one EnvelopeFactory) every flush interval or when a signal's pending
// batch reaches max_batch_bytes. Span-metric deltas are cut at the same flush.
//
// Batching is byte concatenation: an Export*ServiceRequest has a single repeated field, so the
// serializations of several requests, one after the other, are the serialization of one request
// holding all their ResourceSpans / ResourceLogs / ResourceMetrics, in order.
//
// Owned by the Agent; every method runs on the agent's event-loop thread (the receiver's
// handlers, the flush timer), so there are no locks. AgentStats counters are atomics.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "agent/agent_stats.h"
#include "agent/batch/envelope_factory.h"
#include "agent/derive/cumulative_to_delta.h"
#include "agent/derive/span_metrics.h"
#include "core/send/exporter.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::agent::receive {

struct BatcherOptions {
  size_t max_batch_bytes = 2 << 20;
  bool span_metrics = true;
  derive::RedOptions red{};
  derive::SpanMetricsOptions spans{};
  derive::CumulativeToDeltaOptions cumulative{};
};

struct BatcherHooks {
  // `bytes` of body were accepted and will be sent; the Agent holds them against
  // forward.queue_max_bytes until their envelope finishes. Called before `send` for the same
  // bytes, so the sum of reserved bytes always equals the sum of envelope bodies.
  std::function<void(size_t bytes)> reserve;
  std::function<void(send::EnvelopePtr)> send;
};

// What AddMetrics did beyond forwarding, for the receiver's partial_success.
struct MetricsAdded {
  int64_t forwarded = 0;  // data points queued
  int64_t rejected = 0;   // data points refused (cumulative series bound)
  std::string message;    // why, when rejected > 0
};

class OtlpBatcher {
 public:
  OtlpBatcher(BatcherOptions options, EnvelopeFactory& envelopes, AgentStats& stats,
              BatcherHooks hooks, std::string agent_version);

  // Queue one validated request; each may cut its signal's batch. AddMetrics rewrites `*req`
  // (cumulative -> delta) before queueing it. `wire`, when not empty, is `req` exactly as it
  // was received in protobuf (nothing dropped by validation): it is queued as is, which saves
  // re-serializing every span or record.
  void AddTraces(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& req,
                 int64_t spans, std::string_view wire = {});
  void AddLogs(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& req,
               int64_t records, std::string_view wire = {});
  MetricsAdded AddMetrics(
      opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest* req);

  // Cuts every pending batch and the span-metric deltas; ages cumulative series. Called by the
  // flush timer and once more at shutdown.
  void Flush();

  // Bytes accepted but not yet cut (all signals).
  size_t pending_bytes() const;

  const derive::SpanMetrics& span_metrics() const { return span_metrics_; }
  const derive::CumulativeToDelta& cumulative() const { return cumulative_; }

 private:
  struct Pending {
    std::string body;
    size_t items = 0;
  };
  void Append(send::Signal signal, Pending& pending, const google::protobuf::Message& req,
              size_t items, std::string_view wire);
  void Cut(send::Signal signal, Pending& pending);
  void CutSpanMetrics(uint64_t now_unix_nano);

  BatcherOptions options_;
  EnvelopeFactory& envelopes_;
  AgentStats& stats_;
  BatcherHooks hooks_;
  std::string agent_version_;
  derive::SpanMetrics span_metrics_;
  derive::CumulativeToDelta cumulative_;
  Pending traces_, logs_, metrics_;
  uint64_t interval_start_unix_nano_;
};

}  // namespace vigil::agent::receive
