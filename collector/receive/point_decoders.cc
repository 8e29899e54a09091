#include "collector/receive/point_decoders.h"

#include <cmath>
#include <string>

namespace vigil::receive {

namespace pb = opentelemetry::proto;

bool NoRecordedValue(uint32_t flags) {
  return (flags & pb::metrics::v1::DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK) != 0;
}

Result<double> DecodeNumberPoint(const pb::metrics::v1::NumberDataPoint& p) {
  switch (p.value_case()) {
    case pb::metrics::v1::NumberDataPoint::kAsInt:
      return static_cast<double>(p.as_int());
    case pb::metrics::v1::NumberDataPoint::kAsDouble:
      if (std::isnan(p.as_double())) return Status::InvalidArgument("value is NaN");
      return p.as_double();
    default:
      return Status::InvalidArgument("data point has neither as_int nor as_double");
  }
}

Result<aggregate::ExplicitHistogram> DecodeExplicitPoint(
    const pb::metrics::v1::HistogramDataPoint& p) {
  aggregate::ExplicitHistogram h;
  h.bounds.assign(p.explicit_bounds().begin(), p.explicit_bounds().end());
  h.counts.assign(p.bucket_counts().begin(), p.bucket_counts().end());
  h.count = p.count();
  h.sum = p.has_sum() ? p.sum() : 0;
  if (h.bounds.empty() && h.counts.empty()) h.counts.push_back(h.count);
  VIGIL_RETURN_IF_ERROR(aggregate::ValidateExplicitHistogram(h));
  return h;
}

Result<hist::ExpHistogramData> DecodeExpPoint(
    const pb::metrics::v1::ExponentialHistogramDataPoint& p) {
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
  if (p.has_sum() && std::isnan(p.sum())) return Status::InvalidArgument("histogram sum is NaN");
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
  return data;
}

}  // namespace vigil::receive
