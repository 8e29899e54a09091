// RequestModel draws one simulated HTTP request at a time: which service and route, the status,
// the log level and the latency, plus a trace id. Owns its random stream, so a seed fixes the
// whole sequence. Not thread-safe; one per generator.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "tools/loadgen/catalogue.h"
#include "tools/loadgen/rng.h"

namespace vigil::tools {

struct TrafficMix {
  double error_ratio = 0.01;         // share of 5xx outside the spike
  double client_error_ratio = 0.03;  // share of 4xx (not errors for RED purposes)
  double slow_tail_ratio = 0.02;     // share of requests that hit the slow tail
  double spike_at_s = -1;            // < 0: no spike (log-clock seconds from the start)
  double spike_duration_s = 0;
  double spike_error_ratio = 0.3;
  double spike_latency_factor = 1.0;  // latency multiplier inside the spike
};

struct Request {
  int route_index;  // into RequestModel::routes()
  int status;
  std::string_view level;  // "info", "warn", "error"
  std::string_view msg;
  uint32_t duration_us;  // rounded to whole microseconds, >= 1
  uint64_t trace_hi;
  uint64_t trace_lo;
};

// A route flattened with its service, so one weighted draw picks both.
struct FlatRoute {
  std::string_view service;
  const RouteSpec* spec;
  double cumulative_weight;  // running sum, for the draw
};

class RequestModel {
 public:
  // `catalogue` must outlive the model.
  RequestModel(const std::vector<ServiceSpec>& catalogue, const TrafficMix& mix, uint64_t seed);

  // Draws the next request; `elapsed_s` (log clock) decides whether the spike is on.
  Request Next(double elapsed_s);

  const std::vector<FlatRoute>& routes() const { return routes_; }
  bool InSpike(double elapsed_s) const;

 private:
  int PickRoute();
  int PickStatus(const RouteSpec& route, double error_ratio);

  std::vector<FlatRoute> routes_;
  TrafficMix mix_;
  Rng rng_;
};

}  // namespace vigil::tools
