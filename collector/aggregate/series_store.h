// SeriesStore: the collector's merged state, one entry per (metric family, label set): a
// cumulative exponential histogram plus a sliding window of slot histograms, an explicit-bounds
// histogram, a counter or a gauge. Lives as long as the collector; thread-safe (sharded by
// series-key hash, one mutex per shard).
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

#include "collector/aggregate/explicit_histogram.h"
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
  std::atomic<uint64_t> gauge_writes{0};
  std::atomic<uint64_t> explicit_histogram_merges{0};
};

// kHistogram is exponential; kExplicitHistogram keeps the bounds its points came with.
enum class MetricKind { kHistogram, kCounter, kGauge, kExplicitHistogram };

// Names a family on every write. The first write creates the family with these names; later
// writes must agree on the kind (the names are not compared).
struct MetricInfo {
  MetricInfo(std::string_view name_in, std::string_view help_in, std::string_view otlp_name_in = {},
             std::string_view unit_in = {})
      : name(name_in), help(help_in), otlp_name(otlp_name_in), unit(unit_in) {}
  std::string_view name;  // Prometheus family name (histograms without suffix)
  std::string_view help;
  std::string_view otlp_name;  // the OTLP metric name it came from; "" when unknown
  std::string_view unit;       // the OTLP unit
};

// What Visit shows of one series. Pointers and references are valid only during the call.
struct SeriesView {
  std::string_view family;  // Prometheus family name (histograms without suffix)
  std::string_view help;
  MetricKind kind;
  const Labels& labels;
  std::string_view otlp_name;  // as in MetricInfo
  std::string_view unit;
  std::string_view key;  // the series' identity, stable for the store's lifetime
  std::chrono::system_clock::time_point start;            // when the series was created
  const hist::ExpHistogram* cumulative = nullptr;         // kHistogram: everything merged so far
  const hist::ExpHistogram* window = nullptr;             // kHistogram: merge of the live slots
  const ExplicitHistogram* explicit_histogram = nullptr;  // kExplicitHistogram: merged so far
  double counter = 0;                                     // kCounter: the running total
  double gauge = 0;                                       // kGauge: the current value
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
  // InvalidArgument when the family already holds another kind.
  Status MergeHistogram(const MetricInfo& metric, const Labels& labels,
                        const hist::ExpHistogram& delta, std::chrono::system_clock::time_point now);

  // Adds a non-negative delta to a counter (the name includes `_total`). Same errors as above,
  // plus InvalidArgument for a negative or NaN delta (counters only go up).
  Status AddCounter(const MetricInfo& metric, const Labels& labels, double delta);

  // Gauges: Set replaces the value (last write wins), Add moves it by a signed delta (an OTLP
  // non-monotonic sum). Same errors as above, plus InvalidArgument for NaN.
  Status SetGauge(const MetricInfo& metric, const Labels& labels, double value);
  Status AddGauge(const MetricInfo& metric, const Labels& labels, double delta);

  // Adds a delta explicit-bounds histogram (validated by the caller). The series takes the
  // bounds of its first point; a point with other bounds is InvalidArgument and changes nothing.
  Status MergeExplicitHistogram(const MetricInfo& metric, const Labels& labels,
                                const ExplicitHistogram& delta);

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
  Result<Family*> GetFamily(const MetricInfo& metric, MetricKind kind);
  // Finds or creates the series of (metric, labels) and runs `update` on it under its shard's
  // lock; `update` returns the Status of the write.
  template <typename Update>
  Status Write(const MetricInfo& metric, MetricKind kind, const Labels& labels, Update&& update);
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
