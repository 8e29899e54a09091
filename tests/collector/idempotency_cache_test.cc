#include "collector/dedup/idempotency_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace vigil::dedup {
namespace {

using Outcome = Reservation::Outcome;

TEST(IdempotencyCacheTest, RemembersKeys) {
  IdempotencyCache cache(10);
  EXPECT_FALSE(cache.Seen("a/1/1"));
  cache.Remember("a/1/1");
  EXPECT_TRUE(cache.Seen("a/1/1"));
  EXPECT_FALSE(cache.Seen("a/1/2"));
  cache.Remember("a/1/1");  // twice is still one key
  EXPECT_EQ(cache.size(), 1u);
}

TEST(IdempotencyCacheTest, EvictsOldestFirstWhenFull) {
  IdempotencyCache cache(3);
  for (const char* k : {"k1", "k2", "k3", "k4"}) cache.Remember(k);
  EXPECT_FALSE(cache.Seen("k1"));
  EXPECT_TRUE(cache.Seen("k2"));
  EXPECT_TRUE(cache.Seen("k4"));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.evicted(), 1u);
}

TEST(IdempotencyCacheTest, ReservationLifecycle) {
  IdempotencyCache cache(10);
  {
    Reservation first = cache.TryReserve("k");
    EXPECT_EQ(first.outcome(), Outcome::kNew);
    EXPECT_EQ(cache.TryReserve("k").outcome(), Outcome::kInFlight);
    EXPECT_FALSE(cache.Seen("k"));
    first.Commit();
  }
  EXPECT_TRUE(cache.Seen("k"));
  EXPECT_EQ(cache.TryReserve("k").outcome(), Outcome::kDuplicate);
}

TEST(IdempotencyCacheTest, UncommittedReservationIsReleased) {
  IdempotencyCache cache(10);
  { Reservation r = cache.TryReserve("k"); }  // e.g. the merge failed
  EXPECT_FALSE(cache.Seen("k"));
  Reservation again = cache.TryReserve("k");
  EXPECT_EQ(again.outcome(), Outcome::kNew);
  again.Release();
  EXPECT_EQ(cache.TryReserve("k").outcome(), Outcome::kNew);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(IdempotencyCacheTest, MovedReservationCommitsOnce) {
  IdempotencyCache cache(10);
  Reservation outer;
  {
    Reservation inner = cache.TryReserve("k");
    outer = std::move(inner);
  }  // the moved-from one must not release
  EXPECT_EQ(cache.TryReserve("k").outcome(), Outcome::kInFlight);
  outer.Commit();
  EXPECT_TRUE(cache.Seen("k"));
}

TEST(IdempotencyCacheTest, ConcurrentReserversMergeEachKeyOnce) {
  IdempotencyCache cache(1000);
  constexpr int kThreads = 8, kKeys = 200;
  std::atomic<int> merges{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int k = 0; k < kKeys; ++k) {
        // Retry in-flight answers, as a client would, until the key is settled.
        for (;;) {
          Reservation r = cache.TryReserve("key" + std::to_string(k));
          if (r.outcome() == Outcome::kNew) {
            merges.fetch_add(1);
            r.Commit();
            break;
          }
          if (r.outcome() == Outcome::kDuplicate) break;
          std::this_thread::yield();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(merges.load(), kKeys);
  EXPECT_EQ(cache.size(), static_cast<size_t>(kKeys));
}

}  // namespace
}  // namespace vigil::dedup
