// rate, increase, delta (Prometheus's extrapolatedRate) and irate, idelta (the last two
// samples), over float series and, for the extrapolated three, native histogram series.
#include <cmath>
#include <optional>

#include "collector/rules/eval/function_float_histogram.h"
#include "collector/rules/eval/function_impl.h"

namespace vigil::eval::fn {
namespace {

struct Window {
  int64_t first_t;
  int64_t last_t;
  size_t n;  // samples in the window, >= 2
};

// The factor turning the raw first-to-last difference into the result. A sample close to a
// range edge (within 1.1 average intervals) means the series likely continues to that edge, so
// the result is extrapolated all the way; otherwise by half an average interval only. A counter
// is never extrapolated below zero: `raw` and `first_v` tell where it would reach zero.
double ExtrapolationFactor(const Window& w, double first_v, double raw, bool counter, bool is_rate,
                           const FunctionContext& ctx) {
  double to_start = static_cast<double>(w.first_t - ctx.range_start_ms) / 1000;
  const double to_end = static_cast<double>(ctx.range_end_ms - w.last_t) / 1000;
  const double sampled = static_cast<double>(w.last_t - w.first_t) / 1000;
  const double avg_interval = sampled / static_cast<double>(w.n - 1);
  if (counter && raw > 0 && first_v >= 0) {
    const double to_zero = sampled * (first_v / raw);
    if (to_zero < to_start) to_start = to_zero;
  }
  const double threshold = avg_interval * 1.1;
  double interval = sampled;
  interval += to_start < threshold ? to_start : avg_interval / 2;
  interval += to_end < threshold ? to_end : avg_interval / 2;
  double factor = interval / sampled;
  if (is_rate) factor /= static_cast<double>(ctx.range_end_ms - ctx.range_start_ms) / 1000;
  return factor;
}

std::optional<Sample> FloatRate(const std::vector<FloatPoint>& pts, bool counter, bool is_rate,
                                const FunctionContext& ctx) {
  if (pts.size() < 2) return std::nullopt;
  double raw = pts.back().v - pts.front().v;
  if (counter) {
    // A drop means the counter restarted from zero: everything before the drop was lost from
    // the difference, so add it back.
    for (size_t i = 1; i < pts.size(); ++i) {
      if (pts[i].v < pts[i - 1].v) raw += pts[i - 1].v;
    }
  }
  const Window w{pts.front().t_ms, pts.back().t_ms, pts.size()};
  Sample out;
  out.v = raw * ExtrapolationFactor(w, pts.front().v, raw, counter, is_rate, ctx);
  out.t_ms = ctx.t_ms;
  return out;
}

std::optional<Sample> HistogramRate(const std::vector<HistogramPoint>& pts, bool counter,
                                    bool is_rate, const FunctionContext& ctx) {
  if (pts.size() < 2) return std::nullopt;
  for (const HistogramPoint& p : pts) {
    if (p.h == nullptr) return std::nullopt;
  }
  // last - first, at the coarsest resolution seen, plus every pre-reset value.
  FloatHistogram result = FloatHistogram::From(*pts.back().h);
  FloatHistogram prev = FloatHistogram::From(*pts.front().h);
  result.AddScaled(prev, -1);
  if (counter) {
    for (size_t i = 1; i < pts.size(); ++i) {
      FloatHistogram curr = FloatHistogram::From(*pts[i].h);
      if (curr.IsResetFrom(prev)) result.AddScaled(prev, 1);
      prev = std::move(curr);
    }
  }
  const Window w{pts.front().t_ms, pts.back().t_ms, pts.size()};
  // Histogram counters start at zero like float ones, but Prometheus does not apply the
  // zero-point limit to them (their float value is 0), so neither do we.
  result.Scale(ExtrapolationFactor(w, 0, 0, counter, is_rate, ctx));
  Result<HistogramPtr> h = result.ToExpHistogram();
  if (!h.ok()) return std::nullopt;
  Sample out;
  out.h = std::move(h).value();
  out.t_ms = ctx.t_ms;
  return out;
}

Result<Value> Extrapolated(std::vector<Value>& args, const FunctionContext& ctx, bool counter,
                           bool is_rate) {
  Vector out;
  std::vector<FloatPoint> buf;
  for (const Series& s : std::get<Matrix>(args[0])) {
    std::optional<Sample> r;
    if (s.histograms.empty()) {
      r = FloatRate(LiveFloats(s, buf), counter, is_rate, ctx);
    } else if (LiveFloats(s, buf).empty()) {
      r = HistogramRate(s.histograms, counter, is_rate, ctx);
    }
    // A window mixing floats and histograms has no meaningful rate: no output, as Prometheus.
    if (!r) continue;
    r->labels = DropMetricName(s.labels);
    out.push_back(std::move(*r));
  }
  return Value(std::move(out));
}

Result<Value> Rate(std::vector<Value>& args, const FunctionContext& ctx) {
  return Extrapolated(args, ctx, /*counter=*/true, /*is_rate=*/true);
}
Result<Value> Increase(std::vector<Value>& args, const FunctionContext& ctx) {
  return Extrapolated(args, ctx, /*counter=*/true, /*is_rate=*/false);
}
Result<Value> Delta(std::vector<Value>& args, const FunctionContext& ctx) {
  return Extrapolated(args, ctx, /*counter=*/false, /*is_rate=*/false);
}

// irate/idelta: the difference of the last two float samples (per second for irate).
Result<Value> Instant(std::vector<Value>& args, const FunctionContext& ctx, bool is_rate) {
  Vector out;
  std::vector<FloatPoint> buf;
  for (const Series& s : std::get<Matrix>(args[0])) {
    if (!s.histograms.empty()) continue;
    const std::vector<FloatPoint>& pts = LiveFloats(s, buf);
    if (pts.size() < 2) continue;
    const FloatPoint& last = pts.back();
    const FloatPoint& prev = pts[pts.size() - 2];
    // For irate a drop is a counter reset: the counter counted `last.v` since restarting.
    double v = is_rate && last.v < prev.v ? last.v : last.v - prev.v;
    if (is_rate) v /= static_cast<double>(last.t_ms - prev.t_ms) / 1000;
    out.push_back(FloatSample(DropMetricName(s.labels), v, ctx));
  }
  return Value(std::move(out));
}

Result<Value> Irate(std::vector<Value>& args, const FunctionContext& ctx) {
  return Instant(args, ctx, /*is_rate=*/true);
}
Result<Value> Idelta(std::vector<Value>& args, const FunctionContext& ctx) {
  return Instant(args, ctx, /*is_rate=*/false);
}

}  // namespace

void RegisterRateFunctions(FunctionMap& m) {
  m["rate"] = &Rate;
  m["increase"] = &Increase;
  m["delta"] = &Delta;
  m["irate"] = &Irate;
  m["idelta"] = &Idelta;
}

}  // namespace vigil::eval::fn
