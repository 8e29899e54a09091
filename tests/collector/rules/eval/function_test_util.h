// Builders shared by the function_*_test.cc files: series, vectors and a context whose window
// is [t - range, t], so tests can write inputs the way promtool input_series reads.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "collector/rules/eval/function_call.h"

namespace vigil::eval::testing {

inline Labels L(std::initializer_list<std::pair<std::string, std::string>> l) {
  Labels out(l.begin(), l.end());
  std::sort(out.begin(), out.end());
  return out;
}

// Samples (t in seconds, value).
inline Series FloatSeries(Labels labels, std::initializer_list<std::pair<double, double>> pts) {
  Series s;
  s.labels = std::move(labels);
  for (const auto& [t, v] : pts) s.floats.push_back({static_cast<int64_t>(t * 1000), v});
  return s;
}

inline FunctionContext Window(double t_s, double range_s) {
  FunctionContext ctx;
  ctx.t_ms = static_cast<int64_t>(t_s * 1000);
  ctx.range_end_ms = ctx.t_ms;
  ctx.range_start_ms = ctx.t_ms - static_cast<int64_t>(range_s * 1000);
  return ctx;
}

inline Sample FloatSample(Labels labels, double v) {
  Sample s;
  s.labels = std::move(labels);
  s.v = v;
  return s;
}

// Calls `name` and returns its Vector result, failing the test on error.
inline Vector CallVector(std::string_view name, std::vector<Value> args,
                         const FunctionContext& ctx = {}) {
  Result<Value> r = CallFunction(name, args, ctx);
  EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
  if (!r.ok()) return {};
  const Vector* v = std::get_if<Vector>(&r.value());
  EXPECT_NE(v, nullptr) << name << " did not return a vector";
  return v ? *v : Vector{};
}

// The single value of a one-element result.
inline double OnlyValue(const Vector& v) {
  EXPECT_EQ(v.size(), 1u);
  return v.empty() ? -12345.0 : v[0].v;
}

}  // namespace vigil::eval::testing
