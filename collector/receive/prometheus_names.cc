#include "collector/receive/prometheus_names.h"

#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "core/text/quote.h"

namespace vigil::receive {
namespace {

using opentelemetry::proto::common::v1::AnyValue;

bool IsNameChar(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (allow_colon && c == ':');
}

std::string Sanitize(std::string_view in, bool allow_colon) {
  std::string out;
  out.reserve(in.size() + 1);
  for (char c : in) {
    char mapped = IsNameChar(c, allow_colon) ? c : '_';
    // Runs of '_' come from things like "a..b" or "a._b"; one is enough.
    if (mapped == '_' && !out.empty() && out.back() == '_') continue;
    out.push_back(mapped);
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// UCUM units the OpenTelemetry semantic conventions use, and their Prometheus words.
constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kUnits = {{
    {"d", "days"},          {"h", "hours"},         {"min", "minutes"},    {"s", "seconds"},
    {"ms", "milliseconds"}, {"us", "microseconds"}, {"ns", "nanoseconds"}, {"By", "bytes"},
    {"KiBy", "kibibytes"},  {"MiBy", "mebibytes"},  {"GiBy", "gibibytes"}, {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"},   {"MBy", "megabytes"},   {"GBy", "gigabytes"},  {"TBy", "terabytes"},
    {"m", "meters"},        {"V", "volts"},         {"A", "amperes"},      {"J", "joules"},
    {"W", "watts"},         {"g", "grams"},         {"Cel", "celsius"},    {"Hz", "hertz"},
    {"1", "ratio"},         {"%", "percent"},       {"bit", "bits"},
}};

// The singular forms used after "per".
constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kPerUnits = {{
    {"s", "second"},
    {"m", "minute"},
    {"h", "hour"},
    {"d", "day"},
    {"w", "week"},
    {"mo", "month"},
    {"y", "year"},
}};

template <size_t N>
std::string Lookup(const std::array<std::pair<std::string_view, std::string_view>, N>& table,
                   std::string_view unit) {
  for (const auto& [from, to] : table) {
    if (from == unit) return std::string(to);
  }
  std::string s = Sanitize(unit, /*allow_colon=*/false);
  while (!s.empty() && s.front() == '_') s.erase(s.begin());
  while (!s.empty() && s.back() == '_') s.pop_back();
  return s;
}

std::string StripAnnotations(std::string_view unit) {
  // "{request}" and "{packet}/s": the braces only annotate what is counted.
  std::string out;
  int depth = 0;
  for (char c : unit) {
    if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth > 0) --depth;
    } else if (depth == 0 && c != ' ') {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return std::to_string(v);
  return std::string(buf.data(), end);
}

}  // namespace

std::string SanitizeMetricName(std::string_view name) {
  std::string out = Sanitize(name, /*allow_colon=*/true);
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

std::string SanitizeLabelName(std::string_view name) {
  std::string out = Sanitize(name, /*allow_colon=*/false);
  // Runs of '_' are already collapsed, so the result never starts with the reserved "__".
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "key_");
  return out;
}

std::string UnitSuffix(std::string_view unit) {
  std::string clean = StripAnnotations(unit);
  if (clean.empty()) return "";
  size_t slash = clean.find('/');
  if (slash == std::string::npos) return Lookup(kUnits, clean);
  std::string main = Lookup(kUnits, std::string_view(clean).substr(0, slash));
  std::string per = Lookup(kPerUnits, std::string_view(clean).substr(slash + 1));
  if (per.empty()) return main;
  return main.empty() ? "per_" + per : main + "_per_" + per;
}

std::string PrometheusFamilyName(std::string_view otlp_name, std::string_view unit,
                                 bool monotonic_counter) {
  std::string name = SanitizeMetricName(otlp_name);
  // A trailing '_' (from "foo." say) would double up with the suffixes below.
  while (name.size() > 1 && name.back() == '_') name.pop_back();
  std::string suffix = UnitSuffix(unit);
  if (!suffix.empty() && !EndsWith(name, "_" + suffix)) name += "_" + suffix;
  if (monotonic_counter && !EndsWith(name, "_total")) name += "_total";
  return name;
}

std::string AttributeValueText(const AnyValue& value) {
  switch (value.value_case()) {
    case AnyValue::kStringValue:
      return value.string_value();
    case AnyValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case AnyValue::kIntValue:
      return std::to_string(value.int_value());
    case AnyValue::kDoubleValue:
      return FormatDouble(value.double_value());
    case AnyValue::kBytesValue: {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out;
      for (unsigned char c : value.bytes_value()) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
      }
      return out;
    }
    case AnyValue::kArrayValue: {
      std::string out = "[";
      for (int i = 0; i < value.array_value().values_size(); ++i) {
        if (i > 0) out.push_back(',');
        const AnyValue& v = value.array_value().values(i);
        if (v.value_case() == AnyValue::kStringValue) {
          text::AppendJsonQuoted(&out, v.string_value());
        } else {
          out += AttributeValueText(v);
        }
      }
      return out + "]";
    }
    case AnyValue::kKvlistValue: {
      std::string out = "{";
      for (int i = 0; i < value.kvlist_value().values_size(); ++i) {
        if (i > 0) out.push_back(',');
        const auto& kv = value.kvlist_value().values(i);
        text::AppendJsonQuoted(&out, kv.key());
        out.push_back(':');
        if (kv.value().value_case() == AnyValue::kStringValue) {
          text::AppendJsonQuoted(&out, kv.value().string_value());
        } else {
          out += AttributeValueText(kv.value());
        }
      }
      return out + "}";
    }
    default:
      return "";
  }
}

}  // namespace vigil::receive
