#include "collector/rules/promql/ast.h"

#include <algorithm>

#include "collector/rules/promql/functions.h"

namespace vigil::promql {

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kScalar:
      return "scalar";
    case ValueType::kInstantVector:
      return "instant vector";
    case ValueType::kRangeVector:
      return "range vector";
    case ValueType::kString:
      return "string";
  }
  return "unknown";
}

bool LabelMatcher::Matches(std::string_view label_value) const {
  switch (op) {
    case MatchOp::kEqual:
      return label_value == value;
    case MatchOp::kNotEqual:
      return label_value != value;
    case MatchOp::kRegexMatch:
      return std::regex_match(label_value.begin(), label_value.end(), *regex);
    case MatchOp::kRegexNoMatch:
      return !std::regex_match(label_value.begin(), label_value.end(), *regex);
  }
  return false;
}

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kUnless:
      return "unless";
    case BinaryOp::kEql:
      return "==";
    case BinaryOp::kNeq:
      return "!=";
    case BinaryOp::kLte:
      return "<=";
    case BinaryOp::kLss:
      return "<";
    case BinaryOp::kGte:
      return ">=";
    case BinaryOp::kGtr:
      return ">";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kPow:
      return "^";
  }
  return "?";
}

std::string_view AggregateOpName(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum:
      return "sum";
    case AggregateOp::kAvg:
      return "avg";
    case AggregateOp::kMin:
      return "min";
    case AggregateOp::kMax:
      return "max";
    case AggregateOp::kCount:
      return "count";
    case AggregateOp::kTopk:
      return "topk";
    case AggregateOp::kBottomk:
      return "bottomk";
    case AggregateOp::kQuantile:
      return "quantile";
  }
  return "?";
}

bool IsComparison(BinaryOp op) {
  return op == BinaryOp::kEql || op == BinaryOp::kNeq || op == BinaryOp::kLte ||
         op == BinaryOp::kLss || op == BinaryOp::kGte || op == BinaryOp::kGtr;
}

bool IsSetOperator(BinaryOp op) {
  return op == BinaryOp::kOr || op == BinaryOp::kAnd || op == BinaryOp::kUnless;
}

ValueType TypeOf(const Expr& e) {
  struct Visitor {
    ValueType operator()(const NumberLiteral&) const { return ValueType::kScalar; }
    ValueType operator()(const StringLiteral&) const { return ValueType::kString; }
    ValueType operator()(const VectorSelector&) const { return ValueType::kInstantVector; }
    ValueType operator()(const MatrixSelector&) const { return ValueType::kRangeVector; }
    ValueType operator()(const Call& c) const {
      const FunctionSignature* f = FindFunction(c.function);
      return f ? f->return_type : ValueType::kInstantVector;
    }
    ValueType operator()(const Aggregate&) const { return ValueType::kInstantVector; }
    ValueType operator()(const Binary& b) const {
      return TypeOf(*b.lhs) == ValueType::kScalar && TypeOf(*b.rhs) == ValueType::kScalar
                 ? ValueType::kScalar
                 : ValueType::kInstantVector;
    }
    ValueType operator()(const Unary& u) const { return TypeOf(*u.expr); }
    ValueType operator()(const Paren& p) const { return TypeOf(*p.expr); }
  };
  return std::visit(Visitor{}, e.node);
}

int64_t LookbehindMs(const Expr& e, int64_t lookback_ms) {
  return std::visit(
      [&](const auto& n) -> int64_t {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, VectorSelector>) {
          return n.offset_ms + lookback_ms;
        } else if constexpr (std::is_same_v<T, MatrixSelector>) {
          return n.selector.offset_ms + n.range_ms;
        } else if constexpr (std::is_same_v<T, Call>) {
          int64_t m = 0;
          for (const auto& a : n.args) m = std::max(m, LookbehindMs(*a, lookback_ms));
          return m;
        } else if constexpr (std::is_same_v<T, Aggregate>) {
          return std::max(n.param ? LookbehindMs(*n.param, lookback_ms) : 0,
                          LookbehindMs(*n.expr, lookback_ms));
        } else if constexpr (std::is_same_v<T, Binary>) {
          return std::max(LookbehindMs(*n.lhs, lookback_ms), LookbehindMs(*n.rhs, lookback_ms));
        } else if constexpr (std::is_same_v<T, Unary> || std::is_same_v<T, Paren>) {
          return LookbehindMs(*n.expr, lookback_ms);
        } else {
          return 0;
        }
      },
      e.node);
}

}  // namespace vigil::promql
