#include "collector/rules/service/rule_service.h"

#include <glob.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <utility>


namespace vigil::rules {
namespace {

constexpr std::string_view kAlertsMetric = "ALERTS";
constexpr std::string_view kAlertsForStateMetric = "ALERTS_FOR_STATE";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t AlignUp(int64_t t, int64_t step) { return (t / step + 1) * step; }

}  // namespace

Result<std::vector<std::string>> ExpandRuleFileGlobs(const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const std::string& p : patterns) {
    if (p.find_first_of("*?[") == std::string::npos) {
      out.push_back(p);
      continue;
    }
    glob_t g{};
    const int rc = glob(p.c_str(), 0, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    } else if (rc == GLOB_NOMATCH) {
      spdlog::warn("rules.files: \"{}\" matches no file", p);
    } else {
      globfree(&g);
      return Status::InvalidArgument("rules.files: cannot expand \"" + p + "\"");
    }
    globfree(&g);
  }
  return out;
}

RuleService::RuleService(const aggregate::SeriesStore& store,
                         exporters::PrometheusOptions page_options, RuleServiceOptions options,
                         AlertSink sink)
    : sampler_(store, std::move(page_options)),
      sink_(std::move(sink)),
      options_(std::move(options)) {}

RuleService::~RuleService() { Stop(); }

Result<std::unique_ptr<RuleService>> RuleService::Create(const aggregate::SeriesStore& store,
                                                         exporters::PrometheusOptions page_options,
                                                         RuleServiceOptions options,
                                                         AlertSink sink) {
  Result<std::vector<std::string>> files = ExpandRuleFileGlobs(options.files);
  if (!files.ok()) return files.status();
  Result<std::vector<CompiledGroup>> groups =
      LoadAndCompileRules(*files, options.evaluation_interval);
  if (!groups.ok()) return groups.status();
  EngineOptions eo;
  eo.external_labels = options.external_labels;
  eo.eval.lookback_ms = options.lookback.count();
  auto engine = std::make_unique<RuleEngine>(std::move(*groups), eo);
  std::unique_ptr<RuleService> service(
      new RuleService(store, std::move(page_options), std::move(options), std::move(sink)));
  std::lock_guard lock(service->mu_);
  service->Install(std::move(engine));
  return service;
}

void RuleService::Install(std::unique_ptr<RuleEngine> engine) {
  engine_ = std::move(engine);
  selected_ = CollectSelectedNames(engine_->groups());
  output_names_ = {std::string(kAlertsMetric), std::string(kAlertsForStateMetric)};
  int64_t reach = 0, longest_interval = 0;
  for (const CompiledGroup& g : engine_->groups()) {
    longest_interval = std::max<int64_t>(longest_interval, g.interval.count());
    for (const CompiledRule& r : g.rules) {
      reach = std::max(reach, promql::LookbehindMs(*r.expr, options_.lookback.count()));
      if (r.rule.kind == Rule::Kind::kRecording) output_names_.insert(r.rule.name);
    }
  }
  // Rules also read ALERTS and recording results written one interval earlier.
  retention_ms_ = reach + longest_interval;
  // Groups keep their schedule across a reload when they keep their interval; new ones start
  // at their next aligned tick.
  next_eval_ms_.assign(engine_->groups().size(), 0);
  if (last_eval_ms_ > 0) {
    for (size_t g = 0; g < next_eval_ms_.size(); ++g) {
      next_eval_ms_[g] = AlignUp(last_eval_ms_, engine_->groups()[g].interval.count());
    }
  }
}

void RuleService::RestoreState() {
  std::lock_guard lock(mu_);
  if (options_.state_file.empty()) return;
  if (Status st = engine_->LoadStateFile(options_.state_file); !st.ok()) {
    spdlog::error("rules.state_file: {}; starting with no alert state", st.message());
  }
}

Status RuleService::Start() {
  RestoreState();
  {
    std::lock_guard lock(mu_);
    const int64_t now = NowMs();
    for (size_t g = 0; g < next_eval_ms_.size(); ++g) {
      next_eval_ms_[g] = AlignUp(now, engine_->groups()[g].interval.count());
    }
    spdlog::info("rules: {} groups, {} rules loaded", engine_->groups().size(), RuleCountLocked());
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void RuleService::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  if (!options_.state_file.empty()) {
    if (Status st = engine_->SaveStateFile(options_.state_file); !st.ok()) {
      spdlog::error("rules.state_file: {}", st.message());
    }
  }
}

void RuleService::Run() {
  for (;;) {
    int64_t due = 0;
    {
      std::lock_guard lock(mu_);
      if (next_eval_ms_.empty()) {
        due = NowMs() + options_.evaluation_interval.count();  // no groups: just idle
      } else {
        due = *std::min_element(next_eval_ms_.begin(), next_eval_ms_.end());
      }
    }
    {
      std::unique_lock lock(wake_mu_);
      const auto deadline =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(due));
      if (wake_.wait_until(lock, deadline, [this] { return stopping_; })) return;
    }
    EvaluateAt(due);
    // Fell behind (a slow evaluation, a suspended process): skip the ticks that are already
    // past instead of replaying them back to back.
    std::lock_guard lock(mu_);
    const int64_t now = NowMs();
    for (size_t g = 0; g < next_eval_ms_.size(); ++g) {
      const int64_t step = engine_->groups()[g].interval.count();
      if (next_eval_ms_[g] > now) continue;
      stats_.missed_iterations.fetch_add((now - next_eval_ms_[g]) / step + 1,
                                         std::memory_order_relaxed);
      next_eval_ms_[g] = AlignUp(now, step);
    }
  }
}

void RuleService::EvaluateAt(int64_t t_ms) {
  const auto started = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  std::vector<size_t> due;
  for (size_t g = 0; g < next_eval_ms_.size(); ++g) {
    if (next_eval_ms_[g] <= t_ms) due.push_back(g);
  }
  if (due.empty()) return;
  stats_.samples_sampled.fetch_add(sampler_.SampleInto(selected_, t_ms, samples_),
                                   std::memory_order_relaxed);
  std::map<std::string, int64_t, std::less<>> group_interval;
  for (size_t g : due) {
    const CompiledGroup& group = engine_->groups()[g];
    group_interval[group.name] = group.interval.count();
    GroupEvalResult r = engine_->EvalGroup(g, t_ms, samples_);
    stats_.evaluations.fetch_add(1, std::memory_order_relaxed);
    stats_.rule_failures.fetch_add(r.rules_failed, std::memory_order_relaxed);
    next_eval_ms_[g] = AlignUp(t_ms, group.interval.count());
  }
  last_eval_ms_ = t_ms;

  std::vector<Alert> alerts = engine_->TakeAlertsToSend(t_ms, options_.resend_delay);
  if (!alerts.empty() && sink_) {
    std::vector<OutgoingAlert> out;
    out.reserve(alerts.size());
    for (Alert& a : alerts) {
      OutgoingAlert o;
      o.starts_at_ms = a.fired_at_ms != 0 ? a.fired_at_ms : a.active_at_ms;
      if (a.resolved_at_ms != 0) {
        o.ends_at_ms = a.resolved_at_ms;
      } else {
        // As Prometheus: valid for four resend periods, so a lost collector lets the alert
        // expire in Alertmanager instead of firing forever.
        auto it = group_interval.find(a.group);
        const int64_t interval = it == group_interval.end() ? 0 : it->second;
        o.ends_at_ms = t_ms + 4 * std::max<int64_t>(interval, options_.resend_delay.count());
      }
      o.alert = std::move(a);
      out.push_back(std::move(o));
    }
    stats_.alerts_sent.fetch_add(out.size(), std::memory_order_relaxed);
    sink_(std::move(out));
  }
  if (!options_.state_file.empty()) {
    if (Status st = engine_->SaveStateFile(options_.state_file); !st.ok()) {
      spdlog::error("rules.state_file: {}", st.message());
    }
  }
  samples_.DropBefore(t_ms - retention_ms_);
  stats_.last_cycle_ns.store(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                           started)
          .count(),
      std::memory_order_relaxed);
}

Status RuleService::Reload(RuleServiceOptions options) {
  stats_.reloads.fetch_add(1, std::memory_order_relaxed);
  auto fail = [&](const Status& st) {
    stats_.reload_failures.fetch_add(1, std::memory_order_relaxed);
    return st;
  };
  Result<std::vector<std::string>> files = ExpandRuleFileGlobs(options.files);
  if (!files.ok()) return fail(files.status());
  Result<std::vector<CompiledGroup>> groups =
      LoadAndCompileRules(*files, options.evaluation_interval);
  if (!groups.ok()) return fail(groups.status());
  EngineOptions eo;
  eo.external_labels = options.external_labels;
  eo.eval.lookback_ms = options.lookback.count();
  auto engine = std::make_unique<RuleEngine>(std::move(*groups), eo);
  {
    std::lock_guard lock(mu_);
    engine->InheritState(*engine_);
    options_ = std::move(options);
    Install(std::move(engine));
    spdlog::info("rules reloaded: {} groups, {} rules", engine_->groups().size(),
                 RuleCountLocked());
  }
  wake_.notify_all();
  return Status::Ok();
}

std::vector<Alert> RuleService::Alerts() const {
  std::lock_guard lock(mu_);
  return engine_->Alerts();
}

size_t RuleService::rule_count() const {
  std::lock_guard lock(mu_);
  return RuleCountLocked();
}

size_t RuleService::RuleCountLocked() const {
  size_t n = 0;
  for (const CompiledGroup& g : engine_->groups()) n += g.rules.size();
  return n;
}

}  // namespace vigil::rules
