// The on-disk form of RuleEngine alert state: a versioned JSON document listing each alert with
// the rule it belongs to (group, alert name, ordinal among same-named rules), its labels,
// annotations, value, state and timestamps. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/engine/rule_engine.h"
#include "core/status.h"

namespace vigil::rules {

inline constexpr int kAlertStateVersion = 1;

struct PersistedAlert {
  std::string group;
  std::string rule;
  int rule_index = 0;  // which of the group's alerting rules named `rule` (usually 0)
  Alert alert;         // labels, annotations, value, state and the *_at_ms times are kept
};

// {"version":1,"alerts":[{"group":..,"rule":..,"rule_index":0,"labels":{..},
//   "annotations":{..},"value":"1.5","state":"firing","active_at_ms":..,"fired_at_ms":..,
//   "resolved_at_ms":..,"keep_firing_since_ms":..}]}. `value` is a string so NaN and
// infinities survive.
std::string EncodeAlertState(const std::vector<PersistedAlert>& alerts);

// InvalidArgument "alert state: <what>" for anything that is not such a document (bad JSON,
// another version, a missing or mistyped field, an unknown state).
Result<std::vector<PersistedAlert>> DecodeAlertState(std::string_view document);

}  // namespace vigil::rules
