// Copies the merged series that rules read into the rule engine's SampleStore once per
// evaluation, under exactly the names and labels the Prometheus page shows (so a rule written
// against a Prometheus that scrapes vigil reads the same series here): counters and gauges by
// name, histograms as classic `_bucket{le}`/`_sum`/`_count` plus the native histogram under the
// family name, and the window quantile summary. Only families some rule selects are copied.
// Holds a reference to the store; SampleInto is const and safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "collector/aggregate/series_store.h"
#include "collector/rules/engine/rule_engine.h"
#include "collector/rules/eval/sample_store.h"
#include "exporters/prometheus/prometheus_collectable.h"

namespace vigil::rules {

// The metric names rule selectors ask for; `all` when some selector does not pin one name
// (no name, or a regex on __name__).
struct SelectedNames {
  bool all = false;
  std::unordered_set<std::string> names;
  bool Contains(std::string_view name) const {
    return all || names.count(std::string(name)) > 0;
  }
};

SelectedNames CollectSelectedNames(const std::vector<CompiledGroup>& groups);

class SeriesSampler {
 public:
  SeriesSampler(const aggregate::SeriesStore& store, exporters::PrometheusOptions page_options);

  // Appends a sample at t_ms for every selected series; returns how many were appended.
  size_t SampleInto(const SelectedNames& names, int64_t t_ms, eval::SampleStore& out) const;

 private:
  const aggregate::SeriesStore& store_;
  exporters::PrometheusOptions options_;
};

}  // namespace vigil::rules
