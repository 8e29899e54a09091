#include "agent/derive/red_metrics.h"

#include <algorithm>
#include <utility>

namespace vigil::derive {
namespace {

// Up-front room in the index so that the first thousand series do not rehash on the hot path.
constexpr size_t kInitialIndexCapacity = 1024;

size_t StringHeapBytes(const std::string& s) {
  // Short strings live inside the object (SSO); only longer ones own a heap block.
  return s.capacity() > sizeof(std::string) - 1 ? s.capacity() + 1 : 0;
}

}  // namespace

RedMetrics::RedMetrics(RedOptions options)
    : options_(std::move(options)), overflow_(options_.histogram) {
  index_.reserve(std::min(options_.max_series, kInitialIndexCapacity));
}

void RedMetrics::Record(const parse::ParsedLine& line) {
  if (!line.has_duration()) return;
  ++stats_.requests;
  Series* series = FindOrAdd(line);
  if (series == nullptr) {
    ++stats_.overflow_requests;
    series = &overflow_;
  }
  AddTo(*series, line);
}

RedMetrics::Series* RedMetrics::FindOrAdd(const parse::ParsedLine& line) {
  const Key probe{line.service, line.route, line.status};
  if (auto it = index_.find(probe); it != index_.end()) return slots_[it->second].get();
  if (index_.size() >= options_.max_series) return nullptr;

  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(slots_.size());
    slots_.push_back(std::make_unique<Series>(options_.histogram));
  }
  Series& series = *slots_[slot];
  // The strings are set before the key is made, so the key's views see their final buffers.
  series.service.assign(line.service);
  series.route.assign(line.route);
  series.status = line.status;
  series.live = true;
  series.idle_flushes = 0;
  index_.emplace(Key{series.service, series.route, series.status}, slot);
  stats_.series = index_.size();
  return &series;
}

void RedMetrics::AddTo(Series& series, const parse::ParsedLine& line) {
  series.duration.Record(line.duration_seconds);
  if (line.is_error) ++series.errors;
  series.has_data = true;
}

SeriesDelta RedMetrics::TakeFrom(Series& series, bool overflow) {
  SeriesDelta delta{.service = series.service,
                    .route = series.route,
                    .status = series.status,
                    .overflow = overflow,
                    .duration = series.duration,  // a copy: the series keeps its buffers
                    .errors = series.errors};
  series.duration.Clear();
  series.errors = 0;
  series.has_data = false;
  series.idle_flushes = 0;
  return delta;
}

std::vector<SeriesDelta> RedMetrics::TakeDeltas() {
  std::vector<SeriesDelta> deltas;
  for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
    Series& series = *slots_[slot];
    if (!series.live) continue;
    if (series.has_data) {
      deltas.push_back(TakeFrom(series, /*overflow=*/false));
    } else if (options_.evict_after_idle_flushes > 0 &&
               ++series.idle_flushes >= options_.evict_after_idle_flushes) {
      Evict(slot);
    }
  }
  if (overflow_.has_data) deltas.push_back(TakeFrom(overflow_, /*overflow=*/true));
  return deltas;
}

void RedMetrics::Evict(uint32_t slot) {
  Series& series = *slots_[slot];
  index_.erase(Key{series.service, series.route, series.status});
  // The histogram (empty, buffers kept) and the string capacity are reused by the next series.
  series.live = false;
  series.idle_flushes = 0;
  free_slots_.push_back(slot);
  stats_.series = index_.size();
  ++stats_.evicted_series;
}

size_t RedMetrics::MemoryBytes() const {
  // A node of the index: the key, the slot, libstdc++'s cached hash and next pointer.
  constexpr size_t kNodeBytes = sizeof(Key) + sizeof(uint32_t) + 2 * sizeof(void*);
  size_t bytes = sizeof(*this) + overflow_.duration.MemoryBytes() - sizeof(hist::ExpHistogram);
  bytes += index_.bucket_count() * sizeof(void*) + index_.size() * kNodeBytes;
  bytes += slots_.capacity() * sizeof(slots_[0]) + free_slots_.capacity() * sizeof(uint32_t);
  for (const auto& series : slots_) {
    bytes += sizeof(Series) - sizeof(hist::ExpHistogram) + series->duration.MemoryBytes();
    bytes += StringHeapBytes(series->service) + StringHeapBytes(series->route);
  }
  return bytes;
}

}  // namespace vigil::derive
