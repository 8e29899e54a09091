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
#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "core/status.h"
#include "core/telemetry/admin_server.h"
#include "exporters/otlp/otlp_exporters.h"
#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::collector {

class Collector {
 public:
  explicit Collector(CollectorConfig cfg);
  ~Collector();

  // Builds the exporters, binds the three listeners and starts serving. Errors name the
  // address or the exporter that failed.
  Status Start();
  // Stops accepting, lets requests in progress finish, exports metrics a last time and waits for
  // the exporters' queues to drain (up to shutdown.deadline), stops the loop.
  Status Shutdown();

  uint16_t otlp_port() const { return otlp_server_.port(); }
  uint16_t prometheus_port() const { return prom_server_.port(); }
  uint16_t admin_port() const { return admin_.port(); }
  // Null before Start() or without exporters.otlp.
  const exporters::OtlpExporters* exporters() const { return exporters_.get(); }
  const aggregate::SeriesStore& store() const { return store_; }

 private:
  CollectorConfig cfg_;
  net::EventLoop loop_;
  aggregate::SeriesStore store_;
  dedup::IdempotencyCache dedup_;
  receive::OtlpHttpReceiver receiver_;
  exporters::PrometheusCollectable page_;
  net::HttpServer otlp_server_;
  net::HttpServer prom_server_;
  telemetry::AdminServer admin_;
  // Destroyed before the loop (declared after it); Shutdown stops the loop first.
  std::unique_ptr<exporters::OtlpExporters> exporters_;
  bool started_ = false, stopped_ = false;
};

}  // namespace vigil::collector
