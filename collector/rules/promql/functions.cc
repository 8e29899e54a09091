#include "collector/rules/promql/functions.h"

#include <array>

namespace vigil::promql {
namespace {

constexpr ValueType kS = ValueType::kScalar;
constexpr ValueType kV = ValueType::kInstantVector;
constexpr ValueType kM = ValueType::kRangeVector;
constexpr ValueType kStr = ValueType::kString;

const std::vector<FunctionSignature>& Table() {
  // Only functions the evaluator implements; anything else fails at rule load, not at runtime.
  static const std::vector<FunctionSignature> table = {
      {"rate", {kM}, kV},
      {"irate", {kM}, kV},
      {"increase", {kM}, kV},
      {"delta", {kM}, kV},
      {"avg_over_time", {kM}, kV},
      {"max_over_time", {kM}, kV},
      {"min_over_time", {kM}, kV},
      {"sum_over_time", {kM}, kV},
      {"count_over_time", {kM}, kV},
      {"quantile_over_time", {kS, kM}, kV},
      {"histogram_quantile", {kS, kV}, kV},
      {"abs", {kV}, kV},
      {"clamp_min", {kV, kS}, kV},
      {"clamp_max", {kV, kS}, kV},
      {"absent", {kV}, kV},
      {"vector", {kS}, kV},
      {"scalar", {kV}, kS},
      {"time", {}, kS},
      {"idelta", {kM}, kV},
      {"last_over_time", {kM}, kV},
      {"present_over_time", {kM}, kV},
      {"absent_over_time", {kM}, kV},
      {"stddev_over_time", {kM}, kV},
      {"stdvar_over_time", {kM}, kV},
      {"changes", {kM}, kV},
      {"resets", {kM}, kV},
      {"ceil", {kV}, kV},
      {"floor", {kV}, kV},
      // round(v, to_nearest = 1): the evaluator defaults the missing scalar.
      {"round", {kV, kS}, kV, 1},
      {"sqrt", {kV}, kV},
      {"exp", {kV}, kV},
      {"ln", {kV}, kV},
      {"log2", {kV}, kV},
      {"log10", {kV}, kV},
      {"sgn", {kV}, kV},
      {"clamp", {kV, kS, kS}, kV},
      {"timestamp", {kV}, kV},
      {"label_replace", {kV, kStr, kStr, kStr, kStr}, kV},
      {"histogram_count", {kV}, kV},
      {"histogram_sum", {kV}, kV},
  };
  return table;
}

}  // namespace

const FunctionSignature* FindFunction(std::string_view name) {
  for (const FunctionSignature& f : Table()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace vigil::promql
