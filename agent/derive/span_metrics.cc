#include "agent/derive/span_metrics.h"

#include <algorithm>
#include <array>
#include <utility>

#include "agent/parse/parsed_line.h"

namespace vigil::derive {
namespace {

namespace pb = opentelemetry::proto;

constexpr std::array<std::pair<std::string_view, int>, 5> kKinds = {{
    {"internal", pb::trace::v1::Span::SPAN_KIND_INTERNAL},
    {"server", pb::trace::v1::Span::SPAN_KIND_SERVER},
    {"client", pb::trace::v1::Span::SPAN_KIND_CLIENT},
    {"producer", pb::trace::v1::Span::SPAN_KIND_PRODUCER},
    {"consumer", pb::trace::v1::Span::SPAN_KIND_CONSUMER},
}};

const pb::common::v1::AnyValue* FindAttribute(
    const google::protobuf::RepeatedPtrField<pb::common::v1::KeyValue>& attributes,
    std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

// The status code as the log path sees it: an int in 1..999, else 0 (absent). Out-of-range
// values would only mint junk series.
int StatusCodeOf(const pb::trace::v1::Span& span) {
  const pb::common::v1::AnyValue* v = FindAttribute(span.attributes(), "http.response.status_code");
  if (v == nullptr || v->value_case() != pb::common::v1::AnyValue::kIntValue) return 0;
  const int64_t code = v->int_value();
  return code > 0 && code < 1000 ? static_cast<int>(code) : 0;
}

}  // namespace

Result<int> ParseSpanKind(std::string_view name) {
  for (const auto& [n, v] : kKinds) {
    if (n == name) return v;
  }
  return Status::InvalidArgument("unknown span kind \"" + std::string(name) +
                                 "\"; expected internal, server, client, producer or consumer");
}

SpanMetrics::SpanMetrics(RedOptions red, SpanMetricsOptions options)
    : red_(std::move(red)), options_(std::move(options)) {}

bool SpanMetrics::IsRequestKind(int kind) const {
  return std::find(options_.kinds.begin(), options_.kinds.end(), kind) != options_.kinds.end();
}

size_t SpanMetrics::Record(const pb::collector::trace::v1::ExportTraceServiceRequest& req) {
  size_t recorded = 0;
  parse::ParsedLine line;
  for (const auto& rs : req.resource_spans()) {
    std::string_view service = options_.default_service;
    const pb::common::v1::AnyValue* name =
        FindAttribute(rs.resource().attributes(), "service.name");
    if (name != nullptr && name->value_case() == pb::common::v1::AnyValue::kStringValue &&
        !name->string_value().empty()) {
      service = name->string_value();
    }
    for (const auto& ss : rs.scope_spans()) {
      for (const pb::trace::v1::Span& span : ss.spans()) {
        if (!IsRequestKind(span.kind())) {
          ++stats_.spans_skipped_kind;
          continue;
        }
        if (span.end_time_unix_nano() < span.start_time_unix_nano()) {
          ++stats_.spans_bad_duration;
          continue;
        }
        line.Reset();
        line.service = service;
        const pb::common::v1::AnyValue* route = FindAttribute(span.attributes(), "http.route");
        if (route != nullptr && route->value_case() == pb::common::v1::AnyValue::kStringValue &&
            !route->string_value().empty()) {
          line.route = route->string_value();
        } else {
          line.route = span.name();
        }
        line.status = StatusCodeOf(span);
        line.duration_seconds =
            static_cast<double>(span.end_time_unix_nano() - span.start_time_unix_nano()) * 1e-9;
        line.is_error = span.status().code() == pb::trace::v1::Status::STATUS_CODE_ERROR ||
                        (line.status != 0 && line.status >= options_.error_status_min);
        red_.Record(line);
        ++recorded;
      }
    }
  }
  stats_.spans_recorded += recorded;
  return recorded;
}

}  // namespace vigil::derive
