#include "collector/rules/unit_test/series_notation.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "collector/rules/promql/lexer.h"
#include "collector/rules/rule_file/rule_file_loader.h"

namespace vigil::rules {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool IsAlpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_' || c == ':'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A hand-written scanner rather than the PromQL lexer: the values notation gives 'x' and '_'
// meanings PromQL does not have ("0x10" is eleven zeros here, not sixteen).
class ValuesScanner {
 public:
  ValuesScanner(std::string_view in, size_t max_values) : in_(in), max_(max_values) {}

  Result<std::vector<SeriesValue>> Run() {
    std::vector<SeriesValue> out;
    while (true) {
      while (i_ < in_.size() && IsBlank(in_[i_])) ++i_;
      if (i_ >= in_.size()) break;
      VIGIL_RETURN_IF_ERROR(Item(out));
      if (i_ < in_.size() && !IsBlank(in_[i_])) return Unexpected();
    }
    return out;
  }

  size_t error_offset() const { return error_offset_; }

 private:
  Status Item(std::vector<SeriesValue>& out) {
    if (in_[i_] == '_' &&
        (i_ + 1 >= in_.size() || !IsWordChar(in_[i_ + 1]) || in_[i_ + 1] == 'x')) {
      ++i_;
      uint64_t n = 1;
      if (i_ < in_.size() && in_[i_] == 'x') {
        ++i_;
        Result<uint64_t> count = Count();
        if (!count.ok()) return count.status();
        n = *count;  // "_xn" omits n values (not n+1, unlike "axn")
      }
      return Push(out, n, std::nullopt, 0);
    }
    Result<double> first = Value();
    if (!first.ok()) return first.status();
    double step = 0;
    if (i_ < in_.size() && (in_[i_] == '+' || in_[i_] == '-')) {
      double sign = in_[i_] == '-' ? -1 : 1;
      ++i_;
      Result<double> magnitude = Number(/*allow_sign=*/false);
      if (!magnitude.ok()) return magnitude.status();
      step = sign * *magnitude;
      if (i_ >= in_.size() || in_[i_] != 'x') {
        return Fail(i_, i_ >= in_.size() ? "unexpected end of input, expected \"x\" and a count"
                                         : "expected \"x\" and a count after the step");
      }
    }
    if (i_ < in_.size() && in_[i_] == 'x') {
      ++i_;
      Result<uint64_t> count = Count();
      if (!count.ok()) return count.status();
      if (*count >= max_) return TooMany();
      return Push(out, *count + 1, *first, step);
    }
    return Push(out, 1, *first, 0);
  }

  // Appends `n` values starting at `v`, adding `step` each time (accumulated, as promtool
  // does, so rounding matches).
  Status Push(std::vector<SeriesValue>& out, uint64_t n, SeriesValue v, double step) {
    if (n > max_ - out.size()) return TooMany();
    for (uint64_t k = 0; k < n; ++k) {
      out.push_back(v);
      if (v) *v += step;
    }
    return Status::Ok();
  }

  // A value: number, signed number, Inf/NaN (any case, optionally signed) or "stale".
  Result<double> Value() {
    size_t start = i_;
    bool has_sign = in_[i_] == '+' || in_[i_] == '-';
    if (i_ + static_cast<size_t>(has_sign) < in_.size() && IsAlpha(in_[i_ + has_sign])) {
      double sign = in_[i_] == '-' ? -1 : 1;
      i_ += has_sign;
      std::string_view word = Word();
      std::string lower = Lower(word);
      if (lower == "inf") return sign * std::numeric_limits<double>::infinity();
      if (lower == "nan") return std::numeric_limits<double>::quiet_NaN();
      if (word == "stale" && !has_sign) return eval::StaleNaN();
      return Fail(start, "unexpected \"" + std::string(in_.substr(start, i_ - start)) +
                             "\", expected a number or \"stale\"");
    }
    return Number(/*allow_sign=*/true);
  }

  // digits[.digits][e[+-]digits], or .digits...; Inf/NaN only where a value may be signed
  // (a step of "+Inf" is refused, as promtool's lexer reads "Infx1" as one identifier).
  Result<double> Number(bool allow_sign) {
    size_t start = i_;
    if (allow_sign && i_ < in_.size() && (in_[i_] == '+' || in_[i_] == '-')) ++i_;
    size_t digits = 0;
    while (i_ < in_.size() && IsDigit(in_[i_])) ++i_, ++digits;
    if (i_ < in_.size() && in_[i_] == '.') {
      ++i_;
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_, ++digits;
    }
    if (digits == 0) {
      if (i_ >= in_.size()) return Fail(i_, "unexpected end of input, expected a number");
      return Fail(start, "unexpected \"" + std::string(1, in_[start]) + "\", expected a number");
    }
    if (i_ < in_.size() && (in_[i_] == 'e' || in_[i_] == 'E')) {
      ++i_;
      if (i_ < in_.size() && (in_[i_] == '+' || in_[i_] == '-')) ++i_;
      size_t exp_digits = 0;
      while (i_ < in_.size() && IsDigit(in_[i_])) ++i_, ++exp_digits;
      if (exp_digits == 0) return BadNumber(start);
    }
    // Anything word-like glued to the number other than the repetition 'x' ("1_000", "0b1").
    if (i_ < in_.size() && IsWordChar(in_[i_]) && in_[i_] != 'x') return BadNumber(start);
    std::string text(in_.substr(start, i_ - start));
    if (text[0] == '+') text.erase(0, 1);
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc::result_out_of_range) {
      // from_chars refuses overflow; Prometheus (strconv.ParseFloat) gives +-Inf or 0.
      return std::strtod(text.c_str(), nullptr);
    }
    if (ec != std::errc() || ptr != text.data() + text.size()) return BadNumber(start);
    return v;
  }

  Result<uint64_t> Count() {
    size_t start = i_;
    while (i_ < in_.size() && IsDigit(in_[i_])) ++i_;
    if (start == i_) {
      if (i_ >= in_.size())
        return Fail(i_, "unexpected end of input, expected a count after \"x\"");
      return Fail(i_, "expected a count after \"x\", found \"" + std::string(Word()) + "\"");
    }
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(in_.data() + start, in_.data() + i_, n);
    if (ec != std::errc() || n >= max_) return TooMany();
    (void)ptr;
    return n;
  }

  std::string_view Word() {
    size_t start = i_;
    while (i_ < in_.size() && IsWordChar(in_[i_])) ++i_;
    if (start == i_ && i_ < in_.size()) ++i_;  // a single punctuation character
    return in_.substr(start, i_ - start);
  }

  Status Unexpected() {
    size_t at = i_;
    return Fail(at, "unexpected \"" + std::string(Word()) + "\" in series values");
  }
  Status BadNumber(size_t start) {
    i_ = start;
    while (i_ < in_.size() && !IsBlank(in_[i_])) ++i_;
    return Fail(start, "bad number \"" + std::string(in_.substr(start, i_ - start)) + "\"");
  }
  Status TooMany() {
    return Fail(i_, "series expands to more than " + std::to_string(max_) + " values");
  }
  Status Fail(size_t at, std::string what) {
    error_offset_ = at;
    return Status::InvalidArgument(std::move(what));
  }

  std::string_view in_;
  size_t max_;
  size_t i_ = 0;
  size_t error_offset_ = 0;
};

// Splits the lexer's "line:col: message" back into an offset (single-line inputs, which is
// what metric descriptions are) and the bare message.
Status FromLexerError(const Status& s, std::string_view text, size_t* error_offset) {
  const std::string& m = s.message();
  size_t colon1 = m.find(':');
  size_t colon2 = colon1 == std::string::npos ? colon1 : m.find(':', colon1 + 1);
  if (colon2 == std::string::npos || m.compare(0, 2, "1:") != 0) {
    if (error_offset) *error_offset = 0;
    return Status::InvalidArgument(m);
  }
  size_t col = std::strtoul(m.c_str() + colon1 + 1, nullptr, 10);
  if (error_offset) *error_offset = std::min(col > 0 ? col - 1 : 0, text.size());
  size_t rest = colon2 + 1;
  while (rest < m.size() && m[rest] == ' ') ++rest;
  return Status::InvalidArgument(m.substr(rest));
}

}  // namespace

Result<std::vector<SeriesValue>> ExpandSeriesValues(std::string_view text, size_t* error_offset,
                                                    size_t max_values) {
  ValuesScanner scanner(text, max_values);
  Result<std::vector<SeriesValue>> out = scanner.Run();
  if (!out.ok() && error_offset) *error_offset = scanner.error_offset();
  return out;
}

Result<eval::Labels> ParseMetricNotation(std::string_view text, size_t* error_offset) {
  auto fail = [&](size_t at, std::string what) -> Status {
    if (error_offset) *error_offset = at;
    return Status::InvalidArgument(std::move(what));
  };
  Result<std::vector<promql::Token>> tokens = promql::Tokenize(text);
  if (!tokens.ok()) return FromLexerError(tokens.status(), text, error_offset);
  const std::vector<promql::Token>& t = *tokens;
  size_t k = 0;
  eval::Labels labels;
  auto add = [&](const promql::Token& at, std::string name, std::string value) -> Status {
    for (const auto& l : labels) {
      if (l.first == name) return fail(at.pos, "label \"" + name + "\" is given twice");
    }
    labels.emplace_back(std::move(name), std::move(value));
    return Status::Ok();
  };
  if (t[k].type == promql::TokenType::kIdent) {
    VIGIL_RETURN_IF_ERROR(add(t[k], std::string(eval::kMetricNameLabel), std::string(t[k].text)));
    ++k;
  }
  if (t[k].type == promql::TokenType::kLBrace) {
    ++k;
    while (t[k].type != promql::TokenType::kRBrace) {
      const promql::Token& name = t[k];
      // "inf" and "nan" lex as numbers but are fine label names.
      bool word = name.type == promql::TokenType::kIdent || name.type == promql::TokenType::kNumber;
      if (!word || !IsValidLabelName(name.text)) {
        return fail(name.pos, "unexpected " + promql::DescribeToken(name) +
                                  " in label set, expected a label name");
      }
      if (t[k + 1].type != promql::TokenType::kAssign) {
        return fail(t[k + 1].pos, "unexpected " + promql::DescribeToken(t[k + 1]) +
                                      " after label name, expected \"=\"");
      }
      const promql::Token& value = t[k + 2];
      if (value.type != promql::TokenType::kString) {
        return fail(value.pos, "unexpected " + promql::DescribeToken(value) +
                                   ", expected a quoted label value");
      }
      VIGIL_RETURN_IF_ERROR(add(name, std::string(name.text), value.str));
      k += 3;
      if (t[k].type == promql::TokenType::kComma) {
        ++k;
      } else if (t[k].type != promql::TokenType::kRBrace) {
        return fail(t[k].pos, "unexpected " + promql::DescribeToken(t[k]) +
                                  " in label set, expected \",\" or \"}\"");
      }
    }
    ++k;
  } else if (k == 0) {
    return fail(t[k].pos,
                "unexpected " + promql::DescribeToken(t[k]) + ", expected a metric name or \"{\"");
  }
  if (t[k].type != promql::TokenType::kEnd) {
    return fail(t[k].pos, "unexpected " + promql::DescribeToken(t[k]) + " after the label set");
  }
  std::erase_if(labels, [](const auto& l) { return l.second.empty(); });
  std::sort(labels.begin(), labels.end());
  return labels;
}

}  // namespace vigil::rules
