// The PromQL abstract syntax tree produced by ParseExpr for alert rules: plain owned values
// (each node owns its children through ExprPtr). Immutable after parsing; safe to read from
// several threads at once, not to mutate concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vigil::promql {

enum class ValueType { kScalar, kInstantVector, kRangeVector, kString };

// "scalar", "instant vector", "range vector" or "string", as Prometheus names them in errors.
std::string_view ValueTypeName(ValueType t);

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral {
  double value = 0;
};

struct StringLiteral {
  std::string value;  // unescaped
};

enum class MatchOp { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

struct LabelMatcher {
  std::string name;
  MatchOp op = MatchOp::kEqual;
  std::string value;
  // Compiled at parse time, anchored as ^(?:value)$; set only for the two regex operators.
  std::shared_ptr<const std::regex> regex;

  // Whether a label value (absent labels count as "") satisfies the matcher.
  bool Matches(std::string_view label_value) const;
};

struct VectorSelector {
  std::string metric_name;             // empty when only {...} matchers were written
  std::vector<LabelMatcher> matchers;  // in source order, excluding metric_name
  int64_t offset_ms = 0;               // positive looks back in time
  bool has_offset = false;
};

struct MatrixSelector {
  VectorSelector selector;
  int64_t range_ms = 0;
};

struct Call {
  std::string function;
  std::vector<ExprPtr> args;
};

enum class AggregateOp { kSum, kAvg, kMin, kMax, kCount, kTopk, kBottomk, kQuantile };

struct Aggregate {
  AggregateOp op = AggregateOp::kSum;
  ExprPtr param;  // topk/bottomk/quantile only
  ExprPtr expr;
  std::vector<std::string> grouping;
  bool without = false;
};

enum class BinaryOp {
  kOr,
  kAnd,
  kUnless,
  kEql,
  kNeq,
  kLte,
  kLss,
  kGte,
  kGtr,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kAtan2,
  kPow,
};

enum class Cardinality { kOneToOne, kManyToOne, kOneToMany };

struct VectorMatching {
  bool on = false;  // on(...) rather than ignoring(...)
  std::vector<std::string> labels;
  Cardinality card = Cardinality::kOneToOne;
  std::vector<std::string> include;  // group_left/group_right extra labels
};

struct Binary {
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  std::optional<VectorMatching> matching;  // only when on/ignoring/group_x was written
};

struct Unary {
  char op = '-';  // '-' or '+'
  ExprPtr expr;
};

// Kept as a node so Format reproduces the source grouping without re-deriving precedence.
struct Paren {
  ExprPtr expr;
};

struct Expr {
  using Node = std::variant<NumberLiteral, StringLiteral, VectorSelector, MatrixSelector, Call,
                            Aggregate, Binary, Unary, Paren>;
  Node node;
  size_t pos = 0;  // byte offset of the expression's first token in the source

  template <typename T>
  const T* As() const {
    return std::get_if<T>(&node);
  }
};

std::string_view BinaryOpName(BinaryOp op);
std::string_view AggregateOpName(AggregateOp op);
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);

// The value type an expression evaluates to (Prometheus rules).
ValueType TypeOf(const Expr& e);

// How far before the evaluation time the expression reads samples: the longest range plus
// offset of its range selectors, or offset plus `lookback_ms` of its instant selectors.
int64_t LookbehindMs(const Expr& e, int64_t lookback_ms);

}  // namespace vigil::promql
