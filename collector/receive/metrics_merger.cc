#include "collector/receive/metrics_merger.h"

#include <algorithm>
#include <vector>

#include "collector/receive/point_decoders.h"
#include "collector/receive/prometheus_names.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
using pb::metrics::v1::AggregationTemporality;
using pb::metrics::v1::Metric;

constexpr size_t kMaxReasons = 5;

// Collects rejections: the count, plus a few distinct reasons so the client's log says why
// without the answer growing with the batch.
class Rejections {
 public:
  explicit Rejections(MergeOutcome& out) : out_(out) {}

  void Add(int64_t points, const std::string& reason) {
    if (points <= 0) return;
    out_.rejected_points += points;
    if (reasons_.size() < kMaxReasons &&
        std::find(reasons_.begin(), reasons_.end(), reason) == reasons_.end()) {
      reasons_.push_back(reason);
    }
  }

  void Finish() {
    if (out_.rejected_points == 0) return;
    std::string msg = std::to_string(out_.rejected_points) + " data point(s) rejected: ";
    for (size_t i = 0; i < reasons_.size(); ++i) {
      if (i > 0) msg += "; ";
      msg += reasons_[i];
    }
    out_.error_message = std::move(msg);
  }

 private:
  MergeOutcome& out_;
  std::vector<std::string> reasons_;
};

std::string ResourceAttribute(const pb::resource::v1::Resource& resource, std::string_view key) {
  for (const auto& kv : resource.attributes()) {
    if (kv.key() == key) return AttributeValueText(kv.value());
  }
  return "";
}

void AppendSized(std::string& out, std::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof(n));
  out.append(s);
}

enum class Temporality { kDelta, kCumulative };

Result<Temporality> ModeOf(AggregationTemporality t) {
  switch (t) {
    case pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA:
      return Temporality::kDelta;
    case pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE:
      return Temporality::kCumulative;
    default:
      return Status::InvalidArgument("aggregation temporality is unspecified");
  }
}

}  // namespace

struct MetricsMerger::Context {
  MergeOutcome& out;
  Rejections rejections;
  std::chrono::system_clock::time_point now;
  std::string service, service_namespace, producer;

  // Labels of a point: the resource's identity plus the point's attributes, sorted, unique.
  template <typename Attributes>
  aggregate::Labels LabelsOf(const Attributes& attributes) const {
    aggregate::Labels labels;
    labels.reserve(attributes.size() + 2);
    if (!service.empty()) labels.emplace_back("service_name", service);
    if (!service_namespace.empty()) labels.emplace_back("service_namespace", service_namespace);
    for (const auto& kv : attributes) {
      std::string value = AttributeValueText(kv.value());
      // Prometheus treats an empty value as no label at all; keep the store's identity the same.
      if (value.empty()) continue;
      labels.emplace_back(SanitizeLabelName(kv.key()), std::move(value));
    }
    std::stable_sort(labels.begin(), labels.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    // Two keys may sanitize to one name ("a.b" and "a_b"): the later one, a point attribute
    // over the resource's identity, wins.
    aggregate::Labels unique;
    unique.reserve(labels.size());
    for (auto& l : labels) {
      if (!unique.empty() && unique.back().first == l.first) {
        unique.back().second = std::move(l.second);
      } else {
        unique.push_back(std::move(l));
      }
    }
    return unique;
  }

  // The (series, producer) identity of a cumulative stream.
  std::string Stream(const std::string& family, const aggregate::Labels& labels) const {
    std::string series;
    for (const auto& [k, v] : labels) {
      AppendSized(series, k);
      AppendSized(series, v);
    }
    return CumulativeTracker::StreamKey(family, series, producer);
  }

  void Reject(const Metric& m, int64_t points, const std::string& why) {
    rejections.Add(points, "metric '" + m.name() + "': " + why);
  }

  void Stored(const Metric& m, const Status& st) {
    if (st.ok()) {
      ++out.merged_points;
      return;
    }
    if (st.code() == StatusCode::kResourceExhausted) ++out.cardinality_points;
    Reject(m, 1, st.message());
  }
};

MergeOutcome MetricsMerger::Merge(
    const pb::collector::metrics::v1::ExportMetricsServiceRequest& request,
    std::chrono::system_clock::time_point now, std::string_view default_producer) {
  MergeOutcome out;
  Context ctx{out, Rejections(out), now, "", "", ""};
  for (const auto& rm : request.resource_metrics()) {
    ctx.service = ResourceAttribute(rm.resource(), "service.name");
    ctx.service_namespace = ResourceAttribute(rm.resource(), "service.namespace");
    ctx.producer = ResourceAttribute(rm.resource(), "service.instance.id");
    if (ctx.producer.empty())
      ctx.producer = default_producer.empty() ? "unknown" : default_producer;
    for (const auto& sm : rm.scope_metrics()) {
      for (const Metric& m : sm.metrics()) {
        switch (m.data_case()) {
          case Metric::kSum:
            MergeSum(ctx, m);
            break;
          case Metric::kGauge:
            MergeGauge(ctx, m);
            break;
          case Metric::kHistogram:
            MergeExplicit(ctx, m);
            break;
          case Metric::kExponentialHistogram:
            MergeExponential(ctx, m);
            break;
          case Metric::kSummary:
            ctx.Reject(m, m.summary().data_points_size(),
                       "summary is not supported (quantiles cannot be merged across producers)");
            break;
          default:
            // Unset, or a type newer than our proto (kept as an unknown field): nothing we
            // can read. Count it as one point so the sender learns about it.
            ctx.Reject(m, 1, "no data or an unknown metric type");
            break;
        }
      }
    }
  }
  ctx.rejections.Finish();
  return out;
}

void MetricsMerger::MergeSum(Context& ctx, const Metric& m) {
  const auto& sum = m.sum();
  auto mode = ModeOf(sum.aggregation_temporality());
  if (!mode.ok()) return ctx.Reject(m, sum.data_points_size(), mode.status().message());
  // Monotonic sums are Prometheus counters; non-monotonic ones (up-down counters) are gauges.
  const bool counter = sum.is_monotonic();
  const std::string family = PrometheusFamilyName(m.name(), m.unit(), counter);
  const aggregate::MetricInfo info{family, m.description(), m.name(), m.unit()};
  for (const auto& p : sum.data_points()) {
    if (NoRecordedValue(p.flags())) continue;
    auto value = DecodeNumberPoint(p);
    if (!value.ok()) {
      ctx.Reject(m, 1, value.status().message());
      continue;
    }
    aggregate::Labels labels = ctx.LabelsOf(p.attributes());
    double delta = *value;
    if (*mode == Temporality::kCumulative) {
      const std::string stream = ctx.Stream(family, labels);
      delta = counter ? tracker_.CounterDelta(stream, p.start_time_unix_nano(), *value)
                      : tracker_.UpDownDelta(stream, p.start_time_unix_nano(), *value);
    }
    ctx.Stored(
        m, counter ? store_.AddCounter(info, labels, delta) : store_.AddGauge(info, labels, delta));
  }
}

void MetricsMerger::MergeGauge(Context& ctx, const Metric& m) {
  const std::string family = PrometheusFamilyName(m.name(), m.unit(), false);
  const aggregate::MetricInfo info{family, m.description(), m.name(), m.unit()};
  for (const auto& p : m.gauge().data_points()) {
    if (NoRecordedValue(p.flags())) continue;
    auto value = DecodeNumberPoint(p);
    if (!value.ok()) {
      ctx.Reject(m, 1, value.status().message());
      continue;
    }
    ctx.Stored(m, store_.SetGauge(info, ctx.LabelsOf(p.attributes()), *value));
  }
}

void MetricsMerger::MergeExplicit(Context& ctx, const Metric& m) {
  const auto& h = m.histogram();
  auto mode = ModeOf(h.aggregation_temporality());
  if (!mode.ok()) return ctx.Reject(m, h.data_points_size(), mode.status().message());
  const std::string family = PrometheusFamilyName(m.name(), m.unit(), false);
  const aggregate::MetricInfo info{family, m.description(), m.name(), m.unit()};
  for (const auto& p : h.data_points()) {
    if (NoRecordedValue(p.flags())) continue;
    auto point = DecodeExplicitPoint(p);
    if (!point.ok()) {
      ctx.Reject(m, 1, point.status().message());
      continue;
    }
    aggregate::Labels labels = ctx.LabelsOf(p.attributes());
    if (*mode == Temporality::kCumulative) {
      *point = tracker_.ExplicitDelta(ctx.Stream(family, labels), p.start_time_unix_nano(), *point);
    }
    ctx.Stored(m, store_.MergeExplicitHistogram(info, labels, *point));
  }
}

void MetricsMerger::MergeExponential(Context& ctx, const Metric& m) {
  const auto& eh = m.exponential_histogram();
  auto mode = ModeOf(eh.aggregation_temporality());
  if (!mode.ok()) return ctx.Reject(m, eh.data_points_size(), mode.status().message());
  const std::string family = PrometheusFamilyName(m.name(), m.unit(), false);
  const aggregate::MetricInfo info{family, m.description(), m.name(), m.unit()};
  for (const auto& p : eh.data_points()) {
    if (NoRecordedValue(p.flags())) continue;
    auto data = DecodeExpPoint(p);
    if (!data.ok()) {
      ctx.Reject(m, 1, data.status().message());
      continue;
    }
    // Validate before the tracker remembers the point: a bad point must not become a baseline.
    if (Status v = hist::ValidateExpHistogramData(*data); !v.ok()) {
      ctx.Reject(m, 1, v.message());
      continue;
    }
    aggregate::Labels labels = ctx.LabelsOf(p.attributes());
    if (*mode == Temporality::kCumulative) {
      *data = tracker_.ExpDelta(ctx.Stream(family, labels), p.start_time_unix_nano(), *data);
    }
    auto h = hist::ExpHistogram::FromData(*data, histogram_);
    if (!h.ok()) {
      ctx.Reject(m, 1, h.status().message());
      continue;
    }
    ctx.Stored(m, store_.MergeHistogram(info, labels, *h, ctx.now));
  }
}

}  // namespace vigil::receive
