// Quantile accuracy of the default histogram (scale 6, 2048 buckets) against exact nearest-rank
// quantiles of sorted data, for latency-like distributions between 1 us and 100 s.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/histogram/exp_histogram.h"

namespace vigil::hist {
namespace {

constexpr double kLow = 1e-6;
constexpr double kHigh = 100;
constexpr int kValues = 200000;

struct Distribution {
  std::string name;
  std::function<double(std::mt19937_64&)> draw;
};

std::vector<Distribution> Distributions() {
  return {
      {"lognormal",
       [](std::mt19937_64& rng) { return std::lognormal_distribution<double>(-3, 1.5)(rng); }},
      {"uniform",
       [](std::mt19937_64& rng) {
         return std::uniform_real_distribution<double>(kLow, kHigh)(rng);
       }},
      {"log_uniform",
       [](std::mt19937_64& rng) {
         return std::exp(
             std::uniform_real_distribution<double>(std::log(kLow), std::log(kHigh))(rng));
       }},
      {"bimodal",  // cache hits around 200 us, misses around 80 ms
       [](std::mt19937_64& rng) {
         const bool hit = std::bernoulli_distribution(0.8)(rng);
         return std::lognormal_distribution<double>(hit ? std::log(2e-4) : std::log(0.08),
                                                    0.3)(rng);
       }},
      {"pareto",  // heavy tail from 1 ms, alpha 1.2
       [](std::mt19937_64& rng) {
         const double u = std::uniform_real_distribution<double>(0, 1)(rng);
         return 1e-3 / std::pow(1 - u, 1 / 1.2);
       }},
  };
}

// Exact nearest-rank quantile: the ceil(q * n)-th smallest value.
double ExactQuantile(const std::vector<double>& sorted, double q) {
  const auto n = static_cast<uint64_t>(sorted.size());
  const uint64_t rank =
      std::clamp<uint64_t>(static_cast<uint64_t>(std::ceil(q * static_cast<double>(n))), 1, n);
  return sorted[rank - 1];
}

TEST(QuantileAccuracyTest, WithinOnePercentOfExactForLatencyDistributions) {
  // The true value and the bucket midpoint share a bucket of ratio base = 2^(1/64), so the
  // relative error is below sqrt(base) - 1 = 0.543%; checked at many q, not just the usual four.
  const double bound = std::exp2(1.0 / 128) - 1;
  ASSERT_LT(bound, 0.01);
  for (const Distribution& dist : Distributions()) {
    SCOPED_TRACE(dist.name);
    std::mt19937_64 rng(1234);
    ExpHistogram h;
    std::vector<double> values;
    values.reserve(kValues);
    for (int i = 0; i < kValues; ++i) {
      const double v = std::clamp(dist.draw(rng), kLow, kHigh);
      values.push_back(v);
      h.Record(v);
    }
    std::sort(values.begin(), values.end());
    EXPECT_EQ(h.scale(), 6) << "1 us .. 100 s must fit 2048 buckets without downscaling";
    for (double q : {0.5, 0.95, 0.99, 0.999}) {
      const double exact = ExactQuantile(values, q);
      EXPECT_NEAR(h.Quantile(q), exact, 0.01 * exact) << "q=" << q;
    }
    double worst = 0;
    for (int i = 0; i <= 1000; ++i) {
      const double q = i / 1000.0;
      const double exact = ExactQuantile(values, q);
      worst = std::max(worst, std::fabs(h.Quantile(q) - exact) / exact);
    }
    EXPECT_LE(worst, bound * (1 + 1e-9));
  }
}

TEST(QuantileAccuracyTest, CoarserScaleHasProportionallyLargerError) {
  // The same bound holds at any scale: sqrt(2^(2^-s)) - 1. At scale 3 that is 4.4%.
  std::mt19937_64 rng(77);
  std::lognormal_distribution<double> dist(-2, 1);
  ExpHistogram h({.scale = 3});
  std::vector<double> values;
  for (int i = 0; i < 50000; ++i) {
    values.push_back(dist(rng));
    h.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  const double bound = std::exp2(1.0 / 16) - 1;
  double worst = 0;
  for (double q : {0.1, 0.5, 0.9, 0.95, 0.99}) {
    const double exact = ExactQuantile(values, q);
    const double err = std::fabs(h.Quantile(q) - exact) / exact;
    EXPECT_LE(err, bound) << "q=" << q;
    worst = std::max(worst, err);
  }
  EXPECT_GT(worst, std::exp2(1.0 / 128) - 1) << "scale 3 should be visibly coarser than scale 6";
}

}  // namespace
}  // namespace vigil::hist
