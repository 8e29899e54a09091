// BucketArray: window growth, counter width promotion, downscaling and memory.
#include "core/histogram/bucket_array.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>

namespace vigil::hist {
namespace {

constexpr uint32_t kMaxSpan = 2048;

std::map<int32_t, uint64_t> Contents(const BucketArray& b) {
  std::map<int32_t, uint64_t> out;
  b.ForEach([&](int32_t i, uint64_t c) { out[i] = c; });
  return out;
}

TEST(BucketArrayTest, CounterWidthPromotesOnOverflow) {
  BucketArray b;
  b.Add(7, 255, kMaxSpan);
  EXPECT_EQ(b.width(), 1u);
  EXPECT_FALSE(b.TryAdd(7, 1)) << "a full uint8 counter must refuse the fast path";
  b.Add(7, 1, kMaxSpan);
  EXPECT_EQ(b.width(), 2u);
  EXPECT_EQ(b.Get(7), 256u);
  b.Add(8, 65535, kMaxSpan);
  EXPECT_EQ(b.width(), 2u);
  b.Add(8, 1, kMaxSpan);
  EXPECT_EQ(b.width(), 4u);
  EXPECT_EQ(b.Get(8), 65536u);
  b.Add(6, uint64_t{1} << 33, kMaxSpan);
  EXPECT_EQ(b.width(), 8u);
  EXPECT_EQ(b.Get(6), uint64_t{1} << 33);
  // Earlier counters survive every promotion.
  EXPECT_EQ(b.Get(7), 256u);
  EXPECT_EQ(b.Get(8), 65536u);
  // The widest counters saturate instead of wrapping.
  b.Add(6, std::numeric_limits<uint64_t>::max(), kMaxSpan);
  EXPECT_EQ(b.Get(6), std::numeric_limits<uint64_t>::max());
}

TEST(BucketArrayTest, FastPathOnlyInsideTheWindow) {
  BucketArray b;
  EXPECT_FALSE(b.TryAdd(0, 1));
  b.Add(10, 1, kMaxSpan);
  b.Add(12, 1, kMaxSpan);
  EXPECT_TRUE(b.TryAdd(11, 3));
  EXPECT_FALSE(b.TryAdd(9, 1));
  EXPECT_FALSE(b.TryAdd(13, 1));
  EXPECT_EQ(b.lo(), 10);
  EXPECT_EQ(b.hi(), 13);
  EXPECT_EQ(b.Get(11), 3u);
  EXPECT_EQ(b.Get(9), 0u);
  EXPECT_EQ(b.Total(), 5u);
}

TEST(BucketArrayTest, GrowsBothWaysAndKeepsCounts) {
  BucketArray b;
  std::map<int32_t, uint64_t> expected;
  std::mt19937 rng(1);
  std::uniform_int_distribution<int32_t> index(-1500, -1500 + kMaxSpan - 1);
  for (int i = 0; i < 20000; ++i) {
    const int32_t at = index(rng);
    b.Add(at, 1, kMaxSpan);
    ++expected[at];
  }
  EXPECT_EQ(Contents(b), expected);
  EXPECT_EQ(b.lo(), expected.begin()->first);
  EXPECT_EQ(b.hi(), expected.rbegin()->first + 1);
  EXPECT_LE(b.capacity(), kMaxSpan) << "slack never exceeds the bucket limit";
}

TEST(BucketArrayTest, MemoryFollowsTheRangeUsed) {
  BucketArray narrow;
  for (int32_t i = 0; i < 100; ++i) narrow.Add(i, 1, kMaxSpan);
  EXPECT_LE(narrow.HeapBytes(), 160u) << "100 one-byte counters plus slack";
  BucketArray wide;
  for (int32_t i = 0; i < 1000; ++i) wide.Add(i, 300, kMaxSpan);
  EXPECT_EQ(wide.width(), 2u);
  EXPECT_LE(wide.HeapBytes(), 2600u) << "1000 two-byte counters plus slack";
  EXPECT_GE(wide.HeapBytes(), 2000u);
}

TEST(BucketArrayTest, DownscaleAddsPairsIncludingNegativeIndexes) {
  BucketArray b;
  for (int32_t i = -5; i <= 4; ++i) b.Add(i, static_cast<uint64_t>(i + 6), kMaxSpan);
  b.Downscale(1);
  // i >> 1 floors: -5 -> -3, -4 and -3 -> -2, ..., 4 -> 2.
  const std::map<int32_t, uint64_t> expected{{-3, 1},    {-2, 2 + 3}, {-1, 4 + 5},
                                             {0, 6 + 7}, {1, 8 + 9},  {2, 10}};
  EXPECT_EQ(Contents(b), expected);
  b.Downscale(3);
  EXPECT_EQ(Contents(b), (std::map<int32_t, uint64_t>{{-1, 15}, {0, 40}}));
}

TEST(BucketArrayTest, DownscaleWidensWhenSumsOverflow) {
  BucketArray b;
  b.Add(0, 200, kMaxSpan);
  b.Add(1, 200, kMaxSpan);
  EXPECT_EQ(b.width(), 1u);
  b.Downscale(1);
  EXPECT_EQ(b.width(), 2u);
  EXPECT_EQ(b.Get(0), 400u);
}

TEST(BucketArrayTest, TakeBelowTrimsTheWindow) {
  BucketArray b;
  b.Add(1, 2, kMaxSpan);
  b.Add(2, 3, kMaxSpan);
  b.Add(5, 4, kMaxSpan);
  EXPECT_EQ(b.TakeBelow(3), 5u);
  EXPECT_EQ(b.lo(), 5) << "the window restarts at the next non-empty bucket";
  EXPECT_EQ(b.TakeBelow(100), 4u);
  EXPECT_TRUE(b.empty());
}

TEST(BucketArrayTest, ClearKeepsTheBufferForReuse) {
  BucketArray b;
  for (int32_t i = 0; i < 50; ++i) b.Add(i, 1, kMaxSpan);
  const size_t bytes = b.HeapBytes();
  b.Clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.Total(), 0u);
  EXPECT_EQ(b.HeapBytes(), bytes);
  b.Add(20, 1, kMaxSpan);
  EXPECT_EQ(b.HeapBytes(), bytes);
  EXPECT_EQ(Contents(b), (std::map<int32_t, uint64_t>{{20, 1}}));
}

}  // namespace
}  // namespace vigil::hist
