// The built-in set of services and routes the load generator imitates, each route with its own
// latency profile and traffic weight. Built once at start-up, then read-only (safe to share).
#pragma once

#include <string>
#include <vector>

namespace vigil::tools {

struct RouteSpec {
  std::string route;  // templated, e.g. "/api/cart/{id}"
  double median_ms;   // median of the lognormal body
  double sigma;       // shape of the lognormal body
  double weight;      // share of the service's traffic
  int ok_status;      // status of a successful request (200, 201, 204)
};

struct ServiceSpec {
  std::string name;
  double weight;  // share of all traffic
  std::vector<RouteSpec> routes;
};

// The first `count` services: four hand-made ones (checkout, catalog, payments, users), then
// synthetic "service-5", "service-6", ... with three generic routes each.
std::vector<ServiceSpec> BuildCatalogue(int count);

// Largest accepted `count`; keeps label cardinality in a demo sane.
inline constexpr int kMaxServices = 64;

}  // namespace vigil::tools
