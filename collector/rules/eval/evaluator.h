// Evaluates a parsed PromQL expression (promql/ast.h) at one instant over a Queryable, with
// Prometheus 2.x semantics: 5m lookback for instant selectors, stale markers, offset, vector
// matching (on/ignoring, group_left/group_right), `bool` comparisons, set operators,
// aggregations with by/without, and the function table (function_call.h). Stateless;
// thread-safe as long as the Queryable is.
#pragma once

#include <cstdint>

#include "collector/rules/eval/sample_store.h"
#include "collector/rules/eval/value.h"
#include "collector/rules/promql/ast.h"
#include "core/status.h"

namespace vigil::eval {

struct EvalOptions {
  int64_t lookback_ms = 5 * 60 * 1000;  // how far back an instant selector looks for a sample
};

// Runtime errors are InvalidArgument with Prometheus's wording, e.g. "vector cannot contain
// metrics with the same labelset", "found duplicate series for the match group {...} on the
// right hand-side of the operation", "many-to-many matching not allowed: ...".
Result<Value> Evaluate(const promql::Expr& expr, int64_t t_ms, const Queryable& data,
                       const EvalOptions& options = {});

}  // namespace vigil::eval
