// AlertNotifier: delivers alerts to every configured Alertmanager (v2 API, POST /api/v2/alerts)
// and webhook. Each destination has its own bounded queue and sends one batch at a time, so a
// slow or dead one never holds up the others; transport errors, 429 and 5xx are retried with
// full-jitter backoff (at least Retry-After), other 4xx drop the batch. Every drop is counted.
// Thread-safe. Create on an EventLoop; destroy it before or after the loop stops (pending
// sends are abandoned).
#pragma once

#include <prometheus/collectable.h>

#include <chrono>
#include <memory>
#include <vector>

#include "core/net/event_loop.h"
#include "core/status.h"
#include "exporters/alertmanager/alertmanager_options.h"
#include "exporters/alertmanager/notifier_stats.h"

namespace vigil::exporters {

class AlertNotifier {
 public:
  // InvalidArgument from ValidateAlertmanagerOptions (TLS files included).
  static Result<std::unique_ptr<AlertNotifier>> Create(net::EventLoop& loop,
                                                       AlertmanagerOptions options);
  ~AlertNotifier();
  AlertNotifier(const AlertNotifier&) = delete;
  AlertNotifier& operator=(const AlertNotifier&) = delete;

  // Queues `alerts` for every destination, with the external labels added, and returns at
  // once; sending happens on the loop. When a queue holds more than queue_capacity alerts the
  // oldest are dropped (counted as queue_full, logged once).
  void Send(std::vector<NotifierAlert> alerts);

  // Blocks until every queue is empty and no request or retry is pending, or `deadline`
  // passes (DeadlineExceeded saying how many alerts are left). FailedPrecondition when called
  // on a loop thread, where waiting would stop the work it waits for.
  Status Drain(std::chrono::milliseconds deadline);

  NotifierStats stats() const;
  // Renders stats() at scrape time; stays valid (and empty) after the notifier is destroyed.
  std::shared_ptr<prometheus::Collectable> MakeCollectable() const;

 private:
  struct Core;
  explicit AlertNotifier(std::shared_ptr<Core> core);
  std::shared_ptr<Core> core_;
};

}  // namespace vigil::exporters
