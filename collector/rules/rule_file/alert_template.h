// Alert label/annotation templates: the subset of Go text/template that vigil supports
// ({{ $labels.x }}, {{ $value }}, {{ $externalLabels.x }}, pipelines through humanize,
// humanizePercentage, humanizeDuration and printf, {{- -}} trimming), parsed once at load time
// into a small AST and expanded per alert. Templates are immutable values; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/rule_file/go_printf.h"
#include "core/status.h"

namespace vigil::rules {

// One argument of a command: a variable reference or a literal.
struct TemplateOperand {
  enum class Kind { kLabel, kValue, kExternalLabel, kString, kNumber };
  Kind kind = Kind::kValue;
  std::string text;  // label name for kLabel/kExternalLabel, the literal for kString
  double number = 0;
};

// One stage of a pipeline: either a lone operand (function empty, one arg) or a function call.
// In a pipeline the previous stage's result is passed as the call's last argument, as in Go.
struct TemplateCommand {
  std::string function;
  std::vector<TemplateOperand> args;
  // For printf: its format (args[0]), parsed at load time; its verb count matches the values.
  std::optional<GoPrintf> printf_format;
};

// Literal text, or an action {{ ... }} holding a pipeline (empty for a comment).
struct TemplateNode {
  bool is_action = false;
  std::string text;
  std::vector<TemplateCommand> pipeline;
};

struct Template {
  std::string source;
  std::vector<TemplateNode> nodes;
};

// What an alert's templates can see.
struct TemplateData {
  std::map<std::string, std::string> labels;
  double value = 0;
  std::map<std::string, std::string> external_labels;
};

// InvalidArgument naming what is wrong (unbalanced braces, unknown function or variable, bad
// argument count, bad printf format or a printf whose verb and value counts differ); the caller
// adds the file position.
Result<Template> ParseTemplate(std::string_view text);

// Renders the template; missing labels expand to "" (Prometheus runs with missingkey=zero).
// Fails only when a string that is not a number reaches a numeric function, or a value's type
// does not suit its printf verb (a label string for %f, $value for %s or %q).
Result<std::string> Expand(const Template& tmpl, const TemplateData& data);

}  // namespace vigil::rules
