#include "agent/parse/field_decoders.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

namespace vigil::parse {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Reads exactly `count` decimal digits of `text` starting at `pos`.
inline __attribute__((always_inline)) bool ReadFixedDigits(std::string_view text, size_t pos,
                                                           size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

// Matches a duration unit at text[*pos]; advances *pos past it and returns its length in seconds,
// or 0 when no unit starts there. "ms" is tried before "m" (minutes), as Go's time package does.
double MatchDurationUnit(std::string_view text, size_t* pos) {
  const std::string_view rest = text.substr(*pos);
  struct Unit {
    std::string_view suffix;
    double seconds;
  };
  static constexpr Unit kUnits[] = {
      {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6},
      {"ms", 1e-3}, {"s", 1.0},   {"m", 60.0},         {"h", 3600.0},
  };
  for (const Unit& unit : kUnits) {
    if (rest.starts_with(unit.suffix)) {
      *pos += unit.suffix.size();
      return unit.seconds;
    }
  }
  return 0;
}

constexpr int64_t kMaxUnixSeconds = std::numeric_limits<int64_t>::max() / 1'000'000'000;

std::optional<int64_t> ScaleToNano(int64_t value, int64_t nanos_per_unit) {
  int64_t out = 0;
  if (__builtin_mul_overflow(value, nanos_per_unit, &out)) return std::nullopt;
  return out;
}

}  // namespace

double DurationUnitSeconds(DurationUnit unit) {
  switch (unit) {
    case DurationUnit::kSeconds:
      return 1.0;
    case DurationUnit::kMilliseconds:
      return 1e-3;
    case DurationUnit::kMicroseconds:
      return 1e-6;
    case DurationUnit::kNanoseconds:
      return 1e-9;
  }
  return 1e-3;
}

std::optional<double> ParseDurationText(std::string_view text, DurationUnit bare_unit) {
  double total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    // A decimal: digits, optionally '.', optionally more digits, at least one digit overall.
    const size_t start = pos;
    while (pos < text.size() && IsDigit(text[pos])) ++pos;
    size_t digits = pos - start;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const size_t fraction_start = pos;
      while (pos < text.size() && IsDigit(text[pos])) ++pos;
      digits += pos - fraction_start;
    }
    if (digits == 0) return std::nullopt;
    double value = 0;
    const auto [end, ec] =
        std::from_chars(text.data() + start, text.data() + pos, value, std::chars_format::fixed);
    if (ec != std::errc() || end != text.data() + pos) return std::nullopt;

    if (pos == text.size() && start == 0) {
      return value * DurationUnitSeconds(bare_unit);  // the whole text is one bare number
    }
    const double unit_seconds = MatchDurationUnit(text, &pos);
    if (unit_seconds == 0) return std::nullopt;  // unknown unit, or a unitless trailing part
    total += value * unit_seconds;
  }
  if (text.empty() || !std::isfinite(total)) return std::nullopt;
  return total;
}

std::optional<int64_t> ParseRfc3339UnixNano(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadFixedDigits(text, 0, 4, &year) || text.size() < 19 || text[4] != '-' ||
      !ReadFixedDigits(text, 5, 2, &month) || text[7] != '-' ||
      !ReadFixedDigits(text, 8, 2, &day)) {
    return std::nullopt;
  }
  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return std::nullopt;
  if (!ReadFixedDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !ReadFixedDigits(text, 14, 2, &minute) || text[16] != ':' ||
      !ReadFixedDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t fraction_nanos = 0;
  if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
    ++pos;
    const size_t fraction_start = pos;
    int64_t fraction = 0;
    size_t used = 0;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      if (used < 9) {  // digits below a nanosecond are ignored
        fraction = fraction * 10 + (text[pos] - '0');
        ++used;
      }
    }
    if (pos == fraction_start) return std::nullopt;
    static constexpr int64_t kNanosPerUnit[10] = {
        1'000'000'000, 100'000'000, 10'000'000, 1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
    fraction_nanos = fraction * kNanosPerUnit[used];
  }
  int64_t offset_seconds = 0;
  if (pos < text.size()) {
    const char zone = text[pos];
    if (zone == 'Z' || zone == 'z') {
      ++pos;
    } else if (zone == '+' || zone == '-') {
      int offset_hours = 0, offset_minutes = 0;
      if (!ReadFixedDigits(text, pos + 1, 2, &offset_hours)) return std::nullopt;
      pos += 3;
      if (pos < text.size() && text[pos] == ':') ++pos;  // "+0200" is accepted too
      if (!ReadFixedDigits(text, pos, 2, &offset_minutes)) return std::nullopt;
      pos += 2;
      if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
      offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (zone == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second

  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;
  const int64_t days = std::chrono::sys_days{date}.time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  if (seconds < 0 || seconds >= kMaxUnixSeconds) return std::nullopt;
  const int64_t nanos = seconds * 1'000'000'000 + fraction_nanos;
  if (nanos <= 0) return std::nullopt;
  return nanos;
}

std::optional<int64_t> EpochIntegerToUnixNano(int64_t value) {
  if (value <= 0) return std::nullopt;
  if (value < 100'000'000'000) return ScaleToNano(value, 1'000'000'000);
  if (value < 100'000'000'000'000) return ScaleToNano(value, 1'000'000);
  if (value < 100'000'000'000'000'000) return ScaleToNano(value, 1'000);
  return value;
}

std::optional<int64_t> EpochDoubleToUnixNano(double value) {
  if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
  double nanos = value;
  if (value < 1e11) {
    nanos = value * 1e9;
  } else if (value < 1e14) {
    nanos = value * 1e6;
  } else if (value < 1e17) {
    nanos = value * 1e3;
  }
  // 2^63 is exactly representable; anything at or above it does not fit.
  if (nanos >= 9223372036854775808.0) return std::nullopt;
  const auto out = static_cast<int64_t>(std::llround(nanos));
  if (out <= 0) return std::nullopt;
  return out;
}

std::optional<int> StatusFromInteger(int64_t value) {
  if (value < 100 || value > 999) return std::nullopt;
  return static_cast<int>(value);
}

std::optional<int> StatusFromText(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return StatusFromInteger(value);
}

int SeverityNumberFromLevel(std::string_view level) {
  struct Level {
    std::string_view name;
    int severity;
  };
  static constexpr Level kLevels[] = {
      {"info", 9},        {"error", 17},        {"warn", 13},  {"debug", 5},     {"warning", 13},
      {"trace", 1},       {"fatal", 21},        {"err", 17},   {"critical", 21}, {"panic", 21},
      {"notice", 9},      {"crit", 21},         {"alert", 21}, {"emerg", 21},    {"emergency", 21},
      {"information", 9}, {"informational", 9},
  };
  for (const Level& known : kLevels) {
    if (EqualsIgnoreAsciiCase(level, known.name)) return known.severity;
  }
  return 0;
}

std::string_view LevelNameFromNumber(int64_t level) {
  switch (level) {
    case 10:
      return "trace";
    case 20:
      return "debug";
    case 30:
      return "info";
    case 40:
      return "warn";
    case 50:
      return "error";
    case 60:
      return "fatal";
    default:
      return "";
  }
}

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

}  // namespace vigil::parse
