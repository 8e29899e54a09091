// The OTLP data point view of ExpHistogram: validating points from the outside and exporting.
#include <cmath>
#include <cstdio>
#include <string>

#include "core/histogram/exp_histogram.h"

namespace vigil::hist {
namespace {

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Status Invalid(const std::string& what) {
  return Status::InvalidArgument("exponential histogram: " + what);
}

// Checks a span's size and index range; adds its counts to *total (false on overflow).
Status CheckSpan(const char* sign, const BucketSpan& span, int32_t scale, uint64_t* total) {
  const size_t n = span.counts.size();
  if (n > kMaxDataSpan) {
    return Invalid(std::string(sign) + " span has " + std::to_string(n) + " buckets, more than " +
                   std::to_string(kMaxDataSpan));
  }
  if (n == 0) return Status::Ok();
  const int64_t first = span.offset;
  const int64_t last = first + static_cast<int64_t>(n) - 1;
  if (first < MinIndex(scale) || last > MaxIndex(scale)) {
    return Invalid(std::string(sign) + " buckets [" + std::to_string(first) + ", " +
                   std::to_string(last) + "] lie outside the index range [" +
                   std::to_string(MinIndex(scale)) + ", " + std::to_string(MaxIndex(scale)) +
                   "] of finite doubles at scale " + std::to_string(scale));
  }
  for (uint64_t c : span.counts) {
    if (__builtin_add_overflow(*total, c, total)) {
      return Invalid(std::string(sign) + " bucket counts overflow 64 bits");
    }
  }
  return Status::Ok();
}

}  // namespace

Status ValidateExpHistogramData(const ExpHistogramData& d) {
  if (d.scale < kMinScale || d.scale > kMaxScale) {
    return Invalid("scale " + std::to_string(d.scale) + " outside [" + std::to_string(kMinScale) +
                   ", " + std::to_string(kMaxScale) + "]");
  }
  if (!std::isfinite(d.zero_threshold) || d.zero_threshold < 0) {
    return Invalid("zero_threshold must be finite and >= 0, got " + Num(d.zero_threshold));
  }
  if (!std::isfinite(d.sum)) return Invalid("sum must be finite, got " + Num(d.sum));
  if (d.has_min_max && d.count > 0) {
    if (!std::isfinite(d.min) || !std::isfinite(d.max)) {
      return Invalid("min and max must be finite, got min " + Num(d.min) + ", max " + Num(d.max));
    }
    if (d.min > d.max) return Invalid("min " + Num(d.min) + " > max " + Num(d.max));
  }
  uint64_t positive = 0;
  uint64_t negative = 0;
  VIGIL_RETURN_IF_ERROR(CheckSpan("positive", d.positive, d.scale, &positive));
  VIGIL_RETURN_IF_ERROR(CheckSpan("negative", d.negative, d.scale, &negative));
  uint64_t total = 0;
  if (__builtin_add_overflow(positive, negative, &total) ||
      __builtin_add_overflow(total, d.zero_count, &total) || total != d.count) {
    return Invalid("bucket counts (positive " + std::to_string(positive) + " + negative " +
                   std::to_string(negative) + " + zero_count " + std::to_string(d.zero_count) +
                   ") do not add up to count " + std::to_string(d.count));
  }
  return Status::Ok();
}

ExpHistogramData ExpHistogram::ToData() const {
  ExpHistogramData d;
  d.scale = scale_;
  d.count = count_;
  d.sum = sum_;
  d.has_min_max = min_max_known_ && count_ > 0;
  if (d.has_min_max) {
    d.min = min_;
    d.max = max_;
  }
  d.zero_count = zero_count_;
  d.zero_threshold = zero_threshold_;
  auto fill = [](const BucketArray& b, BucketSpan* span) {
    if (b.empty()) return;
    span->offset = b.lo();
    span->counts.reserve(static_cast<size_t>(b.hi() - b.lo()));
    for (int32_t i = b.lo(); i < b.hi(); ++i) span->counts.push_back(b.Get(i));
  };
  fill(positive_, &d.positive);
  fill(negative_, &d.negative);
  return d;
}

}  // namespace vigil::hist
