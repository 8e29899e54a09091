#include "collector/receive/metrics_merger.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "collector/receive/prometheus_names.h"

namespace vigil::receive {
namespace {

namespace pb = opentelemetry::proto;
using pb::metrics::v1::AggregationTemporality;
using pb::metrics::v1::ExponentialHistogramDataPoint;
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

std::string ServiceName(const pb::resource::v1::Resource& resource) {
  for (const auto& kv : resource.attributes()) {
    if (kv.key() == "service.name") return AttributeValueText(kv.value());
  }
  return "";
}

template <typename Attributes>
aggregate::Labels BuildLabels(const std::string& service_name, const Attributes& attributes) {
  aggregate::Labels labels;
  labels.reserve(attributes.size() + 1);
  if (!service_name.empty()) labels.emplace_back("service_name", service_name);
  for (const auto& kv : attributes) {
    std::string value = AttributeValueText(kv.value());
    // Prometheus treats an empty value as no label at all; keep the store's identity the same.
    if (value.empty()) continue;
    labels.emplace_back(SanitizeLabelName(kv.key()), std::move(value));
  }
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Two keys may sanitize to one name ("a.b" and "a_b"): the later one, a point attribute
  // over the resource's service name, wins.
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

bool NoRecordedValue(uint32_t flags) {
  return (flags & pb::metrics::v1::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK) != 0;
}

// The point as the histogram library's data, or a reason it cannot be one.
Result<hist::ExpHistogram> ToHistogram(const ExponentialHistogramDataPoint& p,
                                       const hist::ExpHistogramOptions& options) {
  // Overflow-safe: a hostile point may carry counts near 2^64.
  uint64_t total = p.zero_count();
  bool overflow = false;
  auto add = [&](uint64_t c) {
    if (total > UINT64_MAX - c) overflow = true;
    total += c;
  };
  for (uint64_t c : p.positive().bucket_counts()) add(c);
  for (uint64_t c : p.negative().bucket_counts()) add(c);
  if (overflow || total != p.count()) {
    return Status::InvalidArgument(
        "bucket counts plus zero_count add up to " +
        (overflow ? std::string("more than 2^64") : std::to_string(total)) + " but count is " +
        std::to_string(p.count()));
  }
  hist::ExpHistogramData data;
  data.scale = p.scale();
  data.count = p.count();
  data.sum = p.has_sum() ? p.sum() : 0;
  data.has_min_max = p.has_min() && p.has_max();
  data.min = data.has_min_max ? p.min() : 0;
  data.max = data.has_min_max ? p.max() : 0;
  data.zero_count = p.zero_count();
  data.zero_threshold = p.zero_threshold();
  data.positive.offset = p.positive().offset();
  data.positive.counts.assign(p.positive().bucket_counts().begin(),
                              p.positive().bucket_counts().end());
  data.negative.offset = p.negative().offset();
  data.negative.counts.assign(p.negative().bucket_counts().begin(),
                              p.negative().bucket_counts().end());
  return hist::ExpHistogram::FromData(data, options);
}

std::string TemporalityName(AggregationTemporality t) {
  switch (t) {
    case pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA:
      return "DELTA";
    case pb::metrics::v1::AGGREGATION_TEMPORALITY_CUMULATIVE:
      return "CUMULATIVE";
    default:
      return "UNSPECIFIED";
  }
}

}  // namespace

MergeOutcome MetricsMerger::Merge(
    const pb::collector::metrics::v1::ExportMetricsServiceRequest& request,
    std::chrono::system_clock::time_point now) {
  MergeOutcome out;
  Rejections rejections(out);

  auto on_store_error = [&](const Status& st, const std::string& metric) {
    if (st.code() == StatusCode::kResourceExhausted) ++out.cardinality_points;
    rejections.Add(1, "metric '" + metric + "': " + st.message());
  };

  for (const auto& rm : request.resource_metrics()) {
    const std::string service = ServiceName(rm.resource());
    for (const auto& sm : rm.scope_metrics()) {
      for (const Metric& m : sm.metrics()) {
        const std::string& otlp_name = m.name();
        switch (m.data_case()) {
          case Metric::kExponentialHistogram: {
            const auto& eh = m.exponential_histogram();
            if (eh.aggregation_temporality() != pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA) {
              rejections.Add(eh.data_points_size(),
                             "metric '" + otlp_name + "': exponential histogram with " +
                                 TemporalityName(eh.aggregation_temporality()) +
                                 " temporality is not supported yet (only DELTA)");
              break;
            }
            const std::string family = PrometheusFamilyName(otlp_name, m.unit(), false);
            for (const auto& p : eh.data_points()) {
              if (NoRecordedValue(p.flags())) continue;
              auto h = ToHistogram(p, histogram_);
              if (!h.ok()) {
                rejections.Add(1, "metric '" + otlp_name + "': " + h.status().message());
                continue;
              }
              Status st = store_.MergeHistogram(family, m.description(),
                                                BuildLabels(service, p.attributes()), *h, now);
              if (st.ok()) {
                ++out.merged_points;
              } else {
                on_store_error(st, otlp_name);
              }
            }
            break;
          }
          case Metric::kSum: {
            const auto& sum = m.sum();
            if (!sum.is_monotonic() ||
                sum.aggregation_temporality() != pb::metrics::v1::AGGREGATION_TEMPORALITY_DELTA) {
              rejections.Add(sum.data_points_size(),
                             "metric '" + otlp_name +
                                 "': " + (sum.is_monotonic() ? "monotonic" : "non-monotonic") +
                                 " sum with " + TemporalityName(sum.aggregation_temporality()) +
                                 " temporality is not supported yet (only monotonic DELTA)");
              break;
            }
            const std::string family = PrometheusFamilyName(otlp_name, m.unit(), true);
            for (const auto& p : sum.data_points()) {
              if (NoRecordedValue(p.flags())) continue;
              double value = p.value_case() == pb::metrics::v1::NumberDataPoint::kAsInt
                                 ? static_cast<double>(p.as_int())
                                 : p.as_double();
              Status st = store_.AddCounter(family, m.description(),
                                            BuildLabels(service, p.attributes()), value);
              if (st.ok()) {
                ++out.merged_points;
              } else {
                on_store_error(st, otlp_name);
              }
            }
            break;
          }
          case Metric::kGauge:
            rejections.Add(m.gauge().data_points_size(),
                           "metric '" + otlp_name + "': gauge is not supported yet");
            break;
          case Metric::kHistogram:
            rejections.Add(m.histogram().data_points_size(),
                           "metric '" + otlp_name +
                               "': explicit-bucket histogram is not supported yet "
                               "(send an exponential histogram)");
            break;
          case Metric::kSummary:
            rejections.Add(m.summary().data_points_size(),
                           "metric '" + otlp_name + "': summary is not supported yet");
            break;
          default:
            break;  // a metric without data has no points to merge or reject
        }
      }
    }
  }
  rejections.Finish();
  return out;
}

}  // namespace vigil::receive
