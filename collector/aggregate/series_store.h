// SeriesStore: the collector's merged state, one entry per (metric family, label set): a
// cumulative exponential histogram plus a sliding window of slot histograms, or a counter.
// Lives as long as the collector; thread-safe (sharded by series-key hash, one mutex per shard).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/histogram/exp_histogram.h"
#include "core/status.h"

namespace vigil::aggregate {

// Prometheus label names and values. The store keeps them sorted by name; callers may pass
// them in any order (they are sorted on the way in).
using Labels = std::vector<std::pair<std::string, std::string>>;

struct StoreOptions {
  // Bound on label combinations per family; over it new series are dropped and counted.
  size_t max_series_per_metric = 100000;
  // The sliding window read by Visit, kept as window/slot ring slots.
  std::chrono::seconds window{60};
  std::chrono::seconds slot{5};
  hist::ExpHistogramOptions histogram;
};

struct StoreStats {
  std::atomic<uint64_t> series_created{0};
  std::atomic<uint64_t> series_dropped_cardinality{0};  // merges refused for a new series
  std::atomic<uint64_t> histogram_merges{0};
  std::atomic<uint64_t> counter_adds{0};
};

enum class MetricKind { kHistogram, kCounter };

// What Visit shows of one series. Pointers and references are valid only during the call.
struct SeriesView {
  std::string_view family;  // Prometheus family name (histograms without suffix)
  std::string_view help;
  MetricKind kind;
  const Labels& labels;
  const hist::ExpHistogram* cumulative = nullptr;  // kHistogram: everything merged so far
  const hist::ExpHistogram* window = nullptr;      // kHistogram: merge of the live slots
  double counter = 0;                              // kCounter: the running total
};

// Called once per series, in no particular order, with that series' shard locked: it must not
// call back into the store.
using Visitor = std::function<void(const SeriesView&)>;

class SeriesStore {
 public:
  explicit SeriesStore(StoreOptions options = {});
  ~SeriesStore();
  SeriesStore(const SeriesStore&) = delete;
  SeriesStore& operator=(const SeriesStore&) = delete;

  // Merges a delta histogram into the series' cumulative state and into the window slot of
  // `now`. ResourceExhausted when the series is new and the family is at its cardinality bound;
  // InvalidArgument when `name` is already a counter family.
  Status MergeHistogram(std::string_view name, std::string_view help, const Labels& labels,
                        const hist::ExpHistogram& delta, std::chrono::system_clock::time_point now);

  // Adds a non-negative delta to a counter (`name` includes `_total`). Same errors as above,
  // plus InvalidArgument for a negative or NaN delta (counters only go up).
  Status AddCounter(std::string_view name, std::string_view help, const Labels& labels,
                    double delta);

  // Shows every series; each shard is read under its lock, so every series is seen whole
  // (never half-merged). The window holds the slots that overlap (now - window, now].
  void Visit(const Visitor& visitor, std::chrono::system_clock::time_point now) const;

  size_t series() const { return total_series_.load(std::memory_order_relaxed); }
  const StoreStats& stats() const { return stats_; }
  const StoreOptions& options() const { return options_; }

 private:
  struct Family;
  struct Series;
  struct Shard;
  static constexpr size_t kShards = 32;

  // Finds or registers the family; InvalidArgument on a kind clash.
  Result<Family*> GetFamily(std::string_view name, std::string_view help, MetricKind kind);
  // Finds or creates the series under the shard lock held by the caller.
  Result<Series*> GetSeries(Shard& shard, Family* family, const std::string& key,
                            const Labels& sorted_labels);
  int64_t SlotEpoch(std::chrono::system_clock::time_point t) const;

  StoreOptions options_;
  size_t slot_count_;
  StoreStats stats_;
  std::atomic<size_t> total_series_{0};

  mutable std::shared_mutex families_mu_;
  std::unordered_map<std::string, std::unique_ptr<Family>> families_;

  std::array<std::unique_ptr<Shard>, kShards> shards_;
};

}  // namespace vigil::aggregate
