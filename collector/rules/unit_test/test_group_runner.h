// Runs one test group of a rule unit-test file the way `promtool test rules` does: input
// samples go into a fresh SampleStore, every rule group is evaluated at each
// evaluation_interval step from 0 to the latest eval_time, firing alerts are compared at their
// eval_time, then each PromQL expression is evaluated and compared. Stateless function; each
// call owns its store and engine, so calls may run on different threads.
#pragma once

#include <string>
#include <vector>

#include "collector/rules/unit_test/rule_test_file.h"

namespace vigil::rules {

// The failures of `group`, each a promtool-style block ("    alertname: X, time: 5m, \n
// exp:..., \n        got:..."); empty when everything passed. Rule files are loaded here,
// per test group, so their errors are failures of the group as in promtool.
std::vector<std::string> RunTestGroup(const RuleTestFile& file, const TestGroup& group);

// Whether two sample values are equal for a test: exactly, or one ULP apart (promtool's fuzzy
// comparison, so a different but correct summation order is not a failure). NaN matches
// nothing, as in promtool.
bool TestValuesMatch(double expected, double got);

}  // namespace vigil::rules
