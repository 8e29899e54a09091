// Loads Prometheus rule files (top-level `groups:`) into RuleGroups, checking everything that
// can be checked without a PromQL parser: required and unknown fields, names, durations, label
// names and alert templates. Errors are InvalidArgument "file:line:col: what is wrong".
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/rule_file/rule_group.h"
#include "core/status.h"

namespace vigil::rules {

// Loads every file in order; group names must be unique across all of them, and a duplicate
// is reported with both positions. A missing file is NotFound naming the path.
Result<std::vector<RuleGroup>> LoadRuleFiles(const std::vector<std::string>& paths);

// Parses one rule file's text; `name` stands in for the path in positions and errors.
Result<std::vector<RuleGroup>> ParseRuleText(std::string_view yaml, std::string name);

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*
bool IsValidLabelName(std::string_view name);

}  // namespace vigil::rules
