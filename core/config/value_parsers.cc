#include "core/config/value_parsers.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace vigil::config {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<int64_t> ParseInt(std::string_view text) {
  std::string_view t = Trim(text);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
    return Status::InvalidArgument("expected an integer, got \"" + std::string(text) + "\"");
  }
  return v;
}

Result<double> ParseDouble(std::string_view text) {
  std::string_view t = Trim(text);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v)) {
    return Status::InvalidArgument("expected a number, got \"" + std::string(text) + "\"");
  }
  return v;
}

Result<bool> ParseBool(std::string_view text) {
  std::string t = Lower(Trim(text));
  if (t == "true" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "no" || t == "off") return false;
  return Status::InvalidArgument("expected true or false, got \"" + std::string(text) + "\"");
}

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  std::string_view t = Trim(text);
  auto bad = [&] {
    return Status::InvalidArgument("expected a duration such as 500ms, 10s or 1m30s, got \"" +
                                   std::string(text) + "\"");
  };
  if (t == "0") return std::chrono::nanoseconds(0);
  if (t.empty()) return bad();
  double total_ns = 0;
  while (!t.empty()) {
    double v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || v < 0) return bad();
    t.remove_prefix(static_cast<size_t>(p - t.data()));
    size_t n = 0;
    while (n < t.size() && std::isalpha(static_cast<unsigned char>(t[n]))) ++n;
    std::string unit(t.substr(0, n));
    t.remove_prefix(n);
    double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "µs")
      mult = 1e3;
    else if (unit == "ms")
      mult = 1e6;
    else if (unit == "s")
      mult = 1e9;
    else if (unit == "m")
      mult = 60e9;
    else if (unit == "h")
      mult = 3600e9;
    else
      return bad();
    total_ns += v * mult;
  }
  if (total_ns > 9.2e18) return bad();
  return std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total_ns)));
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  std::string_view t = Trim(text);
  double v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  auto bad = [&] {
    return Status::InvalidArgument("expected a size such as 4096, 64KiB or 16MiB, got \"" +
                                   std::string(text) + "\"");
  };
  if (t.empty() || ec != std::errc() || v < 0) return bad();
  std::string unit = Lower(Trim(t.substr(static_cast<size_t>(p - t.data()))));
  double mult;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "kb")
    mult = 1e3;
  else if (unit == "mb")
    mult = 1e6;
  else if (unit == "gb")
    mult = 1e9;
  else if (unit == "kib")
    mult = 1024.0;
  else if (unit == "mib")
    mult = 1024.0 * 1024;
  else if (unit == "gib")
    mult = 1024.0 * 1024 * 1024;
  else
    return bad();
  double bytes = v * mult;
  if (bytes > 1.8e19) return bad();
  return static_cast<uint64_t>(std::llround(bytes));
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  if (ns % 3'600'000'000'000 == 0) return std::to_string(ns / 3'600'000'000'000) + "h";
  if (ns % 60'000'000'000 == 0) return std::to_string(ns / 60'000'000'000) + "m";
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  return std::to_string(ns) + "ns";
}

std::string FormatByteSize(uint64_t bytes) {
  if (bytes != 0 && bytes % (1ull << 30) == 0) return std::to_string(bytes >> 30) + "GiB";
  if (bytes != 0 && bytes % (1ull << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes != 0 && bytes % (1ull << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes);
}

}  // namespace vigil::config
