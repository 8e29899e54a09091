// RedMetrics derives RED metrics (request rate, errors, duration histogram) per series
// (service, route, status) from parsed log lines, as deltas taken at each flush. Owned and used
// by the pipeline thread only: no locks, not thread-safe; lives as long as the pipeline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/parse/parsed_line.h"
#include "core/histogram/exp_histogram.h"

namespace vigil::derive {

struct RedOptions {
  // Distinct series kept at once (the overflow series not counted). Requests of further series
  // fold into the one overflow series.
  size_t max_series = 10000;
  hist::ExpHistogramOptions histogram;
  // A series without data for this many consecutive TakeDeltas calls is forgotten, freeing its
  // slot for a new series. Deltas carry no state across flushes, so nothing is lost: the series
  // simply starts afresh if it comes back. 0 = never forget.
  uint32_t evict_after_idle_flushes = 30;
};

// What one series gathered since the previous TakeDeltas.
struct SeriesDelta {
  std::string service, route;
  int status = 0;
  bool overflow = false;        // the fold of all series beyond max_series (service/route empty)
  hist::ExpHistogram duration;  // seconds
  uint64_t errors = 0;
};

struct RedStats {
  uint64_t requests = 0, overflow_requests = 0;  // since construction
  size_t series = 0;                             // series held now, the overflow one excluded
  uint64_t evicted_series = 0;                   // since construction
};

class RedMetrics {
 public:
  explicit RedMetrics(RedOptions options);
  RedMetrics(const RedMetrics&) = delete;
  RedMetrics& operator=(const RedMetrics&) = delete;

  // Hot path. Lines without a duration are not requests and are ignored. Finding an existing
  // series hashes string_views and allocates nothing.
  void Record(const parse::ParsedLine& line);

  // The series that got data since the last call, the overflow series last; their histograms
  // and error counts are reset, keeping keys and bucket storage for reuse. Also ages idle
  // series (see RedOptions::evict_after_idle_flushes).
  std::vector<SeriesDelta> TakeDeltas();

  const RedStats& stats() const { return stats_; }
  // Approximate heap and object bytes held.
  size_t MemoryBytes() const;

 private:
  struct Series {
    explicit Series(const hist::ExpHistogramOptions& options) : duration(options) {}
    std::string service, route;
    int status = 0;
    hist::ExpHistogram duration;
    uint64_t errors = 0;
    bool has_data = false;
    bool live = false;  // false: a free slot waiting for reuse
    uint32_t idle_flushes = 0;
  };
  // Views into a Series' own strings (stable: Series live behind unique_ptr) or, for lookups,
  // into the caller's ParsedLine.
  struct Key {
    std::string_view service, route;
    int status = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const {
      const size_t h1 = std::hash<std::string_view>{}(key.service);
      const size_t h2 = std::hash<std::string_view>{}(key.route);
      return h1 ^ (h2 * 0x9E3779B97F4A7C15ULL) ^ (static_cast<size_t>(key.status) << 17);
    }
  };

  // The series for `line`, created if there is room, else nullptr.
  Series* FindOrAdd(const parse::ParsedLine& line);
  static void AddTo(Series& series, const parse::ParsedLine& line);
  static SeriesDelta TakeFrom(Series& series, bool overflow);
  void Evict(uint32_t slot);

  RedOptions options_;
  std::unordered_map<Key, uint32_t, KeyHash> index_;  // key -> slot in slots_
  std::vector<std::unique_ptr<Series>> slots_;
  std::vector<uint32_t> free_slots_;
  Series overflow_;
  RedStats stats_;
};

}  // namespace vigil::derive
