// Maps a finite non-zero double to its OTLP exponential-histogram bucket index at a scale, and
// back to bucket boundaries. Free functions over one immutable process-wide table that is built
// once (thread-safe, on first use); after EnsureIndexTable() returns every call is thread-safe.
#pragma once

#include <bit>
#include <cstdint>

namespace vigil::hist {

// Scales allowed by the OTLP data model.
inline constexpr int32_t kMinScale = -10;
inline constexpr int32_t kMaxScale = 20;

// Indexes at scales up to kTableScale come from the table (a few ns); finer scales take an exact
// but slow path (about a microsecond), acceptable because with a bounded bucket count such fine
// scales only last until the first downscale.
inline constexpr int32_t kTableScale = 10;

namespace internal {

inline constexpr int kMantissaBits = 52;
inline constexpr uint64_t kMantissaMask = (uint64_t{1} << kMantissaBits) - 1;
// The mantissa range [1, 2) is cut into 2^(kTableScale+1) equal linear slices. Log buckets at
// kTableScale are at least ln(2)/2^kTableScale wide, wider than a slice, so a slice holds at most
// one bucket boundary: an entry stores the bucket index at the slice start (low kBaseBits) and
// the first mantissa past the boundary inside the slice (high bits, or the slice end if none).
inline constexpr int kSliceBits = kTableScale + 1;
inline constexpr int kSliceShift = kMantissaBits - kSliceBits;
inline constexpr int kBaseBits = 11;
static_assert(kTableScale < kBaseBits && kMantissaBits + 1 + kBaseBits <= 64);

// Splits a finite non-zero double into its unbiased exponent and 52-bit mantissa, subnormals
// renormalised so the value is always 2^exponent * (1 + mantissa / 2^52).
inline void Decompose(uint64_t bits, uint64_t& mantissa, int32_t& exponent) {
  mantissa = bits & kMantissaMask;
  exponent = static_cast<int32_t>((bits >> kMantissaBits) & 0x7FF) - 1023;
  if (exponent == -1023) [[unlikely]] {
    const int top = 63 - std::countl_zero(mantissa);
    mantissa = (mantissa << (kMantissaBits - top)) & kMantissaMask;
    exponent = top - 1074;
  }
}

extern uint64_t g_index_table[uint64_t{1} << kSliceBits];

// Index at a scale above kTableScale; exact, slow. `bits` is a finite non-zero double.
int32_t IndexAboveTableScale(uint64_t bits, int32_t scale);

}  // namespace internal

// Builds the table if needed. Every ExpHistogram constructor calls it; call it yourself before
// using ValueToIndex without a histogram.
void EnsureIndexTable();

// Bucket index of |v| at `scale` (kMinScale..kMaxScale): bucket i holds (base^i, base^(i+1)]
// with base = 2^(2^-scale). `v` must be finite and non-zero (its sign is ignored).
inline int32_t ValueToIndex(double v, int32_t scale) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  if (scale > kTableScale) [[unlikely]] {
    return internal::IndexAboveTableScale(bits, scale);
  }
  uint64_t mantissa;
  int32_t exponent;
  internal::Decompose(bits, mantissa, exponent);
  const uint64_t entry = internal::g_index_table[mantissa >> internal::kSliceShift];
  const int32_t within = static_cast<int32_t>(entry & ((uint64_t{1} << internal::kBaseBits) - 1)) +
                         static_cast<int32_t>(mantissa >= (entry >> internal::kBaseBits));
  // An exact power of two closes the bucket below it (upper-inclusive buckets); subtracting one
  // at the finest scale before the shift lands in that lower bucket at every coarser scale.
  const int32_t fine =
      exponent * (int32_t{1} << kTableScale) + within - static_cast<int32_t>(mantissa == 0);
  return fine >> (kTableScale - scale);
}

// base^index as a double (nearest representable), 0 or +inf when out of range.
double LowerBoundary(int32_t scale, int32_t index);
// Geometric midpoint base^(index + 0.5) of bucket `index`.
double BucketMidpoint(int32_t scale, int32_t index);
// Index range of finite non-zero doubles at `scale`: [MinIndex, MaxIndex].
int32_t MinIndex(int32_t scale);
int32_t MaxIndex(int32_t scale);

}  // namespace vigil::hist
