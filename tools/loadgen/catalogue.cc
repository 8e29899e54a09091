#include "tools/loadgen/catalogue.h"

#include <algorithm>

namespace vigil::tools {
namespace {

// Medians and weights are invented but shaped like a typical shop: cheap reads dominate,
// writes and payment calls are rare and slow.
std::vector<ServiceSpec> HandMade() {
  return {
      {"checkout",
       30,
       {
           {"/api/cart/{id}", 12, 0.45, 40, 200},
           {"/api/cart/{id}/items", 25, 0.5, 25, 201},
           {"/api/checkout", 120, 0.55, 10, 200},
           {"/api/orders/{id}", 18, 0.4, 25, 200},
       }},
      {"catalog",
       40,
       {
           {"/api/products", 35, 0.5, 30, 200},
           {"/api/products/{id}", 8, 0.35, 50, 200},
           {"/api/search", 80, 0.6, 20, 200},
       }},
      {"payments",
       10,
       {
           {"/api/payments", 250, 0.45, 45, 201},
           {"/api/payments/{id}", 15, 0.4, 45, 200},
           {"/api/refunds", 300, 0.5, 10, 201},
       }},
      {"users",
       20,
       {
           {"/api/login", 60, 0.4, 30, 200},
           {"/api/users/{id}", 5, 0.3, 55, 200},
           {"/api/users/{id}/profile", 20, 0.45, 15, 204},
       }},
  };
}

}  // namespace

std::vector<ServiceSpec> BuildCatalogue(int count) {
  count = std::clamp(count, 1, kMaxServices);
  std::vector<ServiceSpec> all = HandMade();
  if (static_cast<int>(all.size()) > count) all.resize(count);
  for (int i = static_cast<int>(all.size()) + 1; i <= count; ++i) {
    // Vary the medians a little per service so synthetic services are not identical.
    const double scale = 1.0 + 0.25 * (i % 5);
    all.push_back({"service-" + std::to_string(i),
                   10,
                   {
                       {"/api/items", 20 * scale, 0.5, 60, 200},
                       {"/api/items/{id}", 6 * scale, 0.35, 30, 200},
                       {"/api/items/{id}/history", 45 * scale, 0.5, 10, 200},
                   }});
  }
  return all;
}

}  // namespace vigil::tools
