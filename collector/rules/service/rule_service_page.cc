// The parts of RuleService that other threads read: the rule series shown on the Prometheus
// page and the self-metrics.
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "collector/rules/service/rule_service.h"
#include "core/telemetry/callback_collectable.h"

namespace vigil::rules {

std::string RuleService::RenderRuleSeries() const {
  std::unordered_set<std::string> names;
  int64_t since = 0;
  {
    std::lock_guard lock(mu_);
    if (last_eval_ms_ == 0) return "";
    names = output_names_;
    int64_t longest = 0;
    for (const CompiledGroup& g : engine_->groups()) {
      longest = std::max<int64_t>(longest, g.interval.count());
    }
    // A series the last evaluation of its group wrote: anything older is gone (its group
    // would have written a stale marker, or the rule was removed by a reload).
    since = last_eval_ms_ - longest;
  }
  std::map<std::string, prometheus::MetricFamily> families;
  samples_.VisitLatest(since, [&](const eval::Labels& labels, const eval::Sample& s) {
    if (s.h || eval::IsStaleNaN(s.v)) return;
    const std::string name(eval::LabelValue(labels, eval::kMetricNameLabel));
    if (names.count(name) == 0) return;
    prometheus::MetricFamily& f = families[name];
    if (f.name.empty()) {
      f.name = name;
      f.help = name == "ALERTS"             ? "Pending and firing alerts (1 per alert)."
               : name == "ALERTS_FOR_STATE" ? "When each active alert became pending (seconds)."
                                            : "Recording rule " + name + ".";
      f.type = prometheus::MetricType::Gauge;
    }
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) {
      if (k != eval::kMetricNameLabel) m.label.push_back({k, v});
    }
    m.gauge.value = s.v;
    f.metric.push_back(std::move(m));
  });
  std::vector<prometheus::MetricFamily> out;
  for (auto& [name, f] : families) {
    std::sort(f.metric.begin(), f.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
    out.push_back(std::move(f));
  }
  if (out.empty()) return "";
  std::ostringstream os;
  prometheus::TextSerializer().Serialize(os, out);
  return os.str();
}

std::shared_ptr<prometheus::Collectable> RuleService::MakeCollectable() const {
  using prometheus::MetricType;
  using telemetry::FamilyBuilder;
  return std::make_shared<telemetry::CallbackCollectable>([this](auto& out) {
    auto v = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
    auto counter = [&](const char* name, const char* help, double value) {
      out.push_back(FamilyBuilder(name, help, MetricType::Counter).Add(value).Build());
    };
    auto gauge = [&](const char* name, const char* help, double value) {
      out.push_back(FamilyBuilder(name, help, MetricType::Gauge).Add(value).Build());
    };
    counter("vigil_rule_group_evaluations_total", "Rule group evaluations.",
            v(stats_.evaluations));
    counter("vigil_rule_evaluation_failures_total",
            "Rule evaluations that failed (runtime error or limit).", v(stats_.rule_failures));
    counter("vigil_rule_group_iterations_missed_total",
            "Evaluation ticks skipped because the previous one ran late.",
            v(stats_.missed_iterations));
    counter("vigil_rule_samples_sampled_total",
            "Samples of merged series copied in for rule evaluation.", v(stats_.samples_sampled));
    counter("vigil_rule_alerts_sent_total", "Alerts handed to the notifier.",
            v(stats_.alerts_sent));
    counter("vigil_rule_reloads_total", "Rule reloads (SIGHUP).", v(stats_.reloads));
    counter("vigil_rule_reload_failures_total",
            "Rule reloads refused (the previous rules kept running).", v(stats_.reload_failures));
    gauge("vigil_rule_last_cycle_seconds",
          "Sampling plus evaluation time of the last evaluation tick.",
          static_cast<double>(stats_.last_cycle_ns.load(std::memory_order_relaxed)) / 1e9);
    const eval::SampleStoreStats s = samples_.stats();
    gauge("vigil_rule_retained_series", "Series held for rule evaluation.",
          static_cast<double>(s.series));
    gauge("vigil_rule_retained_samples", "Samples held for rule evaluation.",
          static_cast<double>(s.float_samples + s.histogram_samples));
    gauge("vigil_rule_retained_bytes", "Estimated heap bytes of the held samples.",
          static_cast<double>(s.bytes));
    FamilyBuilder alerts("vigil_rule_alerts", "Alerts by state.", MetricType::Gauge);
    FamilyBuilder failing("vigil_rule_health_failing",
                          "1 when the rule's last evaluation failed.", MetricType::Gauge);
    double pending = 0, firing = 0;
    {
      std::lock_guard lock(mu_);
      for (const Alert& a : engine_->Alerts()) {
        if (a.state == AlertState::kPending) ++pending;
        if (a.state == AlertState::kFiring) ++firing;
      }
      for (const RuleHealth& h : engine_->Health()) {
        failing.Add(h.ok ? 0 : 1, {{"group", h.group}, {"rule", h.name}});
      }
    }
    out.push_back(alerts.Add(pending, {{"state", "pending"}}).Add(firing, {{"state", "firing"}})
                      .Build());
    out.push_back(failing.Build());
  });
}

}  // namespace vigil::rules
