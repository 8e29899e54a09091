#include "collector/dedup/idempotency_cache.h"

#include <utility>

namespace vigil::dedup {

Reservation::Reservation(Reservation&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)),
      key_(std::move(other.key_)),
      outcome_(other.outcome_) {}

Reservation& Reservation::operator=(Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    cache_ = std::exchange(other.cache_, nullptr);
    key_ = std::move(other.key_);
    outcome_ = other.outcome_;
  }
  return *this;
}

Reservation::~Reservation() { Release(); }

void Reservation::Commit() {
  if (cache_ == nullptr) return;
  std::exchange(cache_, nullptr)->Finish(key_, /*commit=*/true);
}

void Reservation::Release() {
  if (cache_ == nullptr) return;
  std::exchange(cache_, nullptr)->Finish(key_, /*commit=*/false);
}

IdempotencyCache::IdempotencyCache(size_t max_keys) : max_keys_(max_keys == 0 ? 1 : max_keys) {}

bool IdempotencyCache::Seen(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(std::string(key));
  return it != keys_.end() && it->second == State::kCommitted;
}

void IdempotencyCache::Remember(std::string_view key) {
  std::lock_guard lock(mu_);
  RememberLocked(std::string(key));
}

void IdempotencyCache::RememberLocked(const std::string& key) {
  auto [it, inserted] = keys_.try_emplace(key, State::kCommitted);
  if (!inserted) {
    if (it->second == State::kCommitted) return;  // already in order_
    it->second = State::kCommitted;
  }
  order_.push_back(&it->first);
  while (order_.size() > max_keys_) {
    const std::string* oldest = order_.front();
    order_.pop_front();
    keys_.erase(*oldest);
    ++evicted_;
  }
}

Reservation IdempotencyCache::TryReserve(std::string_view key) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = keys_.try_emplace(std::string(key), State::kInFlight);
  if (!inserted) {
    return Reservation(nullptr, std::string(key),
                       it->second == State::kCommitted ? Reservation::Outcome::kDuplicate
                                                       : Reservation::Outcome::kInFlight);
  }
  return Reservation(this, std::string(key), Reservation::Outcome::kNew);
}

void IdempotencyCache::Finish(const std::string& key, bool commit) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second != State::kInFlight) return;
  if (commit) {
    RememberLocked(key);
  } else {
    keys_.erase(it);
  }
}

size_t IdempotencyCache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

uint64_t IdempotencyCache::evicted() const {
  std::lock_guard lock(mu_);
  return evicted_;
}

}  // namespace vigil::dedup
