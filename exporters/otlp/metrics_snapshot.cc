#include "exporters/otlp/metrics_snapshot.h"

#include <cmath>
#include <map>
#include <utility>

namespace vigil::exporters {
namespace {

namespace pb = opentelemetry::proto;
using aggregate::MetricKind;
using aggregate::SeriesView;

uint64_t Nanos(std::chrono::system_clock::time_point t) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

pb::metrics::v1::AggregationTemporality ToProto(Temporality t) {
  return t == Temporality::kDelta ? pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA
                                  : pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE;
}

void SetString(pb::common::v1::KeyValue* kv, const std::string& key, const std::string& value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

void FillSpan(const hist::BucketSpan& span,
              pb::metrics::v1::ExponentialHistogramDataPoint::Buckets* out) {
  out->set_offset(span.offset);
  for (uint64_t c : span.counts) out->add_bucket_counts(c);
}

// Groups series into ResourceMetrics by (service.name, service.namespace) and into one Metric per
// family within each resource.
class RequestBuilder {
 public:
  explicit RequestBuilder(pb::collector::metrics::v1::ExportMetricsServiceRequest& req)
      : req_(req) {}

  // The Metric of `s`'s family under `s`'s resource; its points get the remaining labels.
  pb::metrics::v1::Metric* MetricFor(const SeriesView& s) {
    std::pair<std::string, std::string> resource;
    for (const auto& [k, v] : s.labels) {
      if (k == "service_name") resource.first = v;
      if (k == "service_namespace") resource.second = v;
    }
    auto [it, inserted] = resources_.try_emplace(resource);
    Resource& r = it->second;
    if (inserted) {
      auto* rm = req_.add_resource_metrics();
      auto* attrs = rm->mutable_resource()->mutable_attributes();
      if (!resource.first.empty()) SetString(attrs->Add(), "service.name", resource.first);
      if (!resource.second.empty()) SetString(attrs->Add(), "service.namespace", resource.second);
      r.scope = rm->add_scope_metrics();
      r.scope->mutable_scope()->set_name(kExportScope);
    }
    auto [m, added] = r.metrics.try_emplace(std::string(s.family));
    if (added) {
      m->second = r.scope->add_metrics();
      m->second->set_name(std::string(s.otlp_name.empty() ? s.family : s.otlp_name));
      m->second->set_unit(std::string(s.unit));
      m->second->set_description(std::string(s.help));
    }
    return m->second;
  }

  template <typename Point>
  static void SetAttributes(const SeriesView& s, Point* p) {
    for (const auto& [k, v] : s.labels) {
      if (k == "service_name" || k == "service_namespace") continue;
      SetString(p->add_attributes(), k, v);
    }
  }

 private:
  struct Resource {
    pb::metrics::v1::ScopeMetrics* scope = nullptr;
    std::map<std::string, pb::metrics::v1::Metric*> metrics;
  };
  pb::collector::metrics::v1::ExportMetricsServiceRequest& req_;
  std::map<std::pair<std::string, std::string>, Resource> resources_;
};

}  // namespace

pb::collector::metrics::v1::ExportMetricsServiceRequest MetricsSnapshot::Build(
    const aggregate::SeriesStore& store, std::chrono::system_clock::time_point now,
    size_t* points) {
  pb::collector::metrics::v1::ExportMetricsServiceRequest req;
  RequestBuilder builder(req);
  size_t n = 0;
  const bool delta = temporality_ == Temporality::kDelta;
  const auto temporality = ToProto(temporality_);
  const uint64_t now_ns = Nanos(now);

  store.Visit(
      [&](const SeriesView& s) {
        // Delta: the interval starts where this series' previous export ended.
        Last* last = delta ? &last_[std::string(s.key)] : nullptr;
        const bool first = last == nullptr || last->at == std::chrono::system_clock::time_point{};
        const uint64_t start_ns = Nanos(delta && !first ? last->at : s.start);
        if (last != nullptr) last->at = now;

        switch (s.kind) {
          case MetricKind::kCounter: {
            double value = s.counter;
            if (delta) {
              value = s.counter - last->counter;
              last->counter = s.counter;
              if (value == 0) return;
            }
            auto* sum = builder.MetricFor(s)->mutable_sum();
            sum->set_is_monotonic(true);
            sum->set_aggregation_temporality(temporality);
            auto* p = sum->add_data_points();
            RequestBuilder::SetAttributes(s, p);
            p->set_start_time_unix_nano(start_ns);
            p->set_time_unix_nano(now_ns);
            p->set_as_double(value);
            break;
          }
          case MetricKind::kGauge: {
            auto* p = builder.MetricFor(s)->mutable_gauge()->add_data_points();
            RequestBuilder::SetAttributes(s, p);
            p->set_time_unix_nano(now_ns);
            p->set_as_double(s.gauge);
            break;
          }
          case MetricKind::kHistogram: {
            hist::ExpHistogramData data = s.cumulative->ToData();
            if (delta) {
              hist::ExpHistogramData current = data;
              if (!first) {
                // The store only adds, so this fails only if its state was replaced; then the
                // whole state is the honest delta.
                auto d = aggregate::SubtractExpData(current, last->exp);
                if (d.ok()) data = std::move(*d);
              }
              last->exp = std::move(current);
              if (data.count == 0) return;
            }
            auto* eh = builder.MetricFor(s)->mutable_exponential_histogram();
            eh->set_aggregation_temporality(temporality);
            auto* p = eh->add_data_points();
            RequestBuilder::SetAttributes(s, p);
            p->set_start_time_unix_nano(start_ns);
            p->set_time_unix_nano(now_ns);
            p->set_count(data.count);
            p->set_sum(data.sum);
            p->set_scale(data.scale);
            p->set_zero_count(data.zero_count);
            p->set_zero_threshold(data.zero_threshold);
            FillSpan(data.positive, p->mutable_positive());
            FillSpan(data.negative, p->mutable_negative());
            if (data.has_min_max && std::isfinite(data.min) && std::isfinite(data.max)) {
              p->set_min(data.min);
              p->set_max(data.max);
            }
            break;
          }
          case MetricKind::kExplicitHistogram: {
            aggregate::ExplicitHistogram h = *s.explicit_histogram;
            if (delta) {
              if (!first) {
                auto d = aggregate::SubtractExplicit(h, last->explicit_histogram);
                if (d.ok()) h = std::move(*d);
              }
              last->explicit_histogram = *s.explicit_histogram;
              if (h.count == 0) return;
            }
            auto* hg = builder.MetricFor(s)->mutable_histogram();
            hg->set_aggregation_temporality(temporality);
            auto* p = hg->add_data_points();
            RequestBuilder::SetAttributes(s, p);
            p->set_start_time_unix_nano(start_ns);
            p->set_time_unix_nano(now_ns);
            p->set_count(h.count);
            p->set_sum(h.sum);
            for (double b : h.bounds) p->add_explicit_bounds(b);
            for (uint64_t c : h.counts) p->add_bucket_counts(c);
            break;
          }
        }
        ++n;
      },
      now);
  if (points != nullptr) *points = n;
  return req;
}

}  // namespace vigil::exporters
