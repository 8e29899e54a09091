#include "core/send/partial_success.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace vigil::send {
namespace {

constexpr size_t kMaxText = 512;

// The three Export*ServiceResponse messages share one layout, but each is parsed with its own
// type to stay honest about what the server sent.
template <typename Response>
PartialSuccess Parse(std::string_view body) {
  Response resp;
  if (!resp.ParseFromArray(body.data(), static_cast<int>(body.size())) ||
      !resp.has_partial_success()) {
    return {};
  }
  const auto& ps = resp.partial_success();
  if constexpr (requires { ps.rejected_log_records(); }) {
    return {ps.rejected_log_records(), ps.error_message()};
  } else if constexpr (requires { ps.rejected_data_points(); }) {
    return {ps.rejected_data_points(), ps.error_message()};
  } else {
    return {ps.rejected_spans(), ps.error_message()};
  }
}

}  // namespace

PartialSuccess ParsePartialSuccess(Signal signal, std::string_view body) {
  namespace col = opentelemetry::proto::collector;
  switch (signal) {
    case Signal::kLogs:
      return Parse<col::logs::v1::ExportLogsServiceResponse>(body);
    case Signal::kMetrics:
      return Parse<col::metrics::v1::ExportMetricsServiceResponse>(body);
    case Signal::kTraces:
      return Parse<col::trace::v1::ExportTraceServiceResponse>(body);
  }
  return {};
}

std::string PrintableText(std::string_view text) {
  std::string out;
  out.reserve(std::min(text.size(), kMaxText));
  for (char c : text.substr(0, kMaxText)) out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (text.size() > kMaxText) out += "...";
  return out;
}

void PartialSuccessLog::Record(std::string_view who, Signal signal, const PartialSuccess& ps,
                               std::atomic<uint64_t>& responses,
                               std::atomic<uint64_t>& rejections) {
  responses.fetch_add(1, std::memory_order_relaxed);
  rejections.fetch_add(static_cast<uint64_t>(std::max<int64_t>(ps.rejected, 0)),
                       std::memory_order_relaxed);
  const int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  const int64_t minute =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::minutes(1))
          .count();
  int64_t last = last_log_.load(std::memory_order_relaxed);
  if (last != std::numeric_limits<int64_t>::min() && now - last < minute) return;
  if (!last_log_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  spdlog::warn(
      "{} accepted {} batch partially: {} rejected: {} (logged at most once a minute; all are "
      "counted)",
      who, SignalName(signal), ps.rejected, PrintableText(ps.message));
}

}  // namespace vigil::send
