// Prometheus durations, as PromQL ranges and offsets and rule files (for, interval) write them:
// integer amounts with units y, w, d, h, m, s, ms in that order, each at most once ("1h30m",
// "2w", "0"). The general config parser does not know d, w and y, hence this one. Pure
// functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil::promql {

// Errors say what is wrong: `invalid duration "5x": unknown unit "x" (use y, w, d, h, m, s, ms)`.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// The inverse, in Prometheus's canonical form: 90000ms -> "1m30s", 0 -> "0s"; negative values
// (offsets) get a leading "-".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace vigil::promql
