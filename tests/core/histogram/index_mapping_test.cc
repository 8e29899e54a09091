// Checks the table-driven ValueToIndex against a slow long-double reference over random values,
// every power of two and the doubles on both sides of the bucket boundaries.
#include "core/histogram/index_mapping.h"

#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>

namespace vigil::hist {
namespace {

// floor(a / 2^k) for k >= 0 on plain integers, written without shifts.
int64_t FloorDiv(int64_t a, int64_t d) { return a >= 0 ? a / d : -((-a + d - 1) / d); }

// The OTLP reference: ceil(log_base(v)) - 1 via a long double log, corrected for exact powers
// of two (which close the bucket below them) by integer arithmetic.
int32_t ReferenceIndex(double v, int32_t scale) {
  v = std::fabs(v);
  int e2 = 0;
  const double frac = std::frexp(v, &e2);  // v = frac * 2^e2, frac in [0.5, 1)
  if (frac == 0.5) {
    const int64_t e = e2 - 1;  // v == 2^e: index = ceil(e * 2^scale) - 1
    if (scale >= 0) return static_cast<int32_t>(e * (int64_t{1} << scale) - 1);
    return static_cast<int32_t>(-FloorDiv(-e, int64_t{1} << -scale) - 1);
  }
  const long double log = std::ldexp(std::log2(static_cast<long double>(v)), scale);
  return static_cast<int32_t>(std::ceil(log)) - 1;
}

// A random double with a uniformly random exponent over the whole range, subnormals included.
double RandomDouble(std::mt19937_64& rng) {
  for (;;) {
    const uint64_t bits = rng() & ~(uint64_t{1} << 63);
    const double v = std::bit_cast<double>(bits);
    if (std::isfinite(v) && v != 0) return v;
  }
}

class IndexMappingTest : public ::testing::Test {
 protected:
  void SetUp() override { EnsureIndexTable(); }
};

TEST_F(IndexMappingTest, MatchesReferenceOnRandomValuesAtTableScales) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> latency(-4, 3);
  for (int i = 0; i < 100000; ++i) {
    const double wide = RandomDouble(rng);
    const double typical = latency(rng);
    for (int32_t scale = kMinScale; scale <= kTableScale; ++scale) {
      ASSERT_EQ(ValueToIndex(wide, scale), ReferenceIndex(wide, scale))
          << "v=" << wide << " scale=" << scale;
      ASSERT_EQ(ValueToIndex(typical, scale), ReferenceIndex(typical, scale))
          << "v=" << typical << " scale=" << scale;
      ASSERT_EQ(ValueToIndex(-typical, scale), ValueToIndex(typical, scale));
    }
  }
}

TEST_F(IndexMappingTest, MatchesReferenceAboveTableScale) {
  std::mt19937_64 rng(7);
  for (int32_t scale = kTableScale + 1; scale <= kMaxScale; ++scale) {
    for (int i = 0; i < 1500; ++i) {
      const double v = RandomDouble(rng);
      ASSERT_EQ(ValueToIndex(v, scale), ReferenceIndex(v, scale)) << "v=" << v << " s=" << scale;
    }
  }
}

TEST_F(IndexMappingTest, ExactPowersOfTwoCloseTheBucketBelow) {
  for (int e = -1074; e <= 1023; ++e) {
    const double v = std::ldexp(1.0, e);
    for (int32_t scale = kMinScale; scale <= kMaxScale; ++scale) {
      const int64_t expected = scale >= 0 ? int64_t{e} * (int64_t{1} << scale) - 1
                                          : -FloorDiv(-e, int64_t{1} << -scale) - 1;
      ASSERT_EQ(ValueToIndex(v, scale), expected) << "2^" << e << " scale=" << scale;
    }
  }
  EXPECT_EQ(ValueToIndex(1.0, 0), -1);
  EXPECT_EQ(ValueToIndex(2.0, 0), 0);
  EXPECT_EQ(ValueToIndex(std::nextafter(2.0, 3.0), 0), 1);
  EXPECT_EQ(ValueToIndex(4.0, -1), 0);  // (1, 4]
  EXPECT_EQ(ValueToIndex(4.5, -1), 1);  // (4, 16]
}

// For the doubles nearest to a boundary B = 2^(i/2^s), whichever side of B each lies on decides
// its bucket: i if above, i-1 if at or below. B in long double is ~11 bits finer than a double.
void CheckAroundBoundary(int32_t scale, int32_t index) {
  const long double boundary = std::exp2(std::ldexp(static_cast<long double>(index), -scale));
  const double nearest = static_cast<double>(boundary);
  for (double v : {std::nextafter(nearest, 0.0), nearest, std::nextafter(nearest, DBL_MAX)}) {
    const int32_t expected = static_cast<long double>(v) > boundary ? index : index - 1;
    ASSERT_EQ(ValueToIndex(v, scale), expected)
        << "scale=" << scale << " index=" << index << " v=" << v;
  }
}

TEST_F(IndexMappingTest, DoublesNextToEveryBoundaryOfSeveralOctaves) {
  for (int32_t scale = 1; scale <= kTableScale; ++scale) {
    const int32_t per_octave = int32_t{1} << scale;
    for (int32_t octave : {-1022, -30, -3, -1, 0, 1, 2, 20, 1000}) {
      for (int32_t k = 0; k < per_octave; ++k) CheckAroundBoundary(scale, octave * per_octave + k);
    }
  }
  std::mt19937_64 rng(3);
  for (int32_t scale = kTableScale + 1; scale <= kMaxScale; ++scale) {
    std::uniform_int_distribution<int32_t> index(-40 << scale, 40 << scale);
    for (int i = 0; i < 300; ++i) CheckAroundBoundary(scale, index(rng));
  }
}

TEST_F(IndexMappingTest, SubnormalsAndExtremes) {
  for (int32_t scale = kMinScale; scale <= kMaxScale; ++scale) {
    EXPECT_EQ(ValueToIndex(std::numeric_limits<double>::denorm_min(), scale), MinIndex(scale));
    EXPECT_EQ(ValueToIndex(DBL_MAX, scale), MaxIndex(scale));
    EXPECT_EQ(ValueToIndex(3 * std::numeric_limits<double>::denorm_min(), scale),
              ReferenceIndex(3 * std::numeric_limits<double>::denorm_min(), scale));
    EXPECT_EQ(ValueToIndex(DBL_MIN, scale), ReferenceIndex(DBL_MIN, scale));
  }
  // At the coarsest scale every finite double fits in three buckets.
  EXPECT_EQ(MaxIndex(kMinScale) - MinIndex(kMinScale) + 1, 3);
}

TEST_F(IndexMappingTest, CoarserIndexIsTheFinerShiftedRight) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    const double v = RandomDouble(rng);
    const int32_t finest = ValueToIndex(v, kTableScale);
    for (int32_t scale = kMinScale; scale < kTableScale; ++scale) {
      ASSERT_EQ(ValueToIndex(v, scale), finest >> (kTableScale - scale));
    }
  }
}

TEST_F(IndexMappingTest, BoundariesAndMidpoints) {
  EXPECT_EQ(LowerBoundary(0, 3), 8.0);
  EXPECT_EQ(LowerBoundary(-2, 1), 16.0);
  EXPECT_EQ(LowerBoundary(1, 1), std::sqrt(2.0));
  EXPECT_EQ(LowerBoundary(3, -8), 0.5);
  EXPECT_DOUBLE_EQ(BucketMidpoint(0, 0), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(BucketMidpoint(6, -1), std::exp2(-0.5 / 64));
  EXPECT_EQ(LowerBoundary(0, 5000), std::numeric_limits<double>::infinity());
  EXPECT_EQ(LowerBoundary(0, -5000), 0.0);
  // A value a hair above the lower boundary lands in the bucket, a hair below in the previous.
  std::mt19937_64 rng(5);
  for (int32_t scale = kMinScale; scale <= kTableScale; ++scale) {
    std::uniform_int_distribution<int32_t> pick(MinIndex(scale) / 2, MaxIndex(scale) / 2);
    for (int i = 0; i < 200; ++i) {
      const int32_t index = pick(rng);
      const double b = LowerBoundary(scale, index);
      EXPECT_EQ(ValueToIndex(b * (1 + 1e-12), scale), index);
      EXPECT_EQ(ValueToIndex(b * (1 - 1e-12), scale), index - 1);
    }
  }
}

}  // namespace
}  // namespace vigil::hist
