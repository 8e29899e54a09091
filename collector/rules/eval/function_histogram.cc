// histogram_quantile over classic `le` bucket series and native (exponential) histogram samples,
// and histogram_count/histogram_sum of native samples (Prometheus 2.42 semantics).
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>

#include "collector/rules/eval/function_impl.h"
#include "core/histogram/index_mapping.h"

namespace vigil::eval::fn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::string_view kBucketLabel = "le";

struct ClassicBucket {
  double upper;
  double count;
};

// Parses an `le` value the way Go's strconv.ParseFloat does for the forms exporters write
// ("0.5", "1e3", "+Inf"); nullopt when it is not a number.
std::optional<double> ParseBound(std::string_view s) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return std::nullopt;
  const std::string str(s);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(str.c_str(), &end);
  if (end != str.c_str() + str.size()) return std::nullopt;
  return v;
}

// Quantile `q` of cumulative buckets (upper bound, count of observations <= it), interpolating
// linearly inside the bucket holding the rank. The lowest bucket is taken to start at 0 unless
// its bound is <= 0; ranks in the +Inf bucket answer the highest finite bound.
double BucketQuantile(double q, std::vector<ClassicBucket> b) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  std::sort(b.begin(), b.end(),
            [](const ClassicBucket& x, const ClassicBucket& y) { return x.upper < y.upper; });
  if (b.empty() || b.back().upper != kInf) return kNaN;
  // Series with the same bound (e.g. "1" and "1.0") are one bucket.
  std::vector<ClassicBucket> merged;
  for (const ClassicBucket& x : b) {
    if (!merged.empty() && merged.back().upper == x.upper) {
      merged.back().count += x.count;
    } else {
      merged.push_back(x);
    }
  }
  // Scrapes at slightly different moments can make cumulative counts dip: take the running max.
  double max = -kInf;
  for (ClassicBucket& x : merged) {
    if (x.count > max) {
      max = x.count;
    } else if (x.count < max) {
      x.count = max;
    }
  }
  if (merged.size() < 2) return kNaN;
  const double observations = merged.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  size_t i = 0;
  while (i < merged.size() - 1 && !(merged[i].count >= rank)) ++i;
  if (i == merged.size() - 1) return merged[merged.size() - 2].upper;
  if (i == 0 && merged[0].upper <= 0) return merged[0].upper;
  double start = 0;
  double count = merged[i].count;
  if (i > 0) {
    start = merged[i - 1].upper;
    count -= merged[i - 1].count;
    rank -= merged[i - 1].count;
  }
  return start + (merged[i].upper - start) * (rank / count);
}

// Quantile `q` of a native histogram: walks buckets from the most negative to the most
// positive and interpolates linearly inside the one holding the rank.
double NativeQuantile(double q, const hist::ExpHistogram& h) {
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  if (h.count() == 0 || std::isnan(q)) return kNaN;
  const double total = static_cast<double>(h.count());
  const double rank = q * total;
  const int32_t s = h.scale();
  double lower = 0, upper = 0, bucket_count = 0, cum = 0;
  bool found = false;
  auto visit = [&](double lo, double up, uint64_t c) {
    if (found || c == 0) return;
    lower = lo;
    upper = up;
    bucket_count = static_cast<double>(c);
    cum += bucket_count;
    if (cum >= rank) found = true;
  };
  std::vector<std::pair<int32_t, uint64_t>> neg;
  h.negative().ForEach([&](int32_t i, uint64_t c) { neg.emplace_back(i, c); });
  for (auto it = neg.rbegin(); it != neg.rend(); ++it) {
    visit(-hist::LowerBoundary(s, it->first + 1), -hist::LowerBoundary(s, it->first), it->second);
  }
  visit(-h.zero_threshold(), h.zero_threshold(), h.zero_count());
  h.positive().ForEach([&](int32_t i, uint64_t c) {
    visit(hist::LowerBoundary(s, i), hist::LowerBoundary(s, i + 1), c);
  });
  if (lower < 0 && upper > 0) {
    // Rank in the zero bucket: with observations of one sign only, it cannot hold the other.
    if (h.negative().empty() && !h.positive().empty()) {
      lower = 0;
    } else if (h.positive().empty() && !h.negative().empty()) {
      upper = 0;
    }
  }
  cum = std::min(cum, total);
  if (cum < rank) return upper;
  const double in_bucket = rank - (cum - bucket_count);
  return lower + (upper - lower) * (in_bucket / bucket_count);
}

Result<Value> HistogramQuantile(std::vector<Value>& args, const FunctionContext& ctx) {
  const double q = ScalarArg(args[0]);
  Vector out;
  // Classic buckets grouped by their labels minus le and __name__, in first-seen order.
  std::map<Labels, size_t> group_index;
  std::vector<std::pair<Labels, std::vector<ClassicBucket>>> groups;
  for (const Sample& s : std::get<Vector>(args[1])) {
    if (s.h != nullptr) {
      out.push_back(FloatSample(DropMetricName(s.labels), NativeQuantile(q, *s.h), ctx));
      continue;
    }
    const std::optional<double> upper = ParseBound(LabelValue(s.labels, kBucketLabel));
    if (!upper) continue;  // not a bucket series: ignored, as Prometheus does
    Labels key = DropMetricName(s.labels);
    SetLabel(key, kBucketLabel, "");
    auto [it, inserted] = group_index.try_emplace(key, groups.size());
    if (inserted) groups.emplace_back(std::move(key), std::vector<ClassicBucket>{});
    groups[it->second].second.push_back({*upper, s.v});
  }
  for (auto& [labels, buckets] : groups) {
    out.push_back(FloatSample(std::move(labels), BucketQuantile(q, std::move(buckets)), ctx));
  }
  return Value(std::move(out));
}

template <typename F>
Vector OverNative(const Vector& in, const FunctionContext& ctx, F&& f) {
  Vector out;
  for (const Sample& s : in) {
    if (s.h == nullptr) continue;  // defined on native histograms only
    out.push_back(FloatSample(DropMetricName(s.labels), f(*s.h), ctx));
  }
  return out;
}

Result<Value> HistogramCount(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverNative(std::get<Vector>(args[0]), ctx, [](const hist::ExpHistogram& h) {
    return static_cast<double>(h.count());
  }));
}

Result<Value> HistogramSum(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverNative(std::get<Vector>(args[0]), ctx,
                          [](const hist::ExpHistogram& h) { return h.sum(); }));
}

}  // namespace

void RegisterHistogramFunctions(FunctionMap& m) {
  m["histogram_quantile"] = &HistogramQuantile;
  m["histogram_count"] = &HistogramCount;
  m["histogram_sum"] = &HistogramSum;
}

}  // namespace vigil::eval::fn
