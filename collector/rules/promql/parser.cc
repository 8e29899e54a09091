#include "collector/rules/promql/parser.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "collector/rules/promql/functions.h"
#include "collector/rules/promql/label_regex.h"
#include "collector/rules/promql/lexer.h"

namespace vigil::promql {
namespace {

constexpr int kPowPrecedence = 6;

struct BinaryOpInfo {
  BinaryOp op;
  int precedence;
};

std::optional<BinaryOpInfo> AsBinaryOp(const Token& t) {
  switch (t.type) {
    case TokenType::kEql:
      return BinaryOpInfo{BinaryOp::kEql, 3};
    case TokenType::kNeq:
      return BinaryOpInfo{BinaryOp::kNeq, 3};
    case TokenType::kLte:
      return BinaryOpInfo{BinaryOp::kLte, 3};
    case TokenType::kLss:
      return BinaryOpInfo{BinaryOp::kLss, 3};
    case TokenType::kGte:
      return BinaryOpInfo{BinaryOp::kGte, 3};
    case TokenType::kGtr:
      return BinaryOpInfo{BinaryOp::kGtr, 3};
    case TokenType::kAdd:
      return BinaryOpInfo{BinaryOp::kAdd, 4};
    case TokenType::kSub:
      return BinaryOpInfo{BinaryOp::kSub, 4};
    case TokenType::kMul:
      return BinaryOpInfo{BinaryOp::kMul, 5};
    case TokenType::kDiv:
      return BinaryOpInfo{BinaryOp::kDiv, 5};
    case TokenType::kMod:
      return BinaryOpInfo{BinaryOp::kMod, 5};
    case TokenType::kPow:
      return BinaryOpInfo{BinaryOp::kPow, kPowPrecedence};
    case TokenType::kIdent:
      if (t.text == "or") return BinaryOpInfo{BinaryOp::kOr, 1};
      if (t.text == "and") return BinaryOpInfo{BinaryOp::kAnd, 2};
      if (t.text == "unless") return BinaryOpInfo{BinaryOp::kUnless, 2};
      if (t.text == "atan2") return BinaryOpInfo{BinaryOp::kAtan2, 5};
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<AggregateOp> AsAggregateOp(std::string_view name) {
  if (name == "sum") return AggregateOp::kSum;
  if (name == "avg") return AggregateOp::kAvg;
  if (name == "min") return AggregateOp::kMin;
  if (name == "max") return AggregateOp::kMax;
  if (name == "count") return AggregateOp::kCount;
  if (name == "topk") return AggregateOp::kTopk;
  if (name == "bottomk") return AggregateOp::kBottomk;
  if (name == "quantile") return AggregateOp::kQuantile;
  return std::nullopt;
}

// Aggregations vigil does not evaluate, named so the error is specific rather than "unknown".
bool IsUnsupportedAggregation(std::string_view name) {
  return name == "stddev" || name == "stdvar" || name == "count_values" || name == "group" ||
         name == "limitk" || name == "limit_ratio";
}

bool IsKeyword(std::string_view w) {
  return w == "by" || w == "without" || w == "on" || w == "ignoring" || w == "group_left" ||
         w == "group_right" || w == "bool" || w == "offset" || w == "and" || w == "or" ||
         w == "unless" || w == "atan2";
}

// Label names are identifiers without ':'; Inf and NaN lex as numbers but are valid names.
bool IsLabelNameToken(const Token& t) {
  if (t.type != TokenType::kIdent && t.type != TokenType::kNumber) return false;
  if (t.text.empty() ||
      !(std::isalpha(static_cast<unsigned char>(t.text[0])) || t.text[0] == '_')) {
    return false;
  }
  return t.text.find(':') == std::string_view::npos;
}

ExprPtr MakeExpr(Expr::Node node, size_t pos) {
  auto e = std::make_unique<Expr>();
  e->node = std::move(node);
  e->pos = pos;
  return e;
}

class Parser {
 public:
  Parser(std::string_view input, std::vector<Token> tokens)
      : in_(input), toks_(std::move(tokens)) {}

  Result<ExprPtr> Run() {
    Result<ExprPtr> e = ParseBinary(0);
    if (!e.ok()) return e;
    if (Cur().type != TokenType::kEnd) return Unexpected(Cur(), "binary operator or end of input");
    return e;
  }

 private:
  const Token& Cur() const { return toks_[i_]; }
  const Token& PeekNext() const { return toks_[std::min(i_ + 1, toks_.size() - 1)]; }
  const Token& Advance() { return toks_[i_ < toks_.size() - 1 ? i_++ : i_]; }
  bool IsIdent(std::string_view w) const {
    return Cur().type == TokenType::kIdent && Cur().text == w;
  }

  Status Error(size_t pos, const std::string& msg) const {
    return Status::InvalidArgument(FormatPosition(in_, pos) + ": " + msg);
  }
  Status Unexpected(const Token& t, std::string_view expected) const {
    return Error(t.pos, "unexpected " + DescribeToken(t) + ", expected " + std::string(expected));
  }
  Status Expect(TokenType type, std::string_view what) {
    if (Cur().type != type) return Unexpected(Cur(), what);
    Advance();
    return Status::Ok();
  }

  Result<ExprPtr> ParseBinary(int min_prec) {
    Result<ExprPtr> lhs = ParseUnary();
    if (!lhs.ok()) return lhs;
    ExprPtr left = std::move(lhs).value();
    while (true) {
      std::optional<BinaryOpInfo> info = AsBinaryOp(Cur());
      if (!info || info->precedence < min_prec) return left;
      const Token& op_tok = Advance();
      Binary b;
      b.op = info->op;
      VIGIL_RETURN_IF_ERROR(ParseBinaryModifiers(b, op_tok));
      // ^ is right-associative; every other operator groups to the left.
      int next = info->op == BinaryOp::kPow ? info->precedence : info->precedence + 1;
      Result<ExprPtr> rhs = ParseBinary(next);
      if (!rhs.ok()) return rhs;
      b.lhs = std::move(left);
      b.rhs = std::move(rhs).value();
      VIGIL_RETURN_IF_ERROR(CheckBinary(b, op_tok));
      size_t pos = b.lhs->pos;
      left = MakeExpr(std::move(b), pos);
    }
  }

  Status ParseBinaryModifiers(Binary& b, const Token& op_tok) {
    if (IsIdent("bool")) {
      if (!IsComparison(b.op)) {
        return Error(Cur().pos, "bool modifier can only be used on comparison operators");
      }
      Advance();
      b.return_bool = true;
    }
    if (IsIdent("on") || IsIdent("ignoring")) {
      VectorMatching m;
      m.on = Cur().text == "on";
      Advance();
      Result<std::vector<std::string>> labels = ParseLabelList();
      if (!labels.ok()) return labels.status();
      m.labels = std::move(labels).value();
      if (IsIdent("group_left") || IsIdent("group_right")) {
        if (IsSetOperator(b.op)) {
          return Error(Cur().pos, "no grouping allowed for \"" + std::string(BinaryOpName(b.op)) +
                                      "\" operation");
        }
        m.card = Cur().text == "group_left" ? Cardinality::kManyToOne : Cardinality::kOneToMany;
        Advance();
        if (Cur().type == TokenType::kLParen) {
          Result<std::vector<std::string>> inc = ParseLabelList();
          if (!inc.ok()) return inc.status();
          m.include = std::move(inc).value();
        }
        if (m.on) {
          for (const std::string& l : m.include) {
            if (std::find(m.labels.begin(), m.labels.end(), l) != m.labels.end()) {
              return Error(op_tok.pos,
                           "label \"" + l + "\" must not occur in ON and GROUP clause at once");
            }
          }
        }
      }
      b.matching = std::move(m);
    } else if (IsIdent("group_left") || IsIdent("group_right")) {
      return Error(Cur().pos,
                   "\"" + std::string(Cur().text) + "\" must follow on(...) or ignoring(...)");
    }
    return Status::Ok();
  }

  Status CheckBinary(const Binary& b, const Token& op_tok) const {
    for (const ExprPtr* side : {&b.lhs, &b.rhs}) {
      ValueType t = TypeOf(**side);
      if (t != ValueType::kScalar && t != ValueType::kInstantVector) {
        return Error((*side)->pos,
                     "binary expression must contain only scalar and instant vector "
                     "types, got " +
                         std::string(ValueTypeName(t)));
      }
    }
    bool lhs_scalar = TypeOf(*b.lhs) == ValueType::kScalar;
    bool rhs_scalar = TypeOf(*b.rhs) == ValueType::kScalar;
    std::string op(BinaryOpName(b.op));
    if (IsSetOperator(b.op) && (lhs_scalar || rhs_scalar)) {
      return Error(op_tok.pos,
                   "set operator \"" + op + "\" not allowed in binary scalar expression");
    }
    if (IsComparison(b.op) && lhs_scalar && rhs_scalar && !b.return_bool) {
      return Error(op_tok.pos, "comparisons between scalars must use bool modifier");
    }
    if (b.matching && (lhs_scalar || rhs_scalar)) {
      return Error(op_tok.pos, "vector matching only allowed between instant vectors");
    }
    return Status::Ok();
  }

  Result<ExprPtr> ParseUnary() {
    if (Cur().type == TokenType::kSub || Cur().type == TokenType::kAdd) {
      const Token& op = Advance();
      // Unary minus binds tighter than * but looser than ^: -2 ^ 2 is -(2 ^ 2).
      Result<ExprPtr> operand = ParseBinary(kPowPrecedence);
      if (!operand.ok()) return operand;
      ExprPtr e = std::move(operand).value();
      if (auto* n = std::get_if<NumberLiteral>(&e->node)) {
        if (op.type == TokenType::kSub) n->value = -n->value;
        e->pos = op.pos;
        return e;
      }
      ValueType t = TypeOf(*e);
      if (t != ValueType::kScalar && t != ValueType::kInstantVector) {
        return Error(op.pos,
                     "unary expression only allowed on expressions of type scalar or "
                     "instant vector, got " +
                         std::string(ValueTypeName(t)));
      }
      return MakeExpr(Unary{op.type == TokenType::kSub ? '-' : '+', std::move(e)}, op.pos);
    }
    Result<ExprPtr> primary = ParsePrimary();
    if (!primary.ok()) return primary;
    return ParsePostfix(std::move(primary).value());
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Cur();
    switch (t.type) {
      case TokenType::kNumber:
        Advance();
        return MakeExpr(NumberLiteral{t.number}, t.pos);
      case TokenType::kString:
        Advance();
        return MakeExpr(StringLiteral{t.str}, t.pos);
      case TokenType::kLParen: {
        Advance();
        Result<ExprPtr> inner = ParseBinary(0);
        if (!inner.ok()) return inner;
        VIGIL_RETURN_IF_ERROR(Expect(TokenType::kRParen, "\")\""));
        return MakeExpr(Paren{std::move(inner).value()}, t.pos);
      }
      case TokenType::kLBrace:
        return ParseSelector("", t.pos);
      case TokenType::kIdent:
        break;
      default:
        return Unexpected(t, "expression");
    }
    std::string name(t.text);
    if (std::optional<AggregateOp> agg = AsAggregateOp(name)) return ParseAggregate(*agg);
    if (IsUnsupportedAggregation(name)) {
      return Error(t.pos, "unsupported aggregation \"" + name + "\" (not supported by vigil)");
    }
    if (IsKeyword(name)) return Unexpected(t, "expression");
    if (PeekNext().type == TokenType::kLParen) return ParseCall();
    Advance();
    return ParseSelector(name, t.pos);
  }

  Result<ExprPtr> ParseSelector(std::string name, size_t pos) {
    VectorSelector v;
    v.metric_name = std::move(name);
    if (Cur().type == TokenType::kLBrace) {
      Advance();
      while (Cur().type != TokenType::kRBrace) {
        VIGIL_RETURN_IF_ERROR(ParseMatcher(v));
        if (Cur().type == TokenType::kComma) {
          Advance();
        } else if (Cur().type != TokenType::kRBrace) {
          return Unexpected(Cur(), "\",\" or \"}\"");
        }
      }
      Advance();
    }
    bool any_non_empty = !v.metric_name.empty();
    for (const LabelMatcher& m : v.matchers) any_non_empty = any_non_empty || !m.Matches("");
    if (!any_non_empty) {
      return Error(pos, "vector selector must contain at least one non-empty matcher");
    }
    return MakeExpr(std::move(v), pos);
  }

  Status ParseMatcher(VectorSelector& v) {
    const Token& name = Cur();
    if (!IsLabelNameToken(name)) return Unexpected(name, "label matcher");
    Advance();
    LabelMatcher m;
    m.name = std::string(name.text);
    switch (Cur().type) {
      case TokenType::kAssign:
        m.op = MatchOp::kEqual;
        break;
      case TokenType::kNeq:
        m.op = MatchOp::kNotEqual;
        break;
      case TokenType::kEqlRegex:
        m.op = MatchOp::kRegexMatch;
        break;
      case TokenType::kNeqRegex:
        m.op = MatchOp::kRegexNoMatch;
        break;
      default:
        return Unexpected(Cur(), "label match operator (=, !=, =~, !~)");
    }
    Advance();
    const Token& value = Cur();
    if (value.type != TokenType::kString) return Unexpected(value, "string");
    Advance();
    m.value = value.str;
    if (m.op == MatchOp::kRegexMatch || m.op == MatchOp::kRegexNoMatch) {
      Result<std::shared_ptr<const std::regex>> re = CompileAnchoredRegex(m.value);
      if (!re.ok()) {
        return Error(value.pos, "invalid regular expression " + std::string(value.text) + ": " +
                                    re.status().message());
      }
      m.regex = std::move(*re);
    }
    if (m.name == "__name__" && m.op == MatchOp::kEqual && !v.metric_name.empty()) {
      return Error(name.pos, "metric name must not be set twice: \"" + v.metric_name + "\" or \"" +
                                 m.value + "\"");
    }
    v.matchers.push_back(std::move(m));
    return Status::Ok();
  }

  Result<ExprPtr> ParsePostfix(ExprPtr e) {
    if (Cur().type == TokenType::kLBracket) {
      const Token& open = Advance();
      auto* sel = std::get_if<VectorSelector>(&e->node);
      // ':' may start a metric name, so "[5m:1m]" lexes its tail as the identifier ":1m".
      auto starts_with_colon = [](const Token& t) {
        return t.type == TokenType::kColon || (t.type == TokenType::kIdent && t.text[0] == ':');
      };
      if (starts_with_colon(Cur()) ||
          (Cur().type == TokenType::kDuration && starts_with_colon(PeekNext()))) {
        return Error(open.pos, "subqueries are not supported by vigil");
      }
      if (!sel) return Error(open.pos, "ranges only allowed for vector selectors");
      if (sel->has_offset) return Error(open.pos, "no offset modifiers allowed before range");
      if (Cur().type != TokenType::kDuration) return Unexpected(Cur(), "duration");
      int64_t range = Advance().duration_ms;
      if (range <= 0) return Error(open.pos + 1, "range must be positive");
      VIGIL_RETURN_IF_ERROR(Expect(TokenType::kRBracket, "\"]\""));
      MatrixSelector m{std::move(*sel), range};
      e->node = std::move(m);
    }
    while (IsIdent("offset")) {
      const Token& kw = Advance();
      VectorSelector* sel = std::get_if<VectorSelector>(&e->node);
      if (auto* m = std::get_if<MatrixSelector>(&e->node)) sel = &m->selector;
      if (!sel) {
        return Error(kw.pos,
                     "offset modifier must be preceded by an instant vector selector or "
                     "range vector selector");
      }
      if (sel->has_offset) return Error(kw.pos, "offset may not be set multiple times");
      bool negative = false;
      if (Cur().type == TokenType::kSub) {
        negative = true;
        Advance();
      }
      if (Cur().type != TokenType::kDuration) return Unexpected(Cur(), "duration");
      int64_t d = Advance().duration_ms;
      sel->offset_ms = negative ? -d : d;
      sel->has_offset = true;
      if (Cur().type == TokenType::kLBracket) {
        return Error(Cur().pos, "no offset modifiers allowed before range");
      }
    }
    if (Cur().type == TokenType::kAt)
      return Error(Cur().pos, "@ modifier is not supported by vigil");
    return e;
  }

  Result<std::vector<std::string>> ParseLabelList() {
    VIGIL_RETURN_IF_ERROR(Expect(TokenType::kLParen, "\"(\""));
    std::vector<std::string> labels;
    while (Cur().type != TokenType::kRParen) {
      if (!IsLabelNameToken(Cur())) return Unexpected(Cur(), "label name");
      labels.emplace_back(Advance().text);
      if (Cur().type == TokenType::kComma) {
        Advance();
      } else if (Cur().type != TokenType::kRParen) {
        return Unexpected(Cur(), "\",\" or \")\"");
      }
    }
    Advance();
    return labels;
  }

  // Parses by (...) / without (...) when present; `seen` rejects a second clause.
  Status MaybeParseGrouping(Aggregate& a, bool& seen) {
    if (!IsIdent("by") && !IsIdent("without")) return Status::Ok();
    if (seen) return Error(Cur().pos, "aggregation may have only one by/without clause");
    seen = true;
    a.without = Cur().text == "without";
    Advance();
    Result<std::vector<std::string>> labels = ParseLabelList();
    if (!labels.ok()) return labels.status();
    a.grouping = std::move(labels).value();
    return Status::Ok();
  }

  Result<ExprPtr> ParseAggregate(AggregateOp op) {
    const Token& name = Advance();
    Aggregate a;
    a.op = op;
    bool grouped = false;
    VIGIL_RETURN_IF_ERROR(MaybeParseGrouping(a, grouped));
    const Token& open = Cur();
    VIGIL_RETURN_IF_ERROR(Expect(TokenType::kLParen, "\"(\""));
    std::vector<ExprPtr> args;
    while (Cur().type != TokenType::kRParen) {
      Result<ExprPtr> arg = ParseBinary(0);
      if (!arg.ok()) return arg;
      args.push_back(std::move(arg).value());
      if (Cur().type == TokenType::kComma) {
        Advance();
      } else if (Cur().type != TokenType::kRParen) {
        return Unexpected(Cur(), "\",\" or \")\"");
      }
    }
    Advance();
    bool wants_param =
        op == AggregateOp::kTopk || op == AggregateOp::kBottomk || op == AggregateOp::kQuantile;
    size_t want = wants_param ? 2 : 1;
    if (args.size() != want) {
      return Error(open.pos, "wrong number of arguments for aggregate expression \"" +
                                 std::string(name.text) + "\": expected " + std::to_string(want) +
                                 ", got " + std::to_string(args.size()));
    }
    if (wants_param) {
      ValueType pt = TypeOf(*args[0]);
      if (pt != ValueType::kScalar) {
        return Error(args[0]->pos, "expected type scalar in aggregation parameter, got " +
                                       std::string(ValueTypeName(pt)));
      }
      a.param = std::move(args[0]);
    }
    a.expr = std::move(args.back());
    ValueType et = TypeOf(*a.expr);
    if (et != ValueType::kInstantVector) {
      return Error(a.expr->pos, "expected type instant vector in aggregation expression, got " +
                                    std::string(ValueTypeName(et)));
    }
    VIGIL_RETURN_IF_ERROR(MaybeParseGrouping(a, grouped));
    return MakeExpr(std::move(a), name.pos);
  }

  Result<ExprPtr> ParseCall() {
    const Token& name = Advance();
    const FunctionSignature* sig = FindFunction(name.text);
    if (!sig) {
      return Error(name.pos,
                   "unknown function \"" + std::string(name.text) + "\" (not supported by vigil)");
    }
    Advance();  // "("
    Call c;
    c.function = std::string(name.text);
    while (Cur().type != TokenType::kRParen) {
      Result<ExprPtr> arg = ParseBinary(0);
      if (!arg.ok()) return arg;
      c.args.push_back(std::move(arg).value());
      if (Cur().type == TokenType::kComma) {
        Advance();
      } else if (Cur().type != TokenType::kRParen) {
        return Unexpected(Cur(), "\",\" or \")\"");
      }
    }
    Advance();
    if (c.args.size() < sig->min_args() || c.args.size() > sig->max_args()) {
      std::string expected = std::to_string(sig->min_args());
      if (sig->max_args() == sig->min_args() + 1) {
        expected += " or " + std::to_string(sig->max_args());
      } else if (sig->max_args() > sig->min_args()) {
        expected += " to " + std::to_string(sig->max_args());
      }
      return Error(name.pos, "expected " + expected + " argument(s) in call to \"" + c.function +
                                 "\", got " + std::to_string(c.args.size()));
    }
    for (size_t i = 0; i < c.args.size(); ++i) {
      ValueType got = TypeOf(*c.args[i]);
      if (got != sig->arg_types[i]) {
        return Error(c.args[i]->pos, "expected type " +
                                         std::string(ValueTypeName(sig->arg_types[i])) +
                                         " in call to function \"" + c.function + "\", got " +
                                         std::string(ValueTypeName(got)));
      }
    }
    return MakeExpr(std::move(c), name.pos);
  }

  std::string_view in_;
  std::vector<Token> toks_;
  size_t i_ = 0;
};

}  // namespace

Result<ExprPtr> ParseExpr(std::string_view input) {
  Result<std::vector<Token>> tokens = Tokenize(input);
  if (!tokens.ok()) return tokens.status();
  if (tokens->size() == 1) return Status::InvalidArgument("1:1: empty expression");
  return Parser(input, std::move(tokens).value()).Run();
}

}  // namespace vigil::promql
