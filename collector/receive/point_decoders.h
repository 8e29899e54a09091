// Decoding of single OTLP metric data points into the collector's value types, with the checks
// that make a point unusable (counts not adding up, bounds not increasing, NaN). Each error is an
// InvalidArgument whose message is fit for the partial_success answer. Pure functions.
#pragma once

#include "collector/aggregate/explicit_histogram.h"
#include "core/histogram/exp_histogram.h"
#include "core/status.h"
#include "opentelemetry/proto/metrics/v1/metrics.pb.h"

namespace vigil::receive {

// A Sum or Gauge point's value (int or double) as a double; NaN and "no value" are errors.
Result<double> DecodeNumberPoint(const opentelemetry::proto::metrics::v1::NumberDataPoint& p);

// A Histogram point. An empty bucket_counts with no bounds is one +Inf bucket holding `count`.
Result<aggregate::ExplicitHistogram> DecodeExplicitPoint(
    const opentelemetry::proto::metrics::v1::HistogramDataPoint& p);

// An ExponentialHistogram point as the histogram library's data (not yet validated against its
// own limits: ExpHistogram::FromData does that).
Result<hist::ExpHistogramData> DecodeExpPoint(
    const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& p);

// True when the point says it carries no value (DATA_POINT_FLAGS_NO_RECORDED_VALUE): skipped.
bool NoRecordedValue(uint32_t flags);

}  // namespace vigil::receive
