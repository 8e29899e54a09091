// Builds the mantissa-boundary table behind ValueToIndex and holds the exact slow path for
// scales finer than the table. Boundaries 2^(k/2^s) are irrational (k not a multiple of 2^s), so
// no double equals one; computing them in 113-bit binary128 arithmetic decides on which side each
// double lies with ~60 bits to spare, which is what makes the index exact.
#include "core/histogram/index_mapping.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace vigil::hist {
namespace internal {

uint64_t g_index_table[uint64_t{1} << kSliceBits];

namespace {

using Quad = __float128;  // soft-float in libgcc: +, -, *, / need no extra library

// g_root[j] = 2^(2^-j): 2^(k/2^s) is the product of g_root[s - b] over the set bits b of k.
std::array<Quad, kMaxScale + 1> g_root;

Quad QuadSqrt(Quad x) {
  Quad r = std::sqrt(static_cast<double>(x));
  for (int i = 0; i < 4; ++i) r = (r + x / r) / 2;  // Newton: 53 -> 106 -> 212 correct bits
  return r;
}

// 2^(k / 2^scale) for 0 <= k < 2^scale, 1 <= scale <= kMaxScale; error below 2^-105 relative.
Quad Pow2Fraction(uint32_t k, int32_t scale) {
  Quad r = 1;
  for (int32_t b = 0; b < scale; ++b) {
    if (k & (uint32_t{1} << b)) r *= g_root[scale - b];
  }
  return r;
}

void BuildTable() {
  g_root[0] = 2;
  for (int32_t j = 1; j <= kMaxScale; ++j) g_root[j] = QuadSqrt(g_root[j - 1]);

  // first_above[k]: the smallest mantissa m with 1 + m/2^52 > 2^(k/2^kTableScale).
  constexpr uint32_t kBoundaries = uint32_t{1} << kTableScale;
  std::array<uint64_t, kBoundaries> first_above{};
  const Quad two52 = static_cast<Quad>(uint64_t{1} << kMantissaBits);
  for (uint32_t k = 1; k < kBoundaries; ++k) {
    const Quad scaled = (Pow2Fraction(k, kTableScale) - 1) * two52;
    first_above[k] = static_cast<uint64_t>(scaled) + 1;  // truncation is floor: scaled > 0
  }
  constexpr uint64_t kSlices = uint64_t{1} << kSliceBits;
  uint32_t next = 1;  // first boundary not yet at or below the current slice start
  for (uint64_t slice = 0; slice < kSlices; ++slice) {
    const uint64_t start = slice << kSliceShift;
    const uint64_t end = (slice + 1) << kSliceShift;
    while (next < kBoundaries && first_above[next] <= start) ++next;
    const uint64_t base = next - 1;  // boundaries 1..next-1 are below every mantissa here
    const uint64_t bound =
        (next < kBoundaries && first_above[next] < end) ? first_above[next] : end;
    g_index_table[slice] = (bound << kBaseBits) | base;
  }
}

}  // namespace

int32_t IndexAboveTableScale(uint64_t bits, int32_t scale) {
  uint64_t mantissa;
  int32_t exponent;
  Decompose(bits, mantissa, exponent);
  const int32_t per_octave = int32_t{1} << scale;
  if (mantissa == 0) return exponent * per_octave - 1;
  // Estimate the in-octave index with a long double log (off by at most one), then settle it
  // against the exact boundaries: bucket j holds (2^(j/2^s), 2^((j+1)/2^s)].
  const long double frac = 1.0L + std::ldexp(static_cast<long double>(mantissa), -kMantissaBits);
  int32_t j = static_cast<int32_t>(std::floor(std::log2(frac) * per_octave));
  j = std::clamp(j, 0, per_octave - 1);
  const Quad value =
      1 + static_cast<Quad>(mantissa) / static_cast<Quad>(uint64_t{1} << kMantissaBits);
  while (j > 0 && Pow2Fraction(static_cast<uint32_t>(j), scale) >= value) --j;
  while (j + 1 < per_octave && Pow2Fraction(static_cast<uint32_t>(j + 1), scale) < value) ++j;
  return exponent * per_octave + j;
}

}  // namespace internal

void EnsureIndexTable() {
  static const bool built = [] {
    internal::BuildTable();
    return true;
  }();
  (void)built;
}

namespace {

// 2^x for any double x, precise for large |x| by splitting off the integer part.
double Pow2(double x) {
  if (x >= 1100) return std::numeric_limits<double>::infinity();
  if (x <= -1200) return 0;
  const double whole = std::floor(x);
  return std::ldexp(std::exp2(x - whole), static_cast<int>(whole));
}

}  // namespace

double LowerBoundary(int32_t scale, int32_t index) {
  return Pow2(std::ldexp(static_cast<double>(index), -scale));
}

double BucketMidpoint(int32_t scale, int32_t index) {
  return Pow2(std::ldexp(static_cast<double>(index) + 0.5, -scale));
}

int32_t MinIndex(int32_t scale) {
  // The smallest subnormal, 2^-1074, is a power of two: it closes the bucket below it.
  return scale >= 0 ? -1074 * (int32_t{1} << scale) - 1 : (-1075 >> -scale);
}

int32_t MaxIndex(int32_t scale) {
  // The largest double lies just under 2^1024.
  return scale >= 0 ? 1024 * (int32_t{1} << scale) - 1 : (1023 >> -scale);
}

}  // namespace vigil::hist
