#include "core/otlp/json/json_numbers.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace vigil::otlp {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view KindName(IntegerKind kind) {
  switch (kind) {
    case IntegerKind::kInt32:
      return "int32";
    case IntegerKind::kUInt32:
      return "uint32";
    case IntegerKind::kInt64:
      return "int64";
    case IntegerKind::kUInt64:
      return "uint64";
  }
  return "integer";
}

bool OutOfRange(std::string_view text, IntegerKind kind, std::string* problem) {
  *problem =
      std::string(text.substr(0, 40)) + " is out of range for " + std::string(KindName(kind));
  return false;
}

bool InRange(int64_t v, IntegerKind kind) {
  switch (kind) {
    case IntegerKind::kInt32:
      return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    case IntegerKind::kUInt32:
      return v >= 0 && v <= std::numeric_limits<uint32_t>::max();
    case IntegerKind::kUInt64:
      return v >= 0;
    case IntegerKind::kInt64:
      return true;
  }
  return false;
}

// Converts JSON number text to the nearest double. False when the magnitude overflows a
// double; underflow gives zero or a subnormal as JSON parsers usually do.
bool TextToDouble(std::string_view text, double* out) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (r.ec == std::errc()) return true;
  // from_chars leaves *out untouched when out of range; strtod tells overflow from underflow.
  // The text is plain JSON number syntax, which the "C" locale's strtod reads identically.
  const std::string copy(text);
  *out = std::strtod(copy.c_str(), nullptr);
  return !std::isinf(*out);
}

}  // namespace

IntegerKind IntegerKindOf(google::protobuf::FieldDescriptor::CppType type) {
  using FD = google::protobuf::FieldDescriptor;
  switch (type) {
    case FD::CPPTYPE_INT32:
      return IntegerKind::kInt32;
    case FD::CPPTYPE_UINT32:
      return IntegerKind::kUInt32;
    case FD::CPPTYPE_INT64:
      return IntegerKind::kInt64;
    default:
      return IntegerKind::kUInt64;
  }
}

bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  const size_t n = t.size();
  if (i < n && t[i] == '-') ++i;
  if (i == n) return false;
  if (t[i] == '0') {
    ++i;
  } else if (IsDigit(t[i])) {
    while (i < n && IsDigit(t[i])) ++i;
  } else {
    return false;
  }
  if (i < n && t[i] == '.') {
    if (++i == n || !IsDigit(t[i])) return false;
    while (i < n && IsDigit(t[i])) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (i == n || !IsDigit(t[i])) return false;
    while (i < n && IsDigit(t[i])) ++i;
  }
  return i == n;
}

bool ParseIntegerText(std::string_view text, IntegerKind kind, IntegerValue* out,
                      std::string* problem) {
  if (!IsJsonNumber(text)) {
    *problem = "not a decimal number";
    return false;
  }
  const bool plain = text.find_first_of(".eE") == std::string_view::npos;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (plain) {
    // Exact integer text: parse it directly so 64-bit values keep every digit.
    if (kind == IntegerKind::kUInt64) {
      if (text[0] == '-') {
        if (text.find_first_not_of("-0") != std::string_view::npos) {
          return OutOfRange(text, kind, problem);
        }
        out->u = 0;
        return true;
      }
      const auto r = std::from_chars(first, last, out->u);
      if (r.ec != std::errc()) return OutOfRange(text, kind, problem);
      return true;
    }
    const auto r = std::from_chars(first, last, out->s);
    if (r.ec != std::errc() || !InRange(out->s, kind)) return OutOfRange(text, kind, problem);
    out->u = static_cast<uint64_t>(out->s);
    return true;
  }
  double d = 0;
  if (!TextToDouble(text, &d)) return OutOfRange(text, kind, problem);
  if (std::trunc(d) != d) {
    *problem = "expected an integer, got " + std::string(text.substr(0, 40));
    return false;
  }
  if (kind == IntegerKind::kUInt64) {
    if (d < 0 || d >= 18446744073709551616.0) return OutOfRange(text, kind, problem);
    out->u = static_cast<uint64_t>(d);
    return true;
  }
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
    return OutOfRange(text, kind, problem);
  }
  out->s = static_cast<int64_t>(d);
  if (!InRange(out->s, kind)) return OutOfRange(text, kind, problem);
  out->u = static_cast<uint64_t>(out->s);
  return true;
}

bool ParseDoubleText(std::string_view text, bool quoted, double* out, std::string* problem) {
  if (quoted) {
    if (text == "NaN") {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    if (text == "Infinity" || text == "-Infinity") {
      *out = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
      return true;
    }
  }
  if (!IsJsonNumber(text)) {
    *problem = "not a number";
    return false;
  }
  if (!TextToDouble(text, out)) {
    *problem = std::string(text.substr(0, 40)) + " is out of range for a double";
    return false;
  }
  return true;
}

}  // namespace vigil::otlp
