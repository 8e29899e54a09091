// The two small notations of promtool's rule unit-test files: expanding input values
// ("1+2x3 _x2 stale 5") into one value per step, and metric descriptions ('up{job="a"}') into
// label sets. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "collector/rules/eval/value.h"
#include "core/status.h"

namespace vigil::rules {

// One expanded input value; nullopt where the notation omitted the sample ('_'). The i-th value
// belongs at time i * interval.
using SeriesValue = std::optional<double>;

// Upper bound on the values one series may expand to: "1x1000000000" must fail rather than
// exhaust memory.
inline constexpr size_t kMaxSeriesValues = 10'000'000;

// Expands promtool's values notation, items separated by blanks:
//   a          one value: a number (1, -2.5, 1e3, .5, Inf, NaN) or "stale" (a staleness marker)
//   axn        n+1 copies of a
//   a+bxn      n+1 values a, a+b, a+2b, ...   (a-bxn counts down)
//   _          one omitted value;  _xn  n omitted values
// On error the message says what is wrong (no position) and `*error_offset`, when given, is
// the byte offset in `text` where it was found. More than `max_values` values is an error.
Result<std::vector<SeriesValue>> ExpandSeriesValues(std::string_view text,
                                                    size_t* error_offset = nullptr,
                                                    size_t max_values = kMaxSeriesValues);

// Parses `name{label="value", ...}`, `{__name__="x", ...}` or `{}` into sorted labels (the
// name as "__name__"; labels with an empty value are dropped, as Prometheus does). Label
// values are PromQL strings ("...", '...', `...`). Duplicate labels are an error. Errors and
// `*error_offset` as for ExpandSeriesValues.
Result<eval::Labels> ParseMetricNotation(std::string_view text, size_t* error_offset = nullptr);

}  // namespace vigil::rules
