// Helpers for the evaluator tests: load series written in promtool's input_series notation
// into a SampleStore, evaluate an expression, and render results as sorted text so one
// assertion checks labels and values exactly. Test-only; not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/eval/evaluator.h"
#include "collector/rules/eval/sample_store.h"
#include "collector/rules/promql/parser.h"

namespace vigil::eval::testing {

// Labels of a series written as a selector with equality matchers: m{a="1"}.
inline Labels SeriesLabels(std::string_view text) {
  Result<promql::ExprPtr> e = promql::ParseExpr(text);
  EXPECT_TRUE(e.ok()) << e.status().message();
  if (!e.ok()) return {};
  const auto* sel = e.value()->As<promql::VectorSelector>();
  EXPECT_NE(sel, nullptr) << text;
  if (sel == nullptr) return {};
  Labels l;
  if (!sel->metric_name.empty()) l.emplace_back("__name__", sel->metric_name);
  for (const promql::LabelMatcher& m : sel->matchers) l.emplace_back(m.name, m.value);
  std::sort(l.begin(), l.end());
  return l;
}

inline double ParseNumber(std::string_view s) {
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Inf" || s == "+Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  EXPECT_TRUE(ec == std::errc() && p == s.data() + s.size()) << "bad number: " << s;
  return v;
}

// promtool's values notation, one token per interval starting at t=0: "1 2 _ stale 4",
// "1+2x3" (1 3 5 7), "5-1x2" (5 4 3), "7x2" (7 7 7), "_x3" (three gaps).
inline void Load(SampleStore& store, std::string_view series, std::string_view values,
                 int64_t interval_ms = 60'000) {
  Labels labels = SeriesLabels(series);
  std::istringstream in{std::string(values)};
  std::string tok;
  int64_t step = 0;
  auto add = [&](double v) {
    Status st = store.Append(labels, step * interval_ms, v);
    EXPECT_TRUE(st.ok()) << st.message();
  };
  while (in >> tok) {
    size_t x = tok.find('x');
    if (x == std::string::npos) {
      if (tok == "stale") {
        add(StaleNaN());
      } else if (tok != "_") {
        add(ParseNumber(tok));
      }
      ++step;
      continue;
    }
    std::string_view head = std::string_view(tok).substr(0, x);
    int64_t n = static_cast<int64_t>(ParseNumber(std::string_view(tok).substr(x + 1)));
    if (head == "_") {
      step += n;
      continue;
    }
    size_t sign = head.find_first_of("+-", 1);
    double start = ParseNumber(head.substr(0, sign));
    double delta = sign == std::string_view::npos ? 0 : ParseNumber(head.substr(sign));
    for (int64_t i = 0; i <= n; ++i) {
      add(start + delta * static_cast<double>(i));
      ++step;
    }
  }
}

inline Result<Value> Eval(const Queryable& data, std::string_view expr, int64_t t_ms) {
  Result<promql::ExprPtr> e = promql::ParseExpr(expr);
  if (!e.ok()) {
    ADD_FAILURE() << "parse " << expr << ": " << e.status().message();
    return e.status();
  }
  return Evaluate(*e.value(), t_ms, data);
}

inline std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, p);
}

// One line per sample, "labels value" (histograms as "hist(count=N sum=S)"), sorted.
inline std::string Render(const Vector& v) {
  std::vector<std::string> lines;
  for (const Sample& s : v) {
    std::string line = LabelsToString(s.labels) + " ";
    if (s.h) {
      line +=
          "hist(count=" + std::to_string(s.h->count()) + " sum=" + FormatNumber(s.h->sum()) + ")";
    } else {
      line += FormatNumber(s.v);
    }
    lines.push_back(std::move(line));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// Evaluates and renders an instant-vector (or scalar, as "scalar V") result; errors render as
// "error: message".
inline std::string EvalText(const Queryable& data, std::string_view expr, int64_t t_ms) {
  Result<Value> r = Eval(data, expr, t_ms);
  if (!r.ok()) return "error: " + std::string(r.status().message());
  if (const Scalar* s = std::get_if<Scalar>(&r.value())) return "scalar " + FormatNumber(s->v);
  if (const Vector* v = std::get_if<Vector>(&r.value())) return Render(*v);
  if (const String* s = std::get_if<String>(&r.value())) return "string " + s->v;
  return "matrix";
}

inline constexpr int64_t kMinute = 60'000;

}  // namespace vigil::eval::testing
