#include "collector/rules/rule_file/go_printf.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "collector/rules/rule_file/humanize.h"

namespace vigil::rules {
namespace {

// Go's fmt refuses widths and precisions from 1e6 on; so does vigil, at load time.
constexpr int kMaxWidth = 1000000;

Status Bad(std::string what) { return Status::InvalidArgument(std::move(what)); }

bool IsNumberVerb(char c) { return std::string_view("fFeEgGv").find(c) != std::string_view::npos; }
bool IsStringVerb(char c) { return c == 's' || c == 'v' || c == 'q'; }

// Decodes the UTF-8 sequence at s[i]; -1 (length 1) for a byte that does not start a valid one,
// which is how Go's utf8.DecodeRuneInString reports it too (as RuneError).
int32_t DecodeRune(std::string_view s, size_t i, size_t* len) {
  const auto c = static_cast<unsigned char>(s[i]);
  *len = 1;
  if (c < 0x80) return c;
  size_t n = 0;
  int32_t r = 0;
  int32_t min = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, r = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, r = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, r = c & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + n > s.size()) return -1;
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return -1;
    r = (r << 6) | (cc & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return -1;
  *len = n;
  return r;
}

// Go's unicode.IsPrint, approximated for non-ASCII: controls, spaces other than U+0020,
// format characters and private use are not printable; every other code point is treated as
// printable (Go also escapes unassigned code points, which label values hardly ever hold).
bool IsPrintRune(int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7F;
  if (r <= 0xA0 || r == 0xAD || r == 0x1680 || r == 0x3000 || r == 0xFEFF) return false;
  if ((r >= 0x2000 && r <= 0x200F) || (r >= 0x2028 && r <= 0x202F) ||
      (r >= 0x205F && r <= 0x206F) || (r >= 0xE000 && r <= 0xF8FF) ||
      (r >= 0xFFF9 && r <= 0xFFFB)) {
    return false;
  }
  return true;
}

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (size_t i = 0, len = 0; i < s.size(); i += len, ++n) DecodeRune(s, i, &len);
  return n;
}

// The first `runes` runes of s (Go's precision on %s and %q).
std::string_view TruncateRunes(std::string_view s, int runes) {
  if (runes < 0) return s;
  size_t i = 0;
  for (size_t len = 0; i < s.size() && runes > 0; i += len, --runes) DecodeRune(s, i, &len);
  return s.substr(0, i);
}

// Go's strconv.CanBackquote: %#q uses `raw` quotes when the string needs no escapes in them.
bool CanBackquote(std::string_view s) {
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    const int32_t r = DecodeRune(s, i, &len);
    if (r < 0 || r == 0xFEFF || r == '`' || r == 0x7F || (r < ' ' && r != '\t')) return false;
  }
  return true;
}

// Pads to the verb's width, counted in runes as Go does: spaces on the left, on the right
// with "-", or zeros on the left with "0" when the caller allows it.
std::string Pad(std::string s, const GoPrintf::Verb& verb, bool allow_zero) {
  const size_t runes = RuneCount(s);
  if (verb.width < 0 || static_cast<size_t>(verb.width) <= runes) return s;
  const size_t n = static_cast<size_t>(verb.width) - runes;
  if (verb.minus) return s + std::string(n, ' ');
  return std::string(n, verb.zero && allow_zero ? '0' : ' ') + s;
}

// snprintf of one double with a "*" precision, sized for any width.
std::string CFormat(const std::string& fmt, int precision, double v) {
  const int n = std::snprintf(nullptr, 0, fmt.c_str(), precision, v);
  if (n <= 0) return {};
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt.c_str(), precision, v);
  out.resize(static_cast<size_t>(n));
  return out;
}

// Go's fmt for a float64 under f F e E g G v: %v is %g, and %g without a precision prints the
// shortest digits that round-trip (C's %g would stop at six). NaN and Inf are never
// zero-padded, and +Inf keeps its sign.
std::string FormatNumber(double v, const GoPrintf::Verb& verb) {
  const std::string flag_sign = verb.plus ? "+" : verb.space ? " " : "";
  if (std::isnan(v)) return Pad(flag_sign + "NaN", verb, false);
  if (std::isinf(v))
    return Pad((v < 0                      ? "-"
                : verb.plus || !verb.space ? "+"
                                           : " ") +
                   std::string("Inf"),
               verb, false);
  const char letter = verb.letter == 'v' ? 'g' : verb.letter == 'F' ? 'f' : verb.letter;
  std::string digits;
  if ((letter == 'g' || letter == 'G') && verb.precision < 0 && !verb.sharp) {
    digits = GoFormatFloat(std::fabs(v));
    if (letter == 'G') {
      for (char& c : digits) c = c == 'e' ? 'E' : c;
    }
  } else {
    // With "#" and no precision Go pads %g to six significant digits, as C's %#g does.
    const int precision = verb.precision >= 0 ? verb.precision : 6;
    digits = CFormat(std::string("%") + (verb.sharp ? "#" : "") + ".*" + letter, precision,
                     std::fabs(v));
  }
  const std::string sign = std::signbit(v) ? "-" : flag_sign;
  // Zero padding goes between the sign and the digits.
  if (verb.zero && verb.width > 0 &&
      static_cast<size_t>(verb.width) > sign.size() + digits.size()) {
    digits.insert(0, static_cast<size_t>(verb.width) - sign.size() - digits.size(), '0');
  }
  return Pad(sign + digits, verb, false);
}

std::string FormatString(std::string_view s, const GoPrintf::Verb& verb) {
  s = TruncateRunes(s, verb.precision);
  if (verb.letter != 'q') return Pad(std::string(s), verb, true);
  if (verb.sharp && CanBackquote(s)) return Pad("`" + std::string(s) + "`", verb, true);
  return Pad(GoQuote(s, verb.plus), verb, true);
}

// Reads a decimal width or precision at format[*j]; false when it is too large.
bool ReadNumber(std::string_view format, size_t* j, int* out) {
  *out = 0;
  while (*j < format.size() && std::isdigit(static_cast<unsigned char>(format[*j]))) {
    *out = *out * 10 + (format[*j] - '0');
    if (*out >= kMaxWidth) return false;
    ++*j;
  }
  return true;
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

Result<GoPrintf> GoPrintf::Parse(std::string_view format) {
  GoPrintf p;
  p.format_ = std::string(format);
  p.literals_.emplace_back();
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      p.literals_.back().push_back(format[i]);
      continue;
    }
    Verb verb;
    size_t j = i + 1;
    for (; j < format.size(); ++j) {
      const char f = format[j];
      if (f == '-') {
        verb.minus = true;
      } else if (f == '+') {
        verb.plus = true;
      } else if (f == ' ') {
        verb.space = true;
      } else if (f == '#') {
        verb.sharp = true;
      } else if (f == '0') {
        verb.zero = true;
      } else {
        break;
      }
    }
    verb.zero = verb.zero && !verb.minus;  // Go pads with zeros only on the left
    if (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
      if (!ReadNumber(format, &j, &verb.width)) {
        return Bad("printf width in \"" + std::string(format.substr(i, j + 1 - i)) +
                   "\" is too large");
      }
    }
    if (j < format.size() && format[j] == '.') {
      ++j;
      if (!ReadNumber(format, &j, &verb.precision)) {
        return Bad("printf precision in \"" + std::string(format.substr(i, j + 1 - i)) +
                   "\" is too large");
      }
    }
    if (j >= format.size()) {
      if (j == i + 1)
        return Bad("printf format ends with a lone \"%\" (write %% for a percent sign)");
      return Bad("printf format ends inside the verb \"" + std::string(format.substr(i)) + "\"");
    }
    const char letter = format[j];
    if (letter == '[') return Bad("printf argument indexes such as %[1]s are not supported");
    if (letter == '*') return Bad("printf \"*\" widths and precisions are not supported");
    if (letter == '%') {  // Go's "%%" (and "%5%"): a literal percent, no value used
      p.literals_.back().push_back('%');
      i = j;
      continue;
    }
    if (!IsNumberVerb(letter) && !IsStringVerb(letter)) {
      size_t len = 0;
      DecodeRune(format, j, &len);
      std::string msg = "printf verb %" + std::string(format.substr(j, len)) +
                        " is not supported; use %f, %F, %e, %E, %g, %G or %v for numbers and %s, "
                        "%v or %q for strings";
      if (letter == 'd') msg += " (template numbers are floats: %.0f prints a whole number)";
      return Bad(std::move(msg));
    }
    verb.letter = letter;
    verb.text = std::string(format.substr(i, j + 1 - i));
    p.verbs_.push_back(std::move(verb));
    p.literals_.emplace_back();
    i = j;
  }
  return p;
}

Result<std::string> GoPrintf::Format(const std::vector<PrintfValue>& values) const {
  if (values.size() != verbs_.size()) {
    return Bad("printf format \"" + format_ + "\" has " + Plural(verbs_.size(), "verb") +
               " but got " + Plural(values.size(), "value"));
  }
  std::string out = literals_[0];
  for (size_t i = 0; i < verbs_.size(); ++i) {
    const Verb& verb = verbs_[i];
    const std::string position = "value " + std::to_string(i + 1);
    if (const double* d = std::get_if<double>(&values[i])) {
      if (!IsNumberVerb(verb.letter)) {
        return Bad("printf verb " + verb.text + " cannot format a number (" + position + ", " +
                   GoFormatFloat(*d) + ")");
      }
      out += FormatNumber(*d, verb);
    } else {
      const std::string& s = std::get<std::string>(values[i]);
      if (!IsStringVerb(verb.letter)) {
        return Bad("printf verb " + verb.text + " cannot format a string (" + position + ", " +
                   GoQuote(s, false) + ")");
      }
      out += FormatString(s, verb);
    }
    out += literals_[i + 1];
  }
  return out;
}

std::string GoQuote(std::string_view s, bool ascii_only) {
  static const char kHex[] = "0123456789abcdef";
  auto hex = [](uint32_t v, int digits) {
    std::string h;
    for (int k = digits - 1; k >= 0; --k) h.push_back(kHex[(v >> (4 * k)) & 0xF]);
    return h;
  };
  std::string out = "\"";
  for (size_t i = 0, len = 0; i < s.size(); i += len) {
    const int32_t r = DecodeRune(s, i, &len);
    if (r < 0) {
      out += "\\x" + hex(static_cast<unsigned char>(s[i]), 2);
      continue;
    }
    if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
      continue;
    }
    if (IsPrintRune(r) && (!ascii_only || r < 0x80)) {
      out.append(s.substr(i, len));
      continue;
    }
    switch (r) {
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (r < ' ' || r == 0x7F) {
          out += "\\x" + hex(static_cast<uint32_t>(r), 2);
        } else if (r < 0x10000) {
          out += "\\u" + hex(static_cast<uint32_t>(r), 4);
        } else {
          out += "\\U" + hex(static_cast<uint32_t>(r), 8);
        }
    }
  }
  return out + "\"";
}

}  // namespace vigil::rules
