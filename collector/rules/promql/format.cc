#include "collector/rules/promql/format.h"

#include <charconv>
#include <cmath>

#include "collector/rules/promql/duration.h"
#include "core/text/quote.h"

namespace vigil::promql {
namespace {

std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
  return std::string(buf, end);
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i];
  }
  return out;
}

std::string_view MatchOpText(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual:
      return "=";
    case MatchOp::kNotEqual:
      return "!=";
    case MatchOp::kRegexMatch:
      return "=~";
    case MatchOp::kRegexNoMatch:
      return "!~";
  }
  return "?";
}

std::string FormatSelector(const VectorSelector& v) {
  std::string out = v.metric_name;
  if (!v.matchers.empty() || v.metric_name.empty()) {
    out += "{";
    for (size_t i = 0; i < v.matchers.size(); ++i) {
      if (i > 0) out += ", ";
      out += v.matchers[i].name;
      out += MatchOpText(v.matchers[i].op);
      out += text::GoQuoted(v.matchers[i].value);
    }
    out += "}";
  }
  return out;
}

std::string FormatOffset(const VectorSelector& v) {
  return v.has_offset ? " offset " + FormatDuration(std::chrono::milliseconds(v.offset_ms)) : "";
}

struct Printer {
  std::string operator()(const NumberLiteral& n) const { return FormatNumber(n.value); }
  std::string operator()(const StringLiteral& s) const { return text::GoQuoted(s.value); }
  std::string operator()(const VectorSelector& v) const {
    return FormatSelector(v) + FormatOffset(v);
  }
  std::string operator()(const MatrixSelector& m) const {
    return FormatSelector(m.selector) + "[" +
           FormatDuration(std::chrono::milliseconds(m.range_ms)) + "]" + FormatOffset(m.selector);
  }
  std::string operator()(const Call& c) const {
    std::string out = c.function + "(";
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (i > 0) out += ", ";
      out += Format(*c.args[i]);
    }
    return out + ")";
  }
  std::string operator()(const Aggregate& a) const {
    std::string out(AggregateOpName(a.op));
    if (a.without) {
      out += " without (" + JoinLabels(a.grouping) + ") ";
    } else if (!a.grouping.empty()) {
      out += " by (" + JoinLabels(a.grouping) + ") ";
    }
    out += "(";
    if (a.param) out += Format(*a.param) + ", ";
    return out + Format(*a.expr) + ")";
  }
  std::string operator()(const Binary& b) const {
    std::string out = Format(*b.lhs) + " " + std::string(BinaryOpName(b.op));
    if (b.return_bool) out += " bool";
    if (b.matching) {
      const VectorMatching& m = *b.matching;
      out += m.on ? " on (" : " ignoring (";
      out += JoinLabels(m.labels) + ")";
      if (m.card != Cardinality::kOneToOne) {
        // Parentheses always: a bare group_left followed by "(" would read the operand as labels.
        out += m.card == Cardinality::kManyToOne ? " group_left (" : " group_right (";
        out += JoinLabels(m.include) + ")";
      }
    }
    return out + " " + Format(*b.rhs);
  }
  std::string operator()(const Unary& u) const { return std::string(1, u.op) + Format(*u.expr); }
  std::string operator()(const Paren& p) const { return "(" + Format(*p.expr) + ")"; }
};

}  // namespace

std::string Format(const Expr& e) { return std::visit(Printer{}, e.node); }

}  // namespace vigil::promql
