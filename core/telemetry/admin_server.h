// The admin endpoint both programs expose: /metrics (self-metrics from a prometheus-cpp
// registry, text format), /healthz (the process is alive and its loops turn) and /readyz (it can
// do its job: listeners bound, state loaded). Lives as long as the program; SetReady/SetHealthy
// are thread-safe and may be called from any thread.
#pragma once

#include <prometheus/registry.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/net/event_loop.h"
#include "core/net/http_server.h"
#include "core/status.h"

namespace vigil::telemetry {

class AdminServer {
 public:
  AdminServer(net::EventLoop& loop, std::string listen,
              std::shared_ptr<prometheus::Registry> registry);

  // Not ready until told otherwise; healthy from the start.
  void SetReady(bool ready, std::string reason = "");
  void SetHealthy(bool healthy, std::string reason = "");
  // Adds state read at scrape time (before Start). The collectable must outlive the server.
  void AddCollectable(std::shared_ptr<prometheus::Collectable> c) {
    extra_.push_back(std::move(c));
  }

  Status Start();
  void Stop();
  uint16_t port() const { return server_.port(); }

 private:
  net::HttpResponse Metrics() const;
  net::HttpResponse Probe(const std::atomic<bool>& flag, const std::string& reason) const;

  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<std::shared_ptr<prometheus::Collectable>> extra_;
  net::HttpServer server_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> healthy_{true};
  mutable std::mutex mu_;  // guards the reasons
  std::string not_ready_reason_ = "starting";
  std::string unhealthy_reason_;
};

}  // namespace vigil::telemetry
