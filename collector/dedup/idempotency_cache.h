// IdempotencyCache: the batch keys (X-Vigil-Batch-Key) the collector has already merged, so a
// retried batch is merged at most once. Remembers the newest `max_keys` keys (FIFO eviction by
// insertion). Lives as long as the collector; thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vigil::dedup {

class IdempotencyCache;

// The outcome of TryReserve. A kNew reservation holds the key "in flight": Commit() after the
// batch was merged turns it into a remembered key; destroying it uncommitted releases the key
// so a retry can merge it. Movable, not copyable.
class Reservation {
 public:
  enum class Outcome { kNew, kDuplicate, kInFlight };

  Reservation() = default;
  Reservation(Reservation&& other) noexcept;
  Reservation& operator=(Reservation&& other) noexcept;
  Reservation(const Reservation&) = delete;
  Reservation& operator=(const Reservation&) = delete;
  ~Reservation();

  Outcome outcome() const { return outcome_; }
  // Marks the key merged. Only meaningful for kNew; a no-op otherwise.
  void Commit();
  // Drops the in-flight mark so another request may merge the key (also done by the destructor).
  void Release();

 private:
  friend class IdempotencyCache;
  Reservation(IdempotencyCache* cache, std::string key, Outcome outcome)
      : cache_(cache), key_(std::move(key)), outcome_(outcome) {}

  IdempotencyCache* cache_ = nullptr;  // set only while a kNew reservation is pending
  std::string key_;
  Outcome outcome_ = Outcome::kDuplicate;
};

class IdempotencyCache {
 public:
  explicit IdempotencyCache(size_t max_keys = 1'000'000);
  IdempotencyCache(const IdempotencyCache&) = delete;
  IdempotencyCache& operator=(const IdempotencyCache&) = delete;

  // True when `key` was remembered (committed) and not yet evicted.
  bool Seen(std::string_view key) const;
  // Remembers `key` as merged, evicting the oldest key when full.
  void Remember(std::string_view key);

  // Claims `key` for one request. kDuplicate: already merged, answer success without merging.
  // kInFlight: another request holds it right now; ask the client to retry.
  Reservation TryReserve(std::string_view key);

  size_t size() const;  // remembered keys
  size_t max_keys() const { return max_keys_; }
  uint64_t evicted() const;

 private:
  friend class Reservation;
  enum class State { kInFlight, kCommitted };

  void Finish(const std::string& key, bool commit);
  void RememberLocked(const std::string& key);

  const size_t max_keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, State> keys_;
  // Committed keys oldest first. Points at the map's own key strings: element addresses in an
  // unordered_map survive rehashing, so each key is stored once.
  std::deque<const std::string*> order_;
  uint64_t evicted_ = 0;
};

}  // namespace vigil::dedup
