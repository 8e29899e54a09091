#include "core/telemetry/callback_collectable.h"

namespace vigil::telemetry {

std::vector<prometheus::MetricFamily> CallbackCollectable::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  fn_(out);
  return out;
}

FamilyBuilder::FamilyBuilder(std::string name, std::string help, prometheus::MetricType type) {
  family_.name = std::move(name);
  family_.help = std::move(help);
  family_.type = type;
}

FamilyBuilder& FamilyBuilder::Add(double value, const LabelMap& labels) {
  prometheus::ClientMetric m;
  for (const auto& [k, v] : labels) m.label.push_back({k, v});
  switch (family_.type) {
    case prometheus::MetricType::Counter:
      m.counter.value = value;
      break;
    case prometheus::MetricType::Gauge:
      m.gauge.value = value;
      break;
    default:
      m.untyped.value = value;
      break;
  }
  family_.metric.push_back(std::move(m));
  return *this;
}

prometheus::MetricFamily FamilyBuilder::Build() { return std::move(family_); }

}  // namespace vigil::telemetry
