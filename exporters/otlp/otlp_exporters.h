// OtlpExporters: every configured OTLP destination of the collector. It is the receiver's
// Forwarder (logs and spans go to each endpoint that takes the signal, as one shared envelope
// body) and it exports the SeriesStore's metrics to each metrics endpoint every metrics_interval.
// Thread-safe. Create on an EventLoop, Start once, Shutdown before stopping the loop; destroy
// after the loop has stopped. Borrows the store, which must outlive it.
#pragma once

#include <prometheus/collectable.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "collector/receive/forwarder.h"
#include "core/net/event_loop.h"
#include "core/status.h"
#include "exporters/otlp/otlp_endpoint.h"

namespace vigil::exporters {

class OtlpExporters : public receive::Forwarder {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Fails (naming the endpoint's index) when an endpoint's options are invalid.
  static Result<std::unique_ptr<OtlpExporters>> Create(net::EventLoop& loop,
                                                       const std::vector<OtlpEndpointOptions>& all,
                                                       const aggregate::SeriesStore& store,
                                                       Clock clock = nullptr);
  ~OtlpExporters() override;

  // Arms the periodic metric exports.
  void Start();
  // Stops the timers, exports metrics one last time and waits until every queue is empty or
  // `deadline` passed; returns false when data was left behind. Call with the loop running.
  bool Shutdown(std::chrono::milliseconds deadline);
  // One metrics export to every metrics endpoint now (the timer's work; tests call it).
  void ExportMetricsNow();

  bool Wants(send::Signal signal) const override;
  // kYes, with `bytes` reserved in each endpoint taking `signal`, when all of them have room
  // (none taking it: kYes); kNever when `bytes` exceeds some such endpoint's queue_max_bytes;
  // kFull otherwise. Nothing stays reserved unless the answer is kYes.
  receive::ForwardRoom Reserve(send::Signal signal, size_t bytes) override;
  void Forward(send::Signal signal, std::string body, size_t items) override;

  size_t size() const { return endpoints_.size(); }
  const OtlpEndpoint& endpoint(size_t i) const { return *endpoints_[i]; }
  // Self-metrics, read at scrape time; the collectable must not outlive this object.
  std::shared_ptr<prometheus::Collectable> MakeCollectable() const;

 private:
  struct Ticker;
  OtlpExporters(net::Executor executor, const aggregate::SeriesStore& store, Clock clock);
  void Arm(size_t i);

  net::Executor executor_;
  const aggregate::SeriesStore& store_;
  Clock clock_;
  std::vector<std::unique_ptr<OtlpEndpoint>> endpoints_;
  std::shared_ptr<Ticker> ticker_;
};

}  // namespace vigil::exporters
