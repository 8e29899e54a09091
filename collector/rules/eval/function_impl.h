// Internal to the function_*.cc units: the signature every PromQL function implementation has,
// the per-file registration hooks CallFunction's dispatch table is built from, and small helpers
// they share. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/rules/eval/function_call.h"
#include "collector/rules/eval/value.h"
#include "core/status.h"

namespace vigil::eval::fn {

using FunctionImpl = Result<Value> (*)(std::vector<Value>& args, const FunctionContext& ctx);
using FunctionMap = std::unordered_map<std::string_view, FunctionImpl>;

// Each function_*.cc adds its functions to the dispatch table.
void RegisterRateFunctions(FunctionMap& m);       // function_rate.cc
void RegisterOverTimeFunctions(FunctionMap& m);   // function_over_time.cc
void RegisterHistogramFunctions(FunctionMap& m);  // function_histogram.cc
void RegisterMathFunctions(FunctionMap& m);       // function_math.cc
void RegisterMiscFunctions(FunctionMap& m);       // function_misc.cc

// The float samples of a series' window without stale markers (selectors treat a stale sample
// as no sample). Returns `s.floats` itself when it holds none, else fills `buf`.
const std::vector<FloatPoint>& LiveFloats(const Series& s, std::vector<FloatPoint>& buf);

// A float sample at the evaluation time.
inline Sample FloatSample(Labels labels, double v, const FunctionContext& ctx) {
  Sample out;
  out.labels = std::move(labels);
  out.v = v;
  out.t_ms = ctx.t_ms;
  return out;
}

// The scalar value of a Scalar argument (the parser guarantees the type).
inline double ScalarArg(const Value& v) { return std::get<Scalar>(v).v; }

}  // namespace vigil::eval::fn
