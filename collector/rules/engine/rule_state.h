// RuleEngine's per-rule state (private to collector/rules/engine): the alerts of an alerting
// rule keyed by their labels, the series the rule wrote at its last evaluation (for stale
// markers) and its health. Owned by one RuleEngine; same thread rules as the engine.
#pragma once

#include <map>
#include <set>

#include "collector/rules/engine/rule_engine.h"

namespace vigil::rules {

struct TrackedAlert {
  Alert alert;
  // Prometheus keeps LastSentAt as a zero time until the first send; a flag keeps t=0 (used by
  // simulated-time tests) distinct from "never sent".
  bool sent = false;
  // Restored from saved state and not yet returned by the rule's expression since. Such an
  // alert is held as it was until `hold_until_ms`: after a restart the samples its expression
  // needs (a rate window, say) are still arriving, and resolving it for want of data would
  // undo the restore.
  bool restored = false;
  int64_t hold_until_ms = -1;  // set at the first evaluation after the restore
};

struct RuleEngine::RuleState {
  std::map<eval::Labels, TrackedAlert> active;  // alerting rules: pending, firing, resolved
  std::set<eval::Labels> series_prev;           // written by the last successful evaluation
  RuleHealth health;
};

// Finds rule `name` of `kind` in `group`, the `ordinal`-th of that name (several rules of one
// group may share a name); -1 when absent.
inline int FindRule(const CompiledGroup& group, Rule::Kind kind, const std::string& name,
                    int ordinal) {
  int seen = 0;
  for (size_t r = 0; r < group.rules.size(); ++r) {
    const Rule& rule = group.rules[r].rule;
    if (rule.kind != kind || rule.name != name) continue;
    if (seen++ == ordinal) return static_cast<int>(r);
  }
  return -1;
}

// How many rules of the same kind and name come before rule `r` of `group`.
inline int RuleOrdinal(const CompiledGroup& group, size_t r) {
  int n = 0;
  for (size_t k = 0; k < r; ++k) {
    const Rule& a = group.rules[k].rule;
    const Rule& b = group.rules[r].rule;
    if (a.kind == b.kind && a.name == b.name) ++n;
  }
  return n;
}

}  // namespace vigil::rules
