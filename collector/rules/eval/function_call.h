// The PromQL functions of the rule subset, applied to arguments the evaluator has already
// evaluated. Range-vector arguments arrive as a Matrix holding each series' samples in the
// selector's window; the context says where that window lies (rate and friends extrapolate to
// its edges). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "collector/rules/eval/value.h"
#include "collector/rules/promql/ast.h"
#include "core/status.h"

namespace vigil::eval {

struct FunctionContext {
  int64_t t_ms = 0;  // evaluation time
  // The window of the (single) range-vector argument, offset already applied:
  // [range_start_ms, range_end_ms] = [t - offset - range, t - offset].
  int64_t range_start_ms = 0;
  int64_t range_end_ms = 0;
  // The unevaluated arguments, for functions that read their syntax (absent and
  // absent_over_time build their labels from the selector's equality matchers).
  const std::vector<promql::ExprPtr>* arg_exprs = nullptr;
};

// `args` hold one Value per argument, types as checked by the parser (functions.cc table).
// InvalidArgument for runtime errors (e.g. "vector cannot contain metrics with the same
// labelset" after dropping names); Unimplemented for a name outside the table.
Result<Value> CallFunction(std::string_view name, std::vector<Value>& args,
                           const FunctionContext& ctx);

}  // namespace vigil::eval
