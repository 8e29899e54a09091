// Number formatting that matches Prometheus's alert template functions (humanize,
// humanizePercentage, humanizeDuration) and Go's fmt rules for floats, so expanded alert text
// reads the same as it would from Prometheus. Pure functions; thread-safe.
#pragma once

#include <string>

namespace vigil::rules {

// Go's "%.4g": like C's, but NaN/+Inf/-Inf spelled as Go spells them.
std::string GoFormatG4(double v);
// Go's "%v" for a float64: shortest round-trip digits, exponent form below 1e-4 or from 1e6
// (strconv's shortest %g); go_printf.h formats with explicit verbs.
std::string GoFormatFloat(double v);
// 1234567 -> "1.235M", 0.012 -> "12m": SI prefix, four significant digits.
std::string Humanize(double v);
// 0.1234 -> "12.34%".
std::string HumanizePercentage(double v);
// 90061 -> "1d 1h 1m 1s", 0.5 -> "500ms".
std::string HumanizeDuration(double v);

}  // namespace vigil::rules
