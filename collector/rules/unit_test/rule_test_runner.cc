#include "collector/rules/unit_test/rule_test_runner.h"

#include "collector/rules/unit_test/rule_test_file.h"
#include "collector/rules/unit_test/test_group_runner.h"

namespace vigil::rules {

RuleTestReport RunRuleTestFiles(const std::vector<std::string>& paths) {
  RuleTestReport report;
  for (const std::string& path : paths) {
    std::string& out = report.text;
    out += "Unit Testing:  " + path + "\n";
    std::vector<std::string> errs;
    Result<RuleTestFile> file = LoadRuleTestFile(path);
    if (!file.ok()) {
      errs.push_back(file.status().message());
    } else {
      // promtool warns on stderr and goes on; the report is a single text here.
      for (const std::string& p : file->unmatched_patterns) {
        out += "  WARNING: no file match pattern " + p + "\n";
      }
      for (const TestGroup& group : file->tests) {
        std::vector<std::string> group_errs = RunTestGroup(*file, group);
        errs.insert(errs.end(), group_errs.begin(), group_errs.end());
      }
    }
    if (errs.empty()) {
      out += "  SUCCESS\n";
    } else {
      report.passed = false;
      out += "  FAILED:\n";
      for (const std::string& e : errs) out += e + "\n\n";
    }
    out += "\n";
  }
  return report;
}

}  // namespace vigil::rules
