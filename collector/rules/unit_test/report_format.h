// Text forms promtool uses in its `test rules` reports (Go's strconv and Prometheus's
// labels.String), so vigil's test-rules output reads the same and scripts that grep it keep
// working. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/eval/value.h"

namespace vigil::rules {

// Prometheus labels.String(): {a="1", b="2"} with every label inside the braces, the metric
// name included as __name__; "{}" when empty.
std::string GoLabelsString(const eval::Labels& labels);

// strconv.FormatFloat(v, 'E', -1, 64): shortest round-trip digits, "1E+00", "1.5E-07", "+Inf",
// "-Inf", "NaN".
std::string GoFloatE(double v);

// Go's time.Duration.String() for a whole number of milliseconds: "0s", "1m0s", "1h2m3.5s",
// "250ms". (Eval times use promql::FormatDuration instead, as promtool prints model.Duration.)
std::string GoDurationString(int64_t ms);

// An alert as the test compares it.
struct LabelsAndAnnotations {
  eval::Labels labels;
  eval::Labels annotations;

  friend bool operator==(const LabelsAndAnnotations&, const LabelsAndAnnotations&) = default;
  friend auto operator<=>(const LabelsAndAnnotations&, const LabelsAndAnnotations&) = default;
};

// promtool's listing of expected/got alerts: "[]" when empty, else
// "[\n0:\n  Labels:{...}\n  Annotations:{...},\n1:\n  ...\n]".
std::string AlertListString(const std::vector<LabelsAndAnnotations>& alerts);

// Prefixes every line but the first with `indent` (promtool's indentLines).
std::string IndentLines(std::string_view text, std::string_view indent);

}  // namespace vigil::rules
