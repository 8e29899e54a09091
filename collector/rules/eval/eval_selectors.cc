// Instant and range vector selectors: what samples a selector sees at the evaluation time,
// with Prometheus 2.42's lookback, offset and staleness rules.
#include <utility>

#include "collector/rules/eval/eval_internal.h"

namespace vigil::eval::internal {

Result<Value> Evaluator::EvalVectorSelector(const promql::VectorSelector& sel, bool sample_times) {
  // The newest sample in [ref - lookback, ref], both ends inclusive in 2.42.
  const int64_t ref = t_ms_ - sel.offset_ms;
  Matrix found;
  data_.Select(SelectorMatchers(sel), ref - options_.lookback_ms, ref, &found);
  Vector out;
  out.reserve(found.size());
  for (Series& s : found) {
    const FloatPoint* f = s.floats.empty() ? nullptr : &s.floats.back();
    const HistogramPoint* h = s.histograms.empty() ? nullptr : &s.histograms.back();
    if (f == nullptr && h == nullptr) continue;
    Sample sample;
    sample.t_ms = t_ms_;
    if (h != nullptr && (f == nullptr || h->t_ms > f->t_ms)) {
      sample.h = h->h;
      if (sample_times) sample.t_ms = h->t_ms;
    } else {
      // A stale marker as the newest sample means the series is gone.
      if (IsStaleNaN(f->v)) continue;
      sample.v = f->v;
      if (sample_times) sample.t_ms = f->t_ms;
    }
    sample.labels = std::move(s.labels);
    out.push_back(std::move(sample));
  }
  return Value(std::move(out));
}

Result<Value> Evaluator::EvalMatrixSelector(const promql::MatrixSelector& sel) {
  const int64_t maxt = t_ms_ - sel.selector.offset_ms;
  const int64_t mint = maxt - sel.range_ms;
  Matrix found;
  data_.Select(SelectorMatchers(sel.selector), mint, maxt, &found);
  Matrix out;
  out.reserve(found.size());
  for (Series& s : found) {
    // Stale markers only end a series; they are never values in a range.
    std::erase_if(s.floats, [](const FloatPoint& p) { return IsStaleNaN(p.v); });
    if (s.floats.empty() && s.histograms.empty()) continue;
    out.push_back(std::move(s));
  }
  return Value(std::move(out));
}

}  // namespace vigil::eval::internal
