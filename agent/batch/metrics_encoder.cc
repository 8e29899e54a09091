#include "agent/batch/metrics_encoder.h"

#include <map>

#include "opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"

namespace vigil::agent {
namespace {

namespace pb = opentelemetry::proto;
using pb::metrics::v1::AggregationTemporality;

void SetString(pb::common::v1::KeyValue* kv, const std::string& key, std::string_view value) {
  kv->set_key(key);
  kv->mutable_value()->set_string_value(std::string(value));
}

// Point attributes: route and status (absent for the overflow series, which carries
// otel.metric.overflow=true instead, as the OpenTelemetry SDKs mark theirs).
template <typename Point>
void SetPointAttributes(Point* p, const derive::SeriesDelta& d) {
  if (d.overflow) {
    auto* kv = p->add_attributes();
    kv->set_key("otel.metric.overflow");
    kv->mutable_value()->set_bool_value(true);
    return;
  }
  SetString(p->add_attributes(), "http.route", d.route);
  if (d.status != 0) {
    auto* kv = p->add_attributes();
    kv->set_key("http.response.status_code");
    kv->mutable_value()->set_int_value(d.status);
  }
}

void FillBuckets(const hist::BucketSpan& span,
                 pb::metrics::v1::ExponentialHistogramDataPoint::Buckets* b) {
  b->set_offset(span.offset);
  for (uint64_t c : span.counts) b->add_bucket_counts(c);
}

}  // namespace

EncodedMetrics EncodeRedMetrics(const std::vector<derive::SeriesDelta>& deltas,
                                uint64_t start_unix_nano, uint64_t time_unix_nano,
                                const std::string& agent_version) {
  EncodedMetrics out;
  if (deltas.empty()) return out;
  pb::collector::metrics::v1::ExportMetricsServiceRequest req;
  struct PerService {
    pb::metrics::v1::Metric* duration = nullptr;
    pb::metrics::v1::Metric* errors = nullptr;
  };
  std::map<std::string, PerService> services;
  for (const derive::SeriesDelta& d : deltas) {
    auto [it, fresh] = services.try_emplace(d.service);
    PerService& ps = it->second;
    if (fresh) {
      auto* rm = req.add_resource_metrics();
      if (!d.service.empty())
        SetString(rm->mutable_resource()->add_attributes(), "service.name", d.service);
      auto* sm = rm->add_scope_metrics();
      sm->mutable_scope()->set_name("vigil-agent");
      sm->mutable_scope()->set_version(agent_version);
      ps.duration = sm->add_metrics();
      ps.duration->set_name(kDurationMetric);
      ps.duration->set_unit("s");
      ps.duration->set_description("Duration of HTTP server requests, from the service's logs.");
      ps.duration->mutable_exponential_histogram()->set_aggregation_temporality(
          AggregationTemporality::AGGREGATION_TEMPORALITY_DELTA);
      ps.errors = sm->add_metrics();
      ps.errors->set_name(kErrorsMetric);
      ps.errors->set_unit("{request}");
      ps.errors->set_description("HTTP server requests that failed, per the agent's error rule.");
      auto* sum = ps.errors->mutable_sum();
      sum->set_aggregation_temporality(AggregationTemporality::AGGREGATION_TEMPORALITY_DELTA);
      sum->set_is_monotonic(true);
    }
    if (!d.duration.empty()) {
      hist::ExpHistogramData data = d.duration.ToData();
      auto* p = ps.duration->mutable_exponential_histogram()->add_data_points();
      p->set_start_time_unix_nano(start_unix_nano);
      p->set_time_unix_nano(time_unix_nano);
      SetPointAttributes(p, d);
      p->set_count(data.count);
      p->set_sum(data.sum);
      p->set_scale(data.scale);
      p->set_zero_count(data.zero_count);
      p->set_zero_threshold(data.zero_threshold);
      if (data.has_min_max) {
        p->set_min(data.min);
        p->set_max(data.max);
      }
      FillBuckets(data.positive, p->mutable_positive());
      if (!data.negative.counts.empty()) FillBuckets(data.negative, p->mutable_negative());
      ++out.data_points;
    }
    // Zero error counts are sent too, so every series has an errors counter and error-ratio
    // queries return 0 rather than nothing for healthy routes.
    {
      auto* p = ps.errors->mutable_sum()->add_data_points();
      p->set_start_time_unix_nano(start_unix_nano);
      p->set_time_unix_nano(time_unix_nano);
      SetPointAttributes(p, d);
      p->set_as_int(static_cast<int64_t>(d.errors));
      ++out.data_points;
    }
  }
  out.body = req.SerializeAsString();
  return out;
}

}  // namespace vigil::agent
