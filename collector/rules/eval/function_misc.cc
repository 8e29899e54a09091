// Functions about the shape of the data rather than its values: absent, absent_over_time,
// vector, scalar, time, timestamp and label_replace (Go regexp template expansion).
#include <cctype>
#include <limits>
#include <regex>
#include <string>

#include "collector/rules/eval/function_impl.h"
#include "collector/rules/promql/label_regex.h"

namespace vigil::eval::fn {
namespace {

// The labels absent() reports: the equality matchers of a selector argument. A label matched
// in any other way, or more than once, is left out since no single value is implied.
Labels AbsentLabels(const FunctionContext& ctx) {
  Labels out;
  if (ctx.arg_exprs == nullptr || ctx.arg_exprs->empty()) return out;
  const promql::Expr& arg = *ctx.arg_exprs->front();
  const promql::VectorSelector* sel = arg.As<promql::VectorSelector>();
  if (const promql::MatrixSelector* m = arg.As<promql::MatrixSelector>()) sel = &m->selector;
  if (sel == nullptr) return out;
  std::vector<std::string_view> drop;
  for (const promql::LabelMatcher& lm : sel->matchers) {
    if (lm.name == kMetricNameLabel) continue;
    if (lm.op == promql::MatchOp::kEqual && LabelValue(out, lm.name).empty()) {
      SetLabel(out, lm.name, lm.value);
    } else {
      drop.push_back(lm.name);
    }
  }
  for (std::string_view name : drop) SetLabel(out, name, "");
  return out;
}

Result<Value> Absent(std::vector<Value>& args, const FunctionContext& ctx) {
  if (!std::get<Vector>(args[0]).empty()) return Value(Vector{});
  return Value(Vector{FloatSample(AbsentLabels(ctx), 1, ctx)});
}

Result<Value> AbsentOverTime(std::vector<Value>& args, const FunctionContext& ctx) {
  for (const Series& s : std::get<Matrix>(args[0])) {
    std::vector<FloatPoint> buf;
    if (!LiveFloats(s, buf).empty() || !s.histograms.empty()) return Value(Vector{});
  }
  return Value(Vector{FloatSample(AbsentLabels(ctx), 1, ctx)});
}

Result<Value> VectorFn(std::vector<Value>& args, const FunctionContext& ctx) {
  return Value(Vector{FloatSample({}, ScalarArg(args[0]), ctx)});
}

// scalar(v): the value of a single-element vector, NaN otherwise.
Result<Value> ScalarFn(std::vector<Value>& args, const FunctionContext& ctx) {
  const Vector& v = std::get<Vector>(args[0]);
  double out = std::numeric_limits<double>::quiet_NaN();
  if (v.size() == 1 && v[0].h == nullptr) out = v[0].v;
  return Value(Scalar{out, ctx.t_ms});
}

Result<Value> Time(std::vector<Value>&, const FunctionContext& ctx) {
  return Value(Scalar{static_cast<double>(ctx.t_ms) / 1000, ctx.t_ms});
}

// timestamp(v): each sample's own timestamp in seconds (the evaluator hands a selector's
// samples over with their stored times for this function).
Result<Value> Timestamp(std::vector<Value>& args, const FunctionContext& ctx) {
  Vector out;
  for (const Sample& s : std::get<Vector>(args[0])) {
    out.push_back(FloatSample(DropMetricName(s.labels), static_cast<double>(s.t_ms) / 1000, ctx));
  }
  return Value(std::move(out));
}

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool IsValidLabelName(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!IsNameChar(c) || static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Go's Regexp.Expand: $1, ${1}, $name, ${name}; "$$" is a literal "$". A name that is not a
// group (ECMAScript has no named groups, so any non-number) expands to "", and a malformed
// reference is copied literally.
std::string Expand(std::string_view tmpl, const std::smatch& m) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] != '$') {
      out += tmpl[i++];
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    const bool brace = i + 1 < tmpl.size() && tmpl[i + 1] == '{';
    size_t j = i + (brace ? 2 : 1);
    const size_t start = j;
    while (j < tmpl.size() && IsNameChar(tmpl[j])) ++j;
    if (j == start || (brace && (j >= tmpl.size() || tmpl[j] != '}'))) {
      out += '$';
      ++i;
      continue;
    }
    const std::string_view name = tmpl.substr(start, j - start);
    i = brace ? j + 1 : j;
    long num = 0;
    for (char c : name) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (num >= 0 && static_cast<size_t>(num) < m.size() && m[num].matched) out += m[num].str();
  }
  return out;
}

// label_replace(v, dst, replacement, src, regex): where `regex` matches the whole value of
// `src`, sets `dst` to the expanded replacement (removing it when that is empty). Keeps names.
Result<Value> LabelReplace(std::vector<Value>& args, const FunctionContext&) {
  const std::string& dst = std::get<String>(args[1]).v;
  const std::string& repl = std::get<String>(args[2]).v;
  const std::string& src = std::get<String>(args[3]).v;
  const std::string& pattern = std::get<String>(args[4]).v;
  Result<std::shared_ptr<const std::regex>> re = promql::CompileAnchoredRegex(pattern);
  if (!re.ok()) {
    // Prometheus's exact wording; the regex library's reason is not comparable to Go's.
    return Status::InvalidArgument("invalid regular expression in label_replace(): " + pattern);
  }
  if (!IsValidLabelName(dst)) {
    return Status::InvalidArgument("invalid destination label name in label_replace(): " + dst);
  }
  Vector out = std::move(std::get<Vector>(args[0]));
  for (Sample& s : out) {
    const std::string value(LabelValue(s.labels, src));
    std::smatch m;
    if (!std::regex_match(value, m, **re)) continue;
    SetLabel(s.labels, dst, Expand(repl, m));
  }
  return Value(std::move(out));
}

}  // namespace

void RegisterMiscFunctions(FunctionMap& m) {
  m["absent"] = &Absent;
  m["absent_over_time"] = &AbsentOverTime;
  m["vector"] = &VectorFn;
  m["scalar"] = &ScalarFn;
  m["time"] = &Time;
  m["timestamp"] = &Timestamp;
  m["label_replace"] = &LabelReplace;
}

}  // namespace vigil::eval::fn
