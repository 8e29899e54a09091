#include "core/send/retry_after.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace vigil::send {
namespace {

constexpr std::chrono::milliseconds kMaxDelay = std::chrono::hours(24);

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!IsDigit(s[pos + i])) return false;
    v = v * 10 + (s[pos + i] - '0');
  }
  *out = v;
  return true;
}

// "Sun, 06 Nov 1994 08:49:37 GMT": fixed positions, 29 characters.
bool ParseImfFixdate(std::string_view s, std::chrono::system_clock::time_point* out) {
  static constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu",
                                                            "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
      s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
    return false;
  }
  if (std::find(kDays.begin(), kDays.end(), s.substr(0, 3)) == kDays.end()) return false;
  auto month_it = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
  if (month_it == kMonths.end()) return false;
  int day, year, hh, mm, ss;
  if (!Digits(s, 5, 2, &day) || !Digits(s, 12, 4, &year) || !Digits(s, 17, 2, &hh) ||
      !Digits(s, 20, 2, &mm) || !Digits(s, 23, 2, &ss)) {
    return false;
  }
  if (hh > 23 || mm > 59 || ss > 60) return false;  // 60: leap second
  const std::chrono::year_month_day ymd{
      std::chrono::year{year},
      std::chrono::month{static_cast<unsigned>(month_it - kMonths.begin() + 1)},
      std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  *out = std::chrono::sys_days{ymd} + std::chrono::hours(hh) + std::chrono::minutes(mm) +
         std::chrono::seconds(ss);
  return true;
}

}  // namespace

Result<std::chrono::milliseconds> ParseRetryAfter(std::string_view value,
                                                  std::chrono::system_clock::time_point now) {
  const std::string_view v = Trim(value);
  if (!v.empty() && std::all_of(v.begin(), v.end(), IsDigit)) {
    // More than 6 digits is already beyond the cap; stop before any overflow.
    if (v.size() > 6) return kMaxDelay;
    int64_t secs = 0;
    for (char c : v) secs = secs * 10 + (c - '0');
    return std::min<std::chrono::milliseconds>(std::chrono::seconds(secs), kMaxDelay);
  }
  std::chrono::system_clock::time_point when;
  if (ParseImfFixdate(v, &when)) {
    auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
    return std::clamp<std::chrono::milliseconds>(delay, std::chrono::milliseconds(0), kMaxDelay);
  }
  return Status::InvalidArgument("Retry-After \"" + std::string(value.substr(0, 64)) +
                                 "\" is neither delay-seconds nor an IMF-fixdate HTTP-date");
}

}  // namespace vigil::send
