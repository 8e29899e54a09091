// Small helpers the evaluator's units share: label-set encodings, the duplicate check and
// Prometheus-compatible text forms for error messages.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "collector/rules/eval/eval_internal.h"
#include "core/text/quote.h"

namespace vigil::eval::internal {

std::vector<promql::LabelMatcher> SelectorMatchers(const promql::VectorSelector& sel) {
  std::vector<promql::LabelMatcher> out;
  out.reserve(sel.matchers.size() + 1);
  if (!sel.metric_name.empty()) {
    promql::LabelMatcher name;
    name.name = std::string(kMetricNameLabel);
    name.op = promql::MatchOp::kEqual;
    name.value = sel.metric_name;
    out.push_back(std::move(name));
  }
  out.insert(out.end(), sel.matchers.begin(), sel.matchers.end());
  return out;
}

std::string EncodeLabels(const Labels& labels) {
  std::string key;
  for (const auto& [name, value] : labels) {
    key += name;
    key.push_back('\0');
    key += std::to_string(value.size());
    key.push_back(':');
    key += value;
  }
  return key;
}

Status CheckNoDuplicateLabelsets(const Vector& v) {
  if (HasDuplicateLabelsets(v)) {
    return Status::InvalidArgument("vector cannot contain metrics with the same labelset");
  }
  return Status::Ok();
}

std::string PromLabelsString(const Labels& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ", ";
    first = false;
    out += name;
    out += '=';
    text::AppendGoQuoted(&out, value);
  }
  out += '}';
  return out;
}

std::string FormatGoFloat(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest round-trip digits, then Go's %v layout: the %e form when the decimal exponent is
  // < -4 or >= 6 (strconv's 'g' decides with precision 6 when asked for the shortest form).
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (ec != std::errc()) return std::to_string(v);
  std::string sci(buf, end);
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  if (exp < -4 || exp >= 6) {
    // Go writes at least two exponent digits: 1e+21, 1.5e-07.
    std::string mant = sci.substr(0, e);
    char sign = exp < 0 ? '-' : '+';
    int a = std::abs(exp);
    char ebuf[16];
    std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", sign, a);
    return mant + ebuf;
  }
  auto [fend, fec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed);
  if (fec != std::errc()) return sci;
  return std::string(buf, fend);
}

}  // namespace vigil::eval::internal
