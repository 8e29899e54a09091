#include "collector/rules/service/rule_commands.h"

#include <chrono>

#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/unit_test/rule_test_runner.h"

namespace vigil::rules {
namespace {

// Returns true (and prints usage) when the arguments ask for help or name no file.
bool Usage(const std::vector<std::string>& args, const char* command, const char* what,
           std::ostream& out, std::ostream& err, int* code) {
  const bool help = !args.empty() && (args[0] == "--help" || args[0] == "-h");
  if (!help && !args.empty()) return false;
  std::ostream& os = help ? out : err;
  os << "Usage: vigil-collector " << command << " FILE...\n\n" << what << "\n";
  *code = help ? 0 : 2;
  return true;
}

}  // namespace

int RunCheckRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  int code = 0;
  if (Usage(args, "check-rules",
            "Checks Prometheus rule files as start-up does: YAML structure, unknown fields,\n"
            "PromQL (vigil's subset; anything else is named with its position), templates,\n"
            "durations and duplicate group names. Exits 1 if any file fails.",
            out, err, &code)) {
    return code;
  }
  for (const std::string& file : args) {
    if (!file.empty() && file[0] == '-') {
      err << "check-rules: unknown option " << file << "\n";
      return 2;
    }
    out << "Checking " << file << "\n";
    Result<std::vector<CompiledGroup>> groups =
        LoadAndCompileRules({file}, std::chrono::minutes(1));
    if (!groups.ok()) {
      out << "  FAILED:\n" << groups.status().message() << "\n\n";
      code = 1;
      continue;
    }
    size_t rules = 0;
    for (const CompiledGroup& g : *groups) rules += g.rules.size();
    out << "  SUCCESS: " << rules << " rules found\n\n";
  }
  return code;
}

int RunTestRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  int code = 0;
  if (Usage(args, "test-rules",
            "Runs rule unit-test files in promtool's format (rule_files, evaluation_interval,\n"
            "input_series, alert_rule_test, promql_expr_test) against vigil's rule engine.\n"
            "Exits 1 if any test fails.",
            out, err, &code)) {
    return code;
  }
  for (const std::string& file : args) {
    if (!file.empty() && file[0] == '-') {
      err << "test-rules: unknown option " << file << "\n";
      return 2;
    }
  }
  RuleTestReport report = RunRuleTestFiles(args);
  out << report.text;
  return report.passed ? 0 : 1;
}

}  // namespace vigil::rules
