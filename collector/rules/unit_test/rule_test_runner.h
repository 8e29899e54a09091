// Entry point of `vigil-collector test-rules FILE...`: runs promtool-format rule unit-test
// files against vigil's rule engine and renders the report `promtool test rules` prints.
// Stateless function; every call builds its own stores and engines, so it is thread-safe.
#pragma once

#include <string>
#include <vector>

namespace vigil::rules {

struct RuleTestReport {
  bool passed = true;  // false when any file failed to load or any test failed (exit code 1)
  std::string text;    // what to print on stdout
};

// For each path: "Unit Testing:  <path>\n" then "  SUCCESS\n\n", or "  FAILED:\n" followed by
// one block per failure (each followed by a blank line) and a final blank line. Load errors
// (unreadable file, bad YAML, unknown fields, bad series notation, rule-file errors) name the
// file, line and column.
RuleTestReport RunRuleTestFiles(const std::vector<std::string>& paths);

}  // namespace vigil::rules
