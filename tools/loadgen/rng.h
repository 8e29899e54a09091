// A small seeded pseudo-random source (xoshiro256** seeded by splitmix64) with the few
// distributions the workload needs. Hand-written so a seed gives the same stream on every
// platform and standard library. Plain value; one per generator thread.
#pragma once

#include <cmath>
#include <cstdint>

namespace vigil::tools {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    // splitmix64 spreads a small seed (1, 2, ...) over the whole 256-bit state.
    uint64_t x = seed;
    for (uint64_t& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Standard normal by Box-Muller; the second value is dropped to keep the call count per
  // request fixed, which keeps streams easy to reason about.
  double Normal() {
    double u1 = Uniform();
    if (u1 <= 0.0) u1 = 0x1.0p-53;
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  // Lognormal with the given median and shape sigma (of the underlying normal).
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t s_[4];
};

}  // namespace vigil::tools
