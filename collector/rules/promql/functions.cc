#include "collector/rules/promql/functions.h"

#include <array>

namespace vigil::promql {
namespace {

constexpr ValueType kS = ValueType::kScalar;
constexpr ValueType kV = ValueType::kInstantVector;
constexpr ValueType kM = ValueType::kRangeVector;

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
