#include "core/send/exporter.h"

namespace vigil::send {

std::string_view SignalPath(Signal s) {
  switch (s) {
    case Signal::kMetrics:
      return "/v1/metrics";
    case Signal::kLogs:
      return "/v1/logs";
    case Signal::kTraces:
      return "/v1/traces";
  }
  return "/v1/unknown";
}

std::string_view SignalName(Signal s) {
  switch (s) {
    case Signal::kMetrics:
      return "metrics";
    case Signal::kLogs:
      return "logs";
    case Signal::kTraces:
      return "traces";
  }
  return "unknown";
}

}  // namespace vigil::send
