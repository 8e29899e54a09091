// Typed form of a Prometheus rule file: groups of alerting and recording rules, each field
// carrying where it came from so later stages (PromQL parsing, template expansion) can report
// errors at file:line:col. Plain immutable values once loaded; safe to share across threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collector/rules/rule_file/alert_template.h"

namespace vigil::rules {

// 1-based line and column in `file` (the path, or the name given to ParseRuleText).
struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;

  // "file:line:col".
  std::string ToString() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

// A label or annotation value. For alerting rules `tmpl` is the parsed template; recording
// rule labels are not templated, so there it holds the value as one literal node.
struct TemplatedValue {
  std::string text;
  Template tmpl;
  SourcePosition pos;
};

struct Rule {
  enum class Kind { kAlerting, kRecording };
  Kind kind = Kind::kAlerting;
  std::string name;  // the `alert` or `record` value
  SourcePosition pos;
  std::string expr;  // PromQL, unparsed
  SourcePosition expr_pos;
  std::chrono::milliseconds for_duration{0};     // alerting only
  std::chrono::milliseconds keep_firing_for{0};  // alerting only
  std::map<std::string, TemplatedValue> labels;
  std::map<std::string, TemplatedValue> annotations;  // alerting only
};

struct RuleGroup {
  std::string name;
  SourcePosition pos;
  std::optional<std::chrono::milliseconds> interval;  // unset: the global evaluation interval
  int64_t limit = 0;                                  // 0: no limit on alerts/series per rule
  std::vector<Rule> rules;
};

}  // namespace vigil::rules
