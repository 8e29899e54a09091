// Self-metrics read at scrape time. Components keep their counters in plain atomics (cheap on
// hot paths); a CallbackCollectable turns them into metric families only when /metrics is
// scraped, the way prometheus-cpp's Collectable is meant to be used over one's own state.
// The callback runs on the admin server's thread and must only read thread-safe state.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vigil::telemetry {

class CallbackCollectable : public prometheus::Collectable {
 public:
  using Fn = std::function<void(std::vector<prometheus::MetricFamily>& out)>;
  explicit CallbackCollectable(Fn fn) : fn_(std::move(fn)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  Fn fn_;
};

using LabelMap = std::map<std::string, std::string>;

// Builds one family; add samples with Add(). Keeps the scrape-time code short.
class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type);
  FamilyBuilder& Add(double value, const LabelMap& labels = {});
  // Moves the family out; the builder is empty afterwards.
  prometheus::MetricFamily Build();

 private:
  prometheus::MetricFamily family_;
};

}  // namespace vigil::telemetry
