#include "tools/loadgen/request_model.h"

#include <algorithm>
#include <cmath>

namespace vigil::tools {
namespace {

constexpr double kMaxDurationUs = 600e6;  // 10 minutes: nothing in a log line waits longer

std::string_view MessageFor(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 429:
      return "rate limited";
    case 500:
      return "internal error";
    case 502:
      return "bad gateway from upstream";
    case 503:
      return "service unavailable";
    case 504:
      return "upstream timeout";
    default:
      return "request completed";
  }
}

}  // namespace

RequestModel::RequestModel(const std::vector<ServiceSpec>& catalogue, const TrafficMix& mix,
                           uint64_t seed)
    : mix_(mix), rng_(seed) {
  double sum = 0;
  for (const ServiceSpec& service : catalogue) {
    double route_total = 0;
    for (const RouteSpec& r : service.routes) route_total += r.weight;
    for (const RouteSpec& r : service.routes) {
      sum += service.weight * r.weight / route_total;
      routes_.push_back({service.name, &r, sum});
    }
  }
}

bool RequestModel::InSpike(double elapsed_s) const {
  return mix_.spike_at_s >= 0 && elapsed_s >= mix_.spike_at_s &&
         elapsed_s < mix_.spike_at_s + mix_.spike_duration_s;
}

int RequestModel::PickRoute() {
  const double x = rng_.Uniform() * routes_.back().cumulative_weight;
  // A dozen routes: a linear scan beats a binary search's branch misses.
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (x < routes_[i].cumulative_weight) return static_cast<int>(i);
  }
  return static_cast<int>(routes_.size()) - 1;
}

int RequestModel::PickStatus(const RouteSpec& route, double error_ratio) {
  const double u = rng_.Uniform();
  const double v = rng_.Uniform();
  if (u < error_ratio) {
    if (v < 0.6) return 500;
    if (v < 0.75) return 502;
    if (v < 0.9) return 503;
    return 504;
  }
  if (u < error_ratio + mix_.client_error_ratio) {
    if (v < 0.5) return 404;
    if (v < 0.8) return 400;
    return 429;
  }
  return route.ok_status;
}

Request RequestModel::Next(double elapsed_s) {
  const bool spike = InSpike(elapsed_s);
  const int index = PickRoute();
  const RouteSpec& route = *routes_[index].spec;
  const int status = PickStatus(route, spike ? mix_.spike_error_ratio : mix_.error_ratio);

  double ms = rng_.LogNormal(route.median_ms, route.sigma);
  // The slow tail: lock waits, GC pauses, cold caches. Always draw so the stream stays aligned.
  const double tail_draw = rng_.Uniform();
  const double tail_factor = rng_.LogNormal(6.0, 0.5);
  if (tail_draw < mix_.slow_tail_ratio) ms *= tail_factor;
  switch (status) {
    case 503:  // shed by a limiter before doing work
      ms = 0.5 + ms * 0.02;
      break;
    case 504:  // waited for the upstream's timeout
      ms = 3000.0 + ms * 0.1;
      break;
    case 502:
      ms *= 0.3;
      break;
    case 400:
    case 404:
    case 429:
      ms *= 0.4;
      break;
    default:
      break;
  }
  if (spike) ms *= mix_.spike_latency_factor;

  Request req;
  req.route_index = index;
  req.status = status;
  req.level = status >= 500 ? "error" : (status >= 400 ? "warn" : "info");
  req.msg = MessageFor(status);
  req.duration_us = static_cast<uint32_t>(std::clamp(std::round(ms * 1000.0), 1.0, kMaxDurationUs));
  req.trace_hi = rng_.Next();
  req.trace_lo = rng_.Next();
  return req;
}

}  // namespace vigil::tools
