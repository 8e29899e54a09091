#include "collector/collector.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "collector/collector_stats.h"

namespace vigil::collector {

Collector::Collector(CollectorConfig cfg)
    : cfg_(std::move(cfg)),
      loop_(cfg_.threads),
      store_(cfg_.aggregate),
      dedup_(cfg_.dedup.max_keys),
      receiver_(
          store_, &dedup_,
          receive::ReceiverOptions{.max_body_bytes = cfg_.otlp.max_body_bytes,
                                   .max_decompressed_bytes = cfg_.otlp.max_decompressed_bytes,
                                   .max_cumulative_streams = cfg_.otlp.max_cumulative_streams}),
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
  loop_.Start();
  started_ = true;
  if (exporters_) exporters_->Start();
  VIGIL_RETURN_IF_ERROR(admin_.Start().WithContext("admin.listen"));
  VIGIL_RETURN_IF_ERROR(otlp_server_.Start().WithContext("otlp.listen"));
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
  prom_server_.Stop();
  if (exporters_ && !exporters_->Shutdown(cfg_.shutdown.deadline)) {
    spdlog::warn("exporters did not drain within shutdown.deadline");
  }
  admin_.Stop();
  loop_.Stop();
  spdlog::info("vigil-collector stopped");
  return Status::Ok();
}

}  // namespace vigil::collector
