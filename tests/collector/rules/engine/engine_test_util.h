// Helpers shared by the rule engine tests: a scratch directory, compiling rule-file text written
// to a real file, and reading what the engine wrote into a SampleStore. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/eval/sample_store.h"
#include "tests/support/temp_dir.h"

namespace vigil::rules::testing {

using ::vigil::testing::TempDir;

inline constexpr std::chrono::milliseconds kInterval{60000};
inline constexpr int64_t kMinute = 60000;

// Writes `yaml` to `dir`/rules.yaml and loads and compiles it.
inline Result<std::vector<CompiledGroup>> CompileText(const TempDir& dir, const std::string& yaml,
                                                      const std::string& name = "rules.yaml") {
  return LoadAndCompileRules({dir.Write(name, yaml)}, kInterval);
}

inline eval::Labels L(std::initializer_list<std::pair<std::string, std::string>> l) {
  eval::Labels out(l.begin(), l.end());
  std::sort(out.begin(), out.end());
  return out;
}

// Every series of metric `name` with a sample exactly at t_ms, by LabelsToString; stale
// markers included (check with eval::IsStaleNaN).
inline std::map<std::string, double> At(const eval::SampleStore& store, const std::string& name,
                                        int64_t t_ms) {
  promql::LabelMatcher m;
  m.name = "__name__";
  m.value = name;
  eval::Matrix series;
  store.Select({m}, t_ms, t_ms, &series);
  std::map<std::string, double> out;
  for (const eval::Series& s : series) {
    for (const eval::FloatPoint& p : s.floats) {
      if (p.t_ms == t_ms) out[eval::LabelsToString(s.labels)] = p.v;
    }
  }
  return out;
}

// Only the live (non-stale) samples of At().
inline std::map<std::string, double> LiveAt(const eval::SampleStore& store, const std::string& name,
                                            int64_t t_ms) {
  std::map<std::string, double> out;
  for (const auto& [k, v] : At(store, name, t_ms)) {
    if (!eval::IsStaleNaN(v)) out[k] = v;
  }
  return out;
}

// Only the stale markers of At().
inline std::vector<std::string> StaleAt(const eval::SampleStore& store, const std::string& name,
                                        int64_t t_ms) {
  std::vector<std::string> out;
  for (const auto& [k, v] : At(store, name, t_ms)) {
    if (eval::IsStaleNaN(v)) out.push_back(k);
  }
  return out;
}

}  // namespace vigil::rules::testing
