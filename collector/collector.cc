#include "collector/collector.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <thread>

#include "collector/collector_stats.h"
#include "core/net/grpc/otlp_grpc_methods.h"

namespace vigil::collector {

namespace {

// Prometheus's form of an alert's source link: the expression in its graph page.
std::string GeneratorUrl(const std::string& base, const std::string& expr) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string q;
  for (unsigned char c : expr) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      q.push_back(static_cast<char>(c));
    } else {
      q += '%';
      q += kHex[c >> 4];
      q += kHex[c & 15];
    }
  }
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + "/graph?g0.expr=" + q + "&g0.tab=1";
}

rules::RuleServiceOptions RuleOptions(const CollectorConfig& cfg) {
  rules::RuleServiceOptions o;
  o.files = cfg.rules.files;
  o.evaluation_interval = cfg.rules.evaluation_interval;
  o.lookback = cfg.rules.lookback;
  o.resend_delay = cfg.rules.resend_delay;
  o.state_file = cfg.rules.state_file;
  o.external_labels.assign(cfg.rules.external_labels.begin(), cfg.rules.external_labels.end());
  return o;
}

}  // namespace

Collector::Collector(CollectorConfig cfg, std::string config_path)
    : cfg_(std::move(cfg)),
      config_path_(std::move(config_path)),
      loop_(cfg_.threads),
      store_(cfg_.aggregate),
      dedup_(cfg_.dedup.max_keys),
      receiver_(
          store_, &dedup_,
          receive::ReceiverOptions{.max_body_bytes = cfg_.otlp.max_body_bytes,
                                   .max_decompressed_bytes = cfg_.otlp.max_decompressed_bytes,
                                   .max_cumulative_streams = cfg_.otlp.max_cumulative_streams,
                                   .retry_after_seconds = cfg_.otlp.retry_after_seconds}),
      page_(store_, cfg_.prometheus.ToOptions()),
      otlp_server_(loop_, net::HttpServerOptions{.listen = cfg_.otlp.listen,
                                                 .max_body_bytes = cfg_.otlp.max_body_bytes}),
      prom_server_(loop_, net::HttpServerOptions{.listen = cfg_.prometheus.listen,
                                                 .max_body_bytes = 64 << 10}),
      admin_(loop_, cfg_.admin.listen, std::make_shared<prometheus::Registry>()) {
  receiver_.Register(otlp_server_);
  prom_server_.Handle("/metrics", [this](const net::HttpRequest&) {
    net::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = page_.RenderText();
    if (rules_) r.body += rules_->RenderRuleSeries();
    return r;
  });
  admin_.AddCollectable(MakeCollectorCollectable(receiver_, store_, dedup_, otlp_server_.stats()));
}

Collector::~Collector() {
  if (started_ && !stopped_) (void)Shutdown();
}

Status Collector::Start() {
  if (!cfg_.exporters.otlp.empty()) {
    auto exporters = exporters::OtlpExporters::Create(loop_, cfg_.exporters.otlp, store_);
    if (!exporters.ok()) return exporters.status();
    exporters_ = std::move(*exporters);
    // Before the servers start, so no handler runs while the pointer is set.
    receiver_.SetForwarder(exporters_.get());
    admin_.AddCollectable(exporters_->MakeCollectable());
  }
  if (cfg_.alerting.enabled()) {
    exporters::AlertmanagerOptions am = cfg_.alerting;
    // rules.external_labels mark every alert, as Prometheus's global external_labels do;
    // alerting.external_labels may add more.
    for (const auto& [k, v] : cfg_.rules.external_labels) am.external_labels.emplace(k, v);
    auto notifier = exporters::AlertNotifier::Create(loop_, std::move(am));
    if (!notifier.ok()) return notifier.status().WithContext("alerting");
    notifier_ = std::move(*notifier);
    admin_.AddCollectable(notifier_->MakeCollectable());
    if (cfg_.rules.files.empty()) spdlog::warn("alerting is configured but rules.files is empty");
  }
  if (!cfg_.rules.files.empty()) {
    rules::AlertSink sink;
    if (notifier_) {
      sink = [notifier = notifier_.get(), url = cfg_.rules.external_url](
                 std::vector<rules::OutgoingAlert> alerts) {
        std::vector<exporters::NotifierAlert> out;
        out.reserve(alerts.size());
        for (rules::OutgoingAlert& a : alerts) {
          exporters::NotifierAlert n;
          n.labels = std::move(a.alert.labels);
          n.annotations = std::move(a.alert.annotations);
          n.starts_at_ms = a.starts_at_ms;
          n.ends_at_ms = a.ends_at_ms;
          n.generator_url = GeneratorUrl(url, a.alert.expr);
          out.push_back(std::move(n));
        }
        notifier->Send(std::move(out));
      };
    }
    auto rules = rules::RuleService::Create(store_, cfg_.prometheus.ToOptions(), RuleOptions(cfg_),
                                            std::move(sink));
    if (!rules.ok()) return rules.status().WithContext("rules.files");
    rules_ = std::move(*rules);
    admin_.AddCollectable(rules_->MakeCollectable());
  }
  loop_.Start();
  started_ = true;
  if (rules_) VIGIL_RETURN_IF_ERROR(rules_->Start());
  if (exporters_) exporters_->Start();
  VIGIL_RETURN_IF_ERROR(admin_.Start().WithContext("admin.listen"));
  VIGIL_RETURN_IF_ERROR(otlp_server_.Start().WithContext("otlp.listen"));
  if (!cfg_.otlp.grpc_listen.empty()) {
    grpc_server_ = std::make_unique<net::GrpcServer>(
        loop_.executor(), net::GrpcServerOptions{.listen = cfg_.otlp.grpc_listen,
                                                 .max_message_bytes = cfg_.otlp.max_body_bytes});
    for (const net::OtlpGrpcMethod& m : net::kOtlpGrpcMethods) {
      grpc_server_->Handle(std::string(m.method), std::string(m.http_path),
                           [this, signal = m.signal](const net::HttpRequest& r) {
                             switch (signal) {
                               case send::Signal::kMetrics:
                                 return receiver_.HandleMetrics(r);
                               case send::Signal::kLogs:
                                 return receiver_.HandleLogs(r);
                               case send::Signal::kTraces:
                                 break;
                             }
                             return receiver_.HandleTraces(r);
                           });
    }
    VIGIL_RETURN_IF_ERROR(grpc_server_->Start().WithContext("otlp.grpc_listen"));
    spdlog::info("OTLP/gRPC on {} (port {})", cfg_.otlp.grpc_listen, otlp_grpc_port());
  }
  VIGIL_RETURN_IF_ERROR(prom_server_.Start().WithContext("prometheus.listen"));
  admin_.SetReady(true);
  spdlog::info(
      "vigil-collector ready: OTLP/HTTP on {} (port {}), Prometheus page on {} (port {}), "
      "admin on {} (port {})",
      cfg_.otlp.listen, otlp_port(), cfg_.prometheus.listen, prometheus_port(), cfg_.admin.listen,
      admin_port());
  return Status::Ok();
}

Status Collector::Shutdown() {
  if (stopped_) return Status::Ok();
  stopped_ = true;
  admin_.SetReady(false, "shutting down");
  otlp_server_.Stop();
  if (grpc_server_) grpc_server_->Stop();
  prom_server_.Stop();
  if (rules_) rules_->Stop();
  if (notifier_) {
    if (Status st = notifier_->Drain(cfg_.shutdown.deadline); !st.ok()) {
      spdlog::warn("alert notifications not all delivered at shutdown: {}", st.message());
    }
  }
  if (exporters_ && !exporters_->Shutdown(cfg_.shutdown.deadline)) {
    spdlog::warn("exporters did not drain within shutdown.deadline");
  }
  admin_.Stop();
  loop_.Stop();
  spdlog::info("vigil-collector stopped");
  return Status::Ok();
}

Status Collector::Reload() {
  Result<CollectorConfig> cfg = LoadCollectorConfig(config_path_);
  if (!cfg.ok()) return cfg.status();
  if (!rules_) {
    if (!cfg->rules.files.empty()) {
      return Status::FailedPrecondition(
          "rules.files was empty at start-up; restart to start evaluating rules");
    }
    return Status::Ok();
  }
  VIGIL_RETURN_IF_ERROR(rules_->Reload(RuleOptions(*cfg)));
  cfg_.rules = cfg->rules;
  spdlog::info("reload: rules.* applied; other sections take effect at the next restart");
  return Status::Ok();
}

}  // namespace vigil::collector
