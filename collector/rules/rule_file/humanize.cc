#include "collector/rules/rule_file/humanize.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace vigil::rules {
namespace {

// Go spells non-finite floats NaN, +Inf and -Inf under every float verb.
bool GoNonFinite(double v, std::string* out) {
  if (std::isnan(v)) {
    *out = "NaN";
    return true;
  }
  if (std::isinf(v)) {
    *out = v > 0 ? "+Inf" : "-Inf";
    return true;
  }
  return false;
}

std::string CFormat(const char* fmt, double v) {
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), fmt, v);
  if (n < 0) return {};
  return std::string(buf, static_cast<size_t>(std::min(n, static_cast<int>(sizeof(buf) - 1))));
}

}  // namespace

std::string GoFormatG4(double v) {
  std::string s;
  if (GoNonFinite(v, &s)) return s;
  return CFormat("%.4g", v);
}

std::string GoFormatFloat(double v) {
  std::string s;
  if (GoNonFinite(v, &s)) return s;
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  // Shortest round-trip digits in scientific form, e.g. "-1.234567e+06", then placed the way
  // Go's strconv 'g' with precision -1 places them.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string sci(buf, end);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  int exp = std::atoi(sci.c_str() + e + 1);
  std::string digits;
  for (size_t i = 0; i < e; ++i) {
    if (sci[i] != '.') digits.push_back(sci[i]);
  }
  int nd = static_cast<int>(digits.size());
  int dp = exp + 1;  // decimal point position relative to the digits
  // strconv's 'g' with shortest precision switches to exponent form from 1e6 on.
  const int eprec = 6;
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= eprec) {
    out += digits[0];
    if (nd > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + ebuf;
  }
  if (dp <= 0) return out + "0." + std::string(static_cast<size_t>(-dp), '0') + digits;
  if (dp >= nd) return out + digits + std::string(static_cast<size_t>(dp - nd), '0');
  return out + digits.substr(0, static_cast<size_t>(dp)) + "." +
         digits.substr(static_cast<size_t>(dp));
}

std::string Humanize(double v) {
  if (v == 0 || std::isnan(v) || std::isinf(v)) return GoFormatG4(v);
  static const char* kBig[] = {"k", "M", "G", "T", "P", "E", "Z", "Y"};
  static const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  if (std::fabs(v) >= 1) {
    for (const char* p : kBig) {
      if (std::fabs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const char* p : kSmall) {
      if (std::fabs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return GoFormatG4(v) + prefix;
}

std::string HumanizePercentage(double v) { return GoFormatG4(v * 100) + "%"; }

std::string HumanizeDuration(double v) {
  if (std::isnan(v) || std::isinf(v)) return GoFormatG4(v);
  if (v == 0) return GoFormatG4(v) + "s";
  if (std::fabs(v) >= 1) {
    std::string sign;
    if (v < 0) {
      sign = "-";
      v = -v;
    }
    auto total = static_cast<int64_t>(v);
    int64_t seconds = total % 60, minutes = (total / 60) % 60, hours = (total / 3600) % 24;
    int64_t days = total / 86400;
    auto n = [](int64_t x) { return std::to_string(x); };
    if (days != 0) {
      return sign + n(days) + "d " + n(hours) + "h " + n(minutes) + "m " + n(seconds) + "s";
    }
    if (hours != 0) return sign + n(hours) + "h " + n(minutes) + "m " + n(seconds) + "s";
    if (minutes != 0) return sign + n(minutes) + "m " + n(seconds) + "s";
    return sign + GoFormatG4(v) + "s";
  }
  static const char* kSmall[] = {"m", "u", "n", "p", "f", "a", "z", "y"};
  std::string prefix;
  for (const char* p : kSmall) {
    if (std::fabs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return GoFormatG4(v) + prefix + "s";
}

}  // namespace vigil::rules
