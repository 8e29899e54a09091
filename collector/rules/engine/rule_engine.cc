// RuleEngine evaluation: recording rules, the alert state machine of Prometheus 2.42
// (rules/alerting.go: pending -> firing after `for`, keep_firing_for, resolved alerts kept for
// resolved_retention), ALERTS / ALERTS_FOR_STATE and stale markers (rules/manager.go).
#include "collector/rules/engine/rule_engine.h"

#include <algorithm>
#include <tuple>

#include "collector/rules/engine/rule_state.h"

namespace vigil::rules {
namespace {

constexpr std::string_view kAlertsMetric = "ALERTS";
constexpr std::string_view kForStateMetric = "ALERTS_FOR_STATE";
constexpr std::string_view kAlertNameLabel = "alertname";
constexpr std::string_view kAlertStateLabel = "alertstate";

std::map<std::string, std::string> ToMap(const eval::Labels& labels) {
  return {labels.begin(), labels.end()};
}

// Prometheus renders a failed expansion into the value instead of failing the rule.
std::string ExpandOrError(const Template& tmpl, const TemplateData& data) {
  Result<std::string> s = Expand(tmpl, data);
  return s.ok() ? std::move(*s) : "<error expanding template: " + s.status().message() + ">";
}

// The query function's contract in Prometheus: a scalar becomes one sample without labels.
Result<eval::Vector> AsVector(eval::Value value, int64_t t_ms) {
  if (auto* v = std::get_if<eval::Vector>(&value)) return std::move(*v);
  if (auto* s = std::get_if<eval::Scalar>(&value)) {
    eval::Sample one;
    one.v = s->v;
    one.t_ms = t_ms;
    return eval::Vector{std::move(one)};
  }
  return Status::InvalidArgument("rule result is not a vector or scalar");
}

int64_t FloorSeconds(int64_t ms) { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }

// ALERTS and ALERTS_FOR_STATE start from the rule's unexpanded labels and lay the alert's labels
// over them, as rules/alerting.go does.
eval::Labels AlertSeriesLabels(const Rule& rule, const Alert& alert, std::string_view metric) {
  eval::Labels out;
  for (const auto& [name, value] : rule.labels) eval::SetLabel(out, name, value.text);
  for (const auto& [name, value] : alert.labels) eval::SetLabel(out, name, value);
  eval::SetLabel(out, eval::kMetricNameLabel, metric);
  return out;
}

}  // namespace

std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
    case AlertState::kInactive:
      break;
  }
  return "inactive";
}

RuleEngine::RuleEngine(std::vector<CompiledGroup> groups, EngineOptions options)
    : groups_(std::move(groups)), options_(std::move(options)) {
  state_.resize(groups_.size());
  orphaned_series_.resize(groups_.size());
  for (size_t g = 0; g < groups_.size(); ++g) {
    state_[g].resize(groups_[g].rules.size());
    for (size_t r = 0; r < groups_[g].rules.size(); ++r) {
      state_[g][r].health.group = groups_[g].name;
      state_[g][r].health.name = groups_[g].rules[r].rule.name;
    }
  }
}

RuleEngine::~RuleEngine() = default;

GroupEvalResult RuleEngine::EvalGroup(size_t g, int64_t t_ms, eval::SampleStore& store) {
  GroupEvalResult result;
  if (g >= groups_.size()) return result;
  auto group_start = std::chrono::steady_clock::now();
  const CompiledGroup& group = groups_[g];

  for (const eval::Labels& series : orphaned_series_[g]) {
    if (store.Append(series, t_ms, eval::StaleNaN()).ok()) ++result.samples_written;
  }
  orphaned_series_[g].clear();

  for (size_t r = 0; r < group.rules.size(); ++r) {
    auto rule_start = std::chrono::steady_clock::now();
    const CompiledRule& rule = group.rules[r];
    RuleState& st = state_[g][r];
    eval::Vector out;
    Status status = rule.rule.kind == Rule::Kind::kRecording
                        ? EvalRecording(rule, group.limit, t_ms, store, &out)
                        : EvalAlerting(g, r, t_ms, store, &out);
    st.health.last_eval_ms = t_ms;
    st.health.ok = status.ok();
    st.health.last_error = status.ok() ? "" : status.message();
    if (status.ok()) {
      // Like Prometheus, a failed evaluation leaves the previous series alone: no stale markers
      // until the rule produces a result again.
      std::set<eval::Labels> returned;
      for (const eval::Sample& s : out) {
        Status appended =
            s.h ? store.AppendHistogram(s.labels, t_ms, s.h) : store.Append(s.labels, t_ms, s.v);
        if (!appended.ok()) {
          st.health.ok = false;
          st.health.last_error = appended.message();
          continue;
        }
        ++result.samples_written;
        returned.insert(s.labels);
      }
      for (const eval::Labels& prev : st.series_prev) {
        if (returned.count(prev)) continue;
        if (store.Append(prev, t_ms, eval::StaleNaN()).ok()) ++result.samples_written;
      }
      st.series_prev = std::move(returned);
    }
    if (!st.health.ok) ++result.rules_failed;
    st.health.last_samples = status.ok() ? out.size() : 0;
    st.health.last_duration = std::chrono::steady_clock::now() - rule_start;
  }
  result.duration = std::chrono::steady_clock::now() - group_start;
  return result;
}

Status RuleEngine::EvalRecording(const CompiledRule& rule, int64_t limit, int64_t t_ms,
                                 const eval::SampleStore& store, eval::Vector* out) const {
  Result<eval::Value> value = eval::Evaluate(*rule.expr, t_ms, store, options_.eval);
  if (!value.ok()) return value.status();
  Result<eval::Vector> vec = AsVector(std::move(*value), t_ms);
  if (!vec.ok()) return vec.status();
  for (eval::Sample& s : *vec) {
    eval::SetLabel(s.labels, eval::kMetricNameLabel, rule.rule.name);
    for (const auto& [name, value] : rule.rule.labels) eval::SetLabel(s.labels, name, value.text);
    s.t_ms = t_ms;
  }
  std::vector<const eval::Labels*> sorted;
  sorted.reserve(vec->size());
  for (const eval::Sample& s : *vec) sorted.push_back(&s.labels);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a < *b; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (*sorted[i] == *sorted[i - 1]) {
      return Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying rule labels");
    }
  }
  if (limit > 0 && vec->size() > static_cast<size_t>(limit)) {
    return Status::InvalidArgument("exceeded limit of " + std::to_string(limit) + " with " +
                                   std::to_string(vec->size()) + " series");
  }
  *out = std::move(*vec);
  return Status::Ok();
}

Status RuleEngine::EvalAlerting(size_t g, size_t r, int64_t t_ms, const eval::SampleStore& store,
                                eval::Vector* out) {
  const CompiledGroup& group = groups_[g];
  const CompiledRule& rule = group.rules[r];
  const int64_t interval_ms = group.interval.count();
  RuleState& st = state_[g][r];
  Result<eval::Value> value = eval::Evaluate(*rule.expr, t_ms, store, options_.eval);
  if (!value.ok()) return value.status();
  Result<eval::Vector> vec = AsVector(std::move(*value), t_ms);
  if (!vec.ok()) return vec.status();

  // This evaluation's alerts by identity; nothing in the rule's state changes until the whole
  // result has been checked for clashing label sets.
  std::map<eval::Labels, TrackedAlert> fresh;
  TemplateData data;
  data.external_labels = ToMap(options_.external_labels);
  for (const eval::Sample& s : *vec) {
    data.labels = ToMap(s.labels);
    data.value = s.h ? 0 : s.v;
    Alert a;
    a.group = group.name;
    a.alertname = rule.rule.name;
    a.expr = rule.rule.expr;
    a.labels = eval::DropMetricName(s.labels);
    for (const auto& [name, tv] : rule.rule.labels) {
      eval::SetLabel(a.labels, name, ExpandOrError(tv.tmpl, data));
    }
    eval::SetLabel(a.labels, kAlertNameLabel, rule.rule.name);
    for (const auto& [name, tv] : rule.rule.annotations) {
      a.annotations.emplace_back(name, ExpandOrError(tv.tmpl, data));  // std::map: sorted
    }
    a.value = data.value;
    a.state = AlertState::kPending;
    a.active_at_ms = t_ms;
    eval::Labels key = a.labels;
    if (!fresh.emplace(std::move(key), TrackedAlert{std::move(a), false}).second) {
      return Status::InvalidArgument(
          "vector contains metrics with the same labelset after applying alert labels");
    }
  }

  for (auto& [labels, tracked] : fresh) {
    auto it = st.active.find(labels);
    if (it != st.active.end() && it->second.alert.state != AlertState::kInactive) {
      it->second.alert.value = tracked.alert.value;
      it->second.alert.annotations = tracked.alert.annotations;
      continue;
    }
    st.active[labels] = tracked;  // new, or a resolved alert that came back: pending again
  }

  const int64_t hold_ms = rule.rule.for_duration.count();
  const int64_t keep_ms = rule.rule.keep_firing_for.count();
  const int64_t retention_ms = options_.resolved_retention.count();
  size_t active_count = 0;
  for (auto it = st.active.begin(); it != st.active.end();) {
    Alert& a = it->second.alert;
    a.last_eval_ms = t_ms;
    TrackedAlert& tracked = it->second;
    bool held = false;
    if (tracked.restored && !fresh.count(it->first)) {
      if (tracked.hold_until_ms < 0) {
        tracked.hold_until_ms =
            t_ms + promql::LookbehindMs(*rule.expr, options_.eval.lookback_ms) + interval_ms;
      }
      held = t_ms < tracked.hold_until_ms;
    }
    if (!held) tracked.restored = false;
    if (held) {
      // Shown and counted as it was; the `for` clock of a pending one keeps running below.
    } else if (!fresh.count(it->first)) {
      bool keep_firing = false;
      if (a.state == AlertState::kFiring && keep_ms > 0) {
        if (a.keep_firing_since_ms == 0) a.keep_firing_since_ms = t_ms;
        keep_firing = t_ms - a.keep_firing_since_ms < keep_ms;
      }
      // Pending alerts vanish; resolved ones stay for resolved_retention so that notifiers
      // keep telling Alertmanager they are resolved.
      bool remove = a.state == AlertState::kPending ||
                    (a.state == AlertState::kInactive && t_ms - a.resolved_at_ms > retention_ms);
      if (a.state != AlertState::kInactive && !keep_firing) {
        a.state = AlertState::kInactive;
        a.resolved_at_ms = t_ms;
      }
      if (remove) {
        it = st.active.erase(it);
        continue;
      }
      if (!keep_firing) {
        ++it;
        continue;
      }
    } else {
      a.keep_firing_since_ms = 0;
    }
    ++active_count;
    if (a.state == AlertState::kPending && t_ms - a.active_at_ms >= hold_ms) {
      a.state = AlertState::kFiring;
      a.fired_at_ms = t_ms;
    }
    eval::Sample alerts_sample;
    alerts_sample.labels = AlertSeriesLabels(rule.rule, a, kAlertsMetric);
    eval::SetLabel(alerts_sample.labels, kAlertStateLabel, AlertStateName(a.state));
    alerts_sample.v = 1;
    alerts_sample.t_ms = t_ms;
    out->push_back(std::move(alerts_sample));
    eval::Sample for_state;
    for_state.labels = AlertSeriesLabels(rule.rule, a, kForStateMetric);
    for_state.v = static_cast<double>(FloorSeconds(a.active_at_ms));
    for_state.t_ms = t_ms;
    out->push_back(std::move(for_state));
    ++it;
  }

  if (group.limit > 0 && active_count > static_cast<size_t>(group.limit)) {
    st.active.clear();
    out->clear();
    return Status::InvalidArgument("exceeded limit of " + std::to_string(group.limit) + " with " +
                                   std::to_string(active_count) + " alerts");
  }
  return Status::Ok();
}

std::vector<Alert> RuleEngine::Alerts() const {
  std::vector<Alert> out;
  for (const auto& rules : state_) {
    for (const RuleState& st : rules) {
      for (const auto& [labels, tracked] : st.active) out.push_back(tracked.alert);
    }
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return std::tie(a.group, a.alertname, a.labels) < std::tie(b.group, b.alertname, b.labels);
  });
  return out;
}

std::vector<Alert> RuleEngine::TakeAlertsToSend(int64_t t_ms,
                                                std::chrono::milliseconds resend_delay) {
  std::vector<Alert> out;
  const int64_t retention_ms = options_.resolved_retention.count();
  for (auto& rules : state_) {
    for (RuleState& st : rules) {
      for (auto& [labels, tracked] : st.active) {
        Alert& a = tracked.alert;
        if (a.state == AlertState::kPending) continue;
        bool resolved = a.state == AlertState::kInactive;
        if (resolved && t_ms - a.resolved_at_ms > retention_ms) continue;
        // Alert.needsSending: never sent, resolved since the last send, or the resend delay has
        // strictly passed.
        bool send = !tracked.sent || (resolved && a.resolved_at_ms > a.last_sent_ms) ||
                    a.last_sent_ms + resend_delay.count() < t_ms;
        if (!send) continue;
        tracked.sent = true;
        a.last_sent_ms = t_ms;
        out.push_back(a);
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return std::tie(a.group, a.alertname, a.labels) < std::tie(b.group, b.alertname, b.labels);
  });
  return out;
}

std::vector<RuleHealth> RuleEngine::Health() const {
  std::vector<RuleHealth> out;
  for (const auto& rules : state_) {
    for (const RuleState& st : rules) out.push_back(st.health);
  }
  return out;
}

}  // namespace vigil::rules
