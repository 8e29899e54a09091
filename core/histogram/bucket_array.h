// Dense bucket counters for one sign of an exponential histogram: the window [lo, hi) of bucket
// indexes between the lowest and highest non-empty bucket, in a buffer that grows on demand and
// whose counters widen (1 -> 2 -> 4 -> 8 bytes) when one would overflow. So memory follows the
// range and the counts actually seen. A value type; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

namespace vigil::hist {

class BucketArray {
 public:
  bool empty() const { return lo_ == hi_; }
  // The window: counts at lo() and hi() - 1 are non-zero unless empty().
  int32_t lo() const { return lo_; }
  int32_t hi() const { return hi_; }
  // Bytes per counter: 1, 2, 4 or 8.
  uint32_t width() const { return width_; }
  // Slots in the buffer (>= hi() - lo()).
  uint32_t capacity() const { return static_cast<uint32_t>(words_.size() * 8 / width_); }
  size_t HeapBytes() const { return words_.capacity() * sizeof(uint64_t); }

  // Count at `index`, 0 outside the window.
  uint64_t Get(int32_t index) const;
  uint64_t Total() const { return SumRange(lo_, hi_); }
  // Sum of counts in buckets [from, to), clipped to the window.
  uint64_t SumRange(int64_t from, int64_t to) const;

  // Hot path: adds `n` at `index` if it lies in the window and its counter has room.
  bool TryAdd(int32_t index, uint64_t n);
  // Adds `n` (> 0) at `index`, growing the buffer (slack capped at `max_span` slots) and widening
  // counters as needed; counts saturate at 2^64-1. The caller keeps the window within its bucket
  // limit by downscaling first.
  void Add(int32_t index, uint64_t n, uint32_t max_span);
  // Makes the buffer cover [lo, hi) so a merge that fills that range allocates once.
  void Reserve(int32_t lo, int32_t hi, uint32_t max_span);
  // Halves the resolution `k` times: bucket i becomes bucket i >> k, counts added.
  void Downscale(int32_t k);
  // Removes every bucket below `index` and returns the sum of their counts.
  uint64_t TakeBelow(int32_t index);
  // Empties the window; keeps the buffer and counter width for the next round of counts.
  void Clear();

  // Calls f(index, count) for every non-empty bucket, lowest index first.
  template <typename F>
  void ForEach(F&& f) const {
    for (int32_t i = lo_; i < hi_; ++i) {
      const uint64_t c = Load(static_cast<size_t>(i - base_));
      if (c != 0) f(i, c);
    }
  }

 private:
  template <typename T>
  bool Bump(size_t slot, uint64_t n) {
    unsigned char* p = reinterpret_cast<unsigned char*>(words_.data()) + slot * sizeof(T);
    T c;
    std::memcpy(&c, p, sizeof(T));
    if (n > static_cast<uint64_t>(std::numeric_limits<T>::max() - c)) return false;
    c = static_cast<T>(c + n);
    std::memcpy(p, &c, sizeof(T));
    return true;
  }

  uint64_t Load(size_t slot) const;
  void Store(size_t slot, uint64_t value);
  // Moves the window's counts into a fresh buffer of `slots` counters of `width` bytes whose
  // first slot is bucket `base`.
  void Relayout(int32_t base, uint32_t slots, uint32_t width);
  // Buffer placement for a window [lo, hi) with room to grow towards where growth came from.
  void GrowTo(int32_t lo, int32_t hi, uint32_t max_span);

  std::vector<uint64_t> words_;  // raw counter storage; uint64_t keeps it aligned
  int32_t base_ = 0;             // bucket index of slot 0
  int32_t lo_ = 0;
  int32_t hi_ = 0;
  uint32_t width_ = 1;
};

inline bool BucketArray::TryAdd(int32_t index, uint64_t n) {
  // One unsigned compare tests lo_ <= index < hi_; it also fails for an empty window.
  if (static_cast<uint32_t>(index) - static_cast<uint32_t>(lo_) >=
      static_cast<uint32_t>(hi_ - lo_)) {
    return false;
  }
  const size_t slot = static_cast<size_t>(index - base_);
  switch (width_) {
    case 1:
      return Bump<uint8_t>(slot, n);
    case 2:
      return Bump<uint16_t>(slot, n);
    case 4:
      return Bump<uint32_t>(slot, n);
    default:
      return Bump<uint64_t>(slot, n);
  }
}

}  // namespace vigil::hist
