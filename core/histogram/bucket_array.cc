// The slow paths of BucketArray: growing the buffer, widening counters, downscaling.
#include "core/histogram/bucket_array.h"

#include <algorithm>

namespace vigil::hist {
namespace {

uint32_t WidthFor(uint64_t value) {
  if (value <= 0xFF) return 1;
  if (value <= 0xFFFF) return 2;
  if (value <= 0xFFFFFFFF) return 4;
  return 8;
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  const uint64_t s = a + b;
  return s < a ? std::numeric_limits<uint64_t>::max() : s;
}

template <typename T>
uint64_t LoadAs(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

template <typename T>
void StoreAs(unsigned char* p, uint64_t value) {
  const T v = static_cast<T>(value);
  std::memcpy(p, &v, sizeof(T));
}

uint64_t LoadSlot(const std::vector<uint64_t>& words, uint32_t width, size_t slot) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(words.data()) + slot * width;
  switch (width) {
    case 1:
      return *p;
    case 2:
      return LoadAs<uint16_t>(p);
    case 4:
      return LoadAs<uint32_t>(p);
    default:
      return LoadAs<uint64_t>(p);
  }
}

}  // namespace

uint64_t BucketArray::Load(size_t slot) const { return LoadSlot(words_, width_, slot); }

void BucketArray::Store(size_t slot, uint64_t value) {
  unsigned char* p = reinterpret_cast<unsigned char*>(words_.data()) + slot * width_;
  switch (width_) {
    case 1:
      *p = static_cast<unsigned char>(value);
      break;
    case 2:
      StoreAs<uint16_t>(p, value);
      break;
    case 4:
      StoreAs<uint32_t>(p, value);
      break;
    default:
      StoreAs<uint64_t>(p, value);
      break;
  }
}

uint64_t BucketArray::Get(int32_t index) const {
  if (index < lo_ || index >= hi_) return 0;
  return Load(static_cast<size_t>(index - base_));
}

uint64_t BucketArray::SumRange(int64_t from, int64_t to) const {
  from = std::max<int64_t>(from, lo_);
  to = std::min<int64_t>(to, hi_);
  if (from >= to) return 0;
  const size_t first = static_cast<size_t>(from - base_);
  const size_t last = static_cast<size_t>(to - base_);
  // One loop per width so the compiler can vectorise the sum (le rendering runs it per scrape).
  auto sum = [&](auto tag) {
    using T = decltype(tag);
    uint64_t total = 0;
    const unsigned char* p = reinterpret_cast<const unsigned char*>(words_.data());
    for (size_t s = first; s < last; ++s) total += LoadAs<T>(p + s * sizeof(T));
    return total;
  };
  switch (width_) {
    case 1:
      return sum(uint8_t{});
    case 2:
      return sum(uint16_t{});
    case 4:
      return sum(uint32_t{});
    default:
      return sum(uint64_t{});
  }
}

void BucketArray::Relayout(int32_t base, uint32_t slots, uint32_t width) {
  std::vector<uint64_t> old((static_cast<size_t>(slots) * width + 7) / 8, 0);
  old.swap(words_);
  const int32_t old_base = base_;
  const uint32_t old_width = width_;
  base_ = base;
  width_ = width;
  for (int32_t i = lo_; i < hi_; ++i) {
    Store(static_cast<size_t>(i - base_),
          LoadSlot(old, old_width, static_cast<size_t>(i - old_base)));
  }
}

void BucketArray::GrowTo(int32_t lo, int32_t hi, uint32_t max_span) {
  const int64_t cap_lo = base_;
  const int64_t cap_hi = cap_lo + capacity();
  if (!words_.empty() && lo >= cap_lo && hi <= cap_hi) return;  // the buffer already covers it
  const uint32_t span = static_cast<uint32_t>(hi - lo);
  // A quarter of slack keeps reallocations logarithmic in the span without holding much memory.
  const uint32_t slots = std::max(span, std::min(span + span / 4 + 4, max_span));
  const uint32_t slack = slots - span;
  int32_t base;
  if (empty()) {
    base = lo - static_cast<int32_t>(slack / 2);
  } else if (lo < lo_) {
    base = lo - static_cast<int32_t>(slack);  // grew downwards: leave the room below
  } else {
    base = lo;
  }
  Relayout(base, slots, width_);
}

void BucketArray::Reserve(int32_t lo, int32_t hi, uint32_t max_span) {
  if (lo >= hi) return;
  if (!empty()) {
    lo = std::min(lo, lo_);
    hi = std::max(hi, hi_);
  }
  GrowTo(lo, hi, max_span);
}

void BucketArray::Add(int32_t index, uint64_t n, uint32_t max_span) {
  if (TryAdd(index, n)) return;
  if (empty()) {
    GrowTo(index, index + 1, max_span);
    lo_ = index;
    hi_ = index + 1;
  } else if (index < lo_ || index >= hi_) {
    const int32_t lo = std::min(lo_, index);
    const int32_t hi = std::max(hi_, index + 1);
    GrowTo(lo, hi, max_span);
    lo_ = lo;
    hi_ = hi;
  }
  const size_t slot = static_cast<size_t>(index - base_);
  const uint64_t sum = SaturatingAdd(Load(slot), n);
  const uint32_t width = WidthFor(sum);
  if (width > width_) Relayout(base_, capacity(), width);
  Store(slot, sum);
}

void BucketArray::Downscale(int32_t k) {
  if (k <= 0 || empty()) return;
  const int32_t lo = lo_ >> k;
  const int32_t hi = ((hi_ - 1) >> k) + 1;
  std::vector<uint64_t> merged(static_cast<size_t>(hi - lo), 0);
  ForEach([&](int32_t i, uint64_t c) {
    uint64_t& m = merged[static_cast<size_t>((i >> k) - lo)];
    m = SaturatingAdd(m, c);
  });
  uint32_t width = 1;
  for (uint64_t m : merged) width = std::max(width, WidthFor(m));
  words_.assign((merged.size() * width + 7) / 8, 0);
  base_ = lo;
  lo_ = lo;
  hi_ = hi;
  width_ = width;
  for (size_t s = 0; s < merged.size(); ++s) Store(s, merged[s]);
}

uint64_t BucketArray::TakeBelow(int32_t index) {
  uint64_t taken = 0;
  while (!empty() && lo_ < index) {
    const size_t slot = static_cast<size_t>(lo_ - base_);
    taken = SaturatingAdd(taken, Load(slot));
    Store(slot, 0);
    ++lo_;
    // Keep the invariant that the window starts at a non-empty bucket.
    while (lo_ < hi_ && Load(static_cast<size_t>(lo_ - base_)) == 0) ++lo_;
  }
  if (empty()) lo_ = hi_ = 0;
  return taken;
}

void BucketArray::Clear() {
  std::fill(words_.begin(), words_.end(), 0);
  lo_ = hi_ = 0;
}

}  // namespace vigil::hist
