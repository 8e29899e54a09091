#include "collector/rules/unit_test/report_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/text/quote.h"

namespace vigil::rules {

std::string GoLabelsString(const eval::Labels& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += labels[i].first + "=" + text::GoQuoted(labels[i].second);
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
