// CumulativeTracker: turns CUMULATIVE OTLP points into the deltas the SeriesStore merges. It keeps
// the last cumulative value of every (series, producer) stream and answers the difference from it;
// a reset (start_time_unix_nano changed, or a monotonic value going down) makes the new value
// itself the delta, and the first point of a stream counts in full. Memory is bounded: streams not
// seen for a while are forgotten two generations at a time. Thread-safe (sharded mutexes).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

#include "collector/aggregate/explicit_histogram.h"
#include "core/histogram/exp_histogram.h"
#include "core/status.h"

namespace vigil::receive {

struct CumulativeStats {
  std::atomic<uint64_t> points{0};     // cumulative points turned into deltas
  std::atomic<uint64_t> resets{0};     // start time changed or value went down
  std::atomic<uint64_t> forgotten{0};  // streams dropped to respect max_streams
};

class CumulativeTracker {
 public:
  // Remembers at most about `max_streams` streams (the least recently seen go first).
  explicit CumulativeTracker(size_t max_streams = 1'000'000);
  ~CumulativeTracker();
  CumulativeTracker(const CumulativeTracker&) = delete;
  CumulativeTracker& operator=(const CumulativeTracker&) = delete;

  // `stream` identifies (series, producer); see StreamKey. `start_ns` is the point's
  // start_time_unix_nano. Each returns the delta to merge and remembers `value`.
  // Monotonic sums: the increase (>= 0).
  double CounterDelta(const std::string& stream, uint64_t start_ns, double value);
  // Non-monotonic sums: value - last, signed; a restarted producer's new value replaces its old
  // one, so the difference is right across resets too.
  double UpDownDelta(const std::string& stream, uint64_t start_ns, double value);
  aggregate::ExplicitHistogram ExplicitDelta(const std::string& stream, uint64_t start_ns,
                                             const aggregate::ExplicitHistogram& value);
  hist::ExpHistogramData ExpDelta(const std::string& stream, uint64_t start_ns,
                                  const hist::ExpHistogramData& value);

  // The number of streams remembered.
  size_t size() const;
  const CumulativeStats& stats() const { return stats_; }

  // A collision-free stream identity from the family name, the series' sorted labels (as the
  // store keys them) and the producer (service.instance.id, the agent id, or "unknown").
  static std::string StreamKey(std::string_view family, std::string_view series_key,
                               std::string_view producer);

 private:
  using Value = std::variant<double, aggregate::ExplicitHistogram, hist::ExpHistogramData>;
  struct Entry {
    uint64_t start_ns = 0;
    Value last;
  };
  struct Shard {
    mutable std::mutex mu;
    // Two generations: lookups promote from `old` to `current`; when `current` is full, `old`
    // is dropped and `current` becomes `old`. An approximate LRU without per-entry bookkeeping.
    std::unordered_map<std::string, Entry> current, old;
  };
  static constexpr size_t kShards = 16;

  // Runs `fn(Entry* previous_or_null, Entry& slot)` under the stream's shard lock; `slot` is the
  // entry to overwrite with the new value.
  template <typename Fn>
  auto WithEntry(const std::string& stream, Fn&& fn);
  // The delta of a cumulative histogram point (either layout), resets detected.
  template <typename T, typename Subtract>
  T HistogramDelta(const std::string& stream, uint64_t start_ns, const T& value, Subtract subtract);

  size_t max_per_generation_;
  CumulativeStats stats_;
  std::array<std::unique_ptr<Shard>, kShards> shards_;
};

}  // namespace vigil::receive
