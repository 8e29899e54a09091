// RuleService: runs the collector's alerting and recording rules in real time. Once per group
// interval it samples the merged series the rules select (SeriesSampler) into a SampleStore,
// evaluates the due groups (RuleEngine), hands alerts that are due to the AlertSink
// (Alertmanager notifier), saves alert state, and trims samples no rule can reach any more.
// Recording-rule results and ALERTS/ALERTS_FOR_STATE are rendered for the Prometheus page.
// Lifetime: created by the Collector, Start once, Stop once (Stop is idempotent).
// Threading: one evaluation thread owns the schedule; `mu_` guards the engine, which reload
// (main thread) swaps and scrapes (server threads) read through Render*/Collect.
#pragma once

#include <prometheus/collectable.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/eval/sample_store.h"
#include "collector/rules/service/series_sampler.h"
#include "core/status.h"
#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::rules {

struct RuleServiceOptions {
  std::vector<std::string> files;  // paths or globs, already resolved against the config's dir
  std::chrono::milliseconds evaluation_interval{15000};
  std::chrono::milliseconds lookback{300000};
  std::chrono::milliseconds resend_delay{60000};
  std::string state_file;  // empty: state is not kept across restarts
  eval::Labels external_labels;
};

// An alert due to be sent, with the times Alertmanager's v2 API wants.
struct OutgoingAlert {
  Alert alert;
  int64_t starts_at_ms = 0;  // when it started firing
  int64_t ends_at_ms = 0;    // resolved_at, or how long the alert stays valid unless resent
};

// Receives the alerts due after each evaluation (on the evaluation thread); must not block.
using AlertSink = std::function<void(std::vector<OutgoingAlert>)>;

struct RuleServiceStats {
  std::atomic<uint64_t> evaluations{0};       // group evaluations
  std::atomic<uint64_t> rule_failures{0};     // rule evaluations that failed
  std::atomic<uint64_t> missed_iterations{0}; // ticks skipped because evaluation ran late
  std::atomic<uint64_t> samples_sampled{0};   // merged-series samples copied in
  std::atomic<uint64_t> alerts_sent{0};       // handed to the sink
  std::atomic<uint64_t> reloads{0};
  std::atomic<uint64_t> reload_failures{0};
  std::atomic<int64_t> last_cycle_ns{0};      // sampling + evaluation of the last tick
};

class RuleService {
 public:
  // Expands globs, loads and compiles the rule files. Errors name file:line:col.
  static Result<std::unique_ptr<RuleService>> Create(const aggregate::SeriesStore& store,
                                                     exporters::PrometheusOptions page_options,
                                                     RuleServiceOptions options, AlertSink sink);
  ~RuleService();
  RuleService(const RuleService&) = delete;
  RuleService& operator=(const RuleService&) = delete;

  // Restores saved alert state (a corrupt file is logged and skipped), starts the thread.
  Status Start();
  // The restoring half of Start, for tests that drive EvaluateAt themselves.
  void RestoreState();
  // Stops the thread and saves alert state.
  void Stop();

  // Loads the files named in `options` (the config may have changed them); on success the new
  // rules take over, keeping the state of alerts whose rule still exists. On error the running
  // rules stay and the Status says why.
  Status Reload(RuleServiceOptions options);

  // One tick at t_ms: sample, evaluate every group, send, save. The thread calls this; tests
  // call it directly on a service that was not started.
  void EvaluateAt(int64_t t_ms);

  // Recording-rule results and ALERTS/ALERTS_FOR_STATE from the last evaluations, in the text
  // exposition format (appended to the Prometheus page).
  std::string RenderRuleSeries() const;
  // Self-metrics for the admin /metrics.
  std::shared_ptr<prometheus::Collectable> MakeCollectable() const;

  std::vector<Alert> Alerts() const;
  size_t rule_count() const;
  const RuleServiceStats& stats() const { return stats_; }
  eval::SampleStoreStats sample_stats() const { return samples_.stats(); }

 private:
  RuleService(const aggregate::SeriesStore& store, exporters::PrometheusOptions page_options,
              RuleServiceOptions options, AlertSink sink);
  // Builds the engine state derived from compiled groups (selected names, retention, outputs).
  void Install(std::unique_ptr<RuleEngine> engine);
  void Run();
  size_t RuleCountLocked() const;

  SeriesSampler sampler_;
  AlertSink sink_;
  RuleServiceStats stats_;
  eval::SampleStore samples_;

  mutable std::mutex mu_;  // guards everything below
  RuleServiceOptions options_;
  std::unique_ptr<RuleEngine> engine_;
  SelectedNames selected_;
  std::unordered_set<std::string> output_names_;  // record names, ALERTS, ALERTS_FOR_STATE
  int64_t retention_ms_ = 0;
  std::vector<int64_t> next_eval_ms_;  // per group
  int64_t last_eval_ms_ = 0;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Expands the globs in `patterns` (sorted matches each); a pattern without wildcards is kept
// as is so a missing file is reported by the loader. A glob matching nothing adds nothing
// (as in Prometheus) and is logged.
Result<std::vector<std::string>> ExpandRuleFileGlobs(const std::vector<std::string>& patterns);

}  // namespace vigil::rules
