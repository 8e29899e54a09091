#include "exporters/otlp/otlp_exporters.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <thread>

#include "core/telemetry/callback_collectable.h"

namespace vigil::exporters {

// Timer state shared with the callbacks: they hold it weakly, so none runs after destruction,
// and `stopped` ends the re-arming at Shutdown.
struct OtlpExporters::Ticker {
  std::mutex mu;
  bool stopped = false;
  std::vector<net::TimerPtr> timers;
  OtlpExporters* owner = nullptr;
};

Result<std::unique_ptr<OtlpExporters>> OtlpExporters::Create(
    net::EventLoop& loop, const std::vector<OtlpEndpointOptions>& all,
    const aggregate::SeriesStore& store, Clock clock) {
  std::unique_ptr<OtlpExporters> out(new OtlpExporters(loop.executor(), store, std::move(clock)));
  for (size_t i = 0; i < all.size(); ++i) {
    auto ep = OtlpEndpoint::Create(loop, all[i]);
    if (!ep.ok()) return ep.status().WithContext("exporters.otlp[" + std::to_string(i) + "]");
    out->endpoints_.push_back(std::move(*ep));
  }
  return out;
}

OtlpExporters::OtlpExporters(net::Executor executor, const aggregate::SeriesStore& store,
                             Clock clock)
    : executor_(std::move(executor)),
      store_(store),
      clock_(std::move(clock)),
      ticker_(std::make_shared<Ticker>()) {
  if (!clock_) clock_ = [] { return std::chrono::system_clock::now(); };
  ticker_->owner = this;
}

OtlpExporters::~OtlpExporters() {
  std::lock_guard lock(ticker_->mu);
  ticker_->stopped = true;
  for (auto& t : ticker_->timers) {
    if (t) t->Cancel();
  }
}

void OtlpExporters::Start() {
  {
    std::lock_guard lock(ticker_->mu);
    ticker_->timers.assign(endpoints_.size(), nullptr);
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i]->Wants(send::Signal::kMetrics)) Arm(i);
  }
}

void OtlpExporters::Arm(size_t i) {
  std::weak_ptr<Ticker> weak = ticker_;
  std::lock_guard lock(ticker_->mu);
  if (ticker_->stopped) return;
  ticker_->timers[i] = executor_.After(endpoints_[i]->options().metrics_interval, [weak, i] {
    auto t = weak.lock();
    if (!t) return;
    {
      std::lock_guard l(t->mu);
      if (t->stopped) return;
    }
    OtlpExporters& self = *t->owner;
    self.endpoints_[i]->ExportMetrics(self.store_, self.clock_());
    self.Arm(i);
  });
}

void OtlpExporters::ExportMetricsNow() {
  const auto now = clock_();
  for (auto& ep : endpoints_) {
    if (ep->Wants(send::Signal::kMetrics)) ep->ExportMetrics(store_, now);
  }
}

bool OtlpExporters::Shutdown(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(ticker_->mu);
    if (ticker_->stopped) return true;
    ticker_->stopped = true;
    for (auto& t : ticker_->timers) {
      if (t) t->Cancel();
    }
  }
  if (endpoints_.empty()) return true;
  // What was merged since the last tick would otherwise never reach the backends.
  ExportMetricsNow();
  const auto end = std::chrono::steady_clock::now() + deadline;
  auto drained = [&] {
    for (const auto& ep : endpoints_) {
      if (ep->queued_bytes() > 0) return false;
    }
    return true;
  };
  while (!drained() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (drained()) return true;
  for (const auto& ep : endpoints_) {
    if (ep->queued_bytes() > 0) {
      spdlog::warn("exporter {}: {} bytes still queued at shutdown are dropped",
                   ep->options().endpoint, ep->queued_bytes());
    }
  }
  return false;
}

bool OtlpExporters::Wants(send::Signal signal) const {
  for (const auto& ep : endpoints_) {
    if (ep->Wants(signal)) return true;
  }
  return false;
}

receive::ForwardRoom OtlpExporters::Reserve(send::Signal signal, size_t bytes) {
  // Every destination must have room: Forward sends the body to all of them, and one slow
  // backend refusing would drop its copy. A backend that stays down therefore holds back the
  // others' copies too; clients keep the data meanwhile instead of it being lost here.
  for (const auto& ep : endpoints_) {
    if (ep->Wants(signal) && bytes > ep->options().queue_max_bytes) {
      return receive::ForwardRoom::kNever;
    }
  }
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (!endpoints_[i]->Wants(signal) || endpoints_[i]->Reserve(bytes)) continue;
    for (size_t j = 0; j < i; ++j) {  // all or nothing: give back what was set aside
      if (endpoints_[j]->Wants(signal)) endpoints_[j]->Unreserve(bytes);
    }
    return receive::ForwardRoom::kFull;
  }
  return receive::ForwardRoom::kYes;
}

void OtlpExporters::Forward(send::Signal signal, std::string body, size_t items) {
  // One copy per extra destination; the last takes the original.
  OtlpEndpoint* last = nullptr;
  for (auto& ep : endpoints_) {
    if (!ep->Wants(signal)) continue;
    if (last != nullptr) last->PushReserved(signal, body, items);
    last = ep.get();
  }
  if (last != nullptr) last->PushReserved(signal, std::move(body), items);
}

std::shared_ptr<prometheus::Collectable> OtlpExporters::MakeCollectable() const {
  using prometheus::MetricType;
  using telemetry::FamilyBuilder;
  return std::make_shared<telemetry::CallbackCollectable>([this](auto& out) {
    if (endpoints_.empty()) return;
    FamilyBuilder sent("vigil_collector_exporter_sent_items_total",
                       "Items the OTLP backend accepted, by endpoint and signal.",
                       MetricType::Counter);
    FamilyBuilder failed("vigil_collector_exporter_failed_items_total",
                         "Items not delivered, by endpoint, signal and reason.",
                         MetricType::Counter);
    FamilyBuilder partial("vigil_collector_exporter_partial_rejected_items_total",
                          "Items the backend rejected inside a partial-success answer.",
                          MetricType::Counter);
    FamilyBuilder queue("vigil_collector_exporter_queue_bytes",
                        "Body bytes waiting or in flight, by endpoint.", MetricType::Gauge);
    for (const auto& ep : endpoints_) {
      const std::string& url = ep->options().endpoint;
      const EndpointStats& s = ep->stats();
      for (size_t sig = 0; sig < 3; ++sig) {
        if (!ep->Wants(static_cast<send::Signal>(sig))) continue;
        const std::string name(send::SignalName(static_cast<send::Signal>(sig)));
        sent.Add(static_cast<double>(s.sent_items[sig].load()),
                 {{"endpoint", url}, {"signal", name}});
        for (size_t r = 0; r < kFailReasons; ++r) {
          failed.Add(static_cast<double>(s.failed_items[sig][r].load()),
                     {{"endpoint", url},
                      {"signal", name},
                      {"reason", FailReasonName(static_cast<FailReason>(r))}});
        }
      }
      partial.Add(static_cast<double>(ep->http_stats().partial_rejections.load()),
                  {{"endpoint", url}});
      queue.Add(static_cast<double>(ep->queued_bytes()), {{"endpoint", url}});
    }
    out.push_back(sent.Build());
    out.push_back(failed.Build());
    out.push_back(partial.Build());
    out.push_back(queue.Build());
  });
}

}  // namespace vigil::exporters
