#include "collector/receive/cumulative_tracker.h"

#include <algorithm>

namespace vigil::receive {
namespace {

void AppendSized(std::string& out, std::string_view s) {
  const uint32_t n = static_cast<uint32_t>(s.size());
  out.append(reinterpret_cast<const char*>(&n), sizeof(n));
  out.append(s);
}

}  // namespace

CumulativeTracker::CumulativeTracker(size_t max_streams)
    : max_per_generation_(std::max<size_t>(1, max_streams / (2 * kShards))) {
  for (auto& s : shards_) s = std::make_unique<Shard>();
}

CumulativeTracker::~CumulativeTracker() = default;

std::string CumulativeTracker::StreamKey(std::string_view family, std::string_view series_key,
                                         std::string_view producer) {
  std::string key;
  key.reserve(family.size() + series_key.size() + producer.size() + 12);
  AppendSized(key, family);
  AppendSized(key, series_key);
  AppendSized(key, producer);
  return key;
}

size_t CumulativeTracker::size() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s->mu);
    n += s->current.size() + s->old.size();
  }
  return n;
}

template <typename Fn>
auto CumulativeTracker::WithEntry(const std::string& stream, Fn&& fn) {
  Shard& shard = *shards_[std::hash<std::string>{}(stream) % kShards];
  std::lock_guard lock(shard.mu);
  stats_.points.fetch_add(1, std::memory_order_relaxed);
  auto it = shard.current.find(stream);
  if (it != shard.current.end()) return fn(&it->second, it->second);
  if (auto o = shard.old.find(stream); o != shard.old.end()) {
    Entry previous = std::move(o->second);
    shard.old.erase(o);
    Entry& slot = shard.current[stream];
    return fn(&previous, slot);
  }
  if (shard.current.size() >= max_per_generation_) {
    stats_.forgotten.fetch_add(shard.old.size(), std::memory_order_relaxed);
    shard.old = std::move(shard.current);
    shard.current.clear();
  }
  Entry& slot = shard.current[stream];
  return fn(nullptr, slot);
}

double CumulativeTracker::CounterDelta(const std::string& stream, uint64_t start_ns, double value) {
  return WithEntry(stream, [&](const Entry* prev, Entry& slot) {
    double delta = value;
    if (prev != nullptr) {
      const double* last = std::get_if<double>(&prev->last);
      if (last != nullptr && prev->start_ns == start_ns && value >= *last) {
        delta = value - *last;
      } else {
        stats_.resets.fetch_add(1, std::memory_order_relaxed);
      }
    }
    slot.start_ns = start_ns;
    slot.last = value;
    return delta;
  });
}

double CumulativeTracker::UpDownDelta(const std::string& stream, uint64_t start_ns, double value) {
  return WithEntry(stream, [&](const Entry* prev, Entry& slot) {
    double delta = value;
    if (prev != nullptr) {
      if (const double* last = std::get_if<double>(&prev->last)) delta = value - *last;
      if (prev->start_ns != start_ns) stats_.resets.fetch_add(1, std::memory_order_relaxed);
    }
    slot.start_ns = start_ns;
    slot.last = value;
    return delta;
  });
}

template <typename T, typename Subtract>
T CumulativeTracker::HistogramDelta(const std::string& stream, uint64_t start_ns, const T& value,
                                    Subtract subtract) {
  return WithEntry(stream, [&](const Entry* prev, Entry& slot) {
    T delta = value;
    if (prev != nullptr) {
      const T* last = std::get_if<T>(&prev->last);
      // A new start time or a subtraction that fails (a count went down) is a reset: the
      // whole value is the delta.
      Result<T> d = last != nullptr && prev->start_ns == start_ns
                        ? subtract(value, *last)
                        : Result<T>(Status::FailedPrecondition("reset"));
      if (d.ok()) {
        delta = std::move(*d);
      } else {
        stats_.resets.fetch_add(1, std::memory_order_relaxed);
      }
    }
    slot.start_ns = start_ns;
    slot.last = value;
    return delta;
  });
}

aggregate::ExplicitHistogram CumulativeTracker::ExplicitDelta(
    const std::string& stream, uint64_t start_ns, const aggregate::ExplicitHistogram& value) {
  return HistogramDelta(stream, start_ns, value, aggregate::SubtractExplicit);
}

hist::ExpHistogramData CumulativeTracker::ExpDelta(const std::string& stream, uint64_t start_ns,
                                                   const hist::ExpHistogramData& value) {
  return HistogramDelta(stream, start_ns, value, aggregate::SubtractExpData);
}

}  // namespace vigil::receive
