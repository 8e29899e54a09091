// SampleStore: the short history the rule engine queries. Series are identified by their full
// label set (metric name included) and hold timestamped float and native-histogram samples,
// appended in time order. The collector appends a sample of every rule-relevant merged series
// once per evaluation interval, recording rules append their results, and DropBefore keeps only
// what the longest rule range needs. promtool-style unit tests load their input series into one.
// Thread-safe: one writer at a time with concurrent readers (a shared mutex); Select copies out.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/rules/eval/value.h"
#include "collector/rules/promql/ast.h"
#include "core/status.h"

namespace vigil::eval {

// What the evaluator reads from. An interface so tests and benches can stand in other data.
class Queryable {
 public:
  virtual ~Queryable() = default;
  // Appends to `out` every series whose labels satisfy all `matchers` (the metric name is
  // matched as a "__name__" matcher, an absent label as ""), with its samples whose time is in
  // [mint_ms, maxt_ms] (both inclusive, as in Prometheus 2.x). Stale markers are included (the
  // caller interprets them); series with no sample in the range are left out.
  virtual void Select(const std::vector<promql::LabelMatcher>& matchers, int64_t mint_ms,
                      int64_t maxt_ms, Matrix* out) const = 0;
};

struct SampleStoreStats {
  size_t series = 0;
  size_t float_samples = 0;
  size_t histogram_samples = 0;
  size_t bytes = 0;  // estimated heap bytes held (labels, sample arrays, histograms)
};

class SampleStore : public Queryable {
 public:
  SampleStore();
  ~SampleStore() override;
  SampleStore(const SampleStore&) = delete;
  SampleStore& operator=(const SampleStore&) = delete;

  // Appends a sample. `labels` need not be sorted; it must hold a non-empty "__name__".
  // A sample at the same time as the series' last one replaces it; an older one is
  // InvalidArgument ("out of order sample") and changes nothing. StaleNaN() marks staleness.
  Status Append(const Labels& labels, int64_t t_ms, double v);
  Status AppendHistogram(const Labels& labels, int64_t t_ms, HistogramPtr h);

  // Removes samples older than t_ms, and series left with no sample.
  void DropBefore(int64_t t_ms);

  void Select(const std::vector<promql::LabelMatcher>& matchers, int64_t mint_ms, int64_t maxt_ms,
              Matrix* out) const override;

  // Calls `fn` with every series whose newest sample is at or after `since_ms`, passing that
  // newest sample (histogram set when it is a histogram sample). Used to expose recording-rule
  // results and ALERTS on the Prometheus page. `fn` must not call back into the store.
  void VisitLatest(int64_t since_ms,
                   const std::function<void(const Labels&, const Sample&)>& fn) const;

  SampleStoreStats stats() const;

 private:
  struct SeriesData;
  // The series of normalized `labels` (encoded as `key`), created when new. Caller holds mu_.
  SeriesData& SeriesLocked(std::string key, Labels labels);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<SeriesData>> series_;  // key: encoded labels
  // Series by metric name: rule selectors nearly always name their metric, so Select scans
  // one family instead of the whole store.
  std::unordered_map<std::string, std::vector<SeriesData*>> by_name_;
  uint64_t next_id_ = 0;
};

}  // namespace vigil::eval
