// Element-wise math over an instant vector: abs, ceil, floor, round, sqrt, exp, ln, log2, log10,
// sgn, clamp, clamp_min, clamp_max. Each drops the metric name and, like Prometheus, uses Go's
// math semantics (NaN propagates through min/max). Histogram samples have no float value to
// transform and produce nothing.
#include <cmath>
#include <limits>

#include "collector/rules/eval/function_impl.h"

namespace vigil::eval::fn {
namespace {

// Go's math.Max: +Inf wins, then NaN, and +0 beats -0.
double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

// Go's math.Min: -Inf wins, then NaN, and -0 beats +0.
double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

template <typename F>
Value Map(const Value& in, const FunctionContext& ctx, F&& f) {
  Vector out;
  for (const Sample& s : std::get<Vector>(in)) {
    if (s.h != nullptr) continue;
    out.push_back(FloatSample(DropMetricName(s.labels), f(s.v), ctx));
  }
  return Value(std::move(out));
}

#define VIGIL_SIMPLE_FUNCTION(Name, expr)                                    \
  Result<Value> Name(std::vector<Value>& args, const FunctionContext& ctx) { \
    return Map(args[0], ctx, [](double v) { return expr; });                 \
  }

VIGIL_SIMPLE_FUNCTION(Abs, std::fabs(v))
VIGIL_SIMPLE_FUNCTION(Ceil, std::ceil(v))
VIGIL_SIMPLE_FUNCTION(Floor, std::floor(v))
VIGIL_SIMPLE_FUNCTION(Sqrt, std::sqrt(v))
VIGIL_SIMPLE_FUNCTION(Exp, std::exp(v))
VIGIL_SIMPLE_FUNCTION(Ln, std::log(v))
VIGIL_SIMPLE_FUNCTION(Log2, std::log2(v))
VIGIL_SIMPLE_FUNCTION(Log10, std::log10(v))
VIGIL_SIMPLE_FUNCTION(Sgn, v < 0 ? -1.0 : (v > 0 ? 1.0 : v))

#undef VIGIL_SIMPLE_FUNCTION

// round(v [, to_nearest]): ties round up (towards +Inf), as Prometheus does.
Result<Value> Round(std::vector<Value>& args, const FunctionContext& ctx) {
  const double to_nearest = args.size() > 1 ? ScalarArg(args[1]) : 1;
  const double inverse = 1.0 / to_nearest;
  return Map(args[0], ctx, [inverse](double v) { return std::floor(v * inverse + 0.5) / inverse; });
}

Result<Value> ClampMin(std::vector<Value>& args, const FunctionContext& ctx) {
  const double lo = ScalarArg(args[1]);
  return Map(args[0], ctx, [lo](double v) { return GoMax(lo, v); });
}

Result<Value> ClampMax(std::vector<Value>& args, const FunctionContext& ctx) {
  const double hi = ScalarArg(args[1]);
  return Map(args[0], ctx, [hi](double v) { return GoMin(hi, v); });
}

// clamp(v, min, max): an empty result when min > max.
Result<Value> Clamp(std::vector<Value>& args, const FunctionContext& ctx) {
  const double lo = ScalarArg(args[1]);
  const double hi = ScalarArg(args[2]);
  if (hi < lo) return Value(Vector{});
  return Map(args[0], ctx, [lo, hi](double v) { return GoMax(lo, GoMin(hi, v)); });
}

}  // namespace

void RegisterMathFunctions(FunctionMap& m) {
  m["abs"] = &Abs;
  m["ceil"] = &Ceil;
  m["floor"] = &Floor;
  m["sqrt"] = &Sqrt;
  m["exp"] = &Exp;
  m["ln"] = &Ln;
  m["log2"] = &Log2;
  m["log10"] = &Log10;
  m["sgn"] = &Sgn;
  m["round"] = &Round;
  m["clamp_min"] = &ClampMin;
  m["clamp_max"] = &ClampMax;
  m["clamp"] = &Clamp;
}

}  // namespace vigil::eval::fn
