#include "collector/rules/promql/duration.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace vigil::promql {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};

// Longest-first matching matters only for "m" versus "ms"; the order is also the required one.
constexpr Unit kUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000},
    {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
};

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid duration \"" + std::string(text) +
                                   "\": " + std::string(why));
  };
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return bad("empty");
  int64_t total = 0;
  size_t next_unit = 0;  // units must appear in kUnits order, each once
  std::string_view t = text;
  while (!t.empty()) {
    size_t n = 0;
    while (n < t.size() && std::isdigit(static_cast<unsigned char>(t[n]))) ++n;
    if (n == 0) return bad("expected a whole number before each unit, as in 1h30m");
    if (n > 18) return bad("number too large");
    int64_t amount = std::stoll(std::string(t.substr(0, n)));
    t.remove_prefix(n);
    size_t u = 0;
    while (u < t.size() && std::isalpha(static_cast<unsigned char>(t[u]))) ++u;
    std::string_view unit = t.substr(0, u);
    t.remove_prefix(u);
    if (!t.empty() && t[0] == '.') return bad("fractions are not allowed; use smaller units");
    if (unit.empty()) return bad("missing unit (one of y, w, d, h, m, s, ms)");
    size_t idx = 0;
    while (idx < std::size(kUnits) && kUnits[idx].name != unit) ++idx;
    if (idx == std::size(kUnits)) {
      return bad("unknown unit \"" + std::string(unit) + "\" (use y, w, d, h, m, s, ms)");
    }
    if (idx < next_unit) return bad("units must go from largest to smallest, each at most once");
    next_unit = idx + 1;
    if (amount > (std::numeric_limits<int64_t>::max() - total) / kUnits[idx].ms) {
      return bad("too large");
    }
    total += amount * kUnits[idx].ms;
  }
  return std::chrono::milliseconds(total);
}

std::string FormatDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const Unit& u : kUnits) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms) + std::string(u.name);
      ms %= u.ms;
    }
  }
  return out;
}

}  // namespace vigil::promql
