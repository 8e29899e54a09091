// Internals shared by the evaluator's translation units (evaluator.cc, eval_selectors.cc,
// eval_binary.cc, eval_aggregate.cc, eval_helpers.cc); not part of the public API.
// Everything here is a pure function of its arguments, or an Evaluator used by one call of
// Evaluate at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/rules/eval/evaluator.h"
#include "collector/rules/eval/sample_store.h"
#include "collector/rules/eval/value.h"
#include "collector/rules/promql/ast.h"
#include "core/status.h"

namespace vigil::eval::internal {

// Walks the AST for one Evaluate call; holds the evaluation time and data source.
class Evaluator {
 public:
  Evaluator(int64_t t_ms, const Queryable& data, const EvalOptions& options)
      : t_ms_(t_ms), data_(data), options_(options) {}

  Result<Value> Eval(const promql::Expr& e);

 private:
  // `sample_times`: each sample keeps its own timestamp instead of the evaluation time (what
  // timestamp() over a selector reads, as in Prometheus).
  Result<Value> EvalVectorSelector(const promql::VectorSelector& sel, bool sample_times = false);
  Result<Value> EvalMatrixSelector(const promql::MatrixSelector& sel);
  Result<Value> EvalCall(const promql::Call& call);
  Result<Value> EvalAggregate(const promql::Aggregate& agg);
  Result<Value> EvalBinary(const promql::Binary& b);
  Result<Value> EvalUnary(const promql::Unary& u);

  int64_t t_ms_;
  const Queryable& data_;
  const EvalOptions& options_;
};

// The selector's matchers with its metric name added as a __name__ equality matcher.
std::vector<promql::LabelMatcher> SelectorMatchers(const promql::VectorSelector& sel);

// Binary operators on already evaluated operands (eval_binary.cc). `lhs`/`rhs` are Scalar or
// Vector as the parser guaranteed; `t_ms` stamps the result.
Result<Value> ApplyBinary(const promql::Binary& b, Value lhs, Value rhs, int64_t t_ms);

// An aggregation over an evaluated vector (eval_aggregate.cc); `param` is the evaluated
// parameter of topk/bottomk/quantile.
Result<Vector> ApplyAggregate(const promql::Aggregate& agg, std::optional<double> param, Vector in,
                              int64_t t_ms);

// The error Prometheus raises when an operation leaves two samples with one label set.
Status CheckNoDuplicateLabelsets(const Vector& v);

// Prometheus's labels.String(): {__name__="m", a="1"}, the form its error messages use.
std::string PromLabelsString(const Labels& labels);

// An unambiguous byte encoding of a label set, for hashing groups and match signatures.
std::string EncodeLabels(const Labels& labels);

// Go's %v for a float64 (strconv 'g' with shortest precision; "NaN", "+Inf", "-Inf").
std::string FormatGoFloat(double v);

}  // namespace vigil::eval::internal
