// The rule subcommands of vigil-collector: `check-rules FILE...` validates rule files the way
// start-up does, `test-rules FILE...` runs promtool-format rule unit tests against vigil's
// engine. Each prints a promtool-like report and returns the process exit code
// (0 ok, 1 a file failed, 2 usage). Stateless; called once from main.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vigil::rules {

int RunCheckRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunTestRules(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace vigil::rules
