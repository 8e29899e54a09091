// vigil-collector as an object: the OTLP/HTTP receiver, the merged series store, the Prometheus
// page, the OTLP exporters (forwarded logs and spans, periodic metrics) and the admin endpoint on
// one event loop. Created and driven by main (or a test): Start
// once, Shutdown once. The store and receiver are thread-safe; the loop's threads serve all
// three listeners.
#pragma once

#include <prometheus/registry.h>

#include <memory>

#include "collector/aggregate/series_store.h"
#include "collector/collector_config.h"
#include "collector/dedup/idempotency_cache.h"
#include "collector/receive/otlp_http_receiver.h"
#include "collector/rules/service/rule_service.h"
#include "core/net/event_loop.h"
#include "core/net/grpc/grpc_server.h"
#include "core/net/http_server.h"
#include "core/status.h"
#include "core/telemetry/admin_server.h"
#include "exporters/alertmanager/alert_notifier.h"
#include "exporters/otlp/otlp_exporters.h"
#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::collector {

class Collector {
 public:
  // `config_path` is what SIGHUP re-reads (empty: the embedded default).
  explicit Collector(CollectorConfig cfg, std::string config_path = "");
  ~Collector();

  // Builds the exporters, binds the three listeners and starts serving. Errors name the
  // address or the exporter that failed.
  Status Start();
  // Stops accepting, lets requests in progress finish, exports metrics a last time and waits for
  // the exporters' queues to drain (up to shutdown.deadline), stops the loop.
  Status Shutdown();
  // SIGHUP: re-reads the config file and reloads the rule files it names (rules.*). Other
  // sections need a restart; changes to them are logged and ignored. On any error the running
  // rules stay and the Status says why.
  Status Reload();

  uint16_t otlp_port() const { return otlp_server_.port(); }
  // 0 without otlp.grpc_listen or before Start().
  uint16_t otlp_grpc_port() const { return grpc_server_ ? grpc_server_->port() : 0; }
  uint16_t prometheus_port() const { return prom_server_.port(); }
  uint16_t admin_port() const { return admin_.port(); }
  // Null before Start() or without exporters.otlp.
  const exporters::OtlpExporters* exporters() const { return exporters_.get(); }
  const aggregate::SeriesStore& store() const { return store_; }
  // Null before Start() or without rules.files.
  rules::RuleService* rules() const { return rules_.get(); }

 private:
  CollectorConfig cfg_;
  std::string config_path_;
  net::EventLoop loop_;
  aggregate::SeriesStore store_;
  dedup::IdempotencyCache dedup_;
  receive::OtlpHttpReceiver receiver_;
  exporters::PrometheusCollectable page_;
  net::HttpServer otlp_server_;
  std::unique_ptr<net::GrpcServer> grpc_server_;  // otlp.grpc_listen: same handlers as HTTP
  net::HttpServer prom_server_;
  telemetry::AdminServer admin_;
  // Destroyed before the loop (declared after it); Shutdown stops the loop first.
  std::unique_ptr<exporters::OtlpExporters> exporters_;
  std::unique_ptr<exporters::AlertNotifier> notifier_;  // before rules_: outlives its sink
  std::unique_ptr<rules::RuleService> rules_;
  bool started_ = false, stopped_ = false;
};

}  // namespace vigil::collector
