// Evaluate(): dispatch over AST nodes, function calls and unary operators. Selectors live in
// eval_selectors.cc, binary operators in eval_binary.cc, aggregations in eval_aggregate.cc.
#include "collector/rules/eval/evaluator.h"

#include <utility>

#include "collector/rules/eval/eval_internal.h"
#include "collector/rules/eval/function_call.h"

namespace vigil::eval {
namespace internal {
namespace {

// The matrix selector an argument boils down to (parentheses allowed), if any.
const promql::MatrixSelector* FindMatrixSelector(const promql::Expr& e) {
  if (const auto* m = e.As<promql::MatrixSelector>()) return m;
  if (const auto* p = e.As<promql::Paren>()) return FindMatrixSelector(*p->expr);
  return nullptr;
}

}  // namespace

Result<Value> Evaluator::Eval(const promql::Expr& e) {
  struct Visitor {
    Evaluator& ev;
    Result<Value> operator()(const promql::NumberLiteral& n) const {
      return Value(Scalar{n.value, ev.t_ms_});
    }
    Result<Value> operator()(const promql::StringLiteral& s) const {
      return Value(String{s.value, ev.t_ms_});
    }
    Result<Value> operator()(const promql::VectorSelector& s) const {
      return ev.EvalVectorSelector(s);
    }
    Result<Value> operator()(const promql::MatrixSelector& s) const {
      return ev.EvalMatrixSelector(s);
    }
    Result<Value> operator()(const promql::Call& c) const { return ev.EvalCall(c); }
    Result<Value> operator()(const promql::Aggregate& a) const { return ev.EvalAggregate(a); }
    Result<Value> operator()(const promql::Binary& b) const { return ev.EvalBinary(b); }
    Result<Value> operator()(const promql::Unary& u) const { return ev.EvalUnary(u); }
    Result<Value> operator()(const promql::Paren& p) const { return ev.Eval(*p.expr); }
  };
  return std::visit(Visitor{*this}, e.node);
}

Result<Value> Evaluator::EvalCall(const promql::Call& call) {
  std::vector<Value> args;
  args.reserve(call.args.size());
  FunctionContext ctx;
  ctx.t_ms = t_ms_;
  ctx.arg_exprs = &call.args;
  for (const promql::ExprPtr& arg : call.args) {
    if (const promql::MatrixSelector* m = FindMatrixSelector(*arg)) {
      ctx.range_end_ms = t_ms_ - m->selector.offset_ms;
      ctx.range_start_ms = ctx.range_end_ms - m->range_ms;
    }
    const promql::Expr* inner = arg.get();
    while (const promql::Paren* p = inner->As<promql::Paren>()) inner = p->expr.get();
    const promql::VectorSelector* vs = inner->As<promql::VectorSelector>();
    Result<Value> v = call.function == "timestamp" && vs != nullptr
                          ? EvalVectorSelector(*vs, /*sample_times=*/true)
                          : Eval(*arg);
    if (!v.ok()) return v;
    args.push_back(std::move(v).value());
  }
  // CallFunction checks the result for repeated label sets, as Prometheus does after every
  // function (functions that drop the metric name can merge two series into one label set).
  return CallFunction(call.function, args, ctx);
}

Result<Value> Evaluator::EvalAggregate(const promql::Aggregate& agg) {
  std::optional<double> param;
  if (agg.param) {
    Result<Value> p = Eval(*agg.param);
    if (!p.ok()) return p;
    const Scalar* s = std::get_if<Scalar>(&p.value());
    if (s == nullptr) {
      return Status::InvalidArgument("expected scalar parameter for " +
                                     std::string(promql::AggregateOpName(agg.op)));
    }
    param = s->v;
  }
  Result<Value> in = Eval(*agg.expr);
  if (!in.ok()) return in;
  Vector* v = std::get_if<Vector>(&in.value());
  if (v == nullptr) {
    return Status::InvalidArgument("expected instant vector in aggregation " +
                                   std::string(promql::AggregateOpName(agg.op)));
  }
  Result<Vector> out = ApplyAggregate(agg, param, std::move(*v), t_ms_);
  if (!out.ok()) return out.status();
  return Value(std::move(out).value());
}

Result<Value> Evaluator::EvalBinary(const promql::Binary& b) {
  Result<Value> lhs = Eval(*b.lhs);
  if (!lhs.ok()) return lhs;
  Result<Value> rhs = Eval(*b.rhs);
  if (!rhs.ok()) return rhs;
  return ApplyBinary(b, std::move(lhs).value(), std::move(rhs).value(), t_ms_);
}

Result<Value> Evaluator::EvalUnary(const promql::Unary& u) {
  Result<Value> in = Eval(*u.expr);
  if (!in.ok() || u.op != '-') return in;
  Value v = std::move(in).value();
  if (Scalar* s = std::get_if<Scalar>(&v)) {
    s->v = -s->v;
    return v;
  }
  Vector* vec = std::get_if<Vector>(&v);
  if (vec == nullptr) {
    return Status::InvalidArgument("unary minus needs a scalar or an instant vector");
  }
  // Like arithmetic, negation drops the metric name. Native histograms have no negation
  // here, so those samples leave the result.
  Vector out;
  out.reserve(vec->size());
  for (Sample& s : *vec) {
    if (s.h) continue;
    s.labels = DropMetricName(s.labels);
    s.v = -s.v;
    out.push_back(std::move(s));
  }
  VIGIL_RETURN_IF_ERROR(CheckNoDuplicateLabelsets(out));
  return Value(std::move(out));
}

}  // namespace internal

Result<Value> Evaluate(const promql::Expr& expr, int64_t t_ms, const Queryable& data,
                       const EvalOptions& options) {
  internal::Evaluator ev(t_ms, data, options);
  return ev.Eval(expr);
}

}  // namespace vigil::eval
