#include "collector/rules/unit_test/report_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace vigil::rules {
namespace {

// Length of the valid UTF-8 sequence starting at s[i] (2-4), or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = 0;
  uint32_t min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid, as in Go.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void AppendHexByte(std::string& out, unsigned char c) {
  char buf[5];
  std::snprintf(buf, sizeof(buf), "\\x%02x", c);
  out += buf;
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8SequenceLength(s, i);
      if (n == 0) {
        AppendHexByte(out, c);
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
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
        if (c < 0x20 || c == 0x7F) {
          AppendHexByte(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string GoLabelsString(const eval::Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].first + "=" + GoQuote(labels[i].second);
  }
  out += "}";
  return out;
}

std::string GoFloatE(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  std::string out(buf, end);
  for (char& c : out) {
    if (c == 'e') c = 'E';
  }
  return out;
}

std::string GoDurationString(int64_t ms) {
  if (ms == 0) return "0s";
  std::string out;
  uint64_t u = ms < 0 ? static_cast<uint64_t>(-(ms + 1)) + 1 : static_cast<uint64_t>(ms);
  if (ms < 0) out = "-";
  if (u < 1000) return out + std::to_string(u) + "ms";
  uint64_t hours = u / 3'600'000;
  uint64_t minutes = (u / 60'000) % 60;
  uint64_t secs = (u / 1000) % 60;
  uint64_t frac = u % 1000;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += std::to_string(secs);
  if (frac > 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%03u", static_cast<unsigned>(frac));
    std::string f(buf);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

std::string IndentLines(std::string_view text, std::string_view indent) {
  std::string out;
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t nl = text.find('\n', start);
    if (!first) out += indent;
    first = false;
    if (nl == std::string_view::npos) {
      out.append(text.substr(start));
      break;
    }
    out.append(text.substr(start, nl - start + 1));
    start = nl + 1;
  }
  return out;
}

std::string AlertListString(const std::vector<LabelsAndAnnotations>& alerts) {
  if (alerts.empty()) return "[]";
  std::string out = "[";
  for (size_t i = 0; i < alerts.size(); ++i) {
    std::string one = "Labels:" + GoLabelsString(alerts[i].labels) +
                      "\nAnnotations:" + GoLabelsString(alerts[i].annotations);
    out += (i == 0 ? "\n" : ",\n") + std::to_string(i) + ":" + IndentLines("\n" + one, "  ");
  }
  out += "\n]";
  return out;
}

}  // namespace vigil::rules
