#include "core/telemetry/admin_server.h"

#include <prometheus/text_serializer.h>

namespace vigil::telemetry {

AdminServer::AdminServer(net::EventLoop& loop, std::string listen,
                         std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      server_(loop,
              net::HttpServerOptions{.listen = std::move(listen), .max_body_bytes = 64 << 10}) {
  server_.Handle("/metrics", [this](const net::HttpRequest&) { return Metrics(); });
  server_.Handle("/healthz", [this](const net::HttpRequest&) {
    std::lock_guard lock(mu_);
    return Probe(healthy_, unhealthy_reason_);
  });
  server_.Handle("/readyz", [this](const net::HttpRequest&) {
    std::lock_guard lock(mu_);
    return Probe(ready_, not_ready_reason_);
  });
}

void AdminServer::SetReady(bool ready, std::string reason) {
  std::lock_guard lock(mu_);
  not_ready_reason_ = std::move(reason);
  ready_ = ready;
}

void AdminServer::SetHealthy(bool healthy, std::string reason) {
  std::lock_guard lock(mu_);
  unhealthy_reason_ = std::move(reason);
  healthy_ = healthy;
}

Status AdminServer::Start() { return server_.Start(); }
void AdminServer::Stop() { server_.Stop(); }

net::HttpResponse AdminServer::Metrics() const {
  net::HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (const auto& c : extra_) {
    std::vector<prometheus::MetricFamily> more = c->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  r.body = prometheus::TextSerializer().Serialize(families);
  return r;
}

net::HttpResponse AdminServer::Probe(const std::atomic<bool>& flag,
                                     const std::string& reason) const {
  net::HttpResponse r;
  if (flag) {
    r.body = "ok\n";
  } else {
    r.status = 503;
    r.body = (reason.empty() ? std::string("not ok") : reason) + "\n";
  }
  return r;
}

}  // namespace vigil::telemetry
