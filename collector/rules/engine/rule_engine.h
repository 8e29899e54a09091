// RuleEngine: evaluates compiled Prometheus rule groups over a SampleStore and keeps alert
// state as Prometheus does (inactive -> pending -> firing -> resolved, `for` and
// keep_firing_for), writing recording-rule results, ALERTS and ALERTS_FOR_STATE back into the
// store. Both the collector's rule loop (real time) and `vigil-collector test-rules` (simulated
// time) drive it. Alert state can be saved and restored (restart) or inherited (reload).
// Not thread-safe: one owner thread calls everything; copy out what other threads need.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collector/rules/eval/evaluator.h"
#include "collector/rules/eval/sample_store.h"
#include "collector/rules/promql/ast.h"
#include "collector/rules/rule_file/rule_group.h"
#include "core/status.h"

namespace vigil::rules {

struct CompiledRule {
  Rule rule;  // as loaded
  promql::ExprPtr expr;
};

struct CompiledGroup {
  std::string name;
  SourcePosition pos;
  std::chrono::milliseconds interval{0};  // the group's own, or the default it was compiled with
  int64_t limit = 0;
  std::vector<CompiledRule> rules;
};

// Parses every rule's expression. Errors are InvalidArgument "file:line:col: <what>" with the
// position inside the file of the offending token (expr_pos plus the parser's line:col).
Result<std::vector<CompiledGroup>> CompileRuleGroups(std::vector<RuleGroup> groups,
                                                     std::chrono::milliseconds default_interval);

// LoadRuleFiles + CompileRuleGroups: what check-rules, test-rules, start-up and reload use.
Result<std::vector<CompiledGroup>> LoadAndCompileRules(const std::vector<std::string>& paths,
                                                       std::chrono::milliseconds default_interval);

enum class AlertState { kInactive, kPending, kFiring };
std::string_view AlertStateName(AlertState s);  // "inactive", "pending", "firing"

struct Alert {
  std::string group;
  std::string alertname;
  eval::Labels labels;       // sample labels minus __name__, + expanded rule labels, + alertname
  eval::Labels annotations;  // expanded
  double value = 0;
  AlertState state = AlertState::kInactive;
  int64_t active_at_ms = 0;          // when it became pending
  int64_t fired_at_ms = 0;           // 0 until firing
  int64_t resolved_at_ms = 0;        // 0 while active
  int64_t keep_firing_since_ms = 0;  // 0 unless held firing by keep_firing_for
  int64_t last_sent_ms = 0;          // set by TakeAlertsToSend
  int64_t last_eval_ms = 0;
  std::string expr;  // the rule's expression (for generatorURL)
};

struct RuleHealth {
  std::string group;
  std::string name;  // alert or record name
  bool ok = true;
  std::string last_error;  // empty when ok
  int64_t last_eval_ms = 0;
  std::chrono::nanoseconds last_duration{0};
  size_t last_samples = 0;  // series produced by the last evaluation
};

struct EngineOptions {
  eval::Labels external_labels;  // $externalLabels in templates
  eval::EvalOptions eval;
  std::chrono::milliseconds resolved_retention{15 * 60 * 1000};  // resolved alerts still sent
  // A restored alert the expression does not return is held (not resolved, not dropped) for
  // the expression's lookbehind plus the group interval after the first evaluation following
  // RestoreState: the time the data it needs takes to come back after a restart.
  bool hold_restored_alerts = true;
};

struct GroupEvalResult {
  size_t samples_written = 0;  // recording results + ALERTS + ALERTS_FOR_STATE (+ stale markers)
  size_t rules_failed = 0;
  std::chrono::nanoseconds duration{0};
};

class RuleEngine {
 public:
  RuleEngine(std::vector<CompiledGroup> groups, EngineOptions options);
  ~RuleEngine();
  RuleEngine(const RuleEngine&) = delete;
  RuleEngine& operator=(const RuleEngine&) = delete;

  const std::vector<CompiledGroup>& groups() const { return groups_; }

  // Evaluates group `g`'s rules in file order at t_ms. A failing rule (runtime error, limit
  // exceeded) records its error in Health() and the others still run, as in Prometheus.
  GroupEvalResult EvalGroup(size_t g, int64_t t_ms, eval::SampleStore& store);

  // Pending and firing alerts, plus resolved ones within resolved_retention; sorted by
  // (group, alertname, labels).
  std::vector<Alert> Alerts() const;

  // What a notifier should send at t_ms: firing alerts not sent within `resend_delay`, and
  // resolved alerts (each until resolved_retention passes, also at most once per
  // resend_delay). Marks them sent.
  std::vector<Alert> TakeAlertsToSend(int64_t t_ms, std::chrono::milliseconds resend_delay);

  std::vector<RuleHealth> Health() const;

  // Alert state as a versioned text document (active_at, fired_at, keep_firing_since, resolved_at
  // per alert, keyed by group, rule and labels).
  std::string SerializeState() const;
  // Restores what SerializeState wrote, for rules that still exist; entries of unknown rules
  // are ignored. InvalidArgument for a corrupt document (nothing restored then).
  Status RestoreState(std::string_view document);
  // Takes over the alerts of `previous` whose (group, rule name) still exist (config reload).
  void InheritState(const RuleEngine& previous);

  // SerializeState written atomically (temp file, fsync, rename, fsync of the directory).
  Status SaveStateFile(const std::string& path) const;
  // RestoreState from `path`. A missing file is OK (nothing to restore); a corrupt one is
  // InvalidArgument naming the path.
  Status LoadStateFile(const std::string& path);

 private:
  struct RuleState;
  Status EvalRecording(const CompiledRule& rule, int64_t limit, int64_t t_ms,
                       const eval::SampleStore& store, eval::Vector* out) const;
  Status EvalAlerting(size_t g, size_t r, int64_t t_ms, const eval::SampleStore& store,
                      eval::Vector* out);

  std::vector<CompiledGroup> groups_;
  EngineOptions options_;
  std::vector<std::vector<RuleState>> state_;  // [group][rule]
  // Series written by rules a reload removed from a group that still exists: marked stale at
  // that group's next evaluation, as Prometheus does.
  std::vector<std::vector<eval::Labels>> orphaned_series_;  // [group]
};

}  // namespace vigil::rules
