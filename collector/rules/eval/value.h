// The values a PromQL expression evaluates to (scalar, instant vector, range vector, string) and
// the sample types they hold, as Prometheus defines them. Plain owned values; a histogram sample
// shares its immutable ExpHistogram, so copies are cheap. Not synchronized: one evaluation owns
// its values.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "core/histogram/exp_histogram.h"

namespace vigil::eval {

// Sorted by name, unique names, no empty values. The metric name is the "__name__" label.
using Labels = aggregate::Labels;

inline constexpr std::string_view kMetricNameLabel = "__name__";

// Prometheus's staleness marker: a NaN with this exact bit pattern, written when a series
// disappears. Selectors treat a stale sample as "no sample"; an ordinary NaN is a value.
inline constexpr uint64_t kStaleNaNBits = 0x7ff0000000000002ULL;
inline double StaleNaN() { return std::bit_cast<double>(kStaleNaNBits); }
inline bool IsStaleNaN(double v) { return std::bit_cast<uint64_t>(v) == kStaleNaNBits; }

using HistogramPtr = std::shared_ptr<const hist::ExpHistogram>;

// One float sample of a series.
struct FloatPoint {
  int64_t t_ms = 0;
  double v = 0;
};

// One native (exponential) histogram sample of a series.
struct HistogramPoint {
  int64_t t_ms = 0;
  HistogramPtr h;
};

// A series' samples over a range, oldest first. A series holds floats or histograms; Prometheus
// allows both in one series over time, so both lists may be non-empty (each sorted by time).
struct Series {
  Labels labels;
  std::vector<FloatPoint> floats;
  std::vector<HistogramPoint> histograms;
};

// One element of an instant vector: a float (h == nullptr) or a histogram sample (h set, v
// unused). `t_ms` is the evaluation time, as in Prometheus.
struct Sample {
  Labels labels;
  double v = 0;
  HistogramPtr h;
  int64_t t_ms = 0;
};

struct Scalar {
  double v = 0;
  int64_t t_ms = 0;
};

struct String {
  std::string v;
  int64_t t_ms = 0;
};

using Vector = std::vector<Sample>;
using Matrix = std::vector<Series>;
using Value = std::variant<Scalar, Vector, Matrix, String>;

// Helpers every evaluator part needs; defined in value.cc.
// The value of label `name`, "" when absent.
std::string_view LabelValue(const Labels& labels, std::string_view name);
// A copy without the metric name (what most functions and arithmetic return).
Labels DropMetricName(const Labels& labels);
// Sets (or with an empty value removes) one label, keeping `labels` sorted.
void SetLabel(Labels& labels, std::string_view name, std::string_view value);
// Whether two samples share a label set ("vector cannot contain metrics with the same
// labelset"). Compares hashes first: it runs after every function and aggregation.
bool HasDuplicateLabelsets(const Vector& v);
// Prometheus's text form: name{a="1", b="2"} (used in messages and by test reports).
std::string LabelsToString(const Labels& labels);

}  // namespace vigil::eval
