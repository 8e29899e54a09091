// The <aggregation>_over_time functions and changes/resets: one output sample per input series,
// computed from the float samples in its window (Prometheus 2.42 arithmetic: compensated sums,
// NaN and ±Inf rules). Only last_over_time keeps the metric name.
#include <algorithm>
#include <cmath>
#include <limits>

#include "collector/rules/eval/function_impl.h"

namespace vigil::eval::fn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Applies `f` to the float samples of every series with at least one; series holding only
// histogram samples produce nothing (these functions are defined on floats).
template <typename F>
Vector OverFloats(const Matrix& m, const FunctionContext& ctx, F&& f) {
  Vector out;
  std::vector<FloatPoint> buf;
  for (const Series& s : m) {
    const std::vector<FloatPoint>& pts = LiveFloats(s, buf);
    if (pts.empty()) continue;
    out.push_back(FloatSample(DropMetricName(s.labels), f(pts), ctx));
  }
  return out;
}

// Neumaier's compensated summation step, as Prometheus 2.42 sums over time: returns the new
// running sum and accumulates the lost low-order part in *c.
double KahanInc(double inc, double sum, double* c) {
  const double t = sum + inc;
  if (std::fabs(sum) >= std::fabs(inc)) {
    *c += (sum - t) + inc;
  } else {
    *c += (inc - t) + sum;
  }
  return t;
}

Result<Value> AvgOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, [](const std::vector<FloatPoint>& p) {
    // An incremental mean does not overflow where sum/count would; once it is infinite only a
    // NaN or an infinity of the other sign can change it.
    double mean = 0;
    double c = 0;
    double count = 0;
    for (const FloatPoint& x : p) {
      count += 1;
      if (std::isinf(mean)) {
        if (std::isinf(x.v) && (mean > 0) == (x.v > 0)) continue;
        if (!std::isinf(x.v) && !std::isnan(x.v)) continue;
      }
      mean = KahanInc(x.v / count - mean / count, mean, &c);
    }
    return std::isinf(mean) ? mean : mean + c;
  }));
}

Result<Value> SumOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, [](const std::vector<FloatPoint>& p) {
    double sum = 0;
    double c = 0;
    for (const FloatPoint& x : p) sum = KahanInc(x.v, sum, &c);
    return std::isinf(sum) ? sum : sum + c;
  }));
}

// Population variance by Welford's method with compensated sums.
double Variance(const std::vector<FloatPoint>& p) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const FloatPoint& x : p) {
    count += 1;
    const double delta = x.v - (mean + c_mean);
    mean = KahanInc(delta / count, mean, &c_mean);
    aux = KahanInc(delta * (x.v - (mean + c_mean)), aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

Result<Value> StdvarOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, Variance));
}

Result<Value> StddevOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx,
                          [](const std::vector<FloatPoint>& p) { return std::sqrt(Variance(p)); }));
}

Result<Value> MaxOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, [](const std::vector<FloatPoint>& p) {
    // NaN loses to any number, but an all-NaN window stays NaN.
    double m = p.front().v;
    for (const FloatPoint& x : p) {
      if (x.v > m || std::isnan(m)) m = x.v;
    }
    return m;
  }));
}

Result<Value> MinOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, [](const std::vector<FloatPoint>& p) {
    double m = p.front().v;
    for (const FloatPoint& x : p) {
      if (x.v < m || std::isnan(m)) m = x.v;
    }
    return m;
  }));
}

Result<Value> Changes(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, [](const std::vector<FloatPoint>& p) {
    double n = 0;
    for (size_t i = 1; i < p.size(); ++i) {
      const double a = p[i - 1].v;
      const double b = p[i].v;
      if (a != b && !(std::isnan(a) && std::isnan(b))) n += 1;
    }
    return n;
  }));
}

Result<Value> Resets(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(OverFloats(std::get<Matrix>(args[0]), ctx, [](const std::vector<FloatPoint>& p) {
    double n = 0;
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i].v < p[i - 1].v) n += 1;
    }
    return n;
  }));
}

// Prometheus's quantile: linear interpolation between the closest ranks; phi outside [0, 1]
// gives -Inf/+Inf, NaN phi gives NaN. NaN values sort first.
double Quantile(double phi, std::vector<double> values) {
  if (values.empty() || std::isnan(phi)) return kNaN;
  if (phi < 0) return -std::numeric_limits<double>::infinity();
  if (phi > 1) return std::numeric_limits<double>::infinity();
  std::sort(values.begin(), values.end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  const double n = static_cast<double>(values.size());
  const double rank = phi * (n - 1);
  const double lower = std::max(0.0, std::floor(rank));
  const double upper = std::min(n - 1, lower + 1);
  const double weight = rank - std::floor(rank);
  return values[static_cast<size_t>(lower)] * (1 - weight) +
         values[static_cast<size_t>(upper)] * weight;
}

Result<Value> QuantileOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  const double phi = ScalarArg(args[0]);
  return Value(OverFloats(std::get<Matrix>(args[1]), ctx, [phi](const std::vector<FloatPoint>& p) {
    std::vector<double> values;
    values.reserve(p.size());
    for (const FloatPoint& x : p) values.push_back(x.v);
    return Quantile(phi, std::move(values));
  }));
}

// count_over_time, last_over_time and present_over_time count histogram samples too.
Result<Value> CountOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  Vector out;
  std::vector<FloatPoint> buf;
  for (const Series& s : std::get<Matrix>(args[0])) {
    const size_t n = LiveFloats(s, buf).size() + s.histograms.size();
    if (n == 0) continue;
    out.push_back(FloatSample(DropMetricName(s.labels), static_cast<double>(n), ctx));
  }
  return Value(std::move(out));
}

Result<Value> PresentOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  Vector out;
  std::vector<FloatPoint> buf;
  for (const Series& s : std::get<Matrix>(args[0])) {
    if (LiveFloats(s, buf).empty() && s.histograms.empty()) continue;
    out.push_back(FloatSample(DropMetricName(s.labels), 1, ctx));
  }
  return Value(std::move(out));
}

Result<Value> LastOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  Vector out;
  std::vector<FloatPoint> buf;
  for (const Series& s : std::get<Matrix>(args[0])) {
    const std::vector<FloatPoint>& pts = LiveFloats(s, buf);
    const HistogramPoint* h = s.histograms.empty() ? nullptr : &s.histograms.back();
    if (pts.empty() && h == nullptr) continue;
    Sample smp;
    smp.labels = s.labels;  // the one range function that keeps __name__
    smp.t_ms = ctx.t_ms;
    if (h != nullptr && (pts.empty() || h->t_ms > pts.back().t_ms)) {
      smp.h = h->h;
    } else {
      smp.v = pts.back().v;
    }
    out.push_back(std::move(smp));
  }
  return Value(std::move(out));
}

}  // namespace

void RegisterOverTimeFunctions(FunctionMap& m) {
  m["avg_over_time"] = &AvgOverTime;
  m["sum_over_time"] = &SumOverTime;
  m["max_over_time"] = &MaxOverTime;
  m["min_over_time"] = &MinOverTime;
  m["count_over_time"] = &CountOverTime;
  m["quantile_over_time"] = &QuantileOverTime;
  m["last_over_time"] = &LastOverTime;
  m["present_over_time"] = &PresentOverTime;
  m["stddev_over_time"] = &StddevOverTime;
  m["stdvar_over_time"] = &StdvarOverTime;
  m["changes"] = &Changes;
  m["resets"] = &Resets;
}

}  // namespace vigil::eval::fn
