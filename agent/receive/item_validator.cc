#include "agent/receive/item_validator.h"

#include <algorithm>
#include <string_view>

namespace vigil::agent::receive {
namespace {

namespace pb = opentelemetry::proto;
using pb::metrics::v1::Metric;

// Removes the elements `bad` flags (keeping order) and returns how many went. `bad` may set
// `*reason` for the first one; `index` is the element's position before removal.
template <typename T, typename Bad>
int RemoveIf(google::protobuf::RepeatedPtrField<T>* items, Bad bad) {
  int kept = 0;
  const int n = items->size();
  for (int i = 0; i < n; ++i) {
    if (bad(items->Get(i), i)) continue;
    if (kept != i) items->SwapElements(kept, i);
    ++kept;
  }
  while (items->size() > kept) items->RemoveLast();
  return n - kept;
}

bool AllZero(std::string_view id) {
  return std::all_of(id.begin(), id.end(), [](char c) { return c == 0; });
}

// "" when `id` is a valid id of `want` bytes (or empty and `optional`), else the reason.
std::string IdProblem(std::string_view name, const std::string& id, size_t want, bool optional) {
  if (id.empty() && optional) return {};
  if (id.size() != want) {
    return std::string(name) + " must be " + std::to_string(want) + " bytes, got " +
           std::to_string(id.size());
  }
  if (AllZero(id)) return std::string(name) + " must not be all zero";
  return {};
}

// Fills `*v` from the totals and the first reason seen.
void Finish(Validation* v, int64_t total, const char* items, const std::string& first) {
  v->accepted = total - v->rejected;
  if (v->rejected > 0) {
    v->message = std::to_string(v->rejected) + " of " + std::to_string(total) + " " + items +
                 " rejected; first: " + first;
  }
}

std::string SpanProblem(const pb::trace::v1::Span& s) {
  std::string p = IdProblem("traceId", s.trace_id(), 16, false);
  if (p.empty()) p = IdProblem("spanId", s.span_id(), 8, false);
  if (p.empty() && !s.parent_span_id().empty())
    p = IdProblem("parentSpanId", s.parent_span_id(), 8, false);
  for (int i = 0; p.empty() && i < s.links_size(); ++i) {
    p = IdProblem("traceId", s.links(i).trace_id(), 16, false);
    if (p.empty()) p = IdProblem("spanId", s.links(i).span_id(), 8, false);
    if (!p.empty()) p = "links[" + std::to_string(i) + "]." + p;
  }
  return p;
}

std::string MetricProblem(const Metric& m) {
  if (m.name().empty()) return "metric without a name";
  if (m.data_case() == Metric::DATA_NOT_SET) {
    return "metric '" + m.name() +
           "' has no data of a known type (gauge, sum, histogram, "
           "exponentialHistogram, summary)";
  }
  return {};
}

}  // namespace

int64_t PointCount(const Metric& m) {
  switch (m.data_case()) {
    case Metric::kGauge:
      return m.gauge().data_points_size();
    case Metric::kSum:
      return m.sum().data_points_size();
    case Metric::kHistogram:
      return m.histogram().data_points_size();
    case Metric::kExponentialHistogram:
      return m.exponential_histogram().data_points_size();
    case Metric::kSummary:
      return m.summary().data_points_size();
    default:
      return 0;
  }
}

int64_t PointCount(const pb::collector::metrics::v1::ExportMetricsServiceRequest& r) {
  int64_t n = 0;
  for (const auto& rm : r.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const Metric& m : sm.metrics()) n += PointCount(m);
    }
  }
  return n;
}

int64_t SpanCount(const pb::collector::trace::v1::ExportTraceServiceRequest& r) {
  int64_t n = 0;
  for (const auto& rs : r.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) n += ss.spans_size();
  }
  return n;
}

int64_t LogRecordCount(const pb::collector::logs::v1::ExportLogsServiceRequest& r) {
  int64_t n = 0;
  for (const auto& rl : r.resource_logs()) {
    for (const auto& sl : rl.scope_logs()) n += sl.log_records_size();
  }
  return n;
}

Validation ValidateTraces(pb::collector::trace::v1::ExportTraceServiceRequest* req) {
  Validation v;
  const int64_t total = SpanCount(*req);
  std::string first;
  int r = 0;
  for (auto& rs : *req->mutable_resource_spans()) {
    int s = 0;
    for (auto& ss : *rs.mutable_scope_spans()) {
      v.rejected += RemoveIf(ss.mutable_spans(), [&](const pb::trace::v1::Span& span, int i) {
        std::string p = SpanProblem(span);
        if (!p.empty() && first.empty()) {
          first = "resourceSpans[" + std::to_string(r) + "].scopeSpans[" + std::to_string(s) +
                  "].spans[" + std::to_string(i) + "]." + p;
        }
        return !p.empty();
      });
      ++s;
    }
    ++r;
  }
  if (v.rejected > 0) {
    for (auto& rs : *req->mutable_resource_spans()) {
      RemoveIf(rs.mutable_scope_spans(), [](const auto& ss, int) { return ss.spans().empty(); });
    }
    RemoveIf(req->mutable_resource_spans(),
             [](const auto& rs, int) { return rs.scope_spans().empty(); });
  }
  Finish(&v, total, "spans", first);
  return v;
}

Validation ValidateLogs(pb::collector::logs::v1::ExportLogsServiceRequest* req) {
  Validation v;
  const int64_t total = LogRecordCount(*req);
  std::string first;
  int r = 0;
  for (auto& rl : *req->mutable_resource_logs()) {
    int s = 0;
    for (auto& sl : *rl.mutable_scope_logs()) {
      v.rejected +=
          RemoveIf(sl.mutable_log_records(), [&](const pb::logs::v1::LogRecord& rec, int i) {
            std::string p = IdProblem("traceId", rec.trace_id(), 16, true);
            if (p.empty()) p = IdProblem("spanId", rec.span_id(), 8, true);
            if (!p.empty() && first.empty()) {
              first = "resourceLogs[" + std::to_string(r) + "].scopeLogs[" + std::to_string(s) +
                      "].logRecords[" + std::to_string(i) + "]." + p;
            }
            return !p.empty();
          });
      ++s;
    }
    ++r;
  }
  if (v.rejected > 0) {
    for (auto& rl : *req->mutable_resource_logs()) {
      RemoveIf(rl.mutable_scope_logs(),
               [](const auto& sl, int) { return sl.log_records().empty(); });
    }
    RemoveIf(req->mutable_resource_logs(),
             [](const auto& rl, int) { return rl.scope_logs().empty(); });
  }
  Finish(&v, total, "log records", first);
  return v;
}

Validation ValidateMetrics(pb::collector::metrics::v1::ExportMetricsServiceRequest* req) {
  Validation v;
  int64_t total = 0;
  std::string first;
  auto note = [&](int r, int s, int m, const std::string& p) {
    if (first.empty()) {
      first = "resourceMetrics[" + std::to_string(r) + "].scopeMetrics[" + std::to_string(s) +
              "].metrics[" + std::to_string(m) + "]: " + p;
    }
  };
  int r = 0;
  for (auto& rm : *req->mutable_resource_metrics()) {
    int s = 0;
    for (auto& sm : *rm.mutable_scope_metrics()) {
      const int removed = RemoveIf(sm.mutable_metrics(), [&](const Metric& m, int i) {
        std::string p = MetricProblem(m);
        if (p.empty()) {
          total += PointCount(m);
          return false;
        }
        // A metric of unknown type has no points we can count: it counts as one.
        const int64_t points = std::max<int64_t>(PointCount(m), 1);
        total += points;
        v.rejected += points - 1;  // RemoveIf's count adds the one
        note(r, s, i, p);
        return true;
      });
      v.rejected += removed;
      for (int i = 0; i < sm.metrics_size(); ++i) {
        Metric* m = sm.mutable_metrics(i);
        if (!m->has_histogram()) continue;
        v.rejected += RemoveIf(
            m->mutable_histogram()->mutable_data_points(),
            [&](const pb::metrics::v1::HistogramDataPoint& p, int) {
              const bool bad = p.bucket_counts_size() != 0 &&
                               p.bucket_counts_size() != p.explicit_bounds_size() + 1;
              if (bad) {
                note(r, s, i,
                     "histogram '" + m->name() + "' has a point with " +
                         std::to_string(p.bucket_counts_size()) + " bucket counts for " +
                         std::to_string(p.explicit_bounds_size()) + " bounds (want bounds + 1)");
              }
              return bad;
            });
      }
      ++s;
    }
    ++r;
  }
  if (v.rejected > 0) {
    for (auto& rm : *req->mutable_resource_metrics()) {
      for (auto& sm : *rm.mutable_scope_metrics()) {
        RemoveIf(sm.mutable_metrics(), [](const Metric& m, int) { return PointCount(m) == 0; });
      }
      RemoveIf(rm.mutable_scope_metrics(),
               [](const auto& sm, int) { return sm.metrics().empty(); });
    }
    RemoveIf(req->mutable_resource_metrics(),
             [](const auto& rm, int) { return rm.scope_metrics().empty(); });
  }
  Finish(&v, total, "data points", first);
  return v;
}

}  // namespace vigil::agent::receive
