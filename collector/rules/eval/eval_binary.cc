// Binary operators: scalar/scalar, vector/scalar and vector/vector arithmetic and comparisons
// with Prometheus 2.42's label matching, plus the set operators and/or/unless.
#include <cmath>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "collector/rules/eval/eval_internal.h"

namespace vigil::eval::internal {
namespace {

using promql::BinaryOp;
using promql::Cardinality;
using promql::VectorMatching;

// Go's math.Atan2, which promtool uses: atan(y/x) moved into the right quadrant. glibc's
// atan2 can differ from it in the last bit, and results are compared exactly.
double GoAtan2(double y, double x) {
  constexpr double kPi = 3.14159265358979323846;
  if (std::isnan(y) || std::isnan(x)) return std::nan("");
  if (y == 0) return x >= 0 && !std::signbit(x) ? std::copysign(0.0, y) : std::copysign(kPi, y);
  if (x == 0) return std::copysign(kPi / 2, y);
  if (std::isinf(x)) {
    if (x > 0) return std::isinf(y) ? std::copysign(kPi / 4, y) : std::copysign(0.0, y);
    return std::isinf(y) ? std::copysign(3 * kPi / 4, y) : std::copysign(kPi, y);
  }
  if (std::isinf(y)) return std::copysign(kPi / 2, y);
  double q = std::atan(y / x);
  if (x < 0) return q <= 0 ? q + kPi : q - kPi;
  return q;
}

// The value an operator yields and whether a comparison holds (always true for arithmetic).
std::pair<double, bool> ElemOp(BinaryOp op, double l, double r) {
  switch (op) {
    case BinaryOp::kAdd:
      return {l + r, true};
    case BinaryOp::kSub:
      return {l - r, true};
    case BinaryOp::kMul:
      return {l * r, true};
    case BinaryOp::kDiv:
      return {l / r, true};
    case BinaryOp::kPow:
      return {std::pow(l, r), true};
    case BinaryOp::kMod:
      return {std::fmod(l, r), true};
    case BinaryOp::kAtan2:
      return {GoAtan2(l, r), true};
    case BinaryOp::kEql:
      return {l, l == r};
    case BinaryOp::kNeq:
      return {l, l != r};
    case BinaryOp::kGtr:
      return {l, l > r};
    case BinaryOp::kLss:
      return {l, l < r};
    case BinaryOp::kGte:
      return {l, l >= r};
    case BinaryOp::kLte:
      return {l, l <= r};
    default:
      return {0, false};
  }
}

// Prometheus 2.42 drops the name for these only; atan2 and comparisons keep it.
bool DropsMetricName(BinaryOp op) {
  return op == BinaryOp::kAdd || op == BinaryOp::kSub || op == BinaryOp::kMul ||
         op == BinaryOp::kDiv || op == BinaryOp::kPow || op == BinaryOp::kMod;
}

bool Contains(const std::vector<std::string>& names, std::string_view n) {
  for (const std::string& s : names) {
    if (s == n) return true;
  }
  return false;
}

// The labels two samples are matched on: the on(...) labels, or all but the ignoring(...)
// ones and the metric name (Prometheus's Labels.MatchLabels).
Labels MatchLabels(const Labels& l, const VectorMatching& m) {
  Labels out;
  for (const auto& kv : l) {
    bool listed = Contains(m.labels, kv.first);
    if (m.on ? listed : (!listed && kv.first != kMetricNameLabel)) out.push_back(kv);
  }
  return out;
}

std::string Signature(const Labels& l, const VectorMatching& m) {
  return EncodeLabels(MatchLabels(l, m));
}

Labels ResultLabels(const Labels& lhs, const Labels& rhs, BinaryOp op, const VectorMatching& m) {
  Labels out = DropsMetricName(op) ? DropMetricName(lhs) : lhs;
  if (m.card == Cardinality::kOneToOne) {
    std::erase_if(out, [&](const auto& kv) { return Contains(m.labels, kv.first) != m.on; });
  }
  // group_x(...) labels come from the "one" side, and vanish when it lacks them.
  for (const std::string& name : m.include) SetLabel(out, name, LabelValue(rhs, name));
  return out;
}

Vector VectorScalar(BinaryOp op, Vector vec, double scalar, bool scalar_left, bool return_bool) {
  Vector out;
  out.reserve(vec.size());
  for (Sample& s : vec) {
    if (s.h) continue;  // no histogram arithmetic in this subset
    double l = scalar_left ? scalar : s.v;
    double r = scalar_left ? s.v : scalar;
    auto [value, keep] = ElemOp(op, l, r);
    // A filtering comparison always returns the vector's own value, whichever side it is on.
    if (promql::IsComparison(op) && scalar_left) value = r;
    if (return_bool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (!keep) continue;
    if (DropsMetricName(op) || return_bool) s.labels = DropMetricName(s.labels);
    s.v = value;
    out.push_back(std::move(s));
  }
  return out;
}

Result<Vector> VectorVector(BinaryOp op, Vector lhs, Vector rhs, const VectorMatching& m,
                            bool return_bool) {
  // Treat one-to-many as many-to-one with the sides swapped; values are swapped back below.
  const bool swapped = m.card == Cardinality::kOneToMany;
  if (swapped) std::swap(lhs, rhs);
  std::unordered_map<std::string, const Sample*> one_side;
  for (const Sample& rs : rhs) {
    std::string sig = Signature(rs.labels, m);
    auto [it, inserted] = one_side.emplace(std::move(sig), &rs);
    if (!inserted) {
      return Status::InvalidArgument(
          "found duplicate series for the match group " +
          PromLabelsString(MatchLabels(rs.labels, m)) + " on the " + (swapped ? "left" : "right") +
          " hand-side of the operation: [" + PromLabelsString(rs.labels) + ", " +
          PromLabelsString(it->second->labels) +
          "];many-to-many matching not allowed: matching labels must be unique on one side");
    }
  }
  // One-to-one: each signature may match once. Many-to-one: each result label set once.
  std::unordered_map<std::string, std::unordered_set<std::string>> matched;
  Vector out;
  for (const Sample& ls : lhs) {
    std::string sig = Signature(ls.labels, m);
    auto it = one_side.find(sig);
    if (it == one_side.end()) continue;
    const Sample& rs = *it->second;
    if (ls.h || rs.h) continue;  // no histogram arithmetic in this subset
    double vl = swapped ? rs.v : ls.v;
    double vr = swapped ? ls.v : rs.v;
    auto [value, keep] = ElemOp(op, vl, vr);
    if (return_bool) {
      value = keep ? 1 : 0;
    } else if (!keep) {
      continue;
    }
    Labels labels = ResultLabels(ls.labels, rs.labels, op, m);
    if (return_bool) labels = DropMetricName(labels);
    auto [mit, first_match] = matched.try_emplace(sig);
    if (m.card == Cardinality::kOneToOne) {
      if (!first_match) {
        return Status::InvalidArgument(
            "multiple matches for labels: many-to-one matching must be explicit "
            "(group_left/group_right)");
      }
    } else if (!mit->second.insert(EncodeLabels(labels)).second) {
      return Status::InvalidArgument(
          "multiple matches for labels: grouping labels must ensure unique matches");
    }
    Sample s;
    s.labels = std::move(labels);
    s.v = value;
    out.push_back(std::move(s));
  }
  return out;
}

Vector SetOp(BinaryOp op, Vector lhs, Vector rhs, const VectorMatching& m) {
  Vector out;
  if (op == BinaryOp::kOr) {
    std::unordered_set<std::string> left_sigs;
    for (const Sample& s : lhs) left_sigs.insert(Signature(s.labels, m));
    out = std::move(lhs);
    for (Sample& s : rhs) {
      if (!left_sigs.contains(Signature(s.labels, m))) out.push_back(std::move(s));
    }
    return out;
  }
  std::unordered_set<std::string> right_sigs;
  for (const Sample& s : rhs) right_sigs.insert(Signature(s.labels, m));
  const bool want_match = op == BinaryOp::kAnd;
  for (Sample& s : lhs) {
    if (right_sigs.contains(Signature(s.labels, m)) == want_match) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Result<Value> ApplyBinary(const promql::Binary& b, Value lhs, Value rhs, int64_t t_ms) {
  const Scalar* ls = std::get_if<Scalar>(&lhs);
  const Scalar* rs = std::get_if<Scalar>(&rhs);
  if (ls != nullptr && rs != nullptr) {
    auto [value, keep] = ElemOp(b.op, ls->v, rs->v);
    if (b.return_bool) value = keep ? 1 : 0;
    return Value(Scalar{value, t_ms});
  }
  Result<Vector> out = Vector{};
  if (ls != nullptr || rs != nullptr) {
    Vector* vec = std::get_if<Vector>(ls != nullptr ? &rhs : &lhs);
    if (vec == nullptr) return Status::InvalidArgument("binary operand is not an instant vector");
    double scalar = ls != nullptr ? ls->v : rs->v;
    out = VectorScalar(b.op, std::move(*vec), scalar, ls != nullptr, b.return_bool);
  } else {
    Vector* lv = std::get_if<Vector>(&lhs);
    Vector* rv = std::get_if<Vector>(&rhs);
    if (lv == nullptr || rv == nullptr) {
      return Status::InvalidArgument("binary operands must be scalars or instant vectors");
    }
    // Without on/ignoring, Prometheus matches on all labels but the metric name.
    VectorMatching m = b.matching.value_or(VectorMatching{});
    if (promql::IsSetOperator(b.op)) {
      out = SetOp(b.op, std::move(*lv), std::move(*rv), m);
    } else {
      out = VectorVector(b.op, std::move(*lv), std::move(*rv), m, b.return_bool);
    }
  }
  if (!out.ok()) return out.status();
  Vector result = std::move(out).value();
  for (Sample& s : result) s.t_ms = t_ms;
  VIGIL_RETURN_IF_ERROR(CheckNoDuplicateLabelsets(result));
  return Value(std::move(result));
}

}  // namespace vigil::eval::internal
